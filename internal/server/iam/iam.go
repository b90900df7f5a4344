// Package iam serves the access-control resources of the REST API: users, groups, role grants,
// workspaces, and explain (why a user sees a cluster, seed FAQ 2).
package iam

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/controller-runtime/pkg/client"

	iamv1alpha1 "github.com/kpanda/kpanda/api/iam/v1alpha1"
	"github.com/kpanda/kpanda/internal/auth"
	"github.com/kpanda/kpanda/internal/authz"
	"github.com/kpanda/kpanda/internal/clusters"
	"github.com/kpanda/kpanda/internal/controller/binding"
	"github.com/kpanda/kpanda/internal/server/rest"
)

// Handler serves the iam resources.
type Handler struct {
	Client  client.Client // the global cluster
	Members *clusters.Cache
}

// Register adds the routes under prefix (".../v1alpha1").
func (h *Handler) Register(mux *http.ServeMux, prefix string) {
	mux.HandleFunc("POST "+prefix+"/users", h.admin(h.createUser))
	mux.HandleFunc("GET "+prefix+"/users", h.admin(h.listUsers))
	mux.HandleFunc("POST "+prefix+"/users/{name}/disable", h.admin(h.setDisabled(true)))
	mux.HandleFunc("POST "+prefix+"/users/{name}/enable", h.admin(h.setDisabled(false)))
	mux.HandleFunc("POST "+prefix+"/groups", h.admin(h.createGroup))
	mux.HandleFunc("GET "+prefix+"/groups", h.admin(h.listGroups))
	mux.HandleFunc("DELETE "+prefix+"/groups/{name}", h.admin(h.deleteGroup))
	mux.HandleFunc("POST "+prefix+"/grants", h.grant)
	mux.HandleFunc("POST "+prefix+"/revoke", h.revoke)
	mux.HandleFunc("GET "+prefix+"/grants", h.admin(h.listGrants))
	mux.HandleFunc("POST "+prefix+"/workspaces", h.admin(h.createWorkspace))
	mux.HandleFunc("GET "+prefix+"/workspaces", h.admin(h.listWorkspaces))
	mux.HandleFunc("GET "+prefix+"/workspaces/{name}", h.admin(h.getWorkspace))
	mux.HandleFunc("POST "+prefix+"/workspaces/{name}/members", h.admin(h.addMember))
	mux.HandleFunc("POST "+prefix+"/workspaces/{name}/namespaces", h.admin(h.bindNamespace))
	mux.HandleFunc("POST "+prefix+"/workspaces/{name}/clusters", h.admin(h.shareCluster))
	mux.HandleFunc("DELETE "+prefix+"/workspaces/{name}", h.admin(h.deleteWorkspace))
	mux.HandleFunc("DELETE "+prefix+"/workspaces/{name}/members", h.admin(h.removeMember))
	mux.HandleFunc("DELETE "+prefix+"/workspaces/{name}/namespaces", h.admin(h.unbindNamespace))
	mux.HandleFunc("DELETE "+prefix+"/workspaces/{name}/clusters/{cluster}", h.admin(h.unshareCluster))
	mux.HandleFunc("GET "+prefix+"/explain", h.admin(h.explain))
}

// IsPlatformAdmin reports whether user holds the admin or kpanda-owner platform role.
func IsPlatformAdmin(snapshot *authz.Snapshot, user string) bool {
	return snapshot.HoldsAnyPlatformRole(user, iamv1alpha1.RoleAdmin, iamv1alpha1.RoleKpandaOwner)
}

// admin admits only platform admins to the wrapped handler.
func (h *Handler) admin(next http.HandlerFunc) http.HandlerFunc {
	return RequirePlatformAdmin(h.Client, "manage access", next)
}

// RequirePlatformAdmin admits to next only callers who hold the platform role admin or
// kpanda-owner; others get 403 saying they may not do action.
func RequirePlatformAdmin(reader client.Reader, action string, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		snapshot, err := CallerSnapshot(r, reader)
		if err != nil {
			rest.WriteError(w, err)
			return
		}
		user := rest.IdentityFrom(r.Context()).User
		if !IsPlatformAdmin(snapshot, user) {
			rest.WriteError(w, rest.Errorf(rest.CodePermissionDenied, "", fmt.Sprintf(
				"user %s may not %s: it takes the platform role admin or kpanda-owner", user, action)))
			return
		}
		next(w, r)
	}
}

// CallerSnapshot loads the access model as the caller of r holds it: the groups in the
// caller's token (an OIDC login's groups claim) count as Group membership does, so a grant to
// group G reaches every user whose provider says they are in G.
func CallerSnapshot(r *http.Request, reader client.Reader) (*authz.Snapshot, error) {
	snapshot, err := binding.LoadSnapshot(r.Context(), reader)
	if err != nil {
		return nil, err
	}
	if id := rest.IdentityFrom(r.Context()); id != nil {
		snapshot = snapshot.WithGroups(id.User, id.Groups)
	}
	return snapshot, nil
}

// UserRequest is the body of POST /users.
type UserRequest struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

func (h *Handler) createUser(w http.ResponseWriter, r *http.Request) {
	var req UserRequest
	if err := rest.ReadJSON(r, &req); err != nil {
		rest.WriteError(w, err)
		return
	}
	err := auth.CreateUser(r.Context(), h.Client, req.Name, req.Password)
	switch {
	case errors.Is(err, auth.ErrUserExists):
		rest.WriteError(w, rest.Errorf(rest.CodeAlreadyExists, "name", "name: user "+req.Name+" already exists"))
	case err != nil && strings.HasPrefix(err.Error(), "name:"):
		rest.WriteError(w, rest.Errorf(rest.CodeInvalidArgument, "name", err.Error()))
	case err != nil && strings.HasPrefix(err.Error(), "password:"):
		rest.WriteError(w, rest.Errorf(rest.CodeInvalidArgument, "password", err.Error()))
	case err != nil:
		rest.WriteError(w, err)
	default:
		rest.WriteJSON(w, http.StatusCreated, map[string]string{"name": req.Name})
	}
}

// UserItem is one user of GET /users: the user name (which, for OIDC users, may differ from
// the User object's name) and what the User says about it.
type UserItem struct {
	Name          string                 `json:"name"`
	Source        iamv1alpha1.UserSource `json:"source"`
	Disabled      bool                   `json:"disabled"`
	DisplayName   string                 `json:"displayName,omitempty"`
	Email         string                 `json:"email,omitempty"`
	LastLoginTime *metav1.Time           `json:"lastLoginTime,omitempty"`
}

func (h *Handler) listUsers(w http.ResponseWriter, r *http.Request) {
	users, err := auth.ListUsers(r.Context(), h.Client)
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	items := make([]UserItem, 0, len(users))
	for i := range users {
		u := &users[i]
		items = append(items, UserItem{Name: auth.UserName(u), Source: u.Spec.Source, Disabled: u.Spec.Disabled,
			DisplayName: u.Spec.DisplayName, Email: u.Spec.Email, LastLoginTime: u.Status.LastLoginTime})
	}
	rest.WriteJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (h *Handler) setDisabled(disabled bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		if err := auth.SetDisabled(r.Context(), h.Client, name, disabled); err != nil {
			if errors.Is(err, auth.ErrUserGone) {
				err = rest.Errorf(rest.CodeNotFound, "name", "user "+name+" not found")
			}
			rest.WriteError(w, err)
			return
		}
		rest.WriteJSON(w, http.StatusOK, map[string]any{"name": name, "disabled": disabled})
	}
}

// GroupRequest is the body of POST /groups.
type GroupRequest struct {
	Name    string   `json:"name"`
	Members []string `json:"members"`
}

func (h *Handler) createGroup(w http.ResponseWriter, r *http.Request) {
	var req GroupRequest
	if err := rest.ReadJSON(r, &req); err != nil {
		rest.WriteError(w, err)
		return
	}
	group := &iamv1alpha1.Group{ObjectMeta: metav1.ObjectMeta{Name: req.Name}, Spec: iamv1alpha1.GroupSpec{Members: req.Members}}
	if err := h.Client.Create(r.Context(), group); err != nil {
		rest.WriteError(w, createError("group", req.Name, err))
		return
	}
	rest.WriteJSON(w, http.StatusCreated, typed(group, "Group"))
}

func (h *Handler) listGroups(w http.ResponseWriter, r *http.Request) {
	var list iamv1alpha1.GroupList
	if err := h.Client.List(r.Context(), &list); err != nil {
		rest.WriteError(w, err)
		return
	}
	rest.WriteJSON(w, http.StatusOK, map[string]any{"items": nonNil(list.Items)})
}

func (h *Handler) deleteGroup(w http.ResponseWriter, r *http.Request) {
	group := &iamv1alpha1.Group{ObjectMeta: metav1.ObjectMeta{Name: r.PathValue("name")}}
	if err := h.Client.Delete(r.Context(), group); err != nil {
		rest.WriteError(w, notFound("group", group.Name, err))
		return
	}
	rest.WriteJSON(w, http.StatusOK, map[string]string{"deleted": group.Name})
}

// GrantRequest is the body of POST /grants and POST /revoke.
type GrantRequest struct {
	Role      string `json:"role"`
	User      string `json:"user,omitempty"`
	Group     string `json:"group,omitempty"`
	Cluster   string `json:"cluster,omitempty"`
	Namespace string `json:"namespace,omitempty"`
}

func (req GrantRequest) spec() (iamv1alpha1.RoleGrantSpec, error) {
	spec := iamv1alpha1.RoleGrantSpec{Role: req.Role, Cluster: req.Cluster, Namespace: req.Namespace}
	switch {
	case req.User != "" && req.Group == "":
		spec.Subject = iamv1alpha1.Subject{Kind: iamv1alpha1.SubjectUser, Name: req.User}
	case req.Group != "" && req.User == "":
		spec.Subject = iamv1alpha1.Subject{Kind: iamv1alpha1.SubjectGroup, Name: req.Group}
	default:
		return spec, rest.Errorf(rest.CodeInvalidArgument, "user", "user, group: give exactly one of them")
	}
	scope, known := iamv1alpha1.RoleScopes[req.Role]
	if !known {
		return spec, rest.Errorf(rest.CodeInvalidArgument, "role", fmt.Sprintf("role: %q is not a role; one of admin, kpanda-owner, platform-viewer, cluster-admin, cluster-viewer, ns-admin, ns-editor, ns-viewer", req.Role))
	}
	if (scope == iamv1alpha1.ScopePlatform) != (req.Cluster == "") || (scope == iamv1alpha1.ScopeNamespace) != (req.Namespace != "") {
		return spec, rest.Errorf(rest.CodeInvalidArgument, "cluster", fmt.Sprintf(
			"role %s is a %s role: platform roles take no cluster or namespace, cluster roles a cluster, namespace roles a cluster and a namespace", req.Role, strings.ToLower(string(scope))))
	}
	return spec, nil
}

// GrantName is the name of the RoleGrant of spec: derived from its content, so granting twice
// is one grant and revoking finds it without a list.
func GrantName(spec iamv1alpha1.RoleGrantSpec) string {
	sum := sha256.Sum256([]byte(strings.Join([]string{spec.Role, string(spec.Subject.Kind), spec.Subject.Name, spec.Cluster, spec.Namespace}, "\x00")))
	return spec.Role + "-" + strings.ToLower(string(spec.Subject.Kind)) + "-" + hex.EncodeToString(sum[:])[:10]
}

func (h *Handler) grant(w http.ResponseWriter, r *http.Request) {
	spec, ok := h.authorizedGrant(w, r)
	if !ok {
		return
	}
	grant := &iamv1alpha1.RoleGrant{ObjectMeta: metav1.ObjectMeta{Name: GrantName(spec)}, Spec: spec}
	err := h.Client.Create(r.Context(), grant)
	if apierrors.IsAlreadyExists(err) {
		rest.WriteJSON(w, http.StatusOK, typed(grant, "RoleGrant"))
		return
	}
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	rest.WriteJSON(w, http.StatusCreated, typed(grant, "RoleGrant"))
}

func (h *Handler) revoke(w http.ResponseWriter, r *http.Request) {
	spec, ok := h.authorizedGrant(w, r)
	if !ok {
		return
	}
	grant := &iamv1alpha1.RoleGrant{ObjectMeta: metav1.ObjectMeta{Name: GrantName(spec)}}
	if err := h.Client.Delete(r.Context(), grant); err != nil {
		rest.WriteError(w, notFound("grant", grant.Name, err))
		return
	}
	rest.WriteJSON(w, http.StatusOK, map[string]string{"revoked": grant.Name})
}

// authorizedGrant reads a grant request and checks that the caller may give (or take) it:
// platform admins may give any role; anyone else only what the member cluster would let them
// bind themselves — asked of the member's own RBAC with a dry-run binding, sent as the caller, so
// an NS Admin can hand out namespace roles in their namespace but never Cluster Admin.
func (h *Handler) authorizedGrant(w http.ResponseWriter, r *http.Request) (iamv1alpha1.RoleGrantSpec, bool) {
	var req GrantRequest
	if err := rest.ReadJSON(r, &req); err != nil {
		rest.WriteError(w, err)
		return iamv1alpha1.RoleGrantSpec{}, false
	}
	spec, err := req.spec()
	if err != nil {
		rest.WriteError(w, err)
		return spec, false
	}
	snapshot, err := CallerSnapshot(r, h.Client)
	if err != nil {
		rest.WriteError(w, err)
		return spec, false
	}
	caller := rest.IdentityFrom(r.Context()).User
	if IsPlatformAdmin(snapshot, caller) {
		return spec, true
	}
	if err := h.memberAllowsBinding(r.Context(), snapshot, caller, spec); err != nil {
		rest.WriteError(w, err)
		return spec, false
	}
	return spec, true
}

func (h *Handler) memberAllowsBinding(ctx context.Context, snapshot *authz.Snapshot, caller string, spec iamv1alpha1.RoleGrantSpec) error {
	denied := rest.Errorf(rest.CodePermissionDenied, "role", fmt.Sprintf(
		"user %s may not grant %s%s: it takes the platform role admin, or holding that role's rights yourself in the cluster", caller, spec.Role, where(spec)))
	if spec.Cluster == "" {
		return denied // platform roles: platform admins only
	}
	member, err := h.Members.Get(ctx, spec.Cluster)
	if err != nil {
		return rest.Errorf(rest.CodeNotFound, "cluster", fmt.Sprintf("cluster %s: %v", spec.Cluster, err))
	}
	clientset, err := kubernetes.NewForConfigAndClient(member.Config, &http.Client{Transport: member.Impersonating(caller, snapshot.GroupsOf(caller))})
	if err != nil {
		return err
	}
	template := authz.TemplateForRole(spec.Role)
	subject := rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: clusters.UserPrefix + spec.Subject.Name}
	roleRef := rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: template}
	dryRun := metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}
	meta := metav1.ObjectMeta{GenerateName: "kpanda-grant-check-", Namespace: spec.Namespace}
	if spec.Namespace == "" {
		_, err = clientset.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: meta, RoleRef: roleRef, Subjects: []rbacv1.Subject{subject}}, dryRun)
	} else {
		_, err = clientset.RbacV1().RoleBindings(spec.Namespace).Create(ctx, &rbacv1.RoleBinding{ObjectMeta: meta, RoleRef: roleRef, Subjects: []rbacv1.Subject{subject}}, dryRun)
	}
	if apierrors.IsForbidden(err) {
		return denied
	}
	return err
}

func where(spec iamv1alpha1.RoleGrantSpec) string {
	switch {
	case spec.Namespace != "":
		return fmt.Sprintf(" in namespace %s of cluster %s", spec.Namespace, spec.Cluster)
	case spec.Cluster != "":
		return " in cluster " + spec.Cluster
	}
	return ""
}

func (h *Handler) listGrants(w http.ResponseWriter, r *http.Request) {
	var list iamv1alpha1.RoleGrantList
	if err := h.Client.List(r.Context(), &list); err != nil {
		rest.WriteError(w, err)
		return
	}
	rest.WriteJSON(w, http.StatusOK, map[string]any{"items": nonNil(list.Items)})
}

func typed[T client.Object](obj T, kind string) T {
	obj.GetObjectKind().SetGroupVersionKind(iamv1alpha1.GroupVersion.WithKind(kind))
	return obj
}

func nonNil[T any](items []T) []T {
	if items == nil {
		return []T{}
	}
	return items
}

func createError(kind, name string, err error) error {
	if apierrors.IsAlreadyExists(err) {
		return rest.Errorf(rest.CodeAlreadyExists, "name", fmt.Sprintf("name: %s %s already exists", kind, name))
	}
	if apierrors.IsInvalid(err) {
		return rest.Errorf(rest.CodeInvalidArgument, "name", fmt.Sprintf("%s %s: %v", kind, name, err))
	}
	return err
}

func notFound(kind, name string, err error) error {
	if apierrors.IsNotFound(err) {
		return rest.Errorf(rest.CodeNotFound, "name", fmt.Sprintf("%s %s not found", kind, name))
	}
	return err
}
