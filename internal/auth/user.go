package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"

	"golang.org/x/crypto/bcrypt"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/client-go/kubernetes"
)

const (
	userSecretPrefix = "kpanda-user-"
	// userLabel marks a user Secret and names its user, so that users can be listed with a
	// label selector. Login accepts only Secrets that carry it, so that every user who can log
	// in is also one that a listing shows.
	userLabel       = "iam.kpanda.io/user"
	passwordHashKey = "password-hash"

	// generatedPasswordBytes random bytes make a 20-character URL-safe password (120 bits).
	generatedPasswordBytes = 15
	// maxPasswordBytes is the longest password bcrypt hashes; it would silently ignore the rest.
	maxPasswordBytes = 72
)

// unknownUserHash is compared against when the user does not exist, so that an unknown user
// costs as much bcrypt work as a wrong password and the time of an answer does not tell which
// user names exist. It is the hash of a random string at bcrypt.DefaultCost.
var unknownUserHash = []byte("$2a$10$CHACIZn9oYhynKvVnZP//ONlOPvn3Agzxw.AGJajOcF32WcH88CDO")

// Bootstrap makes sure the bootstrap admin exists. On first start it generates a random
// password, stores only its bcrypt hash in Secret kpanda-system/kpanda-user-admin (creating the
// namespace if needed) and returns the password with created=true, for the caller to print
// once: it is not kept anywhere else. Later starts return created=false and no password, after
// checking that the existing Secret holds a usable hash. When several replicas start at once
// exactly one of them creates the admin.
func Bootstrap(ctx context.Context, client kubernetes.Interface) (password string, created bool, err error) {
	var generated string
	secret, created, err := getOrCreateSecret(ctx, client, userSecretName(AdminUser), func() (*corev1.Secret, error) {
		p, err := generatePassword()
		if err != nil {
			return nil, err
		}
		generated = p
		return newUserSecret(AdminUser, p)
	})
	if err != nil {
		return "", false, fmt.Errorf("bootstrap user %s: %w", AdminUser, err)
	}
	if created {
		return generated, true, nil
	}
	// Another replica or an earlier start made it; a broken one is reported now rather than as
	// logins that fail for no visible reason.
	if _, err := userPasswordHash(secret, AdminUser); err != nil {
		return "", false, fmt.Errorf("bootstrap user %s: %w (delete the Secret to generate a new admin password)", AdminUser, err)
	}
	return "", false, nil
}

// generatePassword returns a random URL-safe password, so that it can be pasted into a shell
// or a URL without quoting.
func generatePassword() (string, error) {
	b := make([]byte, generatedPasswordBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate password: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// newUserSecret returns the Secret of user with the hash of password, without namespace and
// name (getOrCreateSecret sets them).
func newUserSecret(user, password string) (*corev1.Secret, error) {
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return nil, fmt.Errorf("hash password of user %s: %w", user, err)
	}
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{userLabel: user}},
		Type:       corev1.SecretTypeOpaque,
		Data:       map[string][]byte{passwordHashKey: hash},
	}, nil
}

// userSecretName is the name of the Secret of a valid user name.
func userSecretName(user string) string { return userSecretPrefix + user }

// validUserName reports whether user can be a local user: its Secret name must be a valid
// object name and the user name a valid label value.
func validUserName(user string) bool {
	return len(validation.IsDNS1123Label(user)) == 0 &&
		len(validation.IsDNS1123Subdomain(userSecretName(user))) == 0
}

// userPasswordHash returns the password hash that secret holds for user, or an error naming
// what is wrong with the Secret.
func userPasswordHash(secret *corev1.Secret, user string) ([]byte, error) {
	where := fmt.Sprintf("Secret %s/%s", secret.Namespace, secret.Name)
	if got := secret.Labels[userLabel]; got != user {
		return nil, fmt.Errorf("%s is not the Secret of user %s: label %s is %q, want %q", where, user, userLabel, got, user)
	}
	hash, ok := secret.Data[passwordHashKey]
	if !ok {
		return nil, fmt.Errorf("%s has no key %q", where, passwordHashKey)
	}
	if _, err := bcrypt.Cost(hash); err != nil {
		return nil, fmt.Errorf("%s: key %q is not a bcrypt hash: %w", where, passwordHashKey, err)
	}
	return hash, nil
}

// Authenticator checks user names and passwords against the user Secrets of the global
// cluster. It reads the Secret on every login, so a changed password or a removed user takes
// effect at once on every replica.
type Authenticator struct {
	client kubernetes.Interface
}

// NewAuthenticator returns an Authenticator that reads user Secrets through client.
func NewAuthenticator(client kubernetes.Interface) *Authenticator {
	return &Authenticator{client: client}
}

// Login returns the Identity of username if password is its password. An unknown user and a
// wrong password both give ErrInvalidCredentials, after the same bcrypt work. Other errors mean
// the check could not be made (the global cluster cannot be reached, the user's Secret is
// broken) and are not the caller's fault.
func (a *Authenticator) Login(ctx context.Context, username, password string) (*Identity, error) {
	hash, err := a.passwordHash(ctx, username)
	if err != nil {
		return nil, fmt.Errorf("login %q: %w", username, err)
	}
	known := hash != nil
	if !known {
		hash = unknownUserHash
	}
	mismatch := bcrypt.CompareHashAndPassword(hash, []byte(password))
	if !known || mismatch != nil || len(password) > maxPasswordBytes {
		return nil, ErrInvalidCredentials
	}
	if err := a.CheckActive(ctx, username); err != nil {
		return nil, err
	}
	return &Identity{User: username}, nil
}

// passwordHash returns the password hash of user, or nil if there is no such user.
func (a *Authenticator) passwordHash(ctx context.Context, user string) ([]byte, error) {
	if !validUserName(user) {
		return nil, nil
	}
	secret, err := a.client.CoreV1().Secrets(Namespace).Get(ctx, userSecretName(user), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get Secret %s/%s: %w", Namespace, userSecretName(user), err)
	}
	if secret.Labels[userLabel] != user {
		return nil, nil
	}
	return userPasswordHash(secret, user)
}
