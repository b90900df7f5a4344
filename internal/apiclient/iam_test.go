package apiclient

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"testing"

	iamv1alpha1 "github.com/kpanda/kpanda/api/iam/v1alpha1"
)

const (
	groupJSON = `{"apiVersion":"iam.kpanda.io/v1alpha1","kind":"Group","metadata":{"name":"devs"},"spec":{"members":["alice","bob"]}}`
	grantJSON = `{"apiVersion":"iam.kpanda.io/v1alpha1","kind":"RoleGrant","metadata":{"name":"g-1"},` +
		`"spec":{"role":"ns-viewer","subject":{"kind":"User","name":"alice"},"cluster":"m1","namespace":"web"}}`
	workspaceJSON = `{"apiVersion":"iam.kpanda.io/v1alpha1","kind":"Workspace","metadata":{"name":"w/1"},` +
		`"spec":{"members":[{"kind":"Group","name":"devs","role":"workspace-editor"}],` +
		`"resourceGroups":[{"cluster":"m1","namespace":"web"}],"sharedClusters":["m2"]}}`
	explainJSON = `{"user":"alice","cluster":"m1","namespace":"web","visible":true,"future":1,` +
		`"sources":[{"kind":"Grant","role":"ns-viewer","via":"User","grant":"g-1","namespace":"web","description":"ns-viewer in web (grant g-1)"}]}`
)

func TestIAMEndpointsSendTheContract(t *testing.T) {
	ctx := context.Background()
	const api = "/apis/kpanda.io/v1alpha1"
	tests := []struct {
		name     string
		status   int
		answer   string
		call     func(c *Client) (any, error)
		method   string
		path     string
		query    string
		wantBody string
		check    func(t *testing.T, got any)
	}{
		{
			name: "create user", status: 201, answer: `{"name":"alice"}`,
			call:   func(c *Client) (any, error) { return c.CreateUser(ctx, "alice", "pw d") },
			method: "POST", path: api + "/users", wantBody: `{"name":"alice","password":"pw d"}`,
			check: func(t *testing.T, got any) {
				if got.(*User).Name != "alice" {
					t.Errorf("User = %+v", got)
				}
			},
		},
		{
			name: "list users", status: 200, answer: `{"items":[{"name":"admin"},{"name":"alice"}]}`,
			call:   func(c *Client) (any, error) { return c.ListUsers(ctx) },
			method: "GET", path: api + "/users",
			check: func(t *testing.T, got any) {
				if l := got.(*UserList); len(l.Items) != 2 || l.Items[1].Name != "alice" {
					t.Errorf("UserList = %+v", l)
				}
			},
		},
		{
			name: "create group", status: 201, answer: groupJSON,
			call:   func(c *Client) (any, error) { return c.CreateGroup(ctx, "devs", []string{"alice", "bob"}) },
			method: "POST", path: api + "/groups", wantBody: `{"name":"devs","members":["alice","bob"]}`,
			check: func(t *testing.T, got any) {
				if g := got.(*iamv1alpha1.Group); g.Name != "devs" || len(g.Spec.Members) != 2 {
					t.Errorf("Group = %+v", g)
				}
			},
		},
		{
			name: "create group without members sends an empty list", status: 201, answer: groupJSON,
			call:   func(c *Client) (any, error) { return c.CreateGroup(ctx, "devs", nil) },
			method: "POST", path: api + "/groups", wantBody: `{"name":"devs","members":[]}`,
		},
		{
			name: "list groups", status: 200, answer: `{"items":[` + groupJSON + `]}`,
			call:   func(c *Client) (any, error) { return c.ListGroups(ctx) },
			method: "GET", path: api + "/groups",
			check: func(t *testing.T, got any) {
				if l := got.(*iamv1alpha1.GroupList); len(l.Items) != 1 || l.Items[0].Spec.Members[1] != "bob" {
					t.Errorf("GroupList = %+v", l)
				}
			},
		},
		{
			name: "delete group escapes the name", status: 200, answer: `{}`,
			call:   func(c *Client) (any, error) { return nil, c.DeleteGroup(ctx, "a/b") },
			method: "DELETE", path: api + "/groups/a%2Fb",
		},
		{
			name: "grant sends only the fields given", status: 201, answer: grantJSON,
			call: func(c *Client) (any, error) {
				g, created, err := c.Grant(ctx, GrantRequest{Role: "admin", Group: "ops"})
				return []any{g, created}, err
			},
			method: "POST", path: api + "/grants", wantBody: `{"role":"admin","group":"ops"}`,
			check: func(t *testing.T, got any) {
				r := got.([]any)
				if g := r[0].(*iamv1alpha1.RoleGrant); g.Name != "g-1" || g.Spec.Subject.Kind != iamv1alpha1.SubjectUser {
					t.Errorf("RoleGrant = %+v", g)
				}
				if !r[1].(bool) {
					t.Error("created = false for a 201")
				}
			},
		},
		{
			name: "grant that existed", status: 200, answer: grantJSON,
			call: func(c *Client) (any, error) {
				_, created, err := c.Grant(ctx, GrantRequest{Role: "ns-viewer", User: "alice", Cluster: "m1", Namespace: "web"})
				return created, err
			},
			method: "POST", path: api + "/grants",
			wantBody: `{"role":"ns-viewer","user":"alice","cluster":"m1","namespace":"web"}`,
			check: func(t *testing.T, got any) {
				if got.(bool) {
					t.Error("created = true for a 200")
				}
			},
		},
		{
			name: "list grants", status: 200, answer: `{"items":[` + grantJSON + `]}`,
			call:   func(c *Client) (any, error) { return c.ListGrants(ctx) },
			method: "GET", path: api + "/grants",
			check: func(t *testing.T, got any) {
				if l := got.(*iamv1alpha1.RoleGrantList); len(l.Items) != 1 || l.Items[0].Spec.Namespace != "web" {
					t.Errorf("RoleGrantList = %+v", l)
				}
			},
		},
		{
			name: "revoke", status: 200, answer: `{"revoked":"g-1"}`,
			call: func(c *Client) (any, error) {
				return c.Revoke(ctx, GrantRequest{Role: "cluster-viewer", User: "alice", Cluster: "m1"})
			},
			method: "POST", path: api + "/revoke", wantBody: `{"role":"cluster-viewer","user":"alice","cluster":"m1"}`,
			check: func(t *testing.T, got any) {
				if got.(string) != "g-1" {
					t.Errorf("revoked = %q", got)
				}
			},
		},
		{
			name: "create workspace", status: 201, answer: workspaceJSON,
			call:   func(c *Client) (any, error) { return c.CreateWorkspace(ctx, "w1") },
			method: "POST", path: api + "/workspaces", wantBody: `{"name":"w1"}`,
		},
		{
			name: "list workspaces", status: 200, answer: `{"items":[` + workspaceJSON + `]}`,
			call:   func(c *Client) (any, error) { return c.ListWorkspaces(ctx) },
			method: "GET", path: api + "/workspaces",
			check: func(t *testing.T, got any) {
				if l := got.(*iamv1alpha1.WorkspaceList); len(l.Items) != 1 || l.Items[0].Spec.SharedClusters[0] != "m2" {
					t.Errorf("WorkspaceList = %+v", l)
				}
			},
		},
		{
			name: "get workspace escapes the name", status: 200, answer: workspaceJSON,
			call:   func(c *Client) (any, error) { return c.GetWorkspace(ctx, "w/1") },
			method: "GET", path: api + "/workspaces/w%2F1",
			check: func(t *testing.T, got any) {
				w := got.(*WorkspaceView)
				if w.Name != "w/1" || w.Kind != "Workspace" || len(w.Spec.Members) != 1 || w.Spec.Members[0].Kind != iamv1alpha1.SubjectGroup || w.Spec.Members[0].Role != "workspace-editor" {
					t.Errorf("Workspace = %+v", w)
				}
				if w.Authorizations != nil {
					t.Errorf("Authorizations = %v, want nil when the server sent none", w.Authorizations)
				}
			},
		},
		{
			name: "get workspace with its authorizations", status: 200,
			answer: workspaceJSON[:len(workspaceJSON)-1] + `,"authorizations":[{"kind":"User","name":"bob","role":"workspace-viewer"}]}`,
			call:   func(c *Client) (any, error) { return c.GetWorkspace(ctx, "w1") },
			method: "GET", path: api + "/workspaces/w1",
			check: func(t *testing.T, got any) {
				w := got.(*WorkspaceView)
				want := []iamv1alpha1.WorkspaceMember{{Subject: iamv1alpha1.Subject{Kind: iamv1alpha1.SubjectUser, Name: "bob"}, Role: "workspace-viewer"}}
				if !reflect.DeepEqual(w.Authorizations, want) || len(w.Spec.Members) != 1 {
					t.Errorf("WorkspaceView = %+v", w)
				}
			},
		},
		{
			name: "get workspace with no authorizations", status: 200,
			answer: `{"metadata":{"name":"w1"},"authorizations":[]}`,
			call:   func(c *Client) (any, error) { return c.GetWorkspace(ctx, "w1") },
			method: "GET", path: api + "/workspaces/w1",
			check: func(t *testing.T, got any) {
				if w := got.(*WorkspaceView); w.Authorizations == nil || len(w.Authorizations) != 0 {
					t.Errorf("Authorizations = %#v, want empty but not nil", w.Authorizations)
				}
			},
		},
		{
			name: "add workspace member", status: 200, answer: workspaceJSON,
			call: func(c *Client) (any, error) {
				return c.AddWorkspaceMember(ctx, "w1", WorkspaceMemberRequest{Group: "devs", Role: "workspace-editor"})
			},
			method: "POST", path: api + "/workspaces/w1/members", wantBody: `{"group":"devs","role":"workspace-editor"}`,
		},
		{
			name: "bind namespace", status: 200, answer: workspaceJSON,
			call:   func(c *Client) (any, error) { return c.BindWorkspaceNamespace(ctx, "w1", "m1", "web") },
			method: "POST", path: api + "/workspaces/w1/namespaces", wantBody: `{"cluster":"m1","namespace":"web"}`,
		},
		{
			name: "share cluster", status: 200, answer: workspaceJSON,
			call:   func(c *Client) (any, error) { return c.ShareWorkspaceCluster(ctx, "w1", "m2") },
			method: "POST", path: api + "/workspaces/w1/clusters", wantBody: `{"cluster":"m2"}`,
		},
		{
			name: "explain keeps the document", status: 200, answer: explainJSON,
			call:   func(c *Client) (any, error) { return c.Explain(ctx, "alice", "m1", "web") },
			method: "GET", path: api + "/explain", query: "cluster=m1&namespace=web&user=alice",
			check: func(t *testing.T, got any) {
				e := got.(*AccessExplanation)
				if !e.Visible || e.User != "alice" || len(e.Sources) != 1 || e.Sources[0].Grant != "g-1" || e.Sources[0].Description != "ns-viewer in web (grant g-1)" {
					t.Errorf("AccessExplanation = %+v", e)
				}
				if string(e.Raw) != explainJSON {
					t.Errorf("Raw = %s, want the document as sent", e.Raw)
				}
			},
		},
		{
			name: "explain without a namespace", status: 200, answer: `{"user":"alice","cluster":"m1","visible":false,"sources":[]}`,
			call:   func(c *Client) (any, error) { return c.Explain(ctx, "alice", "m 1", "") },
			method: "GET", path: api + "/explain", query: "cluster=m+1&user=alice",
			check: func(t *testing.T, got any) {
				if e := got.(*AccessExplanation); e.Visible || len(e.Sources) != 0 {
					t.Errorf("AccessExplanation = %+v", e)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, seen := recordingServer(t, tt.status, tt.answer)
			got, err := tt.call(New(Config{Server: srv.URL, Token: "tok"}))
			if err != nil {
				t.Fatalf("call failed: %v", err)
			}
			if seen.method != tt.method || seen.path != tt.path || seen.rawQuery != tt.query {
				t.Errorf("request = %s %s?%s, want %s %s?%s", seen.method, seen.path, seen.rawQuery, tt.method, tt.path, tt.query)
			}
			if seen.auth != "Bearer tok" {
				t.Errorf("Authorization = %q, want the token", seen.auth)
			}
			assertSameJSON(t, seen.body, tt.wantBody)
			if tt.check != nil {
				tt.check(t, got)
			}
		})
	}
}

func TestIAMErrors(t *testing.T) {
	ctx := context.Background()
	srv, _ := recordingServer(t, 404, `{"code":5,"message":"no grant of ns-viewer to user alice in web of m1"}`)
	c := New(Config{Server: srv.URL, Token: "tok"})
	_, err := c.Revoke(ctx, GrantRequest{Role: "ns-viewer", User: "alice", Cluster: "m1", Namespace: "web"})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotFound || apiErr.Code != 5 || err.Error() != "no grant of ns-viewer to user alice in web of m1" {
		t.Errorf("revoke of a missing grant: error = %v (%T)", err, err)
	}
	if _, _, err := c.Grant(ctx, GrantRequest{Role: "admin", User: "alice"}); !errors.As(err, &apiErr) || apiErr.Status != 404 {
		t.Errorf("grant answered 404: error = %v", err)
	}

	expired, _ := recordingServer(t, 401, `{"code":16,"message":"token expired"}`)
	if _, _, err := New(Config{Server: expired.URL, Token: "tok"}).Grant(ctx, GrantRequest{Role: "admin", User: "alice"}); err == nil || err.Error() != "token expired; run kpanda login again" {
		t.Errorf("grant with an expired token: error = %v", err)
	}
	if _, _, err := New(Config{Server: "localhost:1"}).Grant(ctx, GrantRequest{}); err == nil {
		t.Error("grant with a bad server URL succeeded")
	}
}

func TestIAMLocalErrors(t *testing.T) {
	ctx := context.Background()
	srv, seen := recordingServer(t, 200, "{}")
	c := New(Config{Server: srv.URL, Token: "tok"})
	if err := c.DeleteGroup(ctx, ""); err == nil || err.Error() != "the group name is empty" {
		t.Errorf("DeleteGroup(\"\"): %v", err)
	}
	if _, err := c.GetWorkspace(ctx, ""); err == nil || err.Error() != "the workspace name is empty" {
		t.Errorf("GetWorkspace(\"\"): %v", err)
	}
	if _, err := c.ShareWorkspaceCluster(ctx, "", "m1"); err == nil {
		t.Error("ShareWorkspaceCluster with no workspace succeeded")
	}
	if _, _, err := New(Config{Server: srv.URL}).Grant(ctx, GrantRequest{Role: "admin", User: "a"}); !errors.Is(err, ErrNotLoggedIn) {
		t.Errorf("Grant without a token: error = %v, want ErrNotLoggedIn", err)
	}
	if seen.method != "" {
		t.Errorf("a request was sent (%s %s), want none", seen.method, seen.path)
	}
}
