package auth

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/bcrypt"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	iamv1alpha1 "github.com/kpanda/kpanda/api/iam/v1alpha1"
)

var urlSafePassword = regexp.MustCompile(`^[A-Za-z0-9_-]{20}$`)

func TestBootstrapCreatesAdminOnce(t *testing.T) {
	client := globalClient(t)
	ctx := testContext(t)
	deleteUser(t, client, AdminUser)

	password, created, err := Bootstrap(ctx, client)
	if err != nil || !created {
		t.Fatalf("first Bootstrap = created %v, error %v; want created", created, err)
	}
	if !urlSafePassword.MatchString(password) {
		t.Errorf("generated password %q is not 20 URL-safe characters", password)
	}
	first := getSecret(t, client, "kpanda-user-admin")
	checkAdminSecret(t, first, password)
	admin := getUserObject(t, client, AdminUser)
	if admin.Spec.Source != iamv1alpha1.UserSourceLocal || admin.Spec.Disabled {
		t.Errorf("User admin spec = %+v, want an enabled local user", admin.Spec)
	}
	checkOwnedBy(t, first, admin)

	again, created, err := Bootstrap(ctx, client)
	if err != nil || created || again != "" {
		t.Fatalf("second Bootstrap = %q, created %v, error %v; want \"\", not created", again, created, err)
	}
	if second := getSecret(t, client, "kpanda-user-admin"); second.ResourceVersion != first.ResourceVersion {
		t.Errorf("second Bootstrap changed the Secret: resourceVersion %s -> %s", first.ResourceVersion, second.ResourceVersion)
	}

	id, err := NewAuthenticator(client).Login(ctx, AdminUser, password)
	if err != nil || id.User != AdminUser {
		t.Fatalf("Login(admin, generated password) = %+v, %v; want user admin", id, err)
	}

	deleteSecret(t, client, "kpanda-user-admin")
	next, created, err := Bootstrap(ctx, client)
	if err != nil || !created {
		t.Fatalf("Bootstrap after deleting the Secret = created %v, error %v; want created", created, err)
	}
	if next == password {
		t.Errorf("two bootstraps generated the same password %q", next)
	}
}

// checkOwnedBy checks that secret goes when User owner is deleted.
func checkOwnedBy(t *testing.T, secret *corev1.Secret, owner *iamv1alpha1.User) {
	t.Helper()
	refs := secret.OwnerReferences
	if len(refs) != 1 || refs[0].Kind != "User" || refs[0].APIVersion != "iam.kpanda.io/v1alpha1" || refs[0].Name != owner.Name || refs[0].UID != owner.UID {
		t.Errorf("Secret %s ownerReferences = %+v, want User %s (uid %s)", secret.Name, refs, owner.Name, owner.UID)
	}
}

// checkAdminSecret checks that the admin Secret holds a hash of password and not the password.
func checkAdminSecret(t *testing.T, secret *corev1.Secret, password string) {
	t.Helper()
	if secret.Type != corev1.SecretTypeOpaque {
		t.Errorf("Secret type = %q, want %q", secret.Type, corev1.SecretTypeOpaque)
	}
	if got := secret.Labels["iam.kpanda.io/user"]; got != "admin" {
		t.Errorf("label iam.kpanda.io/user = %q, want admin", got)
	}
	hash := secret.Data["password-hash"]
	if err := bcrypt.CompareHashAndPassword(hash, []byte(password)); err != nil {
		t.Errorf("password-hash %q is not the bcrypt hash of the password: %v", hash, err)
	}
	for key, value := range secret.Data {
		if bytes.Contains(value, []byte(password)) {
			t.Errorf("Secret key %q contains the password", key)
		}
	}
	if len(secret.Data) != 1 {
		t.Errorf("Secret keys = %v, want only password-hash", secret.Data)
	}
}

func TestBootstrapConcurrentReplicasCreateOnce(t *testing.T) {
	client := globalClient(t)
	ctx := testContext(t)
	deleteUser(t, client, AdminUser)

	const replicas = 5
	type result struct {
		password string
		created  bool
		err      error
	}
	results := make([]result, replicas)
	var wg sync.WaitGroup
	for i := range replicas {
		wg.Go(func() {
			// A client each, as separate replicas have.
			p, c, err := Bootstrap(ctx, globalClient(t))
			results[i] = result{p, c, err}
		})
	}
	wg.Wait()

	var passwords []string
	for i, r := range results {
		if r.err != nil {
			t.Fatalf("replica %d: Bootstrap: %v", i, r.err)
		}
		if r.created != (r.password != "") {
			t.Errorf("replica %d: created %v with password %q; a password comes exactly with created", i, r.created, r.password)
		}
		if r.created {
			passwords = append(passwords, r.password)
		}
	}
	if len(passwords) != 1 {
		t.Fatalf("%d of %d replicas created the admin, want exactly 1", len(passwords), replicas)
	}
	checkAdminSecret(t, getSecret(t, client, "kpanda-user-admin"), passwords[0])
}

func TestBootstrapCreatesNamespace(t *testing.T) {
	client := globalClient(t)
	deleteNamespace(t, client)
	ctx := testContext(t)

	password, created, err := Bootstrap(ctx, client)
	if err != nil || !created {
		t.Fatalf("Bootstrap without namespace = created %v, error %v; want created", created, err)
	}
	checkAdminSecret(t, getSecret(t, client, "kpanda-user-admin"), password)
}

func TestBootstrapReportsBrokenAdminSecretAndKeepsIt(t *testing.T) {
	hash, err := bcrypt.GenerateFromPassword([]byte("kept"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		labels  map[string]string
		data    map[string][]byte
		wantErr string
	}{
		{
			name:    "no label",
			data:    map[string][]byte{"password-hash": hash},
			wantErr: `label iam.kpanda.io/user is "", want "admin"`,
		},
		{
			name:    "another user's label",
			labels:  map[string]string{"iam.kpanda.io/user": "root"},
			data:    map[string][]byte{"password-hash": hash},
			wantErr: `label iam.kpanda.io/user is "root", want "admin"`,
		},
		{
			name:    "no hash",
			labels:  map[string]string{"iam.kpanda.io/user": "admin"},
			data:    map[string][]byte{"password": []byte("kept")},
			wantErr: `has no key "password-hash"`,
		},
		{
			name:    "the password instead of a hash",
			labels:  map[string]string{"iam.kpanda.io/user": "admin"},
			data:    map[string][]byte{"password-hash": []byte("kept")},
			wantErr: `key "password-hash" is not a bcrypt hash`,
		},
	}
	client := globalClient(t)
	t.Cleanup(func() { deleteSecret(t, client, "kpanda-user-admin") })
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := testContext(t)
			deleteSecret(t, client, "kpanda-user-admin")
			before := createSecret(t, client, "kpanda-user-admin", tt.labels, tt.data)

			password, created, err := Bootstrap(ctx, client)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Bootstrap = %q, created %v, error %v; want an error containing %q", password, created, err, tt.wantErr)
			}
			if created || password != "" {
				t.Errorf("Bootstrap on a broken Secret returned created %v, password %q", created, password)
			}
			if after := getSecret(t, client, "kpanda-user-admin"); after.ResourceVersion != before.ResourceVersion {
				t.Errorf("Bootstrap changed the broken Secret instead of reporting it")
			}
		})
	}
}

// createSecret creates Secret Namespace/name (and the namespace if it is missing).
func createSecret(t *testing.T, c client.Client, name string, labels map[string]string, data map[string][]byte) *corev1.Secret {
	t.Helper()
	ctx := testContext(t)
	if err := ensureNamespace(ctx, c); err != nil {
		t.Fatal(err)
	}
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: Namespace, Labels: labels},
		Type:       corev1.SecretTypeOpaque,
		Data:       data,
	}
	if err := c.Create(ctx, secret); err != nil {
		t.Fatalf("create Secret %s/%s: %v", Namespace, name, err)
	}
	t.Cleanup(func() { deleteSecret(t, c, name) })
	return secret
}

// createUser creates local user with password through CreateUser, after removing any earlier
// user of that name.
func createUser(t *testing.T, c client.Client, user, password string) {
	t.Helper()
	deleteUser(t, c, user)
	if err := CreateUser(testContext(t), c, user, password); err != nil {
		t.Fatalf("CreateUser(%s): %v", user, err)
	}
	t.Cleanup(func() { deleteUser(t, c, user) })
}

// createUserObject creates only the User object of a local user, for the tests of broken or
// missing password Secrets.
func createUserObject(t *testing.T, c client.Client, user string) *iamv1alpha1.User {
	t.Helper()
	deleteUser(t, c, user)
	u := newUser(user, iamv1alpha1.UserSourceLocal)
	if err := c.Create(testContext(t), u); err != nil {
		t.Fatalf("create User %s: %v", user, err)
	}
	t.Cleanup(func() { deleteUser(t, c, user) })
	return u
}

func TestLogin(t *testing.T) {
	client := globalClient(t)
	long := strings.Repeat("p", maxPasswordBytes) // the longest password bcrypt takes
	createUser(t, client, "alice", "alice-password")
	createUser(t, client, "long", long)
	alice := getSecret(t, client, "kpanda-user-alice")
	createUserObject(t, client, "unlabelled")
	createSecret(t, client, "kpanda-user-unlabelled", nil, alice.Data)
	createUserObject(t, client, "mislabelled")
	createSecret(t, client, "kpanda-user-mislabelled", map[string]string{"iam.kpanda.io/user": "alice"}, alice.Data)
	createUserObject(t, client, "nosecret")
	oidc := newUser("idp-user", iamv1alpha1.UserSourceOIDC)
	if err := client.Create(testContext(t), oidc); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deleteUser(t, client, "idp-user") })
	createSecret(t, client, "kpanda-user-idp-user", map[string]string{"iam.kpanda.io/user": "idp-user"}, alice.Data)
	// A password Secret without its User is no user (its User was deleted, say).
	createSecret(t, client, "kpanda-user-orphan", map[string]string{"iam.kpanda.io/user": "orphan"}, alice.Data)

	tests := []struct {
		name     string
		user     string
		password string
		want     *Identity // nil: ErrInvalidCredentials
	}{
		{name: "right password", user: "alice", password: "alice-password", want: &Identity{User: "alice"}},
		{name: "longest password", user: "long", password: long, want: &Identity{User: "long"}},
		{name: "wrong password", user: "alice", password: "bob-password"},
		{name: "empty password", user: "alice", password: ""},
		{name: "password with a suffix", user: "alice", password: "alice-password2"},
		{name: "prefix of the password", user: "alice", password: "alice-passwor"},
		{name: "longest password plus more, which bcrypt alone would ignore", user: "long", password: long + "x"},
		{name: "unknown user", user: "mallory", password: "alice-password"},
		{name: "empty user", user: "", password: "alice-password"},
		{name: "user name in another case", user: "Alice", password: "alice-password"},
		{name: "user name that is not an object name", user: "../alice", password: "alice-password"},
		{name: "Secret without the user label", user: "unlabelled", password: "alice-password"},
		{name: "Secret labelled for another user", user: "mislabelled", password: "alice-password"},
		{name: "User without a password Secret", user: "nosecret", password: "alice-password"},
		{name: "an OIDC user, even with a password Secret", user: "idp-user", password: "alice-password"},
		{name: "a password Secret without its User", user: "orphan", password: "alice-password"},
	}
	authn := NewAuthenticator(client)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := authn.Login(testContext(t), tt.user, tt.password)
			if tt.want == nil {
				// The same error, word for word, whatever was wrong.
				if !errors.Is(err, ErrInvalidCredentials) || err.Error() != ErrInvalidCredentials.Error() || id != nil {
					t.Errorf("Login(%q, %q) = %+v, %v; want %v", tt.user, tt.password, id, err, ErrInvalidCredentials)
				}
				return
			}
			if err != nil || id == nil || id.User != tt.want.User || id.Groups != nil {
				t.Errorf("Login(%q, %q) = %+v, %v; want %+v", tt.user, tt.password, id, err, tt.want)
			}
		})
	}
}

func TestLoginReportsBrokenUserSecret(t *testing.T) {
	client := globalClient(t)
	createUserObject(t, client, "broken")
	createSecret(t, client, "kpanda-user-broken", map[string]string{"iam.kpanda.io/user": "broken"},
		map[string][]byte{"password-hash": []byte("not a hash")})

	_, err := NewAuthenticator(client).Login(testContext(t), "broken", "not a hash")
	if err == nil || errors.Is(err, ErrInvalidCredentials) {
		t.Fatalf("Login with a broken Secret = %v; want an error that is not the user's fault", err)
	}
	if !strings.Contains(err.Error(), "kpanda-system/kpanda-user-broken") {
		t.Errorf("error %q does not name the Secret", err)
	}
}

// Unknown users must cost a full bcrypt comparison; a hash that bcrypt cannot read would return
// at once and tell an attacker which user names exist.
func TestUnknownUserHashCostsAsMuchAsARealOne(t *testing.T) {
	cost, err := bcrypt.Cost(unknownUserHash)
	if err != nil || cost != bcrypt.DefaultCost {
		t.Fatalf("cost of unknownUserHash = %d, %v; want %d, the cost of user hashes", cost, err, bcrypt.DefaultCost)
	}
}
