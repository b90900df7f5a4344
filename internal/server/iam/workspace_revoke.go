package iam

import (
	"fmt"
	"net/http"
	"slices"

	iamv1alpha1 "github.com/kpanda/kpanda/api/iam/v1alpha1"
	"github.com/kpanda/kpanda/internal/server/rest"
)

// The revoke verbs of workspaces. Each one only edits (or deletes) the Workspace: the binding
// controller recompiles every member's bindings from it, so the RoleBindings that an entry
// produced disappear with the entry, exactly as they appeared. Removing what is not there is
// an error naming the field, so that a typo does not look like a revoke that worked.

// removeMember answers DELETE /workspaces/{name}/members?user=U (or ?group=G).
func (h *Handler) removeMember(w http.ResponseWriter, r *http.Request) {
	query := r.URL.Query()
	subject, err := GrantRequest{Role: iamv1alpha1.RoleAdmin, User: query.Get("user"), Group: query.Get("group")}.spec()
	if err != nil {
		rest.WriteError(w, rest.Errorf(rest.CodeInvalidArgument, "user", "user, group: give exactly one of them (?user=U or ?group=G)"))
		return
	}
	field := "user"
	if subject.Subject.Kind == iamv1alpha1.SubjectGroup {
		field = "group"
	}
	h.updateWorkspace(w, r, func(ws *iamv1alpha1.Workspace) error {
		before := len(ws.Spec.Members)
		ws.Spec.Members = slices.DeleteFunc(ws.Spec.Members, func(m iamv1alpha1.WorkspaceMember) bool { return m.Subject == subject.Subject })
		if len(ws.Spec.Members) == before {
			return rest.Errorf(rest.CodeNotFound, field, fmt.Sprintf("%s: %s %s is not a member of workspace %s; kpanda workspace get %s lists its members",
				field, field, subject.Subject.Name, ws.Name, ws.Name))
		}
		return nil
	})
}

// unbindNamespace answers DELETE /workspaces/{name}/namespaces?cluster=C&namespace=N.
func (h *Handler) unbindNamespace(w http.ResponseWriter, r *http.Request) {
	ref := iamv1alpha1.NamespaceRef{Cluster: r.URL.Query().Get("cluster"), Namespace: r.URL.Query().Get("namespace")}
	if ref.Cluster == "" || ref.Namespace == "" {
		rest.WriteError(w, rest.Errorf(rest.CodeInvalidArgument, "namespace", "cluster, namespace: both are required (?cluster=C&namespace=N)"))
		return
	}
	h.updateWorkspace(w, r, func(ws *iamv1alpha1.Workspace) error {
		before := len(ws.Spec.ResourceGroups)
		ws.Spec.ResourceGroups = slices.DeleteFunc(ws.Spec.ResourceGroups, func(n iamv1alpha1.NamespaceRef) bool { return n == ref })
		if len(ws.Spec.ResourceGroups) == before {
			return rest.Errorf(rest.CodeNotFound, "namespace", fmt.Sprintf("namespace: namespace %s of cluster %s is not bound to workspace %s; kpanda workspace get %s lists its namespaces",
				ref.Namespace, ref.Cluster, ws.Name, ws.Name))
		}
		return nil
	})
}

// unshareCluster answers DELETE /workspaces/{name}/clusters/{cluster}.
func (h *Handler) unshareCluster(w http.ResponseWriter, r *http.Request) {
	cluster := r.PathValue("cluster")
	h.updateWorkspace(w, r, func(ws *iamv1alpha1.Workspace) error {
		if !slices.Contains(ws.Spec.SharedClusters, cluster) {
			return rest.Errorf(rest.CodeNotFound, "cluster", fmt.Sprintf("cluster: cluster %s is not shared with workspace %s; kpanda workspace get %s lists its shared clusters",
				cluster, ws.Name, ws.Name))
		}
		ws.Spec.SharedClusters = slices.DeleteFunc(ws.Spec.SharedClusters, func(c string) bool { return c == cluster })
		return nil
	})
}

// deleteWorkspace answers DELETE /workspaces/{name}: its members lose what it gave them.
func (h *Handler) deleteWorkspace(w http.ResponseWriter, r *http.Request) {
	ws := &iamv1alpha1.Workspace{}
	ws.Name = r.PathValue("name")
	if err := h.Client.Delete(r.Context(), ws); err != nil {
		rest.WriteError(w, notFound("workspace", ws.Name, err))
		return
	}
	rest.WriteJSON(w, http.StatusOK, map[string]string{"deleted": ws.Name})
}
