package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/intstr"

	clusterv1alpha1 "github.com/kpanda/kpanda/api/cluster/v1alpha1"
	"github.com/kpanda/kpanda/internal/apiclient"
	"github.com/kpanda/kpanda/internal/workload"
)

// fakeResources are the answers of the fake, one object per kind, as the server sends them.
func fakeResources() map[string]apiclient.Resource {
	created := time.Now().Add(-2 * time.Hour)
	return map[string]apiclient.Resource{
		apiclient.Services: {Kind: "Service", Name: "web", Created: created, Service: &workload.ServiceSummary{Type: "NodePort", ClusterIP: "10.0.0.7",
			Ports: []workload.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(8080)}, {Port: 443, NodePort: 30443}}}},
		apiclient.Ingresses:  {Kind: "Ingress", Name: "shop", Created: created, Ingress: &workload.IngressSummary{Hosts: []string{"shop.example"}}},
		apiclient.ConfigMaps: {Kind: "ConfigMap", Name: "settings", Created: created, ConfigMap: &workload.ConfigMapSummary{Count: 2, Keys: []string{"a", "b"}}},
		apiclient.Secrets:    {Kind: "Secret", Name: "db", Created: created, Secret: &workload.SecretSummary{Type: "Opaque", Keys: []string{"password", "user"}}},
		apiclient.PersistentVolumeClaims: {Kind: "PersistentVolumeClaim", Name: "data", Created: created,
			PersistentVolumeClaim: &workload.PVCSummary{Phase: "Bound", Capacity: "10Gi", StorageClass: "fast", AccessModes: []string{"ReadWriteOnce"}, Volume: "pv-1"}},
	}
}

// newFakeResourceAPI answers the routes of the objects that go with workloads with the object
// of the route's kind, a Secret's values only when asked; it decides nothing.
func newFakeResourceAPI(t *testing.T) *fakeAPI {
	t.Helper()
	f := &fakeAPI{t: t, clusters: map[string]*clusterv1alpha1.Cluster{}, settings: map[string]json.RawMessage{}}
	objects := fakeResources()
	mux := http.NewServeMux()
	mux.HandleFunc(apiclient.APIPrefix+"/clusters/{cluster}/namespaces/{namespace}/{kind}", f.authed(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			writeJSON(w, http.StatusOK, apiclient.ResourceList{Items: []apiclient.Resource{objects[r.PathValue("kind")]}})
			return
		}
		writeJSON(w, http.StatusCreated, objects[r.PathValue("kind")])
	}))
	mux.HandleFunc(apiclient.APIPrefix+"/clusters/{cluster}/namespaces/{namespace}/{kind}/{name}", f.authed(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodDelete {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		object := objects[r.PathValue("kind")]
		if r.URL.Query().Get("values") == "true" {
			object.Values = &workload.SecretValues{Text: map[string]string{"password": "s3cret", "user": "admin"}}
		}
		writeJSON(w, http.StatusOK, object)
	}))
	f.server = quietServer(f.record(mux), false)
	t.Cleanup(f.server.Close)
	return f
}

func TestResourceVerbsSendTheContract(t *testing.T) {
	serviceForm := filepath.Join(t.TempDir(), "service.yaml")
	if err := os.WriteFile(serviceForm, []byte("name: web\ntype: NodePort\nports: [{name: http, port: 80, targetPort: 8080, nodePort: 30080}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	pvcForm := filepath.Join(t.TempDir(), "pvc.json")
	if err := os.WriteFile(pvcForm, []byte(`{"name": "data", "accessModes": ["ReadWriteOnce"], "size": "20Gi"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name          string
		args          []string
		stdin         string
		method, path  string
		query, body   string // body: the JSON sent, "" for none
		stdout        string
		notInStdout   string
		stdoutIsJSON  bool
		jsonItemCount int
	}{
		{name: "list services", args: []string{"list", "svc"}, method: http.MethodGet, path: "/services",
			stdout: "web    NodePort   10.0.0.7     -             80/TCP,443:30443/TCP   120m"},
		{name: "list claims", args: []string{"list", "pvc"}, method: http.MethodGet, path: "/persistentvolumeclaims",
			stdout: "data   Bound    pv-1     10Gi       RWO            fast"},
		{name: "list secrets as JSON", args: []string{"list", "secrets", "-o", "json"}, method: http.MethodGet, path: "/secrets",
			stdout: `"keys": [`, stdoutIsJSON: true, jsonItemCount: 1},
		{name: "get a secret", args: []string{"get", "secret", "db"}, method: http.MethodGet, path: "/secrets/db",
			stdout: "- password", notInStdout: "s3cret"},
		{name: "get a secret's values", args: []string{"get", "secret", "db", "--show-values", "-o", "json"}, method: http.MethodGet, path: "/secrets/db",
			query: "values=true", stdout: `"password": "s3cret"`, stdoutIsJSON: true},
		{name: "create a service from a form", args: []string{"create", "service", "-f", serviceForm, "--form"}, method: http.MethodPost, path: "/services",
			body: `{"form":{"name":"web","type":"NodePort","ports":[{"name":"http","port":80,"targetPort":8080,"nodePort":30080}]}}`, stdout: "service shop/web created"},
		{name: "create an ingress from a manifest", args: []string{"create", "ing", "-f", "-"}, stdin: "kind: Ingress\n", method: http.MethodPost, path: "/ingresses",
			body: `{"yaml":"kind: Ingress\n"}`, stdout: "ingress shop/shop created"},
		{name: "replace a claim from a form", args: []string{"replace", "pvc", "data", "-f", pvcForm, "--form"}, method: http.MethodPut, path: "/persistentvolumeclaims/data",
			body: `{"form":{"name":"data","accessModes":["ReadWriteOnce"],"size":"20Gi"}}`, stdout: "persistentvolumeclaim shop/data replaced"},
		{name: "delete a configmap", args: []string{"delete", "cm", "settings"}, method: http.MethodDelete, path: "/configmaps/settings", stdout: "configmaps shop/settings deleted"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeResourceAPI(t)
			f.loggedIn(t)
			stdout, _, err := runKpanda(t, tc.stdin, append(append([]string{"workload"}, tc.args...), "--cluster", "c1", "-n", "shop")...)
			if err != nil {
				t.Fatal(err)
			}
			sent := f.only(t)
			if sent.Method != tc.method || sent.Path != workloadPrefix+tc.path || sent.Query != tc.query {
				t.Errorf("sent %s %s?%s", sent.Method, sent.Path, sent.Query)
			}
			if tc.body != "" {
				assertSameJSON(t, sent.Body, tc.body)
			}
			if !strings.Contains(stdout, tc.stdout) || (tc.notInStdout != "" && strings.Contains(stdout, tc.notInStdout)) {
				t.Errorf("stdout %q: want %q, not %q", stdout, tc.stdout, tc.notInStdout)
			}
			if tc.stdoutIsJSON {
				var doc struct{ Items []any }
				if err := json.Unmarshal([]byte(stdout), &doc); err != nil || len(doc.Items) != tc.jsonItemCount {
					t.Errorf("-o json: %v, %d items", err, len(doc.Items))
				}
			}
		})
	}
}

func TestResourceVerbsRefuseBeforeSending(t *testing.T) {
	misspelt := filepath.Join(t.TempDir(), "service.yaml")
	if err := os.WriteFile(misspelt, []byte("name: web\nportz: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		phrase string
	}{
		{"values of a configmap", []string{"get", "cm", "settings", "--show-values"}, "--show-values is for secrets"},
		{"an ingress form", []string{"create", "ingress", "-f", misspelt, "--form"}, "ingresses have no form"},
		{"misspelt form field", []string{"create", "svc", "-f", misspelt, "--form"}, `unknown field "portz"`},
		{"no name", []string{"get", "svc"}, "expected KIND NAME"},
		{"unknown kind names the objects too", []string{"list", "pods"}, "services (svc)"},
		{"scale is for workloads", []string{"scale", "svc", "web", "--replicas", "2"}, `unknown workload kind "svc"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeResourceAPI(t)
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
