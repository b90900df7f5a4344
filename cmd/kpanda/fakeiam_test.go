package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	clusterv1alpha1 "github.com/kpanda/kpanda/api/cluster/v1alpha1"
	iamv1alpha1 "github.com/kpanda/kpanda/api/iam/v1alpha1"
	"github.com/kpanda/kpanda/internal/apiclient"
)

// fakeIAM is the IAM part of the REST contract, just enough to see what the IAM verbs send
// and how they show the answers. newFakeAPI's routes are fixed, so this is a fakeAPI (for its
// recording, token check, loggedIn, seen and only) serving its own routes. Like fakeAPI it
// checks nothing the real server decides: role names, scopes and names are the server's.
type fakeIAM struct {
	*fakeAPI

	users      []string
	groups     []*iamv1alpha1.Group
	grants     []iamv1alpha1.RoleGrant
	nextGrant  int
	workspaces []*iamv1alpha1.Workspace
	// authorizations, when set for a workspace, are sent with it by GET /workspaces/{name}.
	authorizations map[string][]iamv1alpha1.WorkspaceMember
	// explanations are the documents GET /explain answers, by user; others see nothing.
	explanations map[string]string
}

func iamTypeMeta(kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: iamv1alpha1.GroupVersion.String(), Kind: kind}
}

func newFakeIAM(t *testing.T) *fakeIAM {
	t.Helper()
	api := &fakeAPI{t: t, clusters: map[string]*clusterv1alpha1.Cluster{}, settings: map[string]json.RawMessage{}}
	f := &fakeIAM{fakeAPI: api, explanations: map[string]string{}, authorizations: map[string][]iamv1alpha1.WorkspaceMember{}}
	const prefix = apiclient.APIPrefix
	mux := http.NewServeMux()
	route := func(pattern string, h http.HandlerFunc) { mux.HandleFunc(pattern, api.authed(h)) }
	route("POST "+prefix+"/users", f.createUser)
	route("GET "+prefix+"/users", f.listUsers)
	route("POST "+prefix+"/users/{name}/{verb}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"name": r.PathValue("name"), "disabled": r.PathValue("verb") == "disable"})
	})
	route("POST "+prefix+"/groups", f.createGroup)
	route("GET "+prefix+"/groups", f.listGroups)
	route("DELETE "+prefix+"/groups/{name}", f.deleteGroup)
	route("POST "+prefix+"/grants", f.grant)
	route("GET "+prefix+"/grants", f.listGrants)
	route("POST "+prefix+"/revoke", f.revoke)
	route("POST "+prefix+"/workspaces", f.createWorkspace)
	route("GET "+prefix+"/workspaces", f.listWorkspaces)
	route("GET "+prefix+"/workspaces/{name}", f.getWorkspace)
	route("POST "+prefix+"/workspaces/{name}/{action}", f.workspaceAction)
	route("DELETE "+prefix+"/workspaces/{name}", f.deleteWorkspace)
	route("DELETE "+prefix+"/workspaces/{name}/{action}", f.workspaceRemoval)
	route("DELETE "+prefix+"/workspaces/{name}/clusters/{cluster}", f.workspaceRemoval)
	route("GET "+prefix+"/explain", f.explain)
	api.server = quietServer(api.record(mux), false)
	t.Cleanup(api.server.Close)
	return f
}

func badRequest(w http.ResponseWriter, err error) {
	writeError(w, http.StatusBadRequest, map[string]any{"code": 3, "message": err.Error()})
}

func (f *fakeIAM) createUser(w http.ResponseWriter, r *http.Request) {
	var in struct{ Name, Password string }
	if err := decodeBody(r, &in); err != nil {
		badRequest(w, err)
		return
	}
	f.users = append(f.users, in.Name)
	writeJSON(w, http.StatusCreated, map[string]string{"name": in.Name})
}

func (f *fakeIAM) listUsers(w http.ResponseWriter, _ *http.Request) {
	items := []map[string]any{}
	for _, u := range f.users {
		items = append(items, map[string]any{"name": u, "source": "Local", "disabled": u == "bob"})
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (f *fakeIAM) createGroup(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name    string
		Members []string
	}
	if err := decodeBody(r, &in); err != nil {
		badRequest(w, err)
		return
	}
	if slices.ContainsFunc(f.groups, func(g *iamv1alpha1.Group) bool { return g.Name == in.Name }) {
		writeError(w, http.StatusConflict, map[string]any{"code": 6, "message": fmt.Sprintf("group %q already exists", in.Name), "field": "name"})
		return
	}
	g := &iamv1alpha1.Group{TypeMeta: iamTypeMeta("Group"), ObjectMeta: metav1.ObjectMeta{Name: in.Name}, Spec: iamv1alpha1.GroupSpec{Members: in.Members}}
	f.groups = append(f.groups, g)
	writeJSON(w, http.StatusCreated, g)
}

func (f *fakeIAM) listGroups(w http.ResponseWriter, _ *http.Request) {
	items := []iamv1alpha1.Group{}
	for _, g := range f.groups {
		items = append(items, *g)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (f *fakeIAM) deleteGroup(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	i := slices.IndexFunc(f.groups, func(g *iamv1alpha1.Group) bool { return g.Name == name })
	if i < 0 {
		writeError(w, http.StatusNotFound, map[string]any{"code": 5, "message": fmt.Sprintf("group %q not found", name)})
		return
	}
	f.groups = slices.Delete(f.groups, i, i+1)
	writeJSON(w, http.StatusOK, map[string]any{})
}

// grantSpec turns the body of /grants and /revoke into the spec of a RoleGrant.
func grantSpec(r *http.Request) (iamv1alpha1.RoleGrantSpec, error) {
	var in apiclient.GrantRequest
	if err := decodeBody(r, &in); err != nil {
		return iamv1alpha1.RoleGrantSpec{}, err
	}
	spec := iamv1alpha1.RoleGrantSpec{Role: in.Role, Cluster: in.Cluster, Namespace: in.Namespace}
	switch {
	case in.User != "" && in.Group == "":
		spec.Subject = iamv1alpha1.Subject{Kind: iamv1alpha1.SubjectUser, Name: in.User}
	case in.Group != "" && in.User == "":
		spec.Subject = iamv1alpha1.Subject{Kind: iamv1alpha1.SubjectGroup, Name: in.Group}
	default:
		return spec, fmt.Errorf("give exactly one of user and group")
	}
	return spec, nil
}

func (f *fakeIAM) grant(w http.ResponseWriter, r *http.Request) {
	spec, err := grantSpec(r)
	if err != nil {
		badRequest(w, err)
		return
	}
	for _, g := range f.grants {
		if g.Spec == spec {
			writeJSON(w, http.StatusOK, g)
			return
		}
	}
	f.nextGrant++
	g := iamv1alpha1.RoleGrant{TypeMeta: iamTypeMeta("RoleGrant"), ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("grant-%d", f.nextGrant)}, Spec: spec}
	f.grants = append(f.grants, g)
	writeJSON(w, http.StatusCreated, g)
}

func (f *fakeIAM) listGrants(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"items": append([]iamv1alpha1.RoleGrant{}, f.grants...)})
}

func (f *fakeIAM) revoke(w http.ResponseWriter, r *http.Request) {
	spec, err := grantSpec(r)
	if err != nil {
		badRequest(w, err)
		return
	}
	i := slices.IndexFunc(f.grants, func(g iamv1alpha1.RoleGrant) bool { return g.Spec == spec })
	if i < 0 {
		writeError(w, http.StatusNotFound, map[string]any{"code": 5, "message": fmt.Sprintf("%s %s has no grant of %s", spec.Subject.Kind, spec.Subject.Name, spec.Role)})
		return
	}
	name := f.grants[i].Name
	f.grants = slices.Delete(f.grants, i, i+1)
	writeJSON(w, http.StatusOK, map[string]string{"revoked": name})
}

func (f *fakeIAM) addWorkspace(name string) *iamv1alpha1.Workspace {
	ws := &iamv1alpha1.Workspace{TypeMeta: iamTypeMeta("Workspace"), ObjectMeta: metav1.ObjectMeta{Name: name}}
	f.workspaces = append(f.workspaces, ws)
	return ws
}

func (f *fakeIAM) createWorkspace(w http.ResponseWriter, r *http.Request) {
	var in struct{ Name string }
	if err := decodeBody(r, &in); err != nil {
		badRequest(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, f.addWorkspace(in.Name))
}

func (f *fakeIAM) listWorkspaces(w http.ResponseWriter, _ *http.Request) {
	items := []iamv1alpha1.Workspace{}
	for _, ws := range f.workspaces {
		items = append(items, *ws)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (f *fakeIAM) workspace(w http.ResponseWriter, r *http.Request) (*iamv1alpha1.Workspace, bool) {
	name := r.PathValue("name")
	for _, ws := range f.workspaces {
		if ws.Name == name {
			return ws, true
		}
	}
	writeError(w, http.StatusNotFound, map[string]any{"code": 5, "message": fmt.Sprintf("workspace %q not found", name)})
	return nil, false
}

func (f *fakeIAM) getWorkspace(w http.ResponseWriter, r *http.Request) {
	ws, ok := f.workspace(w, r)
	if !ok {
		return
	}
	if a, ok := f.authorizations[ws.Name]; ok {
		// As the server does: an empty list is sent as [], not left out.
		writeJSON(w, http.StatusOK, struct {
			iamv1alpha1.Workspace
			Authorizations []iamv1alpha1.WorkspaceMember `json:"authorizations"`
		}{*ws, a})
		return
	}
	writeJSON(w, http.StatusOK, ws)
}

func (f *fakeIAM) workspaceAction(w http.ResponseWriter, r *http.Request) {
	ws, ok := f.workspace(w, r)
	if !ok {
		return
	}
	var in struct{ User, Group, Role, Cluster, Namespace string }
	if err := decodeBody(r, &in); err != nil {
		badRequest(w, err)
		return
	}
	switch r.PathValue("action") {
	case "members":
		subject := iamv1alpha1.Subject{Kind: iamv1alpha1.SubjectUser, Name: in.User}
		if in.Group != "" {
			subject = iamv1alpha1.Subject{Kind: iamv1alpha1.SubjectGroup, Name: in.Group}
		}
		ws.Spec.Members = append(ws.Spec.Members, iamv1alpha1.WorkspaceMember{Subject: subject, Role: in.Role})
	case "namespaces":
		ws.Spec.ResourceGroups = append(ws.Spec.ResourceGroups, iamv1alpha1.NamespaceRef{Cluster: in.Cluster, Namespace: in.Namespace})
	case "clusters":
		ws.Spec.SharedClusters = append(ws.Spec.SharedClusters, in.Cluster)
	default:
		writeError(w, http.StatusNotFound, map[string]any{"code": 5, "message": "no such path"})
		return
	}
	writeJSON(w, http.StatusOK, ws)
}

func (f *fakeIAM) explain(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if doc, ok := f.explanations[q.Get("user")]; ok {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(doc))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"user": q.Get("user"), "cluster": q.Get("cluster"), "namespace": q.Get("namespace"),
		"visible": false, "sources": []any{},
	})
}
