package main

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	iamv1alpha1 "github.com/kpanda/kpanda/api/iam/v1alpha1"
	"github.com/kpanda/kpanda/internal/apiclient"
)

// workspaceRemoval is the fake of the DELETE verbs under a workspace: like the server, it
// answers the workspace, and 404 naming the field for an entry that is not there.
func (f *fakeIAM) workspaceRemoval(w http.ResponseWriter, r *http.Request) {
	ws, ok := f.workspace(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	removed, field := false, ""
	switch {
	case r.PathValue("cluster") != "":
		field = "cluster"
		before := len(ws.Spec.SharedClusters)
		ws.Spec.SharedClusters = slices.DeleteFunc(ws.Spec.SharedClusters, func(c string) bool { return c == r.PathValue("cluster") })
		removed = len(ws.Spec.SharedClusters) < before
	case r.PathValue("action") == "members":
		field = "user"
		before := len(ws.Spec.Members)
		ws.Spec.Members = slices.DeleteFunc(ws.Spec.Members, func(m iamv1alpha1.WorkspaceMember) bool {
			return m.Name == q.Get("user")+q.Get("group")
		})
		removed = len(ws.Spec.Members) < before
	case r.PathValue("action") == "namespaces":
		field = "namespace"
		ref := iamv1alpha1.NamespaceRef{Cluster: q.Get("cluster"), Namespace: q.Get("namespace")}
		before := len(ws.Spec.ResourceGroups)
		ws.Spec.ResourceGroups = slices.DeleteFunc(ws.Spec.ResourceGroups, func(n iamv1alpha1.NamespaceRef) bool { return n == ref })
		removed = len(ws.Spec.ResourceGroups) < before
	}
	if !removed {
		writeError(w, http.StatusNotFound, map[string]any{"code": 5, "field": field, "message": field + ": not in workspace " + ws.Name})
		return
	}
	writeJSON(w, http.StatusOK, ws)
}

func (f *fakeIAM) deleteWorkspace(w http.ResponseWriter, r *http.Request) {
	ws, ok := f.workspace(w, r)
	if !ok {
		return
	}
	f.workspaces = slices.DeleteFunc(f.workspaces, func(other *iamv1alpha1.Workspace) bool { return other == ws })
	writeJSON(w, http.StatusOK, map[string]string{"deleted": ws.Name})
}

func TestWorkspaceRevokeVerbs(t *testing.T) {
	f := newFakeIAM(t)
	f.loggedIn(t)
	ws := f.addWorkspace("w1")
	ws.Spec = iamv1alpha1.WorkspaceSpec{
		Members: []iamv1alpha1.WorkspaceMember{
			{Subject: iamv1alpha1.Subject{Kind: iamv1alpha1.SubjectUser, Name: "alice"}, Role: "workspace-admin"},
			{Subject: iamv1alpha1.Subject{Kind: iamv1alpha1.SubjectGroup, Name: "devs"}, Role: "workspace-viewer"},
		},
		ResourceGroups: []iamv1alpha1.NamespaceRef{{Cluster: "m1", Namespace: "web"}},
		SharedClusters: []string{"m2"},
	}
	for _, s := range []struct {
		args                string
		path, query, output string
	}{
		{"remove-member w1 --user alice", "/workspaces/w1/members", "user=alice", "user alice removed from workspace w1\n"},
		{"remove-member w1 --group devs", "/workspaces/w1/members", "group=devs", "group devs removed from workspace w1\n"},
		{"unbind-namespace w1 --cluster m1 --namespace web", "/workspaces/w1/namespaces", "cluster=m1&namespace=web", "namespace web of cluster m1 unbound from workspace w1\n"},
		{"unshare-cluster w1 --cluster m2", "/workspaces/w1/clusters/m2", "", "cluster m2 no longer shared with workspace w1\n"},
	} {
		if out := mustRun(t, "", append([]string{"workspace"}, strings.Fields(s.args)...)...); out != s.output {
			t.Errorf("workspace %s: stdout = %q, want %q", s.args, out, s.output)
		}
		req := f.last(t)
		assertRequest(t, req, http.MethodDelete, api+s.path, "")
		if req.Query != s.query {
			t.Errorf("workspace %s: query %q, want %q", s.args, req.Query, s.query)
		}
	}
	if len(ws.Spec.Members) != 0 || len(ws.Spec.ResourceGroups) != 0 || len(ws.Spec.SharedClusters) != 0 {
		t.Errorf("workspace after the removals: %+v", ws.Spec)
	}

	// The server's refusal reaches the user as it was written.
	_, _, err := runKpanda(t, "", "workspace", "unshare-cluster", "w1", "--cluster", "m2")
	if err == nil || err.Error() != "cluster: not in workspace w1" {
		t.Errorf("unsharing again: error = %v", err)
	}

	// With -o json a removal prints the workspace the server answered.
	ws.Spec.SharedClusters = []string{"m3", "m4"}
	out := mustRun(t, "", "workspace", "unshare-cluster", "w1", "--cluster", "m3", "-o", "json")
	var answered iamv1alpha1.Workspace
	if err := json.Unmarshal([]byte(out), &answered); err != nil || !slices.Equal(answered.Spec.SharedClusters, []string{"m4"}) {
		t.Errorf("unshare-cluster -o json: %q (%v)", out, err)
	}

	if out := mustRun(t, "", "workspace", "delete", "w1"); out != "workspace w1 deleted\n" {
		t.Errorf("delete: stdout = %q", out)
	}
	assertRequest(t, f.last(t), http.MethodDelete, api+"/workspaces/w1", "")
	_, _, err = runKpanda(t, "", "workspace", "delete", "w1")
	if err == nil || err.Error() != `workspace "w1" not found` {
		t.Errorf("deleting again: error = %v", err)
	}
}

func TestWorkspaceRevokeRefusedBeforeSending(t *testing.T) {
	for _, tc := range []struct {
		args, wantErr string
	}{
		{"remove-member w1", "say who: --user USER or --group GROUP"},
		{"remove-member w1 --user a --group g", "use either --user or --group, not both"},
		{"remove-member --user a", "kpanda workspace remove-member takes one argument, the workspace NAME; got 0"},
		{"unbind-namespace w1", "--cluster and --namespace are required: the namespace to unbind and its cluster"},
		{"unbind-namespace w1 --cluster m1", "--namespace is required: the namespace to unbind and its cluster"},
		{"unshare-cluster w1", "--cluster is required: the cluster to stop sharing"},
		{"unshare-cluster w1 --cluster m1 -o yaml", `unknown output format "yaml" for -o: use one of text, json`},
		{"delete", "kpanda workspace delete takes one argument, the workspace NAME; got 0"},
	} {
		t.Run(tc.args, func(t *testing.T) {
			f := newFakeIAM(t)
			f.loggedIn(t)
			_, _, err := runKpanda(t, "", append([]string{"workspace"}, strings.Fields(tc.args)...)...)
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("error = %v\nwant    %s", err, tc.wantErr)
			}
			if reqs := f.seen(); len(reqs) != 0 {
				t.Errorf("requests were sent: %+v", reqs)
			}
		})
	}
}

// The apiclient refuses an empty cluster name rather than addressing the list of clusters.
func TestUnshareEmptyCluster(t *testing.T) {
	if _, err := apiclient.New(apiclient.Config{Server: "http://127.0.0.1:1"}).UnshareWorkspaceCluster(t.Context(), "w1", ""); err == nil {
		t.Error("no error for an empty cluster name")
	}
}
