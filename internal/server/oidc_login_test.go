package server_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/controller-runtime/pkg/client"

	iamv1alpha1 "github.com/kpanda/kpanda/api/iam/v1alpha1"
	"github.com/kpanda/kpanda/internal/auth"
	"github.com/kpanda/kpanda/internal/auth/oidctest"
	"github.com/kpanda/kpanda/internal/server"
)

// idp is the identity provider the apiserver under test trusts.
var idp *oidctest.Issuer

// startTestIssuer starts idp for the package's apiserver; it stops when ctx ends.
func startTestIssuer(ctx context.Context) (auth.OIDCOptions, error) {
	dir, err := os.MkdirTemp("", "kpanda-oidc-")
	if err != nil {
		return auth.OIDCOptions{}, err
	}
	if idp, err = oidctest.Start(dir); err != nil {
		return auth.OIDCOptions{}, err
	}
	go func() {
		<-ctx.Done()
		idp.Close()
		_ = os.RemoveAll(dir)
	}()
	return auth.OIDCOptions{IssuerURL: idp.URL, ClientID: oidctest.ClientID, CAFile: idp.CAFile}, nil
}

func idToken(t *testing.T, claims map[string]any) string {
	t.Helper()
	token, err := idp.Token(claims)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// oidcLogin logs in with an ID token of idp for email in groups and returns the kpanda token.
func oidcLogin(t *testing.T, email string, groups ...string) string {
	t.Helper()
	r := call(t, "POST", server.APIPrefix+"/login/oidc", "", map[string]string{"idToken": idToken(t, idp.Claims(email, groups...))})
	if r.status != http.StatusOK {
		t.Fatalf("OIDC login of %s: %d %s", email, r.status, r.raw)
	}
	if r.body["user"] != email {
		t.Errorf("login answered user %v, want %s", r.body["user"], email)
	}
	return r.body["token"].(string)
}

func TestOIDCConfigEndpoint(t *testing.T) {
	r := call(t, "GET", server.APIPrefix+"/login/oidc", "", nil)
	if r.status != http.StatusOK || r.body["issuer"] != idp.URL || r.body["clientID"] != oidctest.ClientID {
		t.Errorf("GET /login/oidc: %d %s", r.status, r.raw)
	}

	// An apiserver without --oidc-issuer-url says so, for both verbs.
	s, err := server.New(t.Context(), env.Global.RESTConfig(), server.Options{Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.Serve(t.Context()) }()
	for _, method := range []string{"GET", "POST"} {
		r := callAt(t, s.URL(), method, server.APIPrefix+"/login/oidc")
		expectError(t, r, 404, 5, "", "OIDC login is not configured on this kpanda: start the apiserver with --oidc-issuer-url")
	}

	if _, err := server.New(t.Context(), env.Global.RESTConfig(), server.Options{Listen: "127.0.0.1:0",
		OIDC: auth.OIDCOptions{IssuerURL: "http://idp.example.com", ClientID: "k"}}); err == nil {
		t.Error("an apiserver started with an http issuer URL")
	}
}

// callAt is call against another server.
func callAt(t *testing.T, base, method, path string) response {
	t.Helper()
	saved := baseURL
	baseURL = base
	defer func() { baseURL = saved }()
	return call(t, method, path, "", nil)
}

func TestOIDCLoginRefusals(t *testing.T) {
	with := func(change func(map[string]any)) string {
		claims := idp.Claims("ref@example.com", "devs")
		change(claims)
		return idToken(t, claims)
	}
	foreign, err := oidctest.Start(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer foreign.Close()
	unknown, err := foreign.Token(foreign.Claims("ref@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	forged, err := idp.ForgedToken(idp.Claims("ref@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	path := server.APIPrefix + "/login/oidc"
	for _, tc := range []struct {
		name          string
		body          any
		status, code  int
		field, phrase string
	}{
		{"wrong audience", map[string]string{"idToken": with(func(c map[string]any) { c["aud"] = "other-app" })}, 401, 16, "idToken", "wrong audience"},
		{"expired", map[string]string{"idToken": with(func(c map[string]any) { c["exp"] = time.Now().Add(-time.Hour).Unix() })}, 401, 16, "idToken", "expired at"},
		{"unknown issuer", map[string]string{"idToken": unknown}, 401, 16, "idToken", "unknown issuer"},
		{"missing username claim", map[string]string{"idToken": with(func(c map[string]any) { delete(c, "email") })}, 401, 16, "idToken", `missing username claim: the token has no string claim "email" (--oidc-username-claim)`},
		{"forged signature", map[string]string{"idToken": forged}, 401, 16, "idToken", "failed to verify signature"},
		{"not a JWT", map[string]string{"idToken": "opaque-access-token"}, 401, 16, "idToken", "not a JWT"},
		{"no token", map[string]string{"idToken": ""}, 400, 3, "idToken", "idToken: required"},
		{"unknown field", `{"id_token":"x"}`, 400, 3, "", "unknown field"},
		{"a local user's name", map[string]string{"idToken": with(func(c map[string]any) { c["email"] = "admin" })}, 401, 16, "idToken", "cannot take it over"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			expectError(t, call(t, "POST", path, "", tc.body), tc.status, tc.code, tc.field, tc.phrase)
		})
	}
	// None of the refusals made a user.
	var u iamv1alpha1.User
	if err := global.Get(t.Context(), client.ObjectKey{Name: auth.UserObjectName("ref@example.com")}, &u); err == nil {
		t.Errorf("a refused login created User %s", u.Name)
	}
	var admin iamv1alpha1.User
	if err := global.Get(t.Context(), client.ObjectKey{Name: "admin"}, &admin); err != nil || admin.Spec.Source != iamv1alpha1.UserSourceLocal {
		t.Errorf("User admin after an OIDC login as admin: %+v, %v", admin.Spec, err)
	}
}

// A grant to group G reaches an OIDC user whose token says G: in kpanda's visibility and in the
// member's RBAC, through the impersonation groups of the proxy.
func TestOIDCGroupGrantReachesTheUser(t *testing.T) {
	admin := login(t)
	w := &accessWorld{admin: admin}
	member, err := kubernetes.NewForConfig(env.Global.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	const ns = "oidc-team"
	if _, err := member.CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	w.must(t, "POST", "/grants", map[string]string{"role": "ns-viewer", "group": "idp-team", "cluster": globalName, "namespace": ns})

	inTeam := oidcLogin(t, "gina@example.com", "idp-team", "idp-other")
	outside := oidcLogin(t, "hal@example.com", "idp-other")

	var u iamv1alpha1.User
	if err := global.Get(t.Context(), client.ObjectKey{Name: auth.UserObjectName("gina@example.com")}, &u); err != nil || u.Spec.Source != iamv1alpha1.UserSourceOIDC || u.Spec.Email != "gina@example.com" {
		t.Fatalf("User of gina after her first login: %+v, %v", u.Spec, err)
	}

	assertVisible(t, inTeam, globalName)
	assertVisible(t, outside)
	// Explain answers for an OIDC user with the groups of its last token.
	why := w.must(t, "GET", "/explain?user="+url.QueryEscape("gina@example.com")+"&cluster="+globalName+"&namespace="+ns, nil)
	if why.body["visible"] != true || !strings.Contains(why.raw, "idp-team") {
		t.Errorf("explain for gina: %s", why.raw)
	}
	explainPods := func(token string) response {
		return call(t, "GET", server.APIPrefix+"/clusters/"+globalName+"/proxy/api/v1/namespaces/"+ns+"/pods", token, nil)
	}
	var r response
	err = wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, 15*time.Second, true, func(context.Context) (bool, error) {
		r = explainPods(inTeam)
		return r.status == http.StatusOK, nil
	})
	if err != nil || r.body["kind"] != "PodList" {
		t.Fatalf("gina (group idp-team from her token) listing pods of %s through the proxy: %d %.300s", ns, r.status, r.raw)
	}
	secrets := call(t, "GET", server.APIPrefix+"/clusters/"+globalName+"/proxy/api/v1/namespaces/"+ns+"/secrets", inTeam, nil)
	if secrets.status != http.StatusForbidden {
		t.Errorf("an NS Viewer listing secrets: %d, want 403", secrets.status)
	}
	if r := explainPods(outside); r.status != http.StatusForbidden {
		t.Errorf("hal, outside the group, listing pods: %d, want 403", r.status)
	}

	t.Run("a disabled OIDC user is locked out, tokens included", func(t *testing.T) {
		path := "/users/" + url.PathEscape("hal@example.com")
		w.must(t, "POST", path+"/disable", nil)
		expectError(t, call(t, "GET", server.APIPrefix+"/clusters", outside, nil), 401, 16, "", "user hal@example.com: user is disabled")
		r := call(t, "POST", server.APIPrefix+"/login/oidc", "", map[string]string{"idToken": idToken(t, idp.Claims("hal@example.com"))})
		expectError(t, r, 401, 16, "", "disabled")
		users := w.must(t, "GET", "/users", nil)
		found := slices.ContainsFunc(users.body["items"].([]any), func(item any) bool {
			u := item.(map[string]any)
			return u["name"] == "hal@example.com" && u["source"] == "OIDC" && u["disabled"] == true
		})
		if !found {
			t.Errorf("GET /users does not list hal as a disabled OIDC user: %s", users.raw)
		}
		w.must(t, "POST", path+"/enable", nil)
		if r := call(t, "GET", server.APIPrefix+"/clusters", outside, nil); r.status != http.StatusOK {
			t.Errorf("hal enabled again: %d %s", r.status, r.raw)
		}
	})
}
