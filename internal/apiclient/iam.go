package apiclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	iamv1alpha1 "github.com/kpanda/kpanda/api/iam/v1alpha1"
)

// The IAM endpoints: users, groups, role grants, workspaces and the explanation of who sees
// what. As for clusters, the server checks everything (role names, scopes, members); the
// client only sends.

// User is a kpanda user as the API shows it: its name; a password is never sent back.
type User struct {
	Name string `json:"name"`
	// Source is Local (a password) or OIDC (the identity provider).
	Source        string     `json:"source,omitempty"`
	Disabled      bool       `json:"disabled,omitempty"`
	DisplayName   string     `json:"displayName,omitempty"`
	Email         string     `json:"email,omitempty"`
	LastLoginTime *time.Time `json:"lastLoginTime,omitempty"`
}

// UserList is the answer to GET /users.
type UserList struct {
	Items []User `json:"items"`
}

// GrantRequest is the body of POST /grants and POST /revoke: a role, exactly one of User and
// Group, and the Cluster and Namespace the role's scope needs (none for a platform role, a
// cluster for a cluster role, both for a namespace role). Fields left empty are not sent.
type GrantRequest struct {
	Role      string `json:"role"`
	User      string `json:"user,omitempty"`
	Group     string `json:"group,omitempty"`
	Cluster   string `json:"cluster,omitempty"`
	Namespace string `json:"namespace,omitempty"`
}

// WorkspaceMemberRequest is the body of POST /workspaces/{name}/members: exactly one of User
// and Group, and a workspace role.
type WorkspaceMemberRequest struct {
	User  string `json:"user,omitempty"`
	Group string `json:"group,omitempty"`
	Role  string `json:"role"`
}

// WorkspaceView is the answer to GET /workspaces/{name}: the workspace and, when the server
// sends them, its authorizations: the members whose access comes through the workspace
// (users who hold a platform role are left out: they see everything anyway). Authorizations
// is nil when the server sent none, and empty but not nil when it sent an empty list.
type WorkspaceView struct {
	iamv1alpha1.Workspace `json:",inline"`
	Authorizations        []iamv1alpha1.WorkspaceMember `json:"authorizations,omitempty"`
}

// AccessExplanation is the answer to GET /explain: whether User sees Cluster (and Namespace,
// when one was asked about), and every source of that access.
type AccessExplanation struct {
	User      string         `json:"user"`
	Cluster   string         `json:"cluster"`
	Namespace string         `json:"namespace,omitempty"`
	Visible   bool           `json:"visible"`
	Sources   []AccessSource `json:"sources"`
	// Raw is the document as the server sent it, fields this client does not know included.
	Raw json.RawMessage `json:"-"`
}

// AccessSource is one reason a user sees a cluster: a grant to the user or to one of their
// groups, or a workspace. Description says it in words.
type AccessSource struct {
	Kind        string `json:"kind,omitempty"`
	Role        string `json:"role,omitempty"`
	Via         string `json:"via,omitempty"`
	Workspace   string `json:"workspace,omitempty"`
	Grant       string `json:"grant,omitempty"`
	Namespace   string `json:"namespace,omitempty"`
	Description string `json:"description,omitempty"`
}

// CreateUser creates a user who can log in with password.
func (c *Client) CreateUser(ctx context.Context, name, password string) (*User, error) {
	out := &User{}
	body := map[string]string{"name": name, "password": password}
	if err := c.do(ctx, request{method: http.MethodPost, path: "/users", body: body, out: out}); err != nil {
		return nil, err
	}
	return out, nil
}

// ListUsers returns the users.
func (c *Client) ListUsers(ctx context.Context) (*UserList, error) {
	out := &UserList{}
	if err := c.do(ctx, request{method: http.MethodGet, path: "/users", out: out}); err != nil {
		return nil, err
	}
	return out, nil
}

// CreateGroup creates a group of the users named in members.
func (c *Client) CreateGroup(ctx context.Context, name string, members []string) (*iamv1alpha1.Group, error) {
	if members == nil {
		members = []string{} // [] rather than null
	}
	body := struct {
		Name    string   `json:"name"`
		Members []string `json:"members"`
	}{name, members}
	out := &iamv1alpha1.Group{}
	if err := c.do(ctx, request{method: http.MethodPost, path: "/groups", body: body, out: out}); err != nil {
		return nil, err
	}
	return out, nil
}

// ListGroups returns the groups.
func (c *Client) ListGroups(ctx context.Context) (*iamv1alpha1.GroupList, error) {
	out := &iamv1alpha1.GroupList{}
	if err := c.do(ctx, request{method: http.MethodGet, path: "/groups", out: out}); err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteGroup deletes a group.
func (c *Client) DeleteGroup(ctx context.Context, name string) error {
	path, err := namedPath("/groups", "group", name)
	if err != nil {
		return err
	}
	return c.do(ctx, request{method: http.MethodDelete, path: path})
}

// Grant gives a role. created is false when the same grant already existed (the server
// answers 200 instead of 201); the grant returned is the existing one then.
func (c *Client) Grant(ctx context.Context, in GrantRequest) (grant *iamv1alpha1.RoleGrant, created bool, err error) {
	out := &iamv1alpha1.RoleGrant{}
	status, err := c.doStatus(ctx, request{method: http.MethodPost, path: "/grants", body: in, out: out})
	if err != nil {
		return nil, false, err
	}
	return out, status == http.StatusCreated, nil
}

// ListGrants returns the role grants.
func (c *Client) ListGrants(ctx context.Context) (*iamv1alpha1.RoleGrantList, error) {
	out := &iamv1alpha1.RoleGrantList{}
	if err := c.do(ctx, request{method: http.MethodGet, path: "/grants", out: out}); err != nil {
		return nil, err
	}
	return out, nil
}

// Revoke deletes the grant that in describes and returns its name. No such grant is an
// *APIError with Status 404.
func (c *Client) Revoke(ctx context.Context, in GrantRequest) (string, error) {
	var out struct {
		Revoked string `json:"revoked"`
	}
	if err := c.do(ctx, request{method: http.MethodPost, path: "/revoke", body: in, out: &out}); err != nil {
		return "", err
	}
	return out.Revoked, nil
}

// CreateWorkspace creates an empty workspace.
func (c *Client) CreateWorkspace(ctx context.Context, name string) (*iamv1alpha1.Workspace, error) {
	out := &iamv1alpha1.Workspace{}
	body := map[string]string{"name": name}
	if err := c.do(ctx, request{method: http.MethodPost, path: "/workspaces", body: body, out: out}); err != nil {
		return nil, err
	}
	return out, nil
}

// ListWorkspaces returns the workspaces.
func (c *Client) ListWorkspaces(ctx context.Context) (*iamv1alpha1.WorkspaceList, error) {
	out := &iamv1alpha1.WorkspaceList{}
	if err := c.do(ctx, request{method: http.MethodGet, path: "/workspaces", out: out}); err != nil {
		return nil, err
	}
	return out, nil
}

// GetWorkspace returns one workspace, with its authorizations if the server sends them.
func (c *Client) GetWorkspace(ctx context.Context, name string) (*WorkspaceView, error) {
	path, err := namedPath("/workspaces", "workspace", name)
	if err != nil {
		return nil, err
	}
	out := &WorkspaceView{}
	if err := c.do(ctx, request{method: http.MethodGet, path: path, out: out}); err != nil {
		return nil, err
	}
	return out, nil
}

// AddWorkspaceMember gives a user or group a role in a workspace and returns the workspace.
func (c *Client) AddWorkspaceMember(ctx context.Context, workspace string, in WorkspaceMemberRequest) (*iamv1alpha1.Workspace, error) {
	return c.workspaceAction(ctx, workspace, "members", in)
}

// BindWorkspaceNamespace adds a namespace of a cluster to a workspace's resource groups and
// returns the workspace.
func (c *Client) BindWorkspaceNamespace(ctx context.Context, workspace, cluster, namespace string) (*iamv1alpha1.Workspace, error) {
	return c.workspaceAction(ctx, workspace, "namespaces", iamv1alpha1.NamespaceRef{Cluster: cluster, Namespace: namespace})
}

// ShareWorkspaceCluster shares a cluster with a workspace and returns the workspace.
func (c *Client) ShareWorkspaceCluster(ctx context.Context, workspace, cluster string) (*iamv1alpha1.Workspace, error) {
	return c.workspaceAction(ctx, workspace, "clusters", map[string]string{"cluster": cluster})
}

func (c *Client) workspaceAction(ctx context.Context, workspace, action string, body any) (*iamv1alpha1.Workspace, error) {
	path, err := namedPath("/workspaces", "workspace", workspace)
	if err != nil {
		return nil, err
	}
	out := &iamv1alpha1.Workspace{}
	if err := c.do(ctx, request{method: http.MethodPost, path: path + "/" + action, body: body, out: out}); err != nil {
		return nil, err
	}
	return out, nil
}

// Explain asks why user sees cluster (and namespace, unless it is empty), or that they do not.
func (c *Client) Explain(ctx context.Context, user, cluster, namespace string) (*AccessExplanation, error) {
	query := url.Values{"user": {user}, "cluster": {cluster}}
	if namespace != "" {
		query.Set("namespace", namespace)
	}
	var raw json.RawMessage
	if err := c.do(ctx, request{method: http.MethodGet, path: "/explain", query: query, out: &raw}); err != nil {
		return nil, err
	}
	out := &AccessExplanation{}
	if err := json.Unmarshal(raw, out); err != nil {
		return nil, fmt.Errorf("unexpected answer from %s to GET /explain (is it a kpanda apiserver?): %w", c.server, err)
	}
	out.Raw = raw
	return out, nil
}

// namedPath is the path of one object of collection. An empty name would silently address
// the collection itself.
func namedPath(collection, kind, name string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("the %s name is empty", kind)
	}
	return collection + "/" + url.PathEscape(name), nil
}

// doStatus is do for the calls whose success status means something (POST /grants: 201 for a
// new grant, 200 for one that existed). It returns the status of the answer.
func (c *Client) doStatus(ctx context.Context, r request) (int, error) {
	if c.setupErr != nil {
		return 0, c.setupErr
	}
	// A copy of the client whose transport notes the status, so that do stays the one place
	// that sends and decodes.
	recorder := &statusRecorder{next: c.http.Transport}
	httpClient := *c.http
	httpClient.Transport = recorder
	withStatus := *c
	withStatus.http = &httpClient
	err := withStatus.do(ctx, r)
	return recorder.status, err
}

type statusRecorder struct {
	next   http.RoundTripper
	status int
}

func (s *statusRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := s.next.RoundTrip(req)
	if err == nil {
		s.status = resp.StatusCode
	}
	return resp, err
}

// SetUserDisabled disables (true) or enables (false) a user; a disabled user can neither log
// in nor use a token issued before.
func (c *Client) SetUserDisabled(ctx context.Context, name string, disabled bool) error {
	verb := "enable"
	if disabled {
		verb = "disable"
	}
	path, err := namedPath("/users", "user", name)
	if err != nil {
		return err
	}
	return c.do(ctx, request{method: http.MethodPost, path: path + "/" + verb})
}

// RemoveWorkspaceMember takes a user or group (exactly one of in.User and in.Group; in.Role is
// ignored) out of a workspace and returns the workspace. Not a member is an *APIError with
// Status 404.
func (c *Client) RemoveWorkspaceMember(ctx context.Context, workspace string, in WorkspaceMemberRequest) (*iamv1alpha1.Workspace, error) {
	query := url.Values{}
	if in.User != "" {
		query.Set("user", in.User)
	}
	if in.Group != "" {
		query.Set("group", in.Group)
	}
	return c.workspaceRemoval(ctx, workspace, "members", query)
}

// UnbindWorkspaceNamespace takes a namespace of a cluster out of a workspace's resource groups
// and returns the workspace.
func (c *Client) UnbindWorkspaceNamespace(ctx context.Context, workspace, cluster, namespace string) (*iamv1alpha1.Workspace, error) {
	return c.workspaceRemoval(ctx, workspace, "namespaces", url.Values{"cluster": {cluster}, "namespace": {namespace}})
}

// UnshareWorkspaceCluster stops sharing a cluster with a workspace and returns the workspace.
func (c *Client) UnshareWorkspaceCluster(ctx context.Context, workspace, cluster string) (*iamv1alpha1.Workspace, error) {
	if cluster == "" {
		return nil, errors.New("the cluster name is empty")
	}
	return c.workspaceRemoval(ctx, workspace, "clusters/"+url.PathEscape(cluster), nil)
}

func (c *Client) workspaceRemoval(ctx context.Context, workspace, what string, query url.Values) (*iamv1alpha1.Workspace, error) {
	path, err := namedPath("/workspaces", "workspace", workspace)
	if err != nil {
		return nil, err
	}
	out := &iamv1alpha1.Workspace{}
	if err := c.do(ctx, request{method: http.MethodDelete, path: path + "/" + what, query: query, out: out}); err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteWorkspace deletes a workspace; its members lose what it gave them.
func (c *Client) DeleteWorkspace(ctx context.Context, name string) error {
	path, err := namedPath("/workspaces", "workspace", name)
	if err != nil {
		return err
	}
	return c.do(ctx, request{method: http.MethodDelete, path: path})
}
