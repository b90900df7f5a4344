package apiclient

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clusterv1alpha1 "github.com/kpanda/kpanda/api/cluster/v1alpha1"
)

// recorded is what the test server saw of one request.
type recorded struct {
	method, path, rawQuery, auth, contentType string
	body                                      string
}

// recordingServer answers every request with status and body, and records the request.
func recordingServer(t *testing.T, status int, body string) (*httptest.Server, *recorded) {
	t.Helper()
	seen := &recorded{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		*seen = recorded{
			method: r.Method, path: r.URL.EscapedPath(), rawQuery: r.URL.RawQuery,
			auth: r.Header.Get("Authorization"), contentType: r.Header.Get("Content-Type"),
			body: string(data),
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, seen
}

const clusterJSON = `{"apiVersion":"cluster.kpanda.io/v1alpha1","kind":"Cluster","metadata":{"name":"a/b"},` +
	`"spec":{"mode":"Push","provider":"Generic","alias":"Alpha"},` +
	`"status":{"phase":"Running","kubernetesVersion":"v1.37.2","nodes":{"total":3,"ready":2},` +
	`"resources":{"capacity":{"cpu":"8","memory":"16Gi"}}}}`

func TestEndpointsSendTheContract(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		status    int
		answer    string
		call      func(c *Client) (any, error)
		method    string
		path      string
		query     string
		wantBody  string // JSON, compared semantically; empty for no body
		anonymous bool
		check     func(t *testing.T, got any)
	}{
		{
			name: "login", status: 200, answer: `{"token":"new-token","expiresAt":"2030-01-02T03:04:05Z"}`,
			call:   func(c *Client) (any, error) { return c.Login(ctx, "admin", "s3cret") },
			method: "POST", path: "/apis/kpanda.io/v1alpha1/login", wantBody: `{"username":"admin","password":"s3cret"}`,
			anonymous: true,
			check: func(t *testing.T, got any) {
				r := got.(*LoginResult)
				if r.Token != "new-token" || !r.ExpiresAt.Equal(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)) {
					t.Errorf("LoginResult = %+v", r)
				}
			},
		},
		{
			name: "list", status: 200, answer: `{"items":[` + clusterJSON + `]}`,
			call:   func(c *Client) (any, error) { return c.ListClusters(ctx) },
			method: "GET", path: "/apis/kpanda.io/v1alpha1/clusters",
			check: func(t *testing.T, got any) {
				l := got.(*clusterv1alpha1.ClusterList)
				if len(l.Items) != 1 || l.Items[0].Status.Nodes.Ready != 2 || l.Items[0].Spec.Alias != "Alpha" {
					t.Errorf("ClusterList = %+v", l)
				}
				if q := l.Items[0].Status.Resources.Capacity["memory"]; q.String() != "16Gi" {
					t.Errorf("memory capacity = %s, want 16Gi", q.String())
				}
			},
		},
		{
			name: "integrate", status: 201, answer: clusterJSON,
			call: func(c *Client) (any, error) {
				return c.IntegrateCluster(ctx, IntegrateRequest{Name: "m1", Alias: "Member", Kubeconfig: "apiVersion: v1\n"})
			},
			method: "POST", path: "/apis/kpanda.io/v1alpha1/clusters",
			wantBody: `{"name":"m1","alias":"Member","kubeconfig":"apiVersion: v1\n"}`,
			check: func(t *testing.T, got any) {
				if got.(*clusterv1alpha1.Cluster).Status.Phase != clusterv1alpha1.ClusterRunning {
					t.Errorf("Cluster = %+v", got)
				}
			},
		},
		{
			name: "verify", status: 200, answer: `{"server":"https://m1:6443","version":"v1.37.2","kubeSystemID":"uid-1"}`,
			call:   func(c *Client) (any, error) { return c.VerifyKubeconfig(ctx, "kc") },
			method: "POST", path: "/apis/kpanda.io/v1alpha1/verify", wantBody: `{"kubeconfig":"kc"}`,
			check: func(t *testing.T, got any) {
				if r := *got.(*VerifyResult); r != (VerifyResult{"https://m1:6443", "v1.37.2", "uid-1"}) {
					t.Errorf("VerifyResult = %+v", r)
				}
			},
		},
		{
			name: "get escapes the name", status: 200, answer: clusterJSON,
			call:   func(c *Client) (any, error) { return c.GetCluster(ctx, "a/b") },
			method: "GET", path: "/apis/kpanda.io/v1alpha1/clusters/a%2Fb",
		},
		{
			name: "detach sends confirm", status: 202, answer: clusterJSON,
			call:   func(c *Client) (any, error) { return c.DetachCluster(ctx, "m1", "m1") },
			method: "DELETE", path: "/apis/kpanda.io/v1alpha1/clusters/m1", query: "confirm=m1",
		},
		{
			name: "settings get", status: 200, answer: `{"addon_setting":{"x":1}}`,
			call:   func(c *Client) (any, error) { return c.GetClusterSettings(ctx, "m1") },
			method: "GET", path: "/apis/kpanda.io/v1alpha1/clusters/m1/settings",
			check: func(t *testing.T, got any) {
				if string(got.(json.RawMessage)) != `{"addon_setting":{"x":1}}` {
					t.Errorf("settings = %s", got)
				}
			},
		},
		{
			name: "settings put sends the document as is", status: 200, answer: `{}`,
			call: func(c *Client) (any, error) {
				return c.ReplaceClusterSettings(ctx, "m1", []byte(`{"unknown_field_kept": true}`))
			},
			method: "PUT", path: "/apis/kpanda.io/v1alpha1/clusters/m1/settings", wantBody: `{"unknown_field_kept": true}`,
		},
		{
			name: "settings patch", status: 200, answer: `{}`,
			call: func(c *Client) (any, error) {
				return c.SetClusterSettings(ctx, "m1", map[string]string{"addon_setting.helm_operation_base_image": "img:1"})
			},
			method: "PATCH", path: "/apis/kpanda.io/v1alpha1/clusters/m1/settings",
			wantBody: `{"set":{"addon_setting.helm_operation_base_image":"img:1"}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, seen := recordingServer(t, tt.status, tt.answer)
			got, err := tt.call(New(Config{Server: srv.URL + "/", Token: "tok"}))
			if err != nil {
				t.Fatalf("call failed: %v", err)
			}
			if seen.method != tt.method || seen.path != tt.path || seen.rawQuery != tt.query {
				t.Errorf("request = %s %s?%s, want %s %s?%s", seen.method, seen.path, seen.rawQuery, tt.method, tt.path, tt.query)
			}
			wantAuth := "Bearer tok"
			if tt.anonymous {
				wantAuth = ""
			}
			if seen.auth != wantAuth {
				t.Errorf("Authorization = %q, want %q", seen.auth, wantAuth)
			}
			assertSameJSON(t, seen.body, tt.wantBody)
			if tt.wantBody != "" && seen.contentType != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", seen.contentType)
			}
			if tt.check != nil {
				tt.check(t, got)
			}
		})
	}
}

func assertSameJSON(t *testing.T, got, want string) {
	t.Helper()
	if want == "" {
		if got != "" {
			t.Errorf("body = %q, want none", got)
		}
		return
	}
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("body %q is not JSON: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	gotNorm, _ := json.Marshal(g)
	wantNorm, _ := json.Marshal(w)
	if string(gotNorm) != string(wantNorm) {
		t.Errorf("body = %s, want %s", got, want)
	}
}

func TestErrorsAreDecoded(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		status  int
		body    string
		login   bool
		want    APIError
		wantMsg string
	}{
		{
			name: "field error", status: 400,
			body:    `{"code":3,"message":"name: must be a DNS label","field":"name"}`,
			want:    APIError{Status: 400, Code: 3, Field: "name", Message: "name: must be a DNS label"},
			wantMsg: "name: must be a DNS label",
		},
		{
			name: "reason", status: 409,
			body:    `{"code":6,"message":"cluster already integrated as m1","reason":"AlreadyIntegrated"}`,
			want:    APIError{Status: 409, Code: 6, Reason: "AlreadyIntegrated", Message: "cluster already integrated as m1"},
			wantMsg: "cluster already integrated as m1",
		},
		{
			name: "expired token says to log in again", status: 401,
			body:    `{"code":16,"message":"token expired"}`,
			want:    APIError{Status: 401, Code: 16, Message: "token expired"},
			wantMsg: "token expired; run kpanda login again",
		},
		{
			name: "wrong password at login is not about logging in again", status: 401, login: true,
			body:    `{"code":16,"message":"wrong username or password"}`,
			want:    APIError{Status: 401, Code: 16, Message: "wrong username or password"},
			wantMsg: "wrong username or password",
		},
		{
			name: "body that is not kpanda's", status: 502,
			body:    "<html>bad gateway</html>",
			want:    APIError{Status: 502, Message: "SERVER answered 502 Bad Gateway: <html>bad gateway</html>"},
			wantMsg: "SERVER answered 502 Bad Gateway: <html>bad gateway</html>",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := recordingServer(t, tt.status, tt.body)
			c := New(Config{Server: srv.URL, Token: "tok"})
			var err error
			if tt.login {
				_, err = c.Login(ctx, "u", "p")
			} else {
				_, err = c.GetCluster(ctx, "m1")
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %v (%T) is not an *APIError", err, err)
			}
			want := tt.want
			want.Message = strings.ReplaceAll(want.Message, "SERVER", srv.URL)
			if *apiErr != want {
				t.Errorf("APIError = %+v, want %+v", *apiErr, want)
			}
			if wantMsg := strings.ReplaceAll(tt.wantMsg, "SERVER", srv.URL); err.Error() != wantMsg {
				t.Errorf("Error() = %q, want %q", err.Error(), wantMsg)
			}
		})
	}
}

func TestUnreachableServerIsNamed(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there any more
	_, err := New(Config{Server: url, Token: "tok"}).ListClusters(context.Background())
	if err == nil {
		t.Fatal("ListClusters succeeded against a closed server")
	}
	for _, s := range []string{"cannot reach", url, "--server", "kpanda login"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %q", err, s)
		}
	}
}

func TestUnexpectedSuccessBody(t *testing.T) {
	srv, _ := recordingServer(t, 200, "<html>a web page</html>")
	_, err := New(Config{Server: srv.URL, Token: "tok"}).ListClusters(context.Background())
	if err == nil || !strings.Contains(err.Error(), "unexpected answer from "+srv.URL) {
		t.Errorf("error = %v, want one saying the answer was unexpected", err)
	}
}

func TestLocalErrors(t *testing.T) {
	ctx := context.Background()
	srv, seen := recordingServer(t, 200, "{}")
	if _, err := New(Config{Server: srv.URL}).ListClusters(ctx); !errors.Is(err, ErrNotLoggedIn) {
		t.Errorf("without a token: error = %v, want ErrNotLoggedIn", err)
	}
	if _, err := New(Config{Server: srv.URL, Token: "tok"}).GetCluster(ctx, ""); err == nil {
		t.Error("GetCluster(\"\") succeeded, want an error")
	}
	if _, err := New(Config{Server: "localhost:8443", Token: "tok"}).ListClusters(ctx); err == nil || !strings.Contains(err.Error(), "https://HOST:PORT") {
		t.Errorf("with a server without scheme: error = %v", err)
	}
	if seen.method != "" {
		t.Errorf("a request was sent (%s %s), want none", seen.method, seen.path)
	}
}

func TestTLS(t *testing.T) {
	ctx := context.Background()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, `{"items":[]}`)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(caFile, caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	notPEM := filepath.Join(t.TempDir(), "not.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		config  Config
		wantErr string // empty for success
	}{
		{"trusted CA", Config{CertificateAuthority: caFile}, ""},
		{"insecure", Config{InsecureSkipTLSVerify: true}, ""},
		{"system roots do not trust it", Config{}, "not trusted (pass the CA that signed it with kpanda login --certificate-authority FILE)"},
		{"unreadable CA", Config{CertificateAuthority: "/does/not/exist.pem"}, "/does/not/exist.pem"},
		{"CA without certificates", Config{CertificateAuthority: notPEM}, "holds no PEM certificate"},
		{"CA and insecure", Config{CertificateAuthority: caFile, InsecureSkipTLSVerify: true}, "use one of them"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.config.Server, tt.config.Token = srv.URL, "tok"
			_, err := New(tt.config).ListClusters(ctx)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("ListClusters: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
