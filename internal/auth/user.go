package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	iamv1alpha1 "github.com/kpanda/kpanda/api/iam/v1alpha1"
)

const (
	userSecretPrefix = "kpanda-user-"
	// userLabel marks a user's password Secret and names its user. Login accepts only Secrets
	// that carry it, so that a Secret that happens to have the name is never a password.
	userLabel       = "iam.kpanda.io/user"
	passwordHashKey = "password-hash"
	// UsernameAnnotation holds the user name of a User whose name could not be its object
	// name (an e-mail address from OIDC, say); UserObjectName says which object that is.
	UsernameAnnotation = "iam.kpanda.io/username"

	// generatedPasswordBytes random bytes make a 20-character URL-safe password (120 bits).
	generatedPasswordBytes = 15
	// maxPasswordBytes is the longest password bcrypt hashes; it would silently ignore the rest.
	maxPasswordBytes = 72
	// maxUserNameBytes bounds the user names an identity provider may bring.
	maxUserNameBytes = 256
)

// unknownUserHash is compared against when the user does not exist, so that an unknown user
// costs as much bcrypt work as a wrong password and the time of an answer does not tell which
// user names exist. It is the hash of a random string at bcrypt.DefaultCost.
var unknownUserHash = []byte("$2a$10$CHACIZn9oYhynKvVnZP//ONlOPvn3Agzxw.AGJajOcF32WcH88CDO")

// UserObjectName is the name of the User object of user: the user name itself when it is a
// valid object name, else "user-" and a hash of it, so that the object is found without a list.
func UserObjectName(user string) string {
	if len(validation.IsDNS1123Subdomain(user)) == 0 {
		return user
	}
	sum := sha256.Sum256([]byte(user))
	return "user-" + hex.EncodeToString(sum[:])[:20]
}

// UserName is the user name that User u stands for.
func UserName(u *iamv1alpha1.User) string {
	if name := u.Annotations[UsernameAnnotation]; name != "" {
		return name
	}
	return u.Name
}

// newUser returns a User object for user, not yet created.
func newUser(user string, source iamv1alpha1.UserSource) *iamv1alpha1.User {
	u := &iamv1alpha1.User{
		ObjectMeta: metav1.ObjectMeta{Name: UserObjectName(user)},
		Spec:       iamv1alpha1.UserSpec{Source: source},
	}
	if u.Name != user {
		u.Annotations = map[string]string{UsernameAnnotation: user}
	}
	return u
}

// TokenGroups returns the groups the identity provider named at user's last login (nil for local
// users, whose groups are kpanda Groups).
func TokenGroups(ctx context.Context, c client.Reader, user string) ([]string, error) {
	u, err := getUser(ctx, c, user)
	if err != nil || u == nil {
		return nil, err
	}
	return u.Status.Groups, nil
}

// getUser returns the User of user, or nil when there is none. An object under the name that
// stands for another user (a hash collision, or a local user named like a hash) is none.
func getUser(ctx context.Context, c client.Reader, user string) (*iamv1alpha1.User, error) {
	if user == "" {
		return nil, nil
	}
	u := &iamv1alpha1.User{}
	err := c.Get(ctx, client.ObjectKey{Name: UserObjectName(user)}, u)
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading user %s: %w", user, err)
	}
	if UserName(u) != user {
		return nil, nil
	}
	return u, nil
}

// validUserName reports whether user can be a local user: a DNS label, so that it is its own
// object name, a valid label value, and its Secret's name is valid too.
func validUserName(user string) bool {
	return len(validation.IsDNS1123Label(user)) == 0 &&
		len(validation.IsDNS1123Subdomain(userSecretName(user))) == 0
}

// validExternalUserName reports whether an identity provider's user name can be a kpanda user:
// any printable text (it becomes the member clusters' user kpanda:<name>), of bounded length.
func validExternalUserName(user string) bool {
	if user == "" || len(user) > maxUserNameBytes || !utf8.ValidString(user) {
		return false
	}
	for _, r := range user {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
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

// hashPassword returns the bcrypt hash of the password of user.
func hashPassword(user, password string) ([]byte, error) {
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return nil, fmt.Errorf("hash password of user %s: %w", user, err)
	}
	return hash, nil
}

// newUserSecret returns the password Secret of owner holding hash, without namespace and name
// (getOrCreateSecret sets them). Its ownerReference makes deleting the User delete it.
func newUserSecret(owner *iamv1alpha1.User, hash []byte) *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{
			Labels:          map[string]string{userLabel: owner.Name},
			OwnerReferences: []metav1.OwnerReference{ownerReference(owner)},
		},
		Type: corev1.SecretTypeOpaque,
		Data: map[string][]byte{passwordHashKey: hash},
	}
}

func ownerReference(owner *iamv1alpha1.User) metav1.OwnerReference {
	return metav1.OwnerReference{
		APIVersion: iamv1alpha1.GroupVersion.String(), Kind: "User",
		Name: owner.Name, UID: owner.UID, Controller: ptr.To(true),
	}
}

// userSecretName is the name of the Secret of a valid user name.
func userSecretName(user string) string { return userSecretPrefix + user }

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

// Authenticator checks who logs in against the User objects of the global cluster (and the
// password Secrets of local users). It reads them on every login and every request, so a
// changed password, a disabled or a removed user takes effect at once on every replica.
type Authenticator struct {
	client client.Client
	now    func() time.Time
}

// NewAuthenticator returns an Authenticator that reads and records users through c.
func NewAuthenticator(c client.Client) *Authenticator {
	return &Authenticator{client: c, now: time.Now}
}

// Login returns the Identity of local user username if password is its password. An unknown
// user, a user who is not local and a wrong password all give ErrInvalidCredentials, after the
// same bcrypt work. A disabled user with the right password gets ErrUserDisabled. Other errors
// mean the check could not be made (the global cluster cannot be reached, the user's Secret is
// broken) and are not the caller's fault.
func (a *Authenticator) Login(ctx context.Context, username, password string) (*Identity, error) {
	user, hash, err := a.passwordHash(ctx, username)
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
	if err := checkEnabled(user, username); err != nil {
		return nil, err
	}
	if err := a.recordLogin(ctx, user, nil); err != nil {
		return nil, err
	}
	return &Identity{User: username}, nil
}

// passwordHash returns the local User of name and its password hash, or nil ones if there is
// no such local user.
func (a *Authenticator) passwordHash(ctx context.Context, name string) (*iamv1alpha1.User, []byte, error) {
	if !validUserName(name) {
		return nil, nil, nil
	}
	user, err := getUser(ctx, a.client, name)
	if err != nil || user == nil || user.Spec.Source != iamv1alpha1.UserSourceLocal {
		return nil, nil, err
	}
	secret := &corev1.Secret{}
	err = a.client.Get(ctx, client.ObjectKey{Namespace: Namespace, Name: userSecretName(name)}, secret)
	if apierrors.IsNotFound(err) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("get Secret %s/%s: %w", Namespace, userSecretName(name), err)
	}
	if secret.Labels[userLabel] != name {
		return nil, nil, nil
	}
	hash, err := userPasswordHash(secret, name)
	return user, hash, err
}

// checkEnabled refuses a disabled user, saying how to undo it.
func checkEnabled(u *iamv1alpha1.User, name string) error {
	if u.Spec.Disabled {
		return fmt.Errorf("user %s: %w; an admin can enable it again (kpanda user enable %s)", name, ErrUserDisabled, name)
	}
	return nil
}

// recordLogin sets the User's status.lastLoginTime, for admins to see who still uses kpanda,
// and, for an OIDC user, the groups its token named.
func (a *Authenticator) recordLogin(ctx context.Context, u *iamv1alpha1.User, groups []string) error {
	patch := client.MergeFrom(u.DeepCopy())
	u.Status.LastLoginTime = &metav1.Time{Time: a.now()}
	if u.Spec.Source == iamv1alpha1.UserSourceOIDC {
		u.Status.Groups = groups
	}
	if err := a.client.Status().Patch(ctx, u, patch); err != nil {
		return fmt.Errorf("recording the login of user %s: %w", UserName(u), err)
	}
	return nil
}

// CheckActive returns nil if user exists and is not disabled; ErrUserGone or ErrUserDisabled
// (wrapped, naming the user) otherwise. The apiserver asks it on every request, so disabling or
// deleting a user takes effect at once, not when their token expires.
func (a *Authenticator) CheckActive(ctx context.Context, user string) error {
	u, err := getUser(ctx, a.client, user)
	if err != nil {
		return err
	}
	if u == nil {
		return fmt.Errorf("user %s: %w", user, ErrUserGone)
	}
	return checkEnabled(u, user)
}
