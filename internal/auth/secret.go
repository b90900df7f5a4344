package auth

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// getOrCreateSecret returns Secret Namespace/name, creating it from build when it does not
// exist, and whether this call created it. Several apiserver replicas may start at once: the
// apiserver lets exactly one create succeed, and the others read the winner's Secret instead of
// overwriting it. build runs only when the Secret is missing, because it may be expensive
// (bcrypt) or produce something that must then be shown exactly once (a password).
func getOrCreateSecret(ctx context.Context, c client.Client, name string, build func() (*corev1.Secret, error)) (*corev1.Secret, bool, error) {
	key := client.ObjectKey{Namespace: Namespace, Name: name}
	secret := &corev1.Secret{}
	err := c.Get(ctx, key, secret)
	if err == nil {
		return secret, false, nil
	}
	if !apierrors.IsNotFound(err) {
		return nil, false, fmt.Errorf("get Secret %s/%s: %w", Namespace, name, err)
	}
	if err := ensureNamespace(ctx, c); err != nil {
		return nil, false, err
	}
	want, err := build()
	if err != nil {
		return nil, false, err
	}
	want.Name, want.Namespace = name, Namespace
	err = c.Create(ctx, want)
	if err == nil {
		return want, true, nil
	}
	if !apierrors.IsAlreadyExists(err) {
		return nil, false, fmt.Errorf("create Secret %s/%s: %w", Namespace, name, err)
	}
	if err := c.Get(ctx, key, secret); err != nil {
		return nil, false, fmt.Errorf("get Secret %s/%s after another replica created it: %w", Namespace, name, err)
	}
	return secret, false, nil
}

// ensureNamespace creates Namespace if it is absent. It looks before creating so that an
// apiserver allowed only to read namespaces works once the namespace exists.
func ensureNamespace(ctx context.Context, c client.Client) error {
	err := c.Get(ctx, client.ObjectKey{Name: Namespace}, &corev1.Namespace{})
	if err == nil {
		return nil
	}
	if !apierrors.IsNotFound(err) {
		return fmt.Errorf("get namespace %s: %w", Namespace, err)
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: Namespace}}
	if err := c.Create(ctx, ns); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create namespace %s: %w", Namespace, err)
	}
	return nil
}
