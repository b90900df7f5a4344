package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	iamv1alpha1 "github.com/kpanda/kpanda/api/iam/v1alpha1"
)

var (
	// ErrUserExists is returned by CreateUser for a name that is taken.
	ErrUserExists = errors.New("user already exists")
	// ErrUserDisabled is returned for a user an admin disabled.
	ErrUserDisabled = errors.New("user is disabled")
	// ErrUserGone is returned for a token whose user no longer exists.
	ErrUserGone = errors.New("user no longer exists")
	// ErrOtherSource is returned when a login of one source (OIDC) names a user of another
	// (local): an identity provider must never take over a local account.
	ErrOtherSource = errors.New("user belongs to another source")
)

// legacyDisabledLabel disabled a user on its Secret before users were User objects; adopting
// such a Secret carries it over to spec.disabled.
const legacyDisabledLabel = "iam.kpanda.io/disabled"

// Bootstrap makes sure the bootstrap admin exists. On first start it creates User admin and
// generates a random password, stores only its bcrypt hash in Secret
// kpanda-system/kpanda-user-admin (creating the namespace if needed) and returns the password
// with created=true, for the caller to print once: it is not kept anywhere else. Later starts
// return created=false and no password, after checking that the existing Secret holds a usable
// hash. When several replicas start at once exactly one of them creates the password.
//
// It also adopts the password Secrets of an older kpanda, which had no User objects: each gets
// its User (disabled if the Secret's label said so), which then owns it.
func Bootstrap(ctx context.Context, c client.Client) (password string, created bool, err error) {
	if err := adoptLegacyUsers(ctx, c); err != nil {
		return "", false, fmt.Errorf("adopting the user Secrets of an older kpanda: %w", err)
	}
	password, created, err = bootstrapAdmin(ctx, c)
	if err != nil {
		return "", false, fmt.Errorf("bootstrap user %s: %w", AdminUser, err)
	}
	return password, created, nil
}

func bootstrapAdmin(ctx context.Context, c client.Client) (string, bool, error) {
	owner, err := ensureLocalUser(ctx, c, AdminUser, false)
	if err != nil {
		return "", false, err
	}
	var generated string
	secret, created, err := getOrCreateSecret(ctx, c, userSecretName(AdminUser), func() (*corev1.Secret, error) {
		p, err := generatePassword()
		if err != nil {
			return nil, err
		}
		hash, err := hashPassword(AdminUser, p)
		if err != nil {
			return nil, err
		}
		generated = p
		return newUserSecret(owner, hash), nil
	})
	if err != nil {
		return "", false, err
	}
	if created {
		return generated, true, nil
	}
	// Another replica or an earlier start made it; a broken one is reported now rather than as
	// logins that fail for no visible reason, and left as it is for an admin to look at.
	if _, err := userPasswordHash(secret, AdminUser); err != nil {
		return "", false, fmt.Errorf("%w (delete the Secret to generate a new admin password)", err)
	}
	return "", false, adopt(ctx, c, owner, secret)
}

// ensureLocalUser returns the local User of name, creating it (disabled as given) if missing.
func ensureLocalUser(ctx context.Context, c client.Client, name string, disabled bool) (*iamv1alpha1.User, error) {
	u, err := getUser(ctx, c, name)
	if err != nil {
		return nil, err
	}
	if u == nil {
		u = newUser(name, iamv1alpha1.UserSourceLocal)
		u.Spec.Disabled = disabled
		err = c.Create(ctx, u)
		if apierrors.IsAlreadyExists(err) {
			u, err = existingAfterConflict(ctx, c, name)
		}
		if err != nil {
			return nil, fmt.Errorf("creating User %s: %w", name, err)
		}
	}
	if u.Spec.Source != iamv1alpha1.UserSourceLocal {
		return nil, fmt.Errorf("user %s: %w: its source is %s, not Local", name, ErrOtherSource, u.Spec.Source)
	}
	return u, nil
}

// existingAfterConflict returns the User of name that another replica (or a concurrent login)
// created between our look and our create. An object of that name that stands for another user
// is an error: it can only be a hash collision or a local user named like a hash.
func existingAfterConflict(ctx context.Context, c client.Client, name string) (*iamv1alpha1.User, error) {
	u, err := getUser(ctx, c, name)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, fmt.Errorf("user %s: %w: User %s stands for another user", name, ErrUserExists, UserObjectName(name))
	}
	return u, nil
}

// adoptLegacyUsers gives every valid user Secret that has no User its User. Broken Secrets are
// left alone: Login reports them when they are used.
func adoptLegacyUsers(ctx context.Context, c client.Client) error {
	var secrets corev1.SecretList
	if err := c.List(ctx, &secrets, client.InNamespace(Namespace), client.HasLabels{userLabel}); err != nil {
		return fmt.Errorf("listing user Secrets: %w", err)
	}
	for i := range secrets.Items {
		secret := &secrets.Items[i]
		name := secret.Labels[userLabel]
		if len(secret.OwnerReferences) > 0 || !validUserName(name) || secret.Name != userSecretName(name) {
			continue
		}
		if _, err := userPasswordHash(secret, name); err != nil {
			continue
		}
		owner, err := ensureLocalUser(ctx, c, name, secret.Labels[legacyDisabledLabel] == "true")
		if err != nil {
			return err
		}
		if err := adopt(ctx, c, owner, secret); err != nil {
			return err
		}
	}
	return nil
}

// adopt makes owner the owner of its password Secret, if it is not yet.
func adopt(ctx context.Context, c client.Client, owner *iamv1alpha1.User, secret *corev1.Secret) error {
	if slices.ContainsFunc(secret.OwnerReferences, func(r metav1.OwnerReference) bool { return r.UID == owner.UID }) {
		return nil
	}
	patch := client.MergeFrom(secret.DeepCopy())
	secret.OwnerReferences = []metav1.OwnerReference{ownerReference(owner)}
	delete(secret.Labels, legacyDisabledLabel)
	if err := c.Patch(ctx, secret, patch); err != nil {
		return fmt.Errorf("making User %s the owner of Secret %s/%s: %w", owner.Name, secret.Namespace, secret.Name, err)
	}
	return nil
}

// CreateUser adds local user name with password: a User, and a Secret it owns that holds only
// the password's bcrypt hash.
func CreateUser(ctx context.Context, c client.Client, name, password string) error {
	if !validUserName(name) {
		return fmt.Errorf("name: %q is not a valid user name: lower-case letters, digits and '-', at most 63 characters", name)
	}
	if password == "" || len(password) > maxPasswordBytes {
		return fmt.Errorf("password: must be 1 to 72 bytes (bcrypt reads no further), got %d", len(password))
	}
	hash, err := hashPassword(name, password) // before anything is created: it may fail
	if err != nil {
		return err
	}
	u := newUser(name, iamv1alpha1.UserSourceLocal)
	err = c.Create(ctx, u)
	if apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("user %s: %w", name, ErrUserExists)
	}
	if err != nil {
		return fmt.Errorf("storing user %s: %w", name, err)
	}
	if err := createPasswordSecret(ctx, c, u, hash); err != nil {
		// No user without a password: take the User back, so that creating it again works.
		_ = c.Delete(ctx, u, client.Preconditions{UID: &u.UID})
		return err
	}
	return nil
}

// createPasswordSecret stores hash as the password of u. A Secret left by an earlier User of
// the same name, which the garbage collector has not removed yet, is replaced.
func createPasswordSecret(ctx context.Context, c client.Client, u *iamv1alpha1.User, hash []byte) error {
	if err := ensureNamespace(ctx, c); err != nil {
		return err
	}
	secret := newUserSecret(u, hash)
	secret.Namespace, secret.Name = Namespace, userSecretName(u.Name)
	err := c.Create(ctx, secret)
	if apierrors.IsAlreadyExists(err) {
		stale := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: Namespace, Name: secret.Name}}
		if err := c.Delete(ctx, stale); client.IgnoreNotFound(err) != nil {
			return fmt.Errorf("removing the stale Secret %s/%s: %w", Namespace, secret.Name, err)
		}
		secret.ResourceVersion = ""
		err = c.Create(ctx, secret)
	}
	if err != nil {
		return fmt.Errorf("storing the password of user %s: %w", u.Name, err)
	}
	return nil
}

// ListUsers returns the users, local and OIDC, sorted by user name.
func ListUsers(ctx context.Context, c client.Reader) ([]iamv1alpha1.User, error) {
	var list iamv1alpha1.UserList
	if err := c.List(ctx, &list); err != nil {
		return nil, fmt.Errorf("listing users: %w", err)
	}
	slices.SortFunc(list.Items, func(a, b iamv1alpha1.User) int { return strings.Compare(UserName(&a), UserName(&b)) })
	return list.Items, nil
}

// SetDisabled disables or enables user name, local or OIDC.
func SetDisabled(ctx context.Context, c client.Client, name string, disabled bool) error {
	u, err := getUser(ctx, c, name)
	if err != nil {
		return err
	}
	if u == nil {
		return fmt.Errorf("user %s: %w", name, ErrUserGone)
	}
	patch := client.MergeFrom(u.DeepCopy())
	u.Spec.Disabled = disabled
	if err := c.Patch(ctx, u, patch); err != nil {
		return fmt.Errorf("changing user %s: %w", name, err)
	}
	return nil
}
