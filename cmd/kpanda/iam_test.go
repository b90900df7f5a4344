package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	iamv1alpha1 "github.com/kpanda/kpanda/api/iam/v1alpha1"
)

const api = "/apis/kpanda.io/v1alpha1"

// mustRun runs kpanda and fails the test if it fails; it returns stdout.
func mustRun(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	stdout, stderr, err := runKpanda(t, stdin, args...)
	if err != nil {
		t.Fatalf("kpanda %s: %v (stderr %q)", strings.Join(args, " "), err, stderr)
	}
	return stdout
}

// assertRequest checks one request; wantBody is JSON compared by value, "" for no body.
func assertRequest(t *testing.T, req fakeRequest, method, path, wantBody string) {
	t.Helper()
	if req.Method != method || req.Path != path {
		t.Errorf("request = %s %s, want %s %s", req.Method, req.Path, method, path)
	}
	if req.Auth != "Bearer "+fakeToken {
		t.Errorf("Authorization = %q, want the saved token", req.Auth)
	}
	if wantBody == "" {
		if req.Body != "" {
			t.Errorf("body = %q, want none", req.Body)
		}
		return
	}
	var got, want any
	if err := json.Unmarshal([]byte(req.Body), &got); err != nil {
		t.Fatalf("body %q is not JSON: %v", req.Body, err)
	}
	if err := json.Unmarshal([]byte(wantBody), &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("body = %s, want %s", req.Body, wantBody)
	}
}

// last returns the last request the fake received.
func (f *fakeIAM) last(t *testing.T) fakeRequest {
	t.Helper()
	reqs := f.seen()
	if len(reqs) == 0 {
		t.Fatal("the server received no request")
	}
	return reqs[len(reqs)-1]
}

// decodeItems decodes the {"items": [...]} of a list verb with -o json, failing the test if
// the document has other keys.
func decodeItems[T any](t *testing.T, stdout string) []T {
	t.Helper()
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, stdout)
	}
	if len(doc) != 1 || doc["items"] == nil {
		t.Fatalf("top-level keys of %s, want only items", stdout)
	}
	var items []T
	if err := json.Unmarshal(doc["items"], &items); err != nil {
		t.Fatal(err)
	}
	return items
}

func TestUserVerbs(t *testing.T) {
	f := newFakeIAM(t)
	f.loggedIn(t)

	if out := mustRun(t, "s3cret pw\n", "user", "create", "alice", "--password-stdin"); out != "user alice created\n" {
		t.Errorf("stdout = %q", out)
	}
	assertRequest(t, f.only(t), http.MethodPost, api+"/users", `{"name":"alice","password":"s3cret pw"}`)

	out := mustRun(t, "pw", "user", "create", "bob", "--password-stdin", "-o", "json")
	if out != "{\n  \"name\": \"bob\"\n}\n" {
		t.Errorf("-o json stdout = %q", out)
	}

	out = mustRun(t, "", "user", "list")
	if got, want := tableRows(out), [][]string{{"NAME", "SOURCE", "DISABLED", "LAST", "LOGIN"}, {"alice", "Local", "false"}, {"bob", "Local", "true"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("table =\n%s", out)
	}
	assertRequest(t, f.last(t), http.MethodGet, api+"/users", "")
	out = mustRun(t, "", "user", "list", "-o", "json")
	if items := decodeItems[map[string]any](t, out); len(items) != 2 || items[1]["name"] != "bob" || items[1]["disabled"] != true {
		t.Errorf("items = %v", items)
	}

	for _, verb := range []string{"disable", "enable"} {
		if out := mustRun(t, "", "user", verb, "bob"); out != "user bob "+verb+"d\n" {
			t.Errorf("user %s stdout = %q", verb, out)
		}
		assertRequest(t, f.last(t), http.MethodPost, api+"/users/bob/"+verb, "")
	}
}

func TestEmptyLists(t *testing.T) {
	f := newFakeIAM(t)
	f.loggedIn(t)
	for _, noun := range []string{"user", "group", "grant", "workspace"} {
		stdout, stderr, err := runKpanda(t, "", noun, "list")
		if err != nil || stdout != "" || stderr != "No "+noun+"s found.\n" {
			t.Errorf("%s list: stdout %q, stderr %q, err %v", noun, stdout, stderr, err)
		}
		stdout, _, err = runKpanda(t, "", noun, "list", "-o", "json")
		if err != nil || stdout != "{\n  \"items\": []\n}\n" {
			t.Errorf("%s list -o json: stdout %q, err %v; want an empty items list", noun, stdout, err)
		}
	}
}

func TestGroupVerbs(t *testing.T) {
	f := newFakeIAM(t)
	f.loggedIn(t)

	out := mustRun(t, "", "group", "create", "devs", "--member", "alice", "--member", "bob")
	if out != "group devs created with members alice, bob\n" {
		t.Errorf("stdout = %q", out)
	}
	assertRequest(t, f.only(t), http.MethodPost, api+"/groups", `{"name":"devs","members":["alice","bob"]}`)

	out = mustRun(t, "", "group", "create", "ops", "--member", "carol", "-o", "json")
	var g iamv1alpha1.Group
	if err := json.Unmarshal([]byte(out), &g); err != nil || g.Name != "ops" || g.Kind != "Group" || !reflect.DeepEqual(g.Spec.Members, []string{"carol"}) {
		t.Errorf("-o json output %q decoded to %+v (%v)", out, g, err)
	}

	out = mustRun(t, "", "group", "list")
	if got, want := tableRows(out), [][]string{{"NAME", "MEMBERS"}, {"devs", "alice,bob"}, {"ops", "carol"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("table =\n%s", out)
	}
	assertRequest(t, f.last(t), http.MethodGet, api+"/groups", "")
	out = mustRun(t, "", "group", "list", "-o", "json")
	if items := decodeItems[iamv1alpha1.Group](t, out); len(items) != 2 || items[0].Spec.Members[1] != "bob" {
		t.Errorf("items = %+v", items)
	}

	if out := mustRun(t, "", "group", "delete", "devs"); out != "group devs deleted\n" {
		t.Errorf("delete stdout = %q", out)
	}
	assertRequest(t, f.last(t), http.MethodDelete, api+"/groups/devs", "")

	_, _, err := runKpanda(t, "", "group", "delete", "devs")
	if err == nil || err.Error() != `group "devs" not found` {
		t.Errorf("deleting twice: error = %v, want the server's message", err)
	}
	_, _, err = runKpanda(t, "", "group", "create", "ops", "--member", "dave")
	if err == nil || err.Error() != `group "ops" already exists` {
		t.Errorf("creating twice: error = %v, want the server's message", err)
	}
}

func TestGrantAndRevoke(t *testing.T) {
	tests := []struct {
		name      string
		args      []string // after grant|revoke
		wantBody  string
		what, who string // as the output says them
	}{
		{
			name: "platform role to a user", args: []string{"platform-role", "admin", "--user", "alice"},
			wantBody: `{"role":"admin","user":"alice"}`,
			what:     "admin", who: "user alice",
		},
		{
			name: "cluster role to a group", args: []string{"cluster-role", "cluster-viewer", "--cluster", "m1", "--group", "devs"},
			wantBody: `{"role":"cluster-viewer","group":"devs","cluster":"m1"}`,
			what:     "cluster-viewer in cluster m1", who: "group devs",
		},
		{
			name: "namespace role to a user", args: []string{"ns-role", "ns-editor", "--user", "alice", "--cluster", "m1", "--namespace", "web"},
			wantBody: `{"role":"ns-editor","user":"alice","cluster":"m1","namespace":"web"}`,
			what:     "ns-editor in namespace web of cluster m1", who: "user alice",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeIAM(t)
			f.loggedIn(t)
			grant := append([]string{"grant"}, tt.args...)
			revoke := append([]string{"revoke"}, tt.args...)

			if out, want := mustRun(t, "", grant...), "granted "+tt.what+" to "+tt.who+" (grant grant-1)\n"; out != want {
				t.Errorf("grant stdout = %q, want %q", out, want)
			}
			assertRequest(t, f.only(t), http.MethodPost, api+"/grants", tt.wantBody)

			if out, want := mustRun(t, "", grant...), tt.who+" already has "+tt.what+" (grant grant-1)\n"; out != want {
				t.Errorf("granting again: stdout = %q, want %q", out, want)
			}
			assertRequest(t, f.last(t), http.MethodPost, api+"/grants", tt.wantBody)

			if out, want := mustRun(t, "", revoke...), "revoked "+tt.what+" from "+tt.who+" (grant grant-1)\n"; out != want {
				t.Errorf("revoke stdout = %q, want %q", out, want)
			}
			assertRequest(t, f.last(t), http.MethodPost, api+"/revoke", tt.wantBody)

			_, _, err := runKpanda(t, "", revoke...)
			if err == nil || !strings.Contains(err.Error(), " has no grant of ") {
				t.Errorf("revoking twice: error = %v, want the server's 404 message", err)
			}
		})
	}
}

func TestGrantAndRevokeJSON(t *testing.T) {
	f := newFakeIAM(t)
	f.loggedIn(t)
	out := mustRun(t, "", "grant", "ns-role", "ns-viewer", "--group", "devs", "--cluster", "m1", "--namespace", "web", "-o", "json")
	var g iamv1alpha1.RoleGrant
	if err := json.Unmarshal([]byte(out), &g); err != nil {
		t.Fatalf("-o json output %q: %v", out, err)
	}
	want := iamv1alpha1.RoleGrantSpec{Role: "ns-viewer", Subject: iamv1alpha1.Subject{Kind: iamv1alpha1.SubjectGroup, Name: "devs"}, Cluster: "m1", Namespace: "web"}
	if g.Name != "grant-1" || g.Spec != want {
		t.Errorf("grant -o json decoded to %+v", g)
	}
	out = mustRun(t, "", "revoke", "ns-role", "ns-viewer", "--group", "devs", "--cluster", "m1", "--namespace", "web", "-o", "json")
	if out != "{\n  \"revoked\": \"grant-1\"\n}\n" {
		t.Errorf("revoke -o json = %q", out)
	}
}

func TestGrantList(t *testing.T) {
	f := newFakeIAM(t)
	f.loggedIn(t)
	f.grants = []iamv1alpha1.RoleGrant{
		{TypeMeta: iamTypeMeta("RoleGrant"), ObjectMeta: metav1.ObjectMeta{Name: "grant-1"},
			Spec: iamv1alpha1.RoleGrantSpec{Role: "admin", Subject: iamv1alpha1.Subject{Kind: iamv1alpha1.SubjectUser, Name: "alice"}}},
		{ObjectMeta: metav1.ObjectMeta{Name: "grant-2"},
			Spec: iamv1alpha1.RoleGrantSpec{Role: "cluster-admin", Subject: iamv1alpha1.Subject{Kind: iamv1alpha1.SubjectGroup, Name: "ops"}, Cluster: "m1"}},
		{ObjectMeta: metav1.ObjectMeta{Name: "grant-3"},
			Spec: iamv1alpha1.RoleGrantSpec{Role: "ns-viewer", Subject: iamv1alpha1.Subject{Kind: iamv1alpha1.SubjectGroup, Name: "devs"}, Cluster: "m1", Namespace: "web"}},
	}

	for _, args := range [][]string{{"grant", "list"}, {"grant", "list", "-o", "table"}} {
		out := mustRun(t, "", args...)
		want := [][]string{
			{"NAME", "ROLE", "SUBJECT", "CLUSTER", "NAMESPACE"},
			{"grant-1", "admin", "user:alice", "-", "-"},
			{"grant-2", "cluster-admin", "group:ops", "m1", "-"},
			{"grant-3", "ns-viewer", "group:devs", "m1", "web"},
		}
		if got := tableRows(out); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: table =\n%s", strings.Join(args, " "), out)
		}
	}
	assertRequest(t, f.last(t), http.MethodGet, api+"/grants", "")

	items := decodeItems[iamv1alpha1.RoleGrant](t, mustRun(t, "", "grant", "list", "-o", "json"))
	if len(items) != 3 || items[0].Kind != "RoleGrant" || items[2].Spec.Namespace != "web" || items[2].Spec.Subject.Kind != iamv1alpha1.SubjectGroup {
		t.Errorf("items = %+v", items)
	}
}

func TestWorkspaceVerbs(t *testing.T) {
	f := newFakeIAM(t)
	f.loggedIn(t)
	steps := []struct {
		args             []string
		method, path     string
		wantBody, output string
	}{
		{[]string{"create", "w1"}, "POST", "/workspaces", `{"name":"w1"}`, "workspace w1 created\n"},
		{
			[]string{"add-member", "w1", "--user", "alice", "--role", "workspace-admin"},
			"POST", "/workspaces/w1/members", `{"user":"alice","role":"workspace-admin"}`, "user alice is workspace-admin of workspace w1\n",
		},
		{
			[]string{"add-member", "w1", "--group", "devs", "--role", "workspace-viewer"},
			"POST", "/workspaces/w1/members", `{"group":"devs","role":"workspace-viewer"}`, "group devs is workspace-viewer of workspace w1\n",
		},
		{
			[]string{"bind-namespace", "w1", "--cluster", "m1", "--namespace", "web"},
			"POST", "/workspaces/w1/namespaces", `{"cluster":"m1","namespace":"web"}`, "namespace web of cluster m1 bound to workspace w1\n",
		},
		{
			[]string{"share-cluster", "w1", "--cluster", "m2"},
			"POST", "/workspaces/w1/clusters", `{"cluster":"m2"}`, "cluster m2 shared with workspace w1\n",
		},
	}
	for _, s := range steps {
		if out := mustRun(t, "", append([]string{"workspace"}, s.args...)...); out != s.output {
			t.Errorf("workspace %s: stdout = %q, want %q", strings.Join(s.args, " "), out, s.output)
		}
		assertRequest(t, f.last(t), s.method, api+s.path, s.wantBody)
	}
	if n := len(f.seen()); n != len(steps) {
		t.Errorf("%d requests for %d verbs", n, len(steps))
	}

	// A write verb with -o json prints the workspace the server answered.
	out := mustRun(t, "", "workspace", "share-cluster", "w1", "--cluster", "m3", "-o", "json")
	var answered iamv1alpha1.Workspace
	if err := json.Unmarshal([]byte(out), &answered); err != nil || !reflect.DeepEqual(answered.Spec.SharedClusters, []string{"m2", "m3"}) {
		t.Errorf("share-cluster -o json: %q (%v)", out, err)
	}

	out = mustRun(t, "", "workspace", "get", "w1")
	want := "Name:   w1\n" +
		"Members:\n" +
		"  user alice   workspace-admin\n" +
		"  group devs   workspace-viewer\n" +
		"Namespaces:\n" +
		"  web in cluster m1\n" +
		"Shared clusters:\n" +
		"  m2\n" +
		"  m3\n"
	if out != want {
		t.Errorf("workspace get =\n%s\nwant\n%s", out, want)
	}
	assertRequest(t, f.last(t), http.MethodGet, api+"/workspaces/w1", "")

	for _, format := range []string{"json", "yaml"} {
		out := mustRun(t, "", "workspace", "get", "w1", "-o", format)
		var ws iamv1alpha1.Workspace
		if err := yaml.Unmarshal([]byte(out), &ws); err != nil { // YAML is a superset of JSON
			t.Fatalf("-o %s output does not decode: %v\n%s", format, err, out)
		}
		if ws.Name != "w1" || ws.Kind != "Workspace" || len(ws.Spec.Members) != 2 || ws.Spec.Members[1].Kind != iamv1alpha1.SubjectGroup ||
			ws.Spec.ResourceGroups[0] != (iamv1alpha1.NamespaceRef{Cluster: "m1", Namespace: "web"}) {
			t.Errorf("-o %s decoded to %+v", format, ws)
		}
		if format == "yaml" && !strings.Contains(out, "resourceGroups:\n") {
			t.Errorf("-o yaml is not YAML:\n%s", out)
		}
	}

	f.addWorkspace("w2")
	out = mustRun(t, "", "workspace", "list")
	if got, want := tableRows(out), [][]string{{"NAME", "MEMBERS", "NAMESPACES", "CLUSTERS"}, {"w1", "2", "1", "2"}, {"w2", "0", "0", "0"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("table =\n%s", out)
	}
	assertRequest(t, f.last(t), http.MethodGet, api+"/workspaces", "")
	if items := decodeItems[iamv1alpha1.Workspace](t, mustRun(t, "", "workspace", "list", "-o", "json")); len(items) != 2 || items[1].Name != "w2" {
		t.Errorf("items = %+v", items)
	}

	out = mustRun(t, "", "workspace", "get", "w2")
	if want := "Name:   w2\nMembers:\n  <none>\nNamespaces:\n  <none>\nShared clusters:\n  <none>\n"; out != want {
		t.Errorf("empty workspace get =\n%s\nwant\n%s", out, want)
	}
	f.authorizations["w1"] = []iamv1alpha1.WorkspaceMember{
		{Subject: iamv1alpha1.Subject{Kind: iamv1alpha1.SubjectGroup, Name: "devs"}, Role: "workspace-viewer"},
	}
	f.authorizations["w2"] = []iamv1alpha1.WorkspaceMember{}
	out = mustRun(t, "", "workspace", "get", "w1")
	if want := want + "Authorizations (members whose access comes through the workspace):\n  group devs   workspace-viewer\n"; out != want {
		t.Errorf("workspace get with authorizations =\n%s\nwant\n%s", out, want)
	}
	out = mustRun(t, "", "workspace", "get", "w2")
	if !strings.HasSuffix(out, "Authorizations (members whose access comes through the workspace):\n  <none>\n") {
		t.Errorf("workspace get with no authorizations =\n%s", out)
	}
	out = mustRun(t, "", "workspace", "get", "w1", "-o", "json")
	var view struct {
		Authorizations []iamv1alpha1.WorkspaceMember `json:"authorizations"`
	}
	if err := json.Unmarshal([]byte(out), &view); err != nil || !reflect.DeepEqual(view.Authorizations, f.authorizations["w1"]) {
		t.Errorf("-o json with authorizations = %s (%v)", out, err)
	}

	_, _, err := runKpanda(t, "", "workspace", "get", "nope")
	if err == nil || err.Error() != `workspace "nope" not found` {
		t.Errorf("error = %v, want the server's message", err)
	}
}

const aliceExplained = `{"user":"alice","cluster":"m1","namespace":"web","visible":true,"sources":[` +
	`{"kind":"Grant","role":"ns-viewer","via":"group devs","grant":"grant-3","namespace":"web","description":"ns-viewer in namespace web through group devs (grant grant-3)"},` +
	`{"kind":"Workspace","role":"workspace-viewer","workspace":"w1","description":"workspace-viewer of workspace w1, which cluster m1 is shared with"},` +
	`{"kind":"Grant","role":"admin","grant":"grant-1"}],"checkedAt":"kept as sent"}`

func TestAuthExplain(t *testing.T) {
	f := newFakeIAM(t)
	f.loggedIn(t)
	f.explanations["alice"] = aliceExplained

	out := mustRun(t, "", "auth", "explain", "--user", "alice", "--cluster", "m1", "--namespace", "web")
	want := "user alice sees cluster m1 (namespace web) because:\n" +
		"  ns-viewer in namespace web through group devs (grant grant-3)\n" +
		"  workspace-viewer of workspace w1, which cluster m1 is shared with\n" +
		"  Grant, role admin, grant grant-1\n"
	if out != want {
		t.Errorf("stdout =\n%s\nwant\n%s", out, want)
	}
	req := f.only(t)
	assertRequest(t, req, http.MethodGet, api+"/explain", "")
	if req.Query != "cluster=m1&namespace=web&user=alice" {
		t.Errorf("query = %q", req.Query)
	}

	// -o json is the document as the server sent it: its fields, in its order.
	out = mustRun(t, "", "auth", "explain", "--user", "alice", "--cluster", "m1", "--namespace", "web", "-o", "json")
	var indented bytes.Buffer
	if err := json.Indent(&indented, []byte(aliceExplained), "", "  "); err != nil {
		t.Fatal(err)
	}
	if out != indented.String()+"\n" {
		t.Errorf("-o json =\n%s\nwant\n%s", out, indented.String())
	}

	out = mustRun(t, "", "auth", "explain", "--user", "bob", "--cluster", "m1")
	if want := "user bob cannot see cluster m1: no platform role, cluster or namespace grant, or workspace gives access\n"; out != want {
		t.Errorf("stdout = %q, want %q", out, want)
	}
	if req := f.last(t); req.Query != "cluster=m1&user=bob" {
		t.Errorf("query without --namespace = %q", req.Query)
	}
	out = mustRun(t, "", "auth", "explain", "--user", "bob", "--cluster", "m1", "--namespace", "web")
	if want := "user bob cannot see cluster m1 (namespace web): no platform role, cluster or namespace grant, or workspace gives access\n"; out != want {
		t.Errorf("stdout = %q, want %q", out, want)
	}
	out = mustRun(t, "", "auth", "explain", "--user", "bob", "--cluster", "m1", "-o", "json")
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil || doc["visible"] != false || doc["user"] != "bob" {
		t.Errorf("-o json = %q (%v)", out, err)
	}
}

func TestIAMServerErrors(t *testing.T) {
	f := newFakeIAM(t)
	f.loggedInWith(t, "expired-token")
	for _, args := range [][]string{
		{"grant", "platform-role", "admin", "--user", "alice"},
		{"user", "list"},
		{"auth", "explain", "--user", "alice", "--cluster", "m1"},
	} {
		_, _, err := runKpanda(t, "", args...)
		if err == nil || err.Error() != "your token has expired; run kpanda login again" {
			t.Errorf("%s: error = %v, want the server's message and what to do", strings.Join(args, " "), err)
		}
	}
}

// TestIAMRefusedBeforeSending covers the mistakes the IAM verbs catch themselves: none of
// them may send a request, and each error says what to do.
func TestIAMRefusedBeforeSending(t *testing.T) {
	tests := []struct {
		name    string
		stdin   string
		args    []string
		wantErr string
	}{
		{"user create without --password-stdin", "pw", []string{"user", "create", "alice"},
			`pipe the password into kpanda user create with --password-stdin, e.g. printf '%s' "$PASSWORD" | kpanda user create alice --password-stdin`},
		{"user create with an empty password", "\n", []string{"user", "create", "alice", "--password-stdin"},
			"the password read from stdin is empty: pipe the password into --password-stdin"},
		{"user create without a name", "pw", []string{"user", "create", "--password-stdin"},
			"kpanda user create takes one argument, the user NAME; got 0"},
		{"user list with an unknown format", "", []string{"user", "list", "-o", "yaml"},
			`unknown output format "yaml" for -o: use one of table, json`},
		{"group create without members", "", []string{"group", "create", "devs"},
			"name the members with --member USER (repeatable)"},
		{"group create with a member twice", "", []string{"group", "create", "devs", "--member", "a", "--member", "b", "--member", "a"},
			"--member a is given twice: give each member once"},
		{"group create with an empty member", "", []string{"group", "create", "devs", "--member", ""},
			"--member is empty: give a user name"},
		{"group delete without a name", "", []string{"group", "delete"},
			"kpanda group delete takes one argument, the group NAME; got 0"},
		{"grant without a role", "", []string{"grant", "platform-role", "--user", "a"},
			"kpanda grant platform-role takes one argument, the ROLE (one of admin, kpanda-owner, platform-viewer); got 0"},
		{"unknown platform role", "", []string{"grant", "platform-role", "root", "--user", "a"},
			`unknown platform role "root": use one of admin, kpanda-owner, platform-viewer`},
		{"cluster role given as a platform role", "", []string{"grant", "platform-role", "cluster-admin", "--user", "a"},
			"cluster-admin is a cluster role, not a platform role (use kpanda grant cluster-role); platform roles: admin, kpanda-owner, platform-viewer"},
		{"platform role given as a cluster role", "", []string{"grant", "cluster-role", "admin", "--cluster", "m1", "--user", "a"},
			"admin is a platform role, not a cluster role (use kpanda grant platform-role); cluster roles: cluster-admin, cluster-viewer"},
		{"unknown namespace role", "", []string{"grant", "ns-role", "ns-owner", "--cluster", "m1", "--namespace", "web", "--user", "a"},
			`unknown namespace role "ns-owner": use one of ns-admin, ns-editor, ns-viewer`},
		{"workspace role given as a namespace role", "", []string{"grant", "ns-role", "workspace-admin", "--cluster", "m1", "--namespace", "web", "--user", "a"},
			`unknown namespace role "workspace-admin": use one of ns-admin, ns-editor, ns-viewer`},
		{"revoke of a namespace role as a cluster role", "", []string{"revoke", "cluster-role", "ns-viewer", "--cluster", "m1", "--user", "a"},
			"ns-viewer is a namespace role, not a cluster role (use kpanda revoke ns-role); cluster roles: cluster-admin, cluster-viewer"},
		{"grant to nobody", "", []string{"grant", "platform-role", "admin"},
			"say who: --user USER or --group GROUP"},
		{"grant to a user and a group", "", []string{"grant", "platform-role", "admin", "--user", "a", "--group", "g"},
			"use either --user or --group, not both"},
		{"revoke from nobody", "", []string{"revoke", "cluster-role", "cluster-admin", "--cluster", "m1", "--user", ""},
			"say who: --user USER or --group GROUP"},
		{"platform role with a cluster", "", []string{"grant", "platform-role", "admin", "--user", "a", "--cluster", "m1"},
			"unknown flag: --cluster"},
		{"cluster role with a namespace", "", []string{"grant", "cluster-role", "cluster-admin", "--user", "a", "--cluster", "m1", "--namespace", "web"},
			"unknown flag: --namespace"},
		{"cluster role without a cluster", "", []string{"grant", "cluster-role", "cluster-admin", "--user", "a"},
			"--cluster is required: cluster-admin applies in one cluster"},
		{"cluster role with an empty cluster", "", []string{"revoke", "cluster-role", "cluster-viewer", "--group", "g", "--cluster", ""},
			"--cluster is required: cluster-viewer applies in one cluster"},
		{"namespace role without cluster and namespace", "", []string{"grant", "ns-role", "ns-viewer", "--user", "a"},
			"--cluster and --namespace are required: ns-viewer applies in one namespace of one cluster"},
		{"namespace role without a namespace", "", []string{"grant", "ns-role", "ns-viewer", "--user", "a", "--cluster", "m1"},
			"--namespace is required: ns-viewer applies in one namespace of one cluster"},
		{"revoke of a namespace role without a cluster", "", []string{"revoke", "ns-role", "ns-admin", "--group", "g", "--namespace", "web"},
			"--cluster is required: ns-admin applies in one namespace of one cluster"},
		{"grant with an unknown format", "", []string{"grant", "platform-role", "admin", "--user", "a", "-o", "yaml"},
			`unknown output format "yaml" for -o: use one of text, json`},
		{"grant list with an unknown format", "", []string{"grant", "list", "-o", "wide"},
			`unknown output format "wide" for -o: use one of table, json`},
		{"unknown grant subcommand", "", []string{"grant", "namespace-role", "ns-viewer"},
			`unknown command "namespace-role" for "kpanda grant"; run "kpanda grant --help" for the list`},
		{"revoke list is not a verb", "", []string{"revoke", "list"},
			`unknown command "list" for "kpanda revoke"; run "kpanda revoke --help" for the list`},
		{"add-member to nobody", "", []string{"workspace", "add-member", "w1", "--role", "workspace-admin"},
			"say who: --user USER or --group GROUP"},
		{"add-member to a user and a group", "", []string{"workspace", "add-member", "w1", "--user", "a", "--group", "g", "--role", "workspace-admin"},
			"use either --user or --group, not both"},
		{"add-member without a role", "", []string{"workspace", "add-member", "w1", "--user", "a"},
			"--role is required: one of workspace-admin, workspace-editor, workspace-viewer"},
		{"add-member with a namespace role", "", []string{"workspace", "add-member", "w1", "--user", "a", "--role", "ns-admin"},
			`unknown workspace role "ns-admin" for --role: use one of workspace-admin, workspace-editor, workspace-viewer`},
		{"add-member without a workspace", "", []string{"workspace", "add-member", "--user", "a", "--role", "workspace-admin"},
			"kpanda workspace add-member takes one argument, the workspace NAME; got 0"},
		{"bind-namespace without anything", "", []string{"workspace", "bind-namespace", "w1"},
			"--cluster and --namespace are required: the namespace to bind and its cluster"},
		{"bind-namespace without a namespace", "", []string{"workspace", "bind-namespace", "w1", "--cluster", "m1"},
			"--namespace is required: the namespace to bind and its cluster"},
		{"share-cluster without a cluster", "", []string{"workspace", "share-cluster", "w1"},
			"--cluster is required: the cluster to share"},
		{"workspace get with an unknown format", "", []string{"workspace", "get", "w1", "-o", "wide"},
			`unknown output format "wide" for -o: use one of text, json, yaml`},
		{"workspace create with two names", "", []string{"workspace", "create", "w1", "w2"},
			"kpanda workspace create takes one argument, the workspace NAME; got 2"},
		{"explain without anything", "", []string{"auth", "explain"},
			"--user and --cluster are required: whose access to which cluster to explain"},
		{"explain without a cluster", "", []string{"auth", "explain", "--user", "alice", "--namespace", "web"},
			"--cluster is required: whose access to which cluster to explain"},
		{"explain with an unknown format", "", []string{"auth", "explain", "--user", "alice", "--cluster", "m1", "-o", "yaml"},
			`unknown output format "yaml" for -o: use one of text, json`},
		{"unknown auth subcommand", "", []string{"auth", "can-i"},
			`unknown command "can-i" for "kpanda auth"; run "kpanda auth --help" for the list`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeIAM(t)
			f.loggedIn(t)
			_, _, err := runKpanda(t, tt.stdin, tt.args...)
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("error = %v\nwant    %s", err, tt.wantErr)
			}
			if reqs := f.seen(); len(reqs) != 0 {
				t.Errorf("requests were sent: %+v", reqs)
			}
		})
	}
}
