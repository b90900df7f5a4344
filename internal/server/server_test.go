package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	clusterv1alpha1 "github.com/kpanda/kpanda/api/cluster/v1alpha1"
	"github.com/kpanda/kpanda/internal/controller"
	"github.com/kpanda/kpanda/internal/localcluster/clustertest"
	"github.com/kpanda/kpanda/internal/server"
)

var (
	env      clustertest.Env
	baseURL  string
	password string
	global   client.Client
)

func TestMain(m *testing.M) {
	os.Exit(env.Run(m, clustertest.Options{Members: 2, Setup: startKpanda}))
}

func startKpanda(ctx context.Context) error {
	config := env.Global.RESTConfig()
	go func() {
		_ = controller.Run(ctx, config, controller.Options{MetricsAddr: "0", HealthAddr: "0", ProbeInterval: 2 * time.Second})
	}()
	oidc, err := startTestIssuer(ctx)
	if err != nil {
		return err
	}
	s, err := server.New(ctx, config, server.Options{Listen: "127.0.0.1:0", OIDC: oidc})
	if err != nil {
		return err
	}
	go func() { _ = s.Serve(ctx) }()
	baseURL, password = s.URL(), s.AdminPassword
	if global, err = client.New(config, client.Options{Scheme: controller.Scheme()}); err != nil {
		return err
	}
	return wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		var c clusterv1alpha1.Cluster
		return global.Get(ctx, client.ObjectKey{Name: clusterv1alpha1.GlobalClusterName}, &c) == nil, nil
	})
}

type response struct {
	status int
	body   map[string]any
	raw    string
}

func call(t *testing.T, method, path, token string, body any) response {
	t.Helper()
	var reader io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		reader = strings.NewReader(b)
	default:
		data, _ := json.Marshal(b)
		reader = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, baseURL+path, reader)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, _ := io.ReadAll(resp.Body)
	out := response{status: resp.StatusCode, raw: string(raw)}
	_ = json.Unmarshal(raw, &out.body)
	return out
}

func login(t *testing.T) string {
	t.Helper()
	r := call(t, "POST", server.APIPrefix+"/login", "", map[string]string{"username": "admin", "password": password})
	if r.status != http.StatusOK {
		t.Fatalf("login: %d %s", r.status, r.raw)
	}
	return r.body["token"].(string)
}

// expectError asserts an API error: HTTP status, code and, when given, field and a phrase.
func expectError(t *testing.T, r response, status, code int, field, phrase string) {
	t.Helper()
	if r.status != status || r.body["code"] != float64(code) {
		t.Fatalf("want %d with code %d, got %d: %s", status, code, r.status, r.raw)
	}
	if field != "" && r.body["field"] != field {
		t.Errorf("field %v, want %q: %s", r.body["field"], field, r.raw)
	}
	if !strings.Contains(r.body["message"].(string), phrase) {
		t.Errorf("message %q lacks %q", r.body["message"], phrase)
	}
}

func TestPublicEndpoints(t *testing.T) {
	for _, path := range []string{"/healthz", "/readyz", "/metrics", "/openapi/v3"} {
		if r := call(t, "GET", path, "", nil); r.status != http.StatusOK {
			t.Errorf("GET %s: %d", path, r.status)
		}
	}
	if r := call(t, "GET", "/openapi/v3", "", nil); r.body["openapi"] != "3.0.3" {
		t.Errorf("OpenAPI document: %.200s", r.raw)
	}
}

func TestAuthentication(t *testing.T) {
	if password == "" {
		t.Fatal("the first start of the apiserver must return the generated admin password")
	}
	expectError(t, call(t, "GET", server.APIPrefix+"/clusters", "", nil), 401, 16, "", "log in")
	expectError(t, call(t, "GET", server.APIPrefix+"/clusters", "not-a-token", nil), 401, 16, "", "kpanda login")
	expectError(t, call(t, "POST", server.APIPrefix+"/login", "", map[string]string{"username": "admin", "password": "wrong"}), 401, 16, "", "wrong username or password")
	expectError(t, call(t, "POST", server.APIPrefix+"/login", "", `{"user":"admin"}`), 400, 3, "", "unknown field")
	token := login(t)
	if r := call(t, "GET", server.APIPrefix+"/clusters", token, nil); r.status != http.StatusOK {
		t.Fatalf("list with a token: %d %s", r.status, r.raw)
	}
	expectError(t, call(t, "GET", server.APIPrefix+"/nothing-here", token, nil), 404, 5, "", "no such endpoint")
}

func memberKubeconfig(t *testing.T, server string) string {
	t.Helper()
	config, err := clientcmd.LoadFromFile(env.Members[0].KubeconfigPath())
	if err != nil {
		t.Fatal(err)
	}
	if server != "" {
		for _, cluster := range config.Clusters {
			cluster.Server = server
		}
	}
	data, err := clientcmd.Write(*config)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestIntegrateGetAndDetachOverREST(t *testing.T) {
	token := login(t)
	clusters := server.APIPrefix + "/clusters"
	good := memberKubeconfig(t, "")

	expectError(t, call(t, "POST", clusters, token, map[string]string{"name": "Not_Valid", "kubeconfig": good}), 400, 3, "name", "not a valid cluster name")
	expectError(t, call(t, "POST", clusters, token, map[string]string{"name": "m1", "kubeconfig": "::"}), 400, 3, "kubeconfig", "kubeconfig")
	expectError(t, call(t, "POST", clusters, token, map[string]string{"name": "m1", "kubeconfig": memberKubeconfig(t, "https://127.0.0.1:1")}), 422, 9, "kubeconfig", "cannot reach")
	expectError(t, call(t, "POST", server.APIPrefix+"/verify", token, map[string]string{"kubeconfig": memberKubeconfig(t, "https://127.0.0.1:1")}), 422, 9, "kubeconfig", "cannot reach")
	if r := call(t, "POST", server.APIPrefix+"/verify", token, map[string]string{"kubeconfig": good}); r.status != 200 || r.body["version"] != "v1.37.2" {
		t.Errorf("verify: %d %s", r.status, r.raw)
	}

	created := call(t, "POST", clusters, token, map[string]string{"name": "m1", "alias": "first", "kubeconfig": good})
	if created.status != http.StatusCreated || created.body["kind"] != "Cluster" {
		t.Fatalf("integrate: %d %s", created.status, created.raw)
	}
	expectError(t, call(t, "POST", clusters, token, map[string]string{"name": "m1", "kubeconfig": good}), 409, 6, "name", "already exists")
	expectError(t, call(t, "GET", clusters+"/nope", token, nil), 404, 5, "name", "not found")

	err := wait.PollUntilContextTimeout(t.Context(), 200*time.Millisecond, 30*time.Second, true, func(context.Context) (bool, error) {
		r := call(t, "GET", clusters+"/m1", token, nil)
		status, _ := r.body["status"].(map[string]any)
		return status["phase"] == "Running", nil
	})
	if err != nil {
		t.Fatalf("m1 never Running: %v", err)
	}

	expectError(t, call(t, "DELETE", clusters+"/m1?confirm=m2", token, nil), 400, 3, "confirm", "type the cluster name again")
	expectError(t, call(t, "DELETE", clusters+"/kpanda-global-cluster?confirm=kpanda-global-cluster", token, nil), 422, 9, "name", "never be detached")
	r := call(t, "DELETE", clusters+"/m1?confirm=m1", token, nil)
	if status, _ := r.body["status"].(map[string]any); r.status != http.StatusAccepted || status["phase"] != "Removing" {
		t.Fatalf("detach: %d %s", r.status, r.raw)
	}
}

func TestSettingsOverREST(t *testing.T) {
	token := login(t)
	path := server.APIPrefix + "/clusters/" + clusterv1alpha1.GlobalClusterName + "/settings"
	var r response
	err := wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, 10*time.Second, true, func(context.Context) (bool, error) {
		r = call(t, "GET", path, token, nil)
		return r.status == http.StatusOK, nil
	})
	if err != nil {
		t.Fatalf("GET settings: %d %s", r.status, r.raw)
	}
	stored := func() string {
		var cm corev1.ConfigMap
		if err := global.Get(t.Context(), client.ObjectKey{Namespace: "kpanda-system", Name: clusterv1alpha1.GlobalClusterName + "-setting"}, &cm); err != nil {
			t.Fatal(err)
		}
		return cm.Data["clusterSetting"]
	}
	before := stored()
	for _, tc := range []struct {
		name, method string
		body         any
		field        string
	}{
		{"malformed JSON", "PUT", `{"addon_setting":`, ""},
		{"negative interval", "PUT", `{"addon_setting":{"helm_repo_refresh_interval":-5}}`, "addon_setting.helm_repo_refresh_interval"},
		{"bad quantity", "PUT", `{"addon_setting":{"helm_operation_job_template_resources":{"limits":{"cpu":"lots"}}}}`, "addon_setting.helm_operation_job_template_resources.limits.cpu"},
		{"empty image", "PATCH", map[string]any{"set": map[string]string{"addon_setting.helm_operation_base_image": ""}}, "addon_setting.helm_operation_base_image"},
		{"negative limit", "PATCH", map[string]any{"set": map[string]string{"addon_setting.helm_operation_history_limit": "-1"}}, "addon_setting.helm_operation_history_limit"},
		{"unknown path", "PATCH", map[string]any{"set": map[string]string{"addon_setting.nope": "1"}}, ""},
		{"nothing to set", "PATCH", map[string]any{"set": map[string]string{}}, "set"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, tc.method, path, token, tc.body)
			expectError(t, r, 400, 3, tc.field, "")
			if after := stored(); after != before {
				t.Errorf("a refused change altered the ConfigMap:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
	r = call(t, "PATCH", path, token, map[string]any{"set": map[string]string{"addon_setting.helm_operation_base_image": "registry.local/kpanda/kpanda-shell:v1"}})
	if r.status != http.StatusOK || !strings.Contains(stored(), `"helm_operation_base_image":"registry.local/kpanda/kpanda-shell:v1"`) {
		t.Fatalf("PATCH: %d %s; stored %s", r.status, r.raw, stored())
	}
}
