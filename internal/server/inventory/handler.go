// Package inventory serves lists across clusters: GET /multicluster/{resource} answers "all
// Pods (or Deployments, ...) in the clusters I can see" from internal/inventory's watch caches,
// narrowed first by kpanda's access model and then by each member's RBAC.
package inventory

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kpanda/kpanda/internal/authz"
	"github.com/kpanda/kpanda/internal/controller/binding"
	"github.com/kpanda/kpanda/internal/inventory"
	"github.com/kpanda/kpanda/internal/server/rest"
)

// Page sizes: the default, and the most one request may ask for.
const (
	DefaultLimit = 100
	MaxLimit     = 500
)

// Handler serves GET /multicluster/{resource}.
type Handler struct {
	// Global reads the access model.
	Global client.Reader
	// Inventory holds the watch caches.
	Inventory *inventory.Inventory
}

// Register adds the route under prefix (".../v1alpha1").
func (h *Handler) Register(mux *http.ServeMux, prefix string) {
	mux.HandleFunc("GET "+prefix+"/multicluster/{resource}", h.list)
}

// list answers one page. Query parameters: labelSelector, name (substring), cluster and
// namespace (comma-separated or repeated), limit, continue.
func (h *Handler) list(w http.ResponseWriter, r *http.Request) {
	q, err := h.query(r)
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	page, err := h.Inventory.List(r.Context(), q)
	if err != nil {
		rest.WriteError(w, rest.Errorf(rest.CodeInvalidArgument, "continue", err.Error()))
		return
	}
	rest.WriteJSON(w, http.StatusOK, page)
}

// query reads the request into a Query limited to what the caller sees in kpanda's model.
func (h *Handler) query(r *http.Request) (inventory.Query, error) {
	resource, err := inventory.ResourceNamed(r.PathValue("resource"))
	if err != nil {
		return inventory.Query{}, rest.Errorf(rest.CodeNotFound, "resource", err.Error())
	}
	params := r.URL.Query()
	selector, err := labels.Parse(params.Get("labelSelector"))
	if err != nil {
		return inventory.Query{}, rest.Errorf(rest.CodeInvalidArgument, "labelSelector", fmt.Sprintf("labelSelector: %v", err))
	}
	limit, err := pageSize(params.Get("limit"))
	if err != nil {
		return inventory.Query{}, err
	}
	caller, scopes, err := h.scopes(r.Context(), listParam(params["cluster"]), listParam(params["namespace"]))
	if err != nil {
		return inventory.Query{}, err
	}
	return inventory.Query{Resource: resource, Caller: caller, Scopes: scopes, Selector: selector,
		Name: params.Get("name"), Limit: limit, Continue: params.Get("continue")}, nil
}

// scopes are the clusters and namespaces the caller sees, narrowed to the ones asked for.
func (h *Handler) scopes(ctx context.Context, clustersAsked, namespacesAsked []string) (inventory.Caller, []inventory.Scope, error) {
	identity := rest.IdentityFrom(ctx)
	snapshot, err := binding.LoadSnapshot(ctx, h.Global)
	if err != nil {
		return inventory.Caller{}, nil, err
	}
	snapshot = snapshot.WithGroups(identity.User, identity.Groups)
	caller := inventory.Caller{User: identity.User, Groups: snapshot.GroupsOf(identity.User)}
	visible := snapshot.Visible(identity.User)
	for _, c := range clustersAsked {
		if !slices.ContainsFunc(visible, func(a authz.Access) bool { return a.Cluster == c }) {
			return caller, nil, rest.Errorf(rest.CodeNotFound, "cluster", fmt.Sprintf("cluster %s not found; GET /clusters lists the clusters you may see", c))
		}
	}
	var scopes []inventory.Scope
	for _, access := range visible {
		if len(clustersAsked) > 0 && !slices.Contains(clustersAsked, access.Cluster) {
			continue
		}
		if scope, ok := narrow(access, namespacesAsked); ok {
			scopes = append(scopes, scope)
		}
	}
	return caller, scopes, nil
}

// narrow is the scope of access within the namespaces asked for (all when none); false when
// nothing of the cluster is left.
func narrow(access authz.Access, namespacesAsked []string) (inventory.Scope, bool) {
	scope := inventory.Scope{Cluster: access.Cluster, AllNamespaces: access.AllNamespaces, Namespaces: access.Namespaces}
	if len(namespacesAsked) == 0 {
		return scope, scope.AllNamespaces || len(scope.Namespaces) > 0
	}
	if scope.AllNamespaces {
		return inventory.Scope{Cluster: access.Cluster, Namespaces: namespacesAsked}, true
	}
	scope.Namespaces = slices.DeleteFunc(slices.Clone(scope.Namespaces), func(ns string) bool {
		return !slices.Contains(namespacesAsked, ns)
	})
	return scope, len(scope.Namespaces) > 0
}

// listParam splits repeated and comma-separated values: cluster=a,b&cluster=c.
func listParam(values []string) []string {
	var out []string
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

func pageSize(value string) (int, error) {
	if value == "" {
		return DefaultLimit, nil
	}
	limit, err := strconv.Atoi(value)
	if err != nil || limit < 1 || limit > MaxLimit {
		return 0, rest.Errorf(rest.CodeInvalidArgument, "limit", fmt.Sprintf("limit: must be a number from 1 to %d, got %q", MaxLimit, value))
	}
	return limit, nil
}
