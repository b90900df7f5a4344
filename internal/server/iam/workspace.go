package iam

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	iamv1alpha1 "github.com/kpanda/kpanda/api/iam/v1alpha1"
	"github.com/kpanda/kpanda/internal/auth"
	"github.com/kpanda/kpanda/internal/authz"
	"github.com/kpanda/kpanda/internal/controller/binding"
	"github.com/kpanda/kpanda/internal/server/rest"
)

// WorkspaceRequest is the body of POST /workspaces.
type WorkspaceRequest struct {
	Name string `json:"name"`
}

func (h *Handler) createWorkspace(w http.ResponseWriter, r *http.Request) {
	var req WorkspaceRequest
	if err := rest.ReadJSON(r, &req); err != nil {
		rest.WriteError(w, err)
		return
	}
	ws := &iamv1alpha1.Workspace{ObjectMeta: metav1.ObjectMeta{Name: req.Name}}
	if err := h.Client.Create(r.Context(), ws); err != nil {
		rest.WriteError(w, createError("workspace", req.Name, err))
		return
	}
	rest.WriteJSON(w, http.StatusCreated, typed(ws, "Workspace"))
}

func (h *Handler) listWorkspaces(w http.ResponseWriter, r *http.Request) {
	var list iamv1alpha1.WorkspaceList
	if err := h.Client.List(r.Context(), &list); err != nil {
		rest.WriteError(w, err)
		return
	}
	rest.WriteJSON(w, http.StatusOK, map[string]any{"items": nonNil(list.Items)})
}

// WorkspaceView is a workspace with its authorizations tab: the members whose access comes
// through it. Holders of a platform role are left out (seed FAQ 2): the workspace gives them
// nothing they do not already have.
type WorkspaceView struct {
	iamv1alpha1.Workspace
	Authorizations []iamv1alpha1.WorkspaceMember `json:"authorizations"`
}

func (h *Handler) getWorkspace(w http.ResponseWriter, r *http.Request) {
	var ws iamv1alpha1.Workspace
	if err := h.Client.Get(r.Context(), client.ObjectKey{Name: r.PathValue("name")}, &ws); err != nil {
		rest.WriteError(w, notFound("workspace", r.PathValue("name"), err))
		return
	}
	snapshot, err := binding.LoadSnapshot(r.Context(), h.Client)
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	authorizations := nonNil(snapshot.WorkspaceAuthorizations(ws.Name))
	rest.WriteJSON(w, http.StatusOK, WorkspaceView{Workspace: *typed(&ws, "Workspace"), Authorizations: authorizations})
}

// MemberRequest is the body of POST /workspaces/{name}/members.
type MemberRequest struct {
	User  string `json:"user,omitempty"`
	Group string `json:"group,omitempty"`
	Role  string `json:"role"`
}

func (h *Handler) addMember(w http.ResponseWriter, r *http.Request) {
	var req MemberRequest
	if err := rest.ReadJSON(r, &req); err != nil {
		rest.WriteError(w, err)
		return
	}
	if _, ok := iamv1alpha1.WorkspaceNamespaceRoles[req.Role]; !ok {
		rest.WriteError(w, rest.Errorf(rest.CodeInvalidArgument, "role", fmt.Sprintf("role: %q is not a workspace role; one of workspace-admin, workspace-editor, workspace-viewer", req.Role)))
		return
	}
	subject, err := GrantRequest{Role: iamv1alpha1.RoleAdmin, User: req.User, Group: req.Group}.spec()
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	member := iamv1alpha1.WorkspaceMember{Subject: subject.Subject, Role: req.Role}
	h.updateWorkspace(w, r, func(ws *iamv1alpha1.Workspace) error {
		ws.Spec.Members = slices.DeleteFunc(ws.Spec.Members, func(m iamv1alpha1.WorkspaceMember) bool { return m.Subject == member.Subject })
		ws.Spec.Members = append(ws.Spec.Members, member)
		return nil
	})
}

func (h *Handler) bindNamespace(w http.ResponseWriter, r *http.Request) {
	var ref iamv1alpha1.NamespaceRef
	if err := rest.ReadJSON(r, &ref); err != nil {
		rest.WriteError(w, err)
		return
	}
	if ref.Cluster == "" || ref.Namespace == "" {
		rest.WriteError(w, rest.Errorf(rest.CodeInvalidArgument, "namespace", "cluster, namespace: both are required"))
		return
	}
	h.updateWorkspace(w, r, func(ws *iamv1alpha1.Workspace) error {
		if !slices.Contains(ws.Spec.ResourceGroups, ref) {
			ws.Spec.ResourceGroups = append(ws.Spec.ResourceGroups, ref)
		}
		return nil
	})
}

// ShareRequest is the body of POST /workspaces/{name}/clusters.
type ShareRequest struct {
	Cluster string `json:"cluster"`
}

func (h *Handler) shareCluster(w http.ResponseWriter, r *http.Request) {
	var req ShareRequest
	if err := rest.ReadJSON(r, &req); err != nil {
		rest.WriteError(w, err)
		return
	}
	if req.Cluster == "" {
		rest.WriteError(w, rest.Errorf(rest.CodeInvalidArgument, "cluster", "cluster: required"))
		return
	}
	h.updateWorkspace(w, r, func(ws *iamv1alpha1.Workspace) error {
		if !slices.Contains(ws.Spec.SharedClusters, req.Cluster) {
			ws.Spec.SharedClusters = append(ws.Spec.SharedClusters, req.Cluster)
		}
		return nil
	})
}

// updateWorkspace applies change to the named workspace, starting over on a concurrent edit.
// An error from change (something to remove that is not there) leaves the workspace as it was.
func (h *Handler) updateWorkspace(w http.ResponseWriter, r *http.Request, change func(*iamv1alpha1.Workspace) error) {
	var ws iamv1alpha1.Workspace
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if err := h.Client.Get(r.Context(), client.ObjectKey{Name: r.PathValue("name")}, &ws); err != nil {
			return notFound("workspace", r.PathValue("name"), err)
		}
		if err := change(&ws); err != nil {
			return err
		}
		return h.Client.Update(r.Context(), &ws)
	})
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	rest.WriteJSON(w, http.StatusOK, typed(&ws, "Workspace"))
}

// Explanation is the answer of GET /explain.
type Explanation struct {
	User      string         `json:"user"`
	Cluster   string         `json:"cluster"`
	Namespace string         `json:"namespace,omitempty"`
	Visible   bool           `json:"visible"`
	Sources   []ExplainEntry `json:"sources"`
}

// ExplainEntry is one source of access.
type ExplainEntry struct {
	Kind        string `json:"kind"`
	Role        string `json:"role,omitempty"`
	Via         string `json:"via,omitempty"`
	Workspace   string `json:"workspace,omitempty"`
	Grant       string `json:"grant,omitempty"`
	Namespace   string `json:"namespace,omitempty"`
	Description string `json:"description"`
}

func (h *Handler) explain(w http.ResponseWriter, r *http.Request) {
	query := r.URL.Query()
	user, cluster, namespace := query.Get("user"), query.Get("cluster"), query.Get("namespace")
	if user == "" || cluster == "" {
		rest.WriteError(w, rest.Errorf(rest.CodeInvalidArgument, "user", "user, cluster: both are required (?user=U&cluster=C[&namespace=N])"))
		return
	}
	snapshot, err := binding.LoadSnapshot(r.Context(), h.Client)
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	// An OIDC user's groups live in its tokens; explain answers with those of its last login.
	tokenGroups, err := auth.TokenGroups(r.Context(), h.Client, user)
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	rest.WriteJSON(w, http.StatusOK, explanation(snapshot.WithGroups(user, tokenGroups), user, cluster, namespace))
}

func explanation(snapshot *authz.Snapshot, user, cluster, namespace string) Explanation {
	result := Explanation{User: user, Cluster: cluster, Namespace: namespace, Sources: []ExplainEntry{}}
	for _, s := range snapshot.Explain(user, cluster, namespace) {
		result.Sources = append(result.Sources, ExplainEntry{Kind: string(s.Kind), Role: s.Role, Via: s.Via,
			Workspace: s.Workspace, Grant: s.Grant, Namespace: s.Namespace, Description: s.Description})
	}
	result.Visible = len(result.Sources) > 0
	return result
}

// EnsureBootstrapAdmin makes the bootstrap admin user a platform admin, so the first login can
// manage everything; it is a RoleGrant like any other and can be inspected with explain.
func EnsureBootstrapAdmin(ctx context.Context, c client.Client, user string) error {
	spec := iamv1alpha1.RoleGrantSpec{Role: iamv1alpha1.RoleAdmin, Subject: iamv1alpha1.Subject{Kind: iamv1alpha1.SubjectUser, Name: user}}
	grant := &iamv1alpha1.RoleGrant{ObjectMeta: metav1.ObjectMeta{Name: GrantName(spec)}, Spec: spec}
	if err := c.Create(ctx, grant); client.IgnoreAlreadyExists(err) != nil {
		return fmt.Errorf("granting the platform role admin to %s: %w", user, err)
	}
	return nil
}
