package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	clusterv1alpha1 "github.com/kpanda/kpanda/api/cluster/v1alpha1"
	"github.com/kpanda/kpanda/internal/apiclient"
)

const workloadPrefix = "/apis/kpanda.io/v1alpha1/clusters/c1/namespaces/shop"

// newFakeWorkloads answers every workload route with one Deployment, Running; it decides
// nothing, it shows what the verbs send and how they print the answer.
func newFakeWorkloads(t *testing.T) *fakeAPI {
	t.Helper()
	f := &fakeAPI{t: t, clusters: map[string]*clusterv1alpha1.Cluster{}, settings: map[string]json.RawMessage{}}
	web := apiclient.Workload{Kind: "Deployment", Name: "web", Namespace: "shop", Status: "Running", Created: time.Now().Add(-time.Hour)}
	mux := http.NewServeMux()
	mux.HandleFunc(apiclient.APIPrefix+"/clusters/{cluster}/namespaces/{namespace}/{kind}", f.authed(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			writeJSON(w, http.StatusOK, apiclient.WorkloadList{Items: []apiclient.Workload{web}})
			return
		}
		writeJSON(w, http.StatusCreated, web)
	}))
	mux.HandleFunc(apiclient.APIPrefix+"/clusters/{cluster}/namespaces/{namespace}/{kind}/{name}", f.authed(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, web)
	}))
	mux.HandleFunc(apiclient.APIPrefix+"/clusters/{cluster}/namespaces/{namespace}/{kind}/{name}/{action}", f.authed(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, web)
	}))
	f.server = quietServer(f.record(mux), false)
	t.Cleanup(f.server.Close)
	return f
}

func TestWorkloadVerbsSendTheContract(t *testing.T) {
	formFile := filepath.Join(t.TempDir(), "form.yaml")
	form := "name: web\ncontainers:\n- name: app\n  image: nginx:1.27\n  ports: [{containerPort: 80}]\nscheduling:\n  nodeSelector: {disk: ssd}\n"
	if err := os.WriteFile(formFile, []byte(form), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		args       []string
		stdin      string
		method     string
		path, body string // body: the JSON sent, "" for none
		stdout     string
	}{
		{"create from a form", []string{"create", "deploy", "-f", formFile, "--form"}, "", http.MethodPost, "/deployments",
			`{"form":{"name":"web","containers":[{"name":"app","image":"nginx:1.27","ports":[{"containerPort":80}]}],"scheduling":{"nodeSelector":{"disk":"ssd"}}}}`,
			"deployment shop/web created: Running"},
		{"create from a manifest on stdin", []string{"create", "deployments", "-f", "-"}, "kind: Deployment\n", http.MethodPost, "/deployments",
			`{"yaml":"kind: Deployment\n"}`, "created"},
		{"replace", []string{"replace", "sts", "db", "-f", "-"}, "kind: StatefulSet\n", http.MethodPut, "/statefulsets/db", `{"yaml":"kind: StatefulSet\n"}`, "replaced"},
		{"scale", []string{"scale", "deploy", "web", "--replicas", "3"}, "", http.MethodPost, "/deployments/web/scale", `{"replicas":3}`, "scale done, Running"},
		{"restart", []string{"restart", "ds", "agent"}, "", http.MethodPost, "/daemonsets/agent/restart", `{}`, "restart done"},
		{"rollback to the previous revision", []string{"rollback", "web"}, "", http.MethodPost, "/deployments/web/rollback", `{"revision":0}`, "rollback done"},
		{"rollback to a revision", []string{"rollback", "web", "--to-revision", "2"}, "", http.MethodPost, "/deployments/web/rollback", `{"revision":2}`, "rollback done"},
		{"suspend a cronjob", []string{"pause", "cj", "nightly"}, "", http.MethodPost, "/cronjobs/nightly/pause", `{}`, "pause done"},
		{"list", []string{"list", "deploy"}, "", http.MethodGet, "/deployments", "", "web    Running   60m"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeWorkloads(t)
			f.loggedIn(t)
			args := append([]string{"workload"}, tc.args...)
			stdout, _, err := runKpanda(t, tc.stdin, append(args, "--cluster", "c1", "-n", "shop")...)
			if err != nil {
				t.Fatal(err)
			}
			sent := f.only(t)
			if sent.Method != tc.method || sent.Path != workloadPrefix+tc.path {
				t.Errorf("sent %s %s", sent.Method, sent.Path)
			}
			if tc.body != "" {
				assertSameJSON(t, sent.Body, tc.body)
			}
			if !strings.Contains(stdout, tc.stdout) {
				t.Errorf("stdout %q lacks %q", stdout, tc.stdout)
			}
		})
	}
}

func TestWorkloadVerbsRefuseBeforeSending(t *testing.T) {
	badForm := filepath.Join(t.TempDir(), "form.yaml")
	if err := os.WriteFile(badForm, []byte("name: web\ncontainerz: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		phrase string
	}{
		{"unknown kind", []string{"list", "pods"}, `unknown workload kind "pods"`},
		{"no name", []string{"get", "deploy"}, "expected KIND NAME"},
		{"negative replicas", []string{"scale", "deploy", "web", "--replicas", "-1"}, "--replicas must be 0 or more"},
		{"misspelt form field", []string{"create", "deploy", "-f", badForm, "--form"}, `unknown field "containerz"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeWorkloads(t)
			f.loggedIn(t)
			_, _, err := runKpanda(t, "", append(append([]string{"workload"}, tc.args...), "--cluster", "c1", "-n", "shop")...)
			if err == nil || !strings.Contains(err.Error(), tc.phrase) {
				t.Errorf("err = %v, want %q", err, tc.phrase)
			}
			if n := len(f.seen()); n != 0 {
				t.Errorf("%d requests sent", n)
			}
		})
	}
}

// assertSameJSON compares two JSON documents by value.
func assertSameJSON(t *testing.T, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("sent %q: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("sent %s, want %s", got, want)
	}
}
