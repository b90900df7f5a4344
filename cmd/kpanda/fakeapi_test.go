package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	clusterv1alpha1 "github.com/kpanda/kpanda/api/cluster/v1alpha1"
	"github.com/kpanda/kpanda/internal/apiclient"
)

// fakeAPI implements the REST contract of the kpanda apiserver just enough to see what the CLI
// sends and how it shows the answers. It is not the server: it checks nothing the real one
// decides (names, kubeconfigs, settings), so these tests are about the CLI alone.
type fakeAPI struct {
	t      *testing.T
	server *httptest.Server

	mu       sync.Mutex
	requests []fakeRequest
	clusters map[string]*clusterv1alpha1.Cluster
	order    []string
	settings map[string]json.RawMessage
}

// fakeRequest is one request the fake received.
type fakeRequest struct {
	Method, Path, Query, Auth string
	Body                      string
}

const (
	fakeToken    = "tok-1"
	fakePassword = "pass word"
)

var fakeExpiry = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

func newFakeAPI(t *testing.T) *fakeAPI {
	t.Helper()
	f := &fakeAPI{t: t, clusters: map[string]*clusterv1alpha1.Cluster{}, settings: map[string]json.RawMessage{}}
	const prefix = apiclient.APIPrefix
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+prefix+"/login", f.login)
	mux.HandleFunc("GET "+prefix+"/clusters", f.authed(f.list))
	mux.HandleFunc("POST "+prefix+"/clusters", f.authed(f.integrate))
	mux.HandleFunc("POST "+prefix+"/verify", f.authed(f.verify))
	mux.HandleFunc("GET "+prefix+"/clusters/{name}", f.authed(f.get))
	mux.HandleFunc("DELETE "+prefix+"/clusters/{name}", f.authed(f.detach))
	mux.HandleFunc("GET "+prefix+"/clusters/{name}/settings", f.authed(f.getSettings))
	mux.HandleFunc("PUT "+prefix+"/clusters/{name}/settings", f.authed(f.putSettings))
	mux.HandleFunc("PATCH "+prefix+"/clusters/{name}/settings", f.authed(f.patchSettings))
	f.server = quietServer(f.record(mux), false)
	t.Cleanup(f.server.Close)
	return f
}

// loggedIn writes a configuration that points the CLI at the fake with a valid token.
func (f *fakeAPI) loggedIn(t *testing.T) {
	t.Helper()
	f.loggedInWith(t, fakeToken)
}

func (f *fakeAPI) loggedInWith(t *testing.T, token string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.json")
	t.Setenv(apiclient.ConfigEnv, path)
	if err := apiclient.SaveConfig(path, apiclient.Config{Server: f.server.URL, Token: token}); err != nil {
		t.Fatal(err)
	}
}

func (f *fakeAPI) addCluster(c clusterv1alpha1.Cluster) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.clusters[c.Name] = &c
	f.order = append(f.order, c.Name)
}

func (f *fakeAPI) seen() []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeRequest(nil), f.requests...)
}

// only returns the one request the fake received, failing the test if there were others.
func (f *fakeAPI) only(t *testing.T) fakeRequest {
	t.Helper()
	reqs := f.seen()
	if len(reqs) != 1 {
		t.Fatalf("the server received %d requests, want 1: %+v", len(reqs), reqs)
	}
	return reqs[0]
}

func (f *fakeAPI) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		f.mu.Lock()
		f.requests = append(f.requests, fakeRequest{
			Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
			Auth: r.Header.Get("Authorization"), Body: string(body),
		})
		f.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

func (f *fakeAPI) authed(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+fakeToken {
			writeError(w, http.StatusUnauthorized, map[string]any{"code": 16, "message": "your token has expired"})
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		next(w, r)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, body map[string]any) { writeJSON(w, status, body) }

func decodeBody(r *http.Request, v any) error { return json.NewDecoder(r.Body).Decode(v) }

func (f *fakeAPI) login(w http.ResponseWriter, r *http.Request) {
	var in struct{ Username, Password string }
	if err := decodeBody(r, &in); err != nil || in.Username != "admin" || in.Password != fakePassword {
		writeError(w, http.StatusUnauthorized, map[string]any{"code": 16, "message": "wrong username or password"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"token": fakeToken, "expiresAt": fakeExpiry.Format(time.RFC3339)})
}

func (f *fakeAPI) list(w http.ResponseWriter, _ *http.Request) {
	items := []clusterv1alpha1.Cluster{}
	for _, name := range f.order {
		if c, ok := f.clusters[name]; ok {
			items = append(items, *c)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (f *fakeAPI) integrate(w http.ResponseWriter, r *http.Request) {
	var in struct{ Name, Alias, Kubeconfig string }
	if err := decodeBody(r, &in); err != nil {
		writeError(w, http.StatusBadRequest, map[string]any{"code": 3, "message": err.Error()})
		return
	}
	if _, ok := f.clusters[in.Name]; ok {
		writeError(w, http.StatusConflict, map[string]any{"code": 6, "message": fmt.Sprintf("cluster %q already exists", in.Name), "field": "name"})
		return
	}
	// Like the real create: status is a subresource, so the answer has none yet.
	c := &clusterv1alpha1.Cluster{
		TypeMeta:   metav1.TypeMeta{APIVersion: "cluster.kpanda.io/v1alpha1", Kind: "Cluster"},
		ObjectMeta: metav1.ObjectMeta{Name: in.Name},
		Spec:       clusterv1alpha1.ClusterSpec{Mode: clusterv1alpha1.ClusterModePush, Provider: clusterv1alpha1.ProviderGeneric, Alias: in.Alias},
	}
	f.clusters[in.Name] = c
	f.order = append(f.order, in.Name)
	writeJSON(w, http.StatusCreated, c)
}

func (f *fakeAPI) verify(w http.ResponseWriter, r *http.Request) {
	var in struct{ Kubeconfig string }
	if err := decodeBody(r, &in); err != nil {
		writeError(w, http.StatusBadRequest, map[string]any{"code": 3, "message": err.Error()})
		return
	}
	if strings.Contains(in.Kubeconfig, "unreachable") {
		writeError(w, http.StatusServiceUnavailable, map[string]any{
			"code": 14, "reason": "Unreachable", "field": "kubeconfig",
			"message": "cannot reach https://10.0.0.1:6443: check that the address is reachable from kpanda",
		})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"server": "https://10.0.0.1:6443", "version": "v1.37.2", "kubeSystemID": "ks-uid-1"})
}

func (f *fakeAPI) cluster(w http.ResponseWriter, r *http.Request) (*clusterv1alpha1.Cluster, bool) {
	name := r.PathValue("name")
	c, ok := f.clusters[name]
	if !ok {
		writeError(w, http.StatusNotFound, map[string]any{"code": 5, "message": fmt.Sprintf("cluster %q not found", name)})
	}
	return c, ok
}

func (f *fakeAPI) get(w http.ResponseWriter, r *http.Request) {
	if c, ok := f.cluster(w, r); ok {
		writeJSON(w, http.StatusOK, c)
	}
}

func (f *fakeAPI) detach(w http.ResponseWriter, r *http.Request) {
	c, ok := f.cluster(w, r)
	if !ok {
		return
	}
	if r.URL.Query().Get("confirm") != c.Name {
		writeError(w, http.StatusBadRequest, map[string]any{"code": 9, "message": "confirm must repeat the cluster name"})
		return
	}
	c.Status.Phase = clusterv1alpha1.ClusterRemoving
	writeJSON(w, http.StatusAccepted, c)
}

func (f *fakeAPI) getSettings(w http.ResponseWriter, r *http.Request) {
	if _, ok := f.cluster(w, r); ok {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(f.settings[r.PathValue("name")])
	}
}

func (f *fakeAPI) putSettings(w http.ResponseWriter, r *http.Request) {
	if _, ok := f.cluster(w, r); !ok {
		return
	}
	var doc json.RawMessage
	if err := decodeBody(r, &doc); err != nil {
		writeError(w, http.StatusBadRequest, map[string]any{"code": 3, "message": "malformed JSON: " + err.Error()})
		return
	}
	f.settings[r.PathValue("name")] = doc
	_, _ = w.Write(doc)
}

// patchSettings stores the "set" map as the document: enough to show it went through.
func (f *fakeAPI) patchSettings(w http.ResponseWriter, r *http.Request) {
	if _, ok := f.cluster(w, r); !ok {
		return
	}
	var in struct{ Set map[string]string }
	if err := decodeBody(r, &in); err != nil {
		writeError(w, http.StatusBadRequest, map[string]any{"code": 3, "message": err.Error()})
		return
	}
	doc, _ := json.Marshal(in.Set)
	f.settings[r.PathValue("name")] = doc
	_, _ = w.Write(doc)
}

// quietServer starts a test server whose own log goes nowhere. The root command points the
// default slog logger, which also receives the standard log package, at the test's stderr
// buffer; http.Server logging a TLS handshake error there would race with reading the buffer.
func quietServer(handler http.Handler, useTLS bool) *httptest.Server {
	srv := httptest.NewUnstartedServer(handler)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	if useTLS {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	return srv
}

// runKpanda runs the kpanda command tree as main does, with stdin, and returns what it wrote.
func runKpanda(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := rootCommand()
	var out, errOut bytes.Buffer
	cmd.SetArgs(args)
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	err = cmd.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}
