package auth

import (
	"context"
	"errors"
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
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

// disabledLabel on a user's Secret disables the user: no login, and tokens already issued stop
// working at their next request.
const disabledLabel = "iam.kpanda.io/disabled"

var (
	// ErrUserDisabled is returned for a user an admin disabled.
	ErrUserDisabled = errors.New("user is disabled")
	// ErrUserGone is returned for a token whose user no longer exists.
	ErrUserGone = errors.New("user no longer exists")
)

// SetDisabled disables or enables local user name.
func SetDisabled(ctx context.Context, client kubernetes.Interface, name string, disabled bool) error {
	value := "null"
	if disabled {
		value = `"true"`
	}
	patch := []byte(`{"metadata":{"labels":{"` + disabledLabel + `":` + value + `}}}`)
	_, err := client.CoreV1().Secrets(Namespace).Patch(ctx, userSecretName(name), types.MergePatchType, patch, metav1.PatchOptions{})
	if apierrors.IsNotFound(err) {
		return fmt.Errorf("user %s: %w", name, ErrUserGone)
	}
	if err != nil {
		return fmt.Errorf("changing user %s: %w", name, err)
	}
	return nil
}

// CheckActive returns nil if user exists and is not disabled; ErrUserGone or ErrUserDisabled
// (wrapped, naming the user) otherwise. The apiserver asks it on every request, so disabling a
// user takes effect at once, not when their token expires.
func (a *Authenticator) CheckActive(ctx context.Context, user string) error {
	secret, err := a.client.CoreV1().Secrets(Namespace).Get(ctx, userSecretName(user), metav1.GetOptions{})
	if apierrors.IsNotFound(err) || (err == nil && secret.Labels[userLabel] != user) {
		return fmt.Errorf("user %s: %w", user, ErrUserGone)
	}
	if err != nil {
		return fmt.Errorf("reading user %s: %w", user, err)
	}
	if secret.Labels[disabledLabel] == "true" {
		return fmt.Errorf("user %s: %w; an admin can enable it again (kpanda user enable %s)", user, ErrUserDisabled, user)
	}
	return nil
}
