package auth

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	iamv1alpha1 "github.com/kpanda/kpanda/api/iam/v1alpha1"
	"github.com/kpanda/kpanda/internal/auth/oidctest"
)

func startIssuer(t *testing.T) *oidctest.Issuer {
	t.Helper()
	issuer, err := oidctest.Start(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(issuer.Close)
	return issuer
}

func newTestOIDC(t *testing.T, issuer *oidctest.Issuer, change func(*OIDCOptions)) *OIDC {
	t.Helper()
	opts := OIDCOptions{IssuerURL: issuer.URL, ClientID: oidctest.ClientID, CAFile: issuer.CAFile}
	if change != nil {
		change(&opts)
	}
	o, err := NewOIDC(opts)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func mint(t *testing.T, issuer *oidctest.Issuer, claims map[string]any) string {
	t.Helper()
	token, err := issuer.Token(claims)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

func TestOIDCVerify(t *testing.T) {
	issuer := startIssuer(t)
	o := newTestOIDC(t, issuer, nil)
	ctx := testContext(t)

	got, err := o.Verify(ctx, mint(t, issuer, issuer.Claims("ann@example.com", "devs", "ops", "devs", "")))
	if err != nil {
		t.Fatal(err)
	}
	if got.User != "ann@example.com" || !slices.Equal(got.Groups, []string{"devs", "ops"}) || got.Email != "ann@example.com" || got.DisplayName != "Test ann@example.com" {
		t.Errorf("Verify = %+v", got)
	}
	one := issuer.Claims("bo@example.com")
	one["groups"] = "solo"
	if got, err := o.Verify(ctx, mint(t, issuer, one)); err != nil || !slices.Equal(got.Groups, []string{"solo"}) {
		t.Errorf("a groups claim that is one string: %+v, %v", got, err)
	}
	if got, err := o.Verify(ctx, mint(t, issuer, issuer.Claims("cy@example.com"))); err != nil || got.Groups != nil {
		t.Errorf("no groups claim: %+v, %v", got, err)
	}
	sub := newTestOIDC(t, issuer, func(o *OIDCOptions) { o.UsernameClaim, o.GroupsClaim = "sub", "roles" })
	claims := issuer.Claims("di@example.com")
	claims["roles"] = []string{"r1"}
	if got, err := sub.Verify(ctx, mint(t, issuer, claims)); err != nil || got.User != "sub-di@example.com" || !slices.Equal(got.Groups, []string{"r1"}) {
		t.Errorf("--oidc-username-claim sub --oidc-groups-claim roles: %+v, %v", got, err)
	}
}

func TestOIDCVerifyRefusals(t *testing.T) {
	issuer := startIssuer(t)
	other := startIssuer(t)
	o := newTestOIDC(t, issuer, nil)
	forged, err := issuer.ForgedToken(issuer.Claims("eve@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	with := func(change func(map[string]any)) string {
		claims := issuer.Claims("ann@example.com", "devs")
		change(claims)
		return mint(t, issuer, claims)
	}
	for _, tc := range []struct {
		name, token, want string
	}{
		{"wrong audience", with(func(c map[string]any) { c["aud"] = "grafana" }), `wrong audience: issued for ["grafana"], not for kpanda's client ID "kpanda" (--oidc-client-id)`},
		{"wrong audience among several", with(func(c map[string]any) { c["aud"] = []string{"a", "b"} }), "wrong audience"},
		{"expired", with(func(c map[string]any) { c["exp"] = time.Now().Add(-time.Minute).Unix() }), "expired at"},
		{"unknown issuer", mint(t, other, other.Claims("ann@example.com")), "an unknown issuer: kpanda trusts only \"" + issuer.URL + "\" (--oidc-issuer-url)"},
		{"missing username claim", with(func(c map[string]any) { delete(c, "email") }), `missing username claim: the token has no string claim "email" (--oidc-username-claim)`},
		{"username claim not a string", with(func(c map[string]any) { c["email"] = 42 }), "missing username claim"},
		{"e-mail not verified", with(func(c map[string]any) { c["email_verified"] = false }), "is not verified"},
		{"user name with control characters", with(func(c map[string]any) { c["email"] = "a\nb" }), "not a usable user name"},
		{"groups not strings", with(func(c map[string]any) { c["groups"] = []any{"devs", 7} }), `groups claim "groups" holds 7`},
		{"groups an object", with(func(c map[string]any) { c["groups"] = map[string]any{"a": 1} }), "neither a string nor a list"},
		{"signed with a key the issuer never published", forged, "failed to verify signature"},
		{"not a JWT", "an-access-token", "not a JWT"},
		{"payload not JSON", "e30.bm90IGpzb24.c2ln", "payload is not base64url JSON"},
		{"empty", "", "not a JWT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := o.Verify(testContext(t), tc.token)
			if !errors.Is(err, ErrInvalidIDToken) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Verify = %+v, %v; want %v containing %q", got, err, ErrInvalidIDToken, tc.want)
			}
		})
	}
}

func TestOIDCIssuerUnreachableOrUntrusted(t *testing.T) {
	issuer := startIssuer(t)
	token := mint(t, issuer, issuer.Claims("ann@example.com"))
	// Without the CA file the issuer's certificate is not trusted.
	untrusted := newTestOIDC(t, issuer, func(o *OIDCOptions) { o.CAFile = "" })
	if _, err := untrusted.Verify(testContext(t), token); !errors.Is(err, ErrIssuerUnavailable) || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("Verify against an untrusted issuer = %v, want %v about the certificate", err, ErrIssuerUnavailable)
	}
	o := newTestOIDC(t, issuer, nil)
	issuer.Close()
	if _, err := o.Verify(testContext(t), token); !errors.Is(err, ErrIssuerUnavailable) {
		t.Errorf("Verify with the issuer down = %v, want %v", err, ErrIssuerUnavailable)
	}
}

func TestNewOIDCRefusesBadOptions(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		opts OIDCOptions
		want string
	}{
		{"http issuer", OIDCOptions{IssuerURL: "http://idp.example.com", ClientID: "k"}, "--oidc-issuer-url: \"http://idp.example.com\" is not an https URL"},
		{"not a URL", OIDCOptions{IssuerURL: "idp", ClientID: "k"}, "--oidc-issuer-url"},
		{"no client ID", OIDCOptions{IssuerURL: "https://idp.example.com"}, "--oidc-client-id is required"},
		{"missing CA file", OIDCOptions{IssuerURL: "https://idp.example.com", ClientID: "k", CAFile: filepath.Join(dir, "nope.pem")}, "--oidc-ca-file"},
		{"CA file without PEM", OIDCOptions{IssuerURL: "https://idp.example.com", ClientID: "k", CAFile: notPEM}, "no PEM certificate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewOIDC(tc.opts); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("NewOIDC = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestLoginOIDCCreatesUserAndHonoursDisable(t *testing.T) {
	c := globalClient(t)
	ctx := testContext(t)
	authn := NewAuthenticator(c)
	const ann = "ann@example.com"
	deleteUser(t, c, ann)
	t.Cleanup(func() { deleteUser(t, c, ann) })

	ext := &ExternalUser{Identity: Identity{User: ann, Groups: []string{"devs"}}, Email: ann, DisplayName: "Ann"}
	id, err := authn.LoginOIDC(ctx, ext)
	if err != nil || id.User != ann || !slices.Equal(id.Groups, []string{"devs"}) {
		t.Fatalf("first LoginOIDC = %+v, %v", id, err)
	}
	u := getUserObject(t, c, ann)
	if u.Name == ann || UserName(u) != ann || u.Spec.Source != iamv1alpha1.UserSourceOIDC || u.Spec.Email != ann || u.Spec.DisplayName != "Ann" || u.Status.LastLoginTime == nil {
		t.Errorf("User of an OIDC user: name %s, annotations %v, spec %+v, status %+v", u.Name, u.Annotations, u.Spec, u.Status)
	}
	if err := authn.CheckActive(ctx, ann); err != nil {
		t.Errorf("CheckActive after the first login = %v", err)
	}
	if _, err := authn.LoginOIDC(ctx, ext); err != nil {
		t.Errorf("second LoginOIDC = %v", err)
	}

	if err := SetDisabled(ctx, c, ann, true); err != nil {
		t.Fatal(err)
	}
	if _, err := authn.LoginOIDC(ctx, ext); !errors.Is(err, ErrUserDisabled) {
		t.Errorf("LoginOIDC of a disabled user = %v, want %v", err, ErrUserDisabled)
	}
	if err := authn.CheckActive(ctx, ann); !errors.Is(err, ErrUserDisabled) {
		t.Errorf("CheckActive of a disabled OIDC user = %v, want %v", err, ErrUserDisabled)
	}

	// A provider that says "admin" gets no admin's rights.
	createUser(t, c, "tom", "tom-pw")
	if _, err := authn.LoginOIDC(ctx, &ExternalUser{Identity: Identity{User: "tom"}}); !errors.Is(err, ErrOtherSource) || !strings.Contains(err.Error(), "cannot take it over") {
		t.Errorf("LoginOIDC as a local user = %v, want %v", err, ErrOtherSource)
	}
	if getUserObject(t, c, "tom").Spec.Source != iamv1alpha1.UserSourceLocal {
		t.Error("an OIDC login changed a local user")
	}
}

// Local and OIDC users can share the cluster's concurrency: two first logins at once make one
// User.
func TestLoginOIDCConcurrentFirstLogins(t *testing.T) {
	c := globalClient(t)
	const name = "zed@example.com"
	deleteUser(t, c, name)
	t.Cleanup(func() { deleteUser(t, c, name) })
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			_, err := NewAuthenticator(globalClient(t)).LoginOIDC(context.Background(), &ExternalUser{Identity: Identity{User: name}})
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Errorf("concurrent first login: %v", err)
		}
	}
}
