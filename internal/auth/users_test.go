package auth

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	iamv1alpha1 "github.com/kpanda/kpanda/api/iam/v1alpha1"
	"github.com/kpanda/kpanda/internal/localcluster"
)

func TestCreateUserMakesAUserThatOwnsItsSecret(t *testing.T) {
	c := globalClient(t)
	ctx := testContext(t)
	createUser(t, c, "olivia", "olivia-pw")

	u := getUserObject(t, c, "olivia")
	if u.Spec != (iamv1alpha1.UserSpec{Source: iamv1alpha1.UserSourceLocal}) {
		t.Errorf("User spec = %+v, want an enabled local user", u.Spec)
	}
	secret := getSecret(t, c, "kpanda-user-olivia")
	checkOwnedBy(t, secret, u)
	if bcrypt.CompareHashAndPassword(secret.Data["password-hash"], []byte("olivia-pw")) != nil {
		t.Error("the Secret does not hold the hash of the password")
	}

	if u.Status.LastLoginTime != nil {
		t.Errorf("lastLoginTime %v before any login", u.Status.LastLoginTime)
	}
	before := time.Now().Add(-time.Second)
	if _, err := NewAuthenticator(c).Login(ctx, "olivia", "olivia-pw"); err != nil {
		t.Fatal(err)
	}
	if got := getUserObject(t, c, "olivia").Status.LastLoginTime; got == nil || got.Time.Before(before) {
		t.Errorf("lastLoginTime after a login = %v, want about now", got)
	}

	// Deleting the User removes its Secret (the garbage collector of the global cluster) and
	// locks the user out at once.
	if err := c.Delete(ctx, u); err != nil {
		t.Fatal(err)
	}
	waitGone(t, c, client.ObjectKey{Namespace: Namespace, Name: "kpanda-user-olivia"}, &corev1.Secret{})
	if err := NewAuthenticator(c).CheckActive(ctx, "olivia"); !errors.Is(err, ErrUserGone) {
		t.Errorf("CheckActive of a deleted user = %v, want %v", err, ErrUserGone)
	}
	if _, err := NewAuthenticator(c).Login(ctx, "olivia", "olivia-pw"); !errors.Is(err, ErrInvalidCredentials) {
		t.Errorf("Login of a deleted user = %v, want %v", err, ErrInvalidCredentials)
	}
}

func TestCreateUserRefusesAndKeepsWhatIsThere(t *testing.T) {
	c := globalClient(t)
	createUser(t, c, "pat", "pat-pw")
	kept := getSecret(t, c, "kpanda-user-pat")
	for _, tc := range []struct {
		name, user, password, want string
	}{
		{"name with capitals", "Pat", "pw", `name: "Pat" is not a valid user name`},
		{"e-mail as a local name", "pat@example.com", "pw", "is not a valid user name"},
		{"empty name", "", "pw", "is not a valid user name"},
		{"empty password", "quinn", "", "password: must be 1 to 72 bytes"},
		{"password longer than bcrypt reads", "quinn", strings.Repeat("x", 73), "password: must be 1 to 72 bytes"},
		{"existing user", "pat", "other", "user pat: user already exists"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CreateUser(testContext(t), c, tc.user, tc.password)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("CreateUser(%q) = %v, want an error containing %q", tc.user, err, tc.want)
			}
		})
	}
	if err := CreateUser(testContext(t), c, "pat", "other"); !errors.Is(err, ErrUserExists) {
		t.Errorf("CreateUser of an existing user = %v, want %v", err, ErrUserExists)
	}
	if after := getSecret(t, c, "kpanda-user-pat"); after.ResourceVersion != kept.ResourceVersion {
		t.Error("a refused CreateUser changed the existing user's Secret")
	}
	var u iamv1alpha1.User
	if err := c.Get(testContext(t), client.ObjectKey{Name: "quinn"}, &u); err == nil {
		t.Error("a refused CreateUser left a User quinn")
	}
}

func TestDisableAndEnable(t *testing.T) {
	c := globalClient(t)
	ctx := testContext(t)
	createUser(t, c, "rita", "rita-pw")
	authn := NewAuthenticator(c)

	if err := SetDisabled(ctx, c, "rita", true); err != nil {
		t.Fatal(err)
	}
	if !getUserObject(t, c, "rita").Spec.Disabled {
		t.Error("spec.disabled is not true after SetDisabled(true)")
	}
	if err := authn.CheckActive(ctx, "rita"); !errors.Is(err, ErrUserDisabled) || !strings.Contains(err.Error(), "kpanda user enable rita") {
		t.Errorf("CheckActive of a disabled user = %v", err)
	}
	if _, err := authn.Login(ctx, "rita", "rita-pw"); !errors.Is(err, ErrUserDisabled) {
		t.Errorf("Login of a disabled user = %v, want %v", err, ErrUserDisabled)
	}
	if _, err := authn.Login(ctx, "rita", "wrong"); !errors.Is(err, ErrInvalidCredentials) {
		t.Errorf("Login of a disabled user with a wrong password = %v: it must not tell that the user exists", err)
	}
	if err := SetDisabled(ctx, c, "rita", false); err != nil {
		t.Fatal(err)
	}
	if getUserObject(t, c, "rita").Spec.Disabled {
		t.Error("spec.disabled is still true after SetDisabled(false)")
	}
	if _, err := authn.Login(ctx, "rita", "rita-pw"); err != nil {
		t.Errorf("Login after enabling = %v", err)
	}
	if err := SetDisabled(ctx, c, "nobody", true); !errors.Is(err, ErrUserGone) {
		t.Errorf("SetDisabled of an unknown user = %v, want %v", err, ErrUserGone)
	}
	if err := authn.CheckActive(ctx, ""); !errors.Is(err, ErrUserGone) {
		t.Errorf("CheckActive of no user = %v, want %v", err, ErrUserGone)
	}
}

// A kpanda from before User objects kept users as labelled Secrets only; Bootstrap gives them
// Users, so that they keep logging in, keep being disabled, and are listed.
func TestBootstrapAdoptsSecretsWithoutUser(t *testing.T) {
	c := globalClient(t)
	ctx := testContext(t)
	hash, err := bcrypt.GenerateFromPassword([]byte("old-pw"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"old-on", "old-off"} {
		deleteUser(t, c, name)
		t.Cleanup(func() { deleteUser(t, c, name) })
	}
	createSecret(t, c, "kpanda-user-old-on", map[string]string{"iam.kpanda.io/user": "old-on"}, map[string][]byte{"password-hash": hash})
	createSecret(t, c, "kpanda-user-old-off", map[string]string{"iam.kpanda.io/user": "old-off", "iam.kpanda.io/disabled": "true"}, map[string][]byte{"password-hash": hash})

	if _, _, err := Bootstrap(ctx, c); err != nil {
		t.Fatal(err)
	}
	for name, disabled := range map[string]bool{"old-on": false, "old-off": true} {
		u := getUserObject(t, c, name)
		if u.Spec.Source != iamv1alpha1.UserSourceLocal || u.Spec.Disabled != disabled {
			t.Errorf("adopted User %s spec = %+v, want local, disabled %v", name, u.Spec, disabled)
		}
		checkOwnedBy(t, getSecret(t, c, "kpanda-user-"+name), u)
	}
	authn := NewAuthenticator(c)
	if _, err := authn.Login(ctx, "old-on", "old-pw"); err != nil {
		t.Errorf("Login of an adopted user = %v", err)
	}
	if _, err := authn.Login(ctx, "old-off", "old-pw"); !errors.Is(err, ErrUserDisabled) {
		t.Errorf("Login of an adopted disabled user = %v, want %v", err, ErrUserDisabled)
	}
	users, err := ListUsers(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for i := range users {
		names = append(names, UserName(&users[i]))
	}
	if !strings.Contains(strings.Join(names, ","), "old-off,old-on") {
		t.Errorf("ListUsers = %v, want the adopted users, sorted", names)
	}
}

// kubectl lists users with the printer columns of the CRD.
func TestKubectlGetUsers(t *testing.T) {
	c := globalClient(t)
	createUser(t, c, "sam", "sam-pw")
	if err := SetDisabled(testContext(t), c, "sam", true); err != nil {
		t.Fatal(err)
	}
	bin, err := localcluster.DefaultBinDir()
	if err != nil {
		t.Fatal(err)
	}
	var out []byte
	// The CRD's printer columns are served once the apiserver has loaded it; allow it a moment.
	_ = wait.PollUntilContextTimeout(testContext(t), 200*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		out, err = exec.CommandContext(ctx, filepath.Join(bin, "kubectl"), "--kubeconfig", env.Global.KubeconfigPath(),
			"get", "users.iam.kpanda.io", "sam").CombinedOutput()
		return err == nil, nil
	})
	if err != nil {
		t.Fatalf("kubectl get users.iam.kpanda.io: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 || strings.Join(strings.Fields(lines[0]), " ") != "NAME SOURCE DISABLED AGE" ||
		!strings.HasPrefix(strings.Join(strings.Fields(lines[1]), " "), "sam Local true ") {
		t.Errorf("kubectl get users.iam.kpanda.io sam =\n%s", out)
	}
}
