package auth

import (
	"context"
	"errors"
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// ErrUserExists is returned by CreateUser for a name that is taken.
var ErrUserExists = errors.New("user already exists")

// CreateUser adds local user name with password (only its bcrypt hash is stored).
func CreateUser(ctx context.Context, client kubernetes.Interface, name, password string) error {
	if !validUserName(name) {
		return fmt.Errorf("name: %q is not a valid user name: lower-case letters, digits and '-', at most 63 characters", name)
	}
	if password == "" || len(password) > maxPasswordBytes {
		return fmt.Errorf("password: must be 1 to 72 bytes (bcrypt reads no further), got %d", len(password))
	}
	secret, err := newUserSecret(name, password)
	if err != nil {
		return err
	}
	secret.Namespace, secret.Name = Namespace, userSecretName(name)
	_, err = client.CoreV1().Secrets(Namespace).Create(ctx, secret, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("user %s: %w", name, ErrUserExists)
	}
	if err != nil {
		return fmt.Errorf("storing user %s: %w", name, err)
	}
	return nil
}

// ListUsers returns the names of the local users, sorted.
func ListUsers(ctx context.Context, client kubernetes.Interface) ([]string, error) {
	secrets, err := client.CoreV1().Secrets(Namespace).List(ctx, metav1.ListOptions{LabelSelector: userLabel})
	if err != nil {
		return nil, fmt.Errorf("listing users: %w", err)
	}
	names := make([]string, 0, len(secrets.Items))
	for _, s := range secrets.Items {
		if s.Type == corev1.SecretTypeOpaque {
			names = append(names, s.Labels[userLabel])
		}
	}
	sort.Strings(names)
	return names, nil
}
