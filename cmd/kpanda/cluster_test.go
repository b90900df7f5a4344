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

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	clusterv1alpha1 "github.com/kpanda/kpanda/api/cluster/v1alpha1"
)

// twoClusters fills f with a running cluster and one that just joined.
func twoClusters(f *fakeAPI) {
	f.addCluster(clusterv1alpha1.Cluster{
		TypeMeta:   metav1.TypeMeta{APIVersion: "cluster.kpanda.io/v1alpha1", Kind: "Cluster"},
		ObjectMeta: metav1.ObjectMeta{Name: "member1", CreationTimestamp: metav1.NewTime(time.Now().Add(-3 * time.Hour))},
		Spec:       clusterv1alpha1.ClusterSpec{Mode: clusterv1alpha1.ClusterModePush, Provider: clusterv1alpha1.ProviderGeneric, Alias: "Member One"},
		Status: clusterv1alpha1.ClusterStatus{
			Phase: clusterv1alpha1.ClusterRunning, KubernetesVersion: "v1.37.2", KubeSystemID: "ks-uid-1",
			APIEndpoint: "https://10.0.0.1:6443", PodCount: 42,
			Nodes: clusterv1alpha1.NodeSummary{Total: 3, Ready: 2},
			Resources: clusterv1alpha1.ResourceSummary{Capacity: map[string]resource.Quantity{
				"cpu": resource.MustParse("7500m"), "memory": resource.MustParse("16Gi"), "pods": resource.MustParse("330"),
			}},
		},
	})
	f.addCluster(clusterv1alpha1.Cluster{
		ObjectMeta: metav1.ObjectMeta{Name: "new1", CreationTimestamp: metav1.NewTime(time.Now().Add(-5 * time.Minute))},
		Status:     clusterv1alpha1.ClusterStatus{Phase: clusterv1alpha1.ClusterJoining},
	})
}

// tableRows splits a table into the fields of each line; column widths are not the point.
func tableRows(s string) [][]string {
	var rows [][]string
	for line := range strings.Lines(s) {
		rows = append(rows, strings.Fields(line))
	}
	return rows
}

func TestClusterListTable(t *testing.T) {
	f := newFakeAPI(t)
	f.loggedIn(t)
	twoClusters(f)

	stdout, _, err := runKpanda(t, "", "cluster", "list")
	if err != nil {
		t.Fatalf("cluster list: %v", err)
	}
	want := [][]string{
		{"NAME", "ALIAS", "PHASE", "VERSION", "NODES", "CPU", "MEMORY", "AGE"},
		{"member1", "Member", "One", "Running", "v1.37.2", "2/3", "7.5", "16Gi", "3h"},
		{"new1", "-", "Joining", "-", "0/0", "-", "-", "5m"},
	}
	if got := tableRows(stdout); !reflect.DeepEqual(got, want) {
		t.Errorf("table =\n%s\nwant rows %q", stdout, want)
	}
	req := f.only(t)
	if req.Method != http.MethodGet || req.Path != "/apis/kpanda.io/v1alpha1/clusters" || req.Auth != "Bearer "+fakeToken {
		t.Errorf("request = %+v", req)
	}
}

func TestClusterListWide(t *testing.T) {
	f := newFakeAPI(t)
	f.loggedIn(t)
	twoClusters(f)

	stdout, _, err := runKpanda(t, "", "cluster", "list", "-o", "wide")
	if err != nil {
		t.Fatalf("cluster list -o wide: %v", err)
	}
	rows := tableRows(stdout)
	wantHeader := []string{"NAME", "ALIAS", "PHASE", "VERSION", "NODES", "CPU", "MEMORY", "AGE", "PODS", "MODE", "PROVIDER", "KUBESYSTEMID", "API-ENDPOINT"}
	if !reflect.DeepEqual(rows[0], wantHeader) {
		t.Errorf("header = %q, want %q", rows[0], wantHeader)
	}
	if got, want := rows[1][len(rows[1])-5:], []string{"42", "Push", "Generic", "ks-uid-1", "https://10.0.0.1:6443"}; !reflect.DeepEqual(got, want) {
		t.Errorf("wide columns of member1 = %q, want %q", got, want)
	}
}

func TestClusterListJSON(t *testing.T) {
	f := newFakeAPI(t)
	f.loggedIn(t)
	twoClusters(f)

	stdout, _, err := runKpanda(t, "", "cluster", "list", "-o", "json")
	if err != nil {
		t.Fatalf("cluster list -o json: %v", err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, stdout)
	}
	if len(doc) != 1 || doc["items"] == nil {
		t.Errorf("top-level keys of %s, want only items", stdout)
	}
	var items []clusterv1alpha1.Cluster
	if err := json.Unmarshal(doc["items"], &items); err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || items[0].Name != "member1" || items[0].Status.Nodes.Ready != 2 || items[1].Name != "new1" {
		t.Errorf("items = %+v", items)
	}
}

func TestClusterListEmpty(t *testing.T) {
	f := newFakeAPI(t)
	f.loggedIn(t)

	stdout, stderr, err := runKpanda(t, "", "cluster", "list")
	if err != nil || stdout != "" || stderr != "No clusters found.\n" {
		t.Errorf("empty table: stdout %q, stderr %q, err %v", stdout, stderr, err)
	}
	stdout, _, err = runKpanda(t, "", "cluster", "list", "-o", "json")
	if err != nil || stdout != "{\n  \"items\": []\n}\n" {
		t.Errorf("empty json: stdout %q, err %v; want an empty items list", stdout, err)
	}
}

func TestClusterGet(t *testing.T) {
	f := newFakeAPI(t)
	f.loggedIn(t)
	twoClusters(f)

	stdout, _, err := runKpanda(t, "", "cluster", "get", "member1")
	if err != nil {
		t.Fatalf("cluster get: %v", err)
	}
	if rows := tableRows(stdout); len(rows) != 2 || rows[1][0] != "member1" || rows[1][3] != "Running" {
		t.Errorf("table =\n%s", stdout)
	}

	for _, format := range []string{"json", "yaml"} {
		stdout, _, err := runKpanda(t, "", "cluster", "get", "member1", "-o", format)
		if err != nil {
			t.Fatalf("cluster get -o %s: %v", format, err)
		}
		var got clusterv1alpha1.Cluster
		if err := yaml.Unmarshal([]byte(stdout), &got); err != nil { // YAML is a superset of JSON
			t.Fatalf("-o %s output does not decode: %v\n%s", format, err, stdout)
		}
		if got.Name != "member1" || got.Status.KubeSystemID != "ks-uid-1" || got.Kind != "Cluster" {
			t.Errorf("-o %s decoded to %+v", format, got)
		}
		if format == "yaml" && !strings.Contains(stdout, "kubernetesVersion: v1.37.2\n") {
			t.Errorf("-o yaml is not YAML:\n%s", stdout)
		}
	}
	for _, req := range f.seen() {
		if req.Path != "/apis/kpanda.io/v1alpha1/clusters/member1" {
			t.Errorf("request path = %s", req.Path)
		}
	}
}

func TestServerErrorsAreShownAsTheyAre(t *testing.T) {
	f := newFakeAPI(t)
	f.loggedIn(t)
	_, _, err := runKpanda(t, "", "cluster", "get", "nope")
	if err == nil || err.Error() != `cluster "nope" not found` {
		t.Errorf("error = %v, want the server's message", err)
	}

	f.loggedInWith(t, "expired-token")
	_, _, err = runKpanda(t, "", "cluster", "list")
	if err == nil || err.Error() != "your token has expired; run kpanda login again" {
		t.Errorf("error = %v, want the server's message and what to do", err)
	}
}

func TestNotLoggedIn(t *testing.T) {
	t.Setenv("KPANDA_CONFIG", filepath.Join(t.TempDir(), "absent.json"))
	_, _, err := runKpanda(t, "", "cluster", "list")
	if err == nil || !strings.Contains(err.Error(), "run kpanda login --server URL") {
		t.Errorf("error = %v, want one telling to run kpanda login", err)
	}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const kubeconfig = "apiVersion: v1\nkind: Config\ncurrent-context: m\n"

func TestClusterIntegrate(t *testing.T) {
	f := newFakeAPI(t)
	f.loggedIn(t)
	file := writeFile(t, "member.kubeconfig", kubeconfig)

	stdout, _, err := runKpanda(t, "", "cluster", "integrate", "member2", "--kubeconfig", file, "--alias", "Second")
	if err != nil {
		t.Fatalf("cluster integrate: %v", err)
	}
	if stdout != "cluster member2 integrated (phase Joining)\n" {
		t.Errorf("stdout = %q", stdout)
	}
	req := f.only(t)
	var body map[string]string
	if err := json.Unmarshal([]byte(req.Body), &body); err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"name": "member2", "alias": "Second", "kubeconfig": kubeconfig}; !reflect.DeepEqual(body, want) {
		t.Errorf("body = %q, want %q", body, want)
	}
	if req.Method != http.MethodPost || req.Path != "/apis/kpanda.io/v1alpha1/clusters" {
		t.Errorf("request = %s %s", req.Method, req.Path)
	}

	stdout, _, err = runKpanda(t, kubeconfig, "cluster", "integrate", "member3", "--kubeconfig", "-", "-o", "json")
	if err != nil {
		t.Fatalf("cluster integrate -o json with the kubeconfig on stdin: %v", err)
	}
	var c clusterv1alpha1.Cluster
	if err := json.Unmarshal([]byte(stdout), &c); err != nil || c.Name != "member3" {
		t.Errorf("-o json output %q decoded to %+v (%v)", stdout, c, err)
	}

	_, _, err = runKpanda(t, "", "cluster", "integrate", "member2", "--kubeconfig", file)
	if err == nil || err.Error() != `cluster "member2" already exists` {
		t.Errorf("integrating twice: error = %v, want the server's message", err)
	}
}

func TestClusterVerify(t *testing.T) {
	f := newFakeAPI(t)
	f.loggedIn(t)

	stdout, _, err := runKpanda(t, "", "cluster", "verify", "--kubeconfig", writeFile(t, "ok", kubeconfig))
	if err != nil {
		t.Fatalf("cluster verify: %v", err)
	}
	want := [][]string{{"server:", "https://10.0.0.1:6443"}, {"version:", "v1.37.2"}, {"kube-system", "UID:", "ks-uid-1"}}
	if got := tableRows(stdout); !reflect.DeepEqual(got, want) {
		t.Errorf("stdout =\n%s", stdout)
	}
	var body map[string]string
	if err := json.Unmarshal([]byte(f.only(t).Body), &body); err != nil || body["kubeconfig"] != kubeconfig {
		t.Errorf("verify body = %v (%v)", body, err)
	}

	stdout, _, err = runKpanda(t, "", "cluster", "verify", "--kubeconfig", writeFile(t, "ok", kubeconfig), "-o", "json")
	if err != nil || !strings.Contains(stdout, `"kubeSystemID": "ks-uid-1"`) {
		t.Errorf("-o json: %q, %v", stdout, err)
	}

	_, _, err = runKpanda(t, "", "cluster", "verify", "--kubeconfig", writeFile(t, "bad", "server: unreachable"))
	if err == nil || err.Error() != "cannot reach https://10.0.0.1:6443: check that the address is reachable from kpanda" {
		t.Errorf("error = %v, want the server's message", err)
	}
}

func TestClusterDetach(t *testing.T) {
	f := newFakeAPI(t)
	f.loggedIn(t)
	twoClusters(f)

	stdout, _, err := runKpanda(t, "", "cluster", "detach", "member1", "--confirm", "member1")
	if err != nil {
		t.Fatalf("cluster detach: %v", err)
	}
	if stdout != "cluster member1 is being detached (phase Removing)\n" {
		t.Errorf("stdout = %q", stdout)
	}
	req := f.only(t)
	if req.Method != http.MethodDelete || req.Path != "/apis/kpanda.io/v1alpha1/clusters/member1" || req.Query != "confirm=member1" {
		t.Errorf("request = %s %s?%s", req.Method, req.Path, req.Query)
	}
}

func TestClusterSettingsGet(t *testing.T) {
	f := newFakeAPI(t)
	f.loggedIn(t)
	twoClusters(f)
	f.settings["member1"] = json.RawMessage(`{"addon_setting":{"helm_operation_base_image":"img:1"},"plugins":[]}`)

	stdout, _, err := runKpanda(t, "", "cluster", "settings", "get", "member1")
	if err != nil {
		t.Fatalf("settings get: %v", err)
	}
	// Pretty-printed, in the server's field order.
	want := "{\n  \"addon_setting\": {\n    \"helm_operation_base_image\": \"img:1\"\n  },\n  \"plugins\": []\n}\n"
	if stdout != want {
		t.Errorf("stdout =\n%s\nwant\n%s", stdout, want)
	}
	if req := f.only(t); req.Method != http.MethodGet || req.Path != "/apis/kpanda.io/v1alpha1/clusters/member1/settings" {
		t.Errorf("request = %s %s", req.Method, req.Path)
	}
}

func TestClusterSettingsSet(t *testing.T) {
	document := `{"addon_setting": {"helm_operation_history_limit": 5}}`
	tests := []struct {
		name       string
		stdin      string
		args       []string
		wantMethod string
		wantBody   string
		wantOut    string
	}{
		{
			name:       "set",
			args:       []string{"--set", "addon_setting.helm_operation_base_image=reg.local/shell:v1", "--set", "a.b=x=y,z"},
			wantMethod: http.MethodPatch,
			wantBody:   `{"set":{"addon_setting.helm_operation_base_image":"reg.local/shell:v1","a.b":"x=y,z"}}`,
			wantOut:    "settings of cluster member1 updated\n",
		},
		{
			name:       "file is sent as is",
			args:       []string{"--file", "FILE"},
			wantMethod: http.MethodPut, wantBody: document,
			wantOut: "settings of cluster member1 updated\n",
		},
		{
			name:       "file from stdin, stored document printed",
			stdin:      document,
			args:       []string{"--file", "-", "-o", "json"},
			wantMethod: http.MethodPut, wantBody: document,
			wantOut: "{\n  \"addon_setting\": {\n    \"helm_operation_history_limit\": 5\n  }\n}\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.loggedIn(t)
			twoClusters(f)
			file := writeFile(t, "settings.json", document)
			args := []string{"cluster", "settings", "set", "member1"}
			for _, a := range tt.args {
				args = append(args, strings.ReplaceAll(a, "FILE", file))
			}
			stdout, _, err := runKpanda(t, tt.stdin, args...)
			if err != nil {
				t.Fatalf("settings set: %v", err)
			}
			if stdout != tt.wantOut {
				t.Errorf("stdout = %q, want %q", stdout, tt.wantOut)
			}
			req := f.only(t)
			if req.Method != tt.wantMethod || req.Path != "/apis/kpanda.io/v1alpha1/clusters/member1/settings" {
				t.Errorf("request = %s %s", req.Method, req.Path)
			}
			if tt.wantMethod == http.MethodPut && req.Body != tt.wantBody {
				t.Errorf("body = %q, want the file byte for byte: %q", req.Body, tt.wantBody)
			}
			if tt.wantMethod == http.MethodPatch {
				var got, want any
				if err := json.Unmarshal([]byte(req.Body), &got); err != nil {
					t.Fatalf("body %q is not JSON: %v", req.Body, err)
				}
				if err := json.Unmarshal([]byte(tt.wantBody), &want); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("body = %s, want %s", req.Body, tt.wantBody)
				}
			}
		})
	}
}

// TestRefusedBeforeSending covers the mistakes the CLI catches itself: none of them may send
// a request, and each error says what to do.
func TestRefusedBeforeSending(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such.kubeconfig")
	empty := writeFile(t, "empty.kubeconfig", "\n")
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"integrate without --kubeconfig", []string{"cluster", "integrate", "m"}, `required flag(s) "kubeconfig" not set`},
		{"integrate without a name", []string{"cluster", "integrate", "--kubeconfig", empty}, "kpanda cluster integrate takes one argument, the cluster NAME; got 0"},
		{"integrate with an unreadable kubeconfig", []string{"cluster", "integrate", "m", "--kubeconfig", missing}, "cannot read --kubeconfig: open " + missing + ": no such file or directory"},
		{"integrate with an empty kubeconfig", []string{"cluster", "integrate", "m", "--kubeconfig", empty}, "--kubeconfig " + empty + " is empty"},
		{"verify without --kubeconfig", []string{"cluster", "verify"}, `required flag(s) "kubeconfig" not set`},
		{"verify with an unreadable kubeconfig", []string{"cluster", "verify", "--kubeconfig", missing}, "cannot read --kubeconfig: open " + missing + ": no such file or directory"},
		{"detach without --confirm", []string{"cluster", "detach", "member1"}, "type the cluster name again with --confirm member1 to detach it"},
		{"detach with another name", []string{"cluster", "detach", "member1", "--confirm", "member2"}, `--confirm "member2" is not the cluster name "member1": type the cluster name again with --confirm member1 to detach it`},
		{"settings set with nothing to set", []string{"cluster", "settings", "set", "member1"}, "say what to change: --file FILE (a whole settings document, - for stdin) or --set PATH=VALUE (repeatable)"},
		{"settings set with both", []string{"cluster", "settings", "set", "member1", "--file", empty, "--set", "a=b"}, "use either --file or --set, not both: --file replaces the whole document"},
		{"settings set without =", []string{"cluster", "settings", "set", "member1", "--set", "addon_setting.x"}, `--set "addon_setting.x": want PATH=VALUE, e.g. addon_setting.helm_operation_base_image=IMAGE`},
		{"settings set twice", []string{"cluster", "settings", "set", "member1", "--set", "a=1", "--set", "a=2"}, "--set a is given twice: give each setting once"},
		{"settings set with an unreadable file", []string{"cluster", "settings", "set", "member1", "--file", missing}, "cannot read --file: open " + missing + ": no such file or directory"},
		{"unknown output format", []string{"cluster", "list", "-o", "xml"}, `unknown output format "xml" for -o: use one of table, json, wide`},
		{"unknown output format on a write", []string{"cluster", "detach", "member1", "--confirm", "member1", "-o", "yaml"}, `unknown output format "yaml" for -o: use one of text, json`},
		{"unknown subcommand", []string{"cluster", "lst"}, `unknown command "lst" for "kpanda cluster"; run "kpanda cluster --help" for the list`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.loggedIn(t)
			twoClusters(f)
			_, _, err := runKpanda(t, "", tt.args...)
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("error = %v\nwant    %s", err, tt.wantErr)
			}
			if reqs := f.seen(); len(reqs) != 0 {
				t.Errorf("requests were sent: %+v", reqs)
			}
		})
	}
}
