// Package workloads serves the workloads of a member cluster over REST: namespaces,
// Deployments, StatefulSets, DaemonSets, Jobs and CronJobs (from a form or from YAML, with the
// actions of kubectl rollout and scale), their Services, Ingresses, ConfigMaps, Secrets and
// PersistentVolumeClaims, their pods, their HorizontalPodAutoscalers, custom
// resources, and the CRDs uninstalled autoscaling add-ons left behind. Every request to the member is sent as the calling user through impersonation, so
// the member's RBAC decides (DESIGN §3); the rules and status words live in internal/workload.
package workloads

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kpanda/kpanda/internal/clusters"
	"github.com/kpanda/kpanda/internal/server/caller"
	"github.com/kpanda/kpanda/internal/server/rest"
	"github.com/kpanda/kpanda/internal/workload"
)

// Handler serves the workload routes under /clusters/{cluster}/.
type Handler struct {
	// Global reads the access model (visibility, groups) in the global cluster.
	Global client.Reader
	// Members reaches the member clusters.
	Members *clusters.Cache
}

// serveFunc is a route's handler, given the admitted call.
type serveFunc func(http.ResponseWriter, *http.Request, *caller.Call)

// Register adds the routes under prefix (".../v1alpha1").
func (h *Handler) Register(mux *http.ServeMux, prefix string) {
	base := prefix + "/clusters/{cluster}"
	routes := map[string]serveFunc{
		"GET /namespaces":                                                                  h.listNamespaces,
		"POST /namespaces":                                                                 h.createNamespace,
		"GET /namespaces/{namespace}/pods":                                                 h.listPods,
		"GET /namespaces/{namespace}/horizontalpodautoscalers":                             h.listHPAs,
		"GET /autoscaling":                                                                 h.autoscaling,
		"GET /autoscaling/leftovers":                                                       h.listLeftovers,
		"DELETE /autoscaling/leftovers/{addon}":                                            h.deleteLeftovers,
		"GET /namespaces/{namespace}/pods/{name}":                                          h.getPod,
		"GET /namespaces/{namespace}/pods/{name}/log":                                      h.podLog,
		"GET /namespaces/{namespace}/pods/{name}/events":                                   h.podEvents,
		"GET /customresourcedefinitions":                                                   h.listCRDs,
		"GET /customresources/{group}/{version}/{plural}":                                  h.listCustom,
		"POST /customresources/{group}/{version}/{plural}":                                 h.createCustom,
		"GET /customresources/{group}/{version}/{plural}/{name}":                           h.getCustom,
		"DELETE /customresources/{group}/{version}/{plural}/{name}":                        h.deleteCustom,
		"GET /customresources/{group}/{version}/{plural}/namespaces/{namespace}":           h.listCustom,
		"POST /customresources/{group}/{version}/{plural}/namespaces/{namespace}":          h.createCustom,
		"GET /customresources/{group}/{version}/{plural}/namespaces/{namespace}/{name}":    h.getCustom,
		"DELETE /customresources/{group}/{version}/{plural}/namespaces/{namespace}/{name}": h.deleteCustom,
	}
	for route, serve := range h.addonAutoscalerRoutes() { // VPA and CronHPA: autoscalers.go
		routes[route] = serve
	}
	for _, k := range kinds {
		collection := "/namespaces/{namespace}/" + k.plural
		routes["GET "+collection] = h.forKind(k, h.list)
		routes["POST "+collection] = h.forKind(k, h.create)
		routes["GET "+collection+"/{name}"] = h.forKind(k, h.get)
		routes["PUT "+collection+"/{name}"] = h.forKind(k, h.update)
		routes["DELETE "+collection+"/{name}"] = h.forKind(k, h.delete)
		for route, serve := range hpaRoutes(h, k, collection+"/{name}") {
			routes[route] = serve
		}
		for action, serve := range k.actions(h, k) {
			routes["POST "+collection+"/{name}/"+action] = serve
		}
	}
	for route, serve := range resourceRoutes(h) {
		routes[route] = serve
	}
	for route, serve := range routes {
		method, path, _ := strings.Cut(route, " ")
		mux.HandleFunc(method+" "+base+path, h.withCall(serve))
	}
}

// withCall admits callers who may see the cluster and finds the member.
func (h *Handler) withCall(serve serveFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := caller.New(r, h.Global, h.Members)
		if err != nil {
			rest.WriteError(w, err)
			return
		}
		serve(w, r, c)
	}
}

// fail answers err of the member in kpanda's form: a 403 as the RBAC error, an AlreadyExists as
// the 409 of field name.
func fail(w http.ResponseWriter, c *caller.Call, err error) {
	if apierrors.IsAlreadyExists(err) {
		var status apierrors.APIStatus
		errors.As(err, &status)
		details := status.Status().Details
		what := "an object of that name"
		if details != nil {
			what = fmt.Sprintf("%s %q", details.Kind, details.Name)
		}
		e := rest.Errorf(rest.CodeAlreadyExists, "name", fmt.Sprintf("%s already exists in cluster %s; choose another name", what, c.Cluster))
		e.Reason = "AlreadyExists"
		rest.WriteError(w, e)
		return
	}
	rest.WriteError(w, c.MemberError(err))
}

// formError is the API error of a form's violations: the first names the field, the message
// lists them all so that a person can fix every one at once.
func formError(errs []*workload.FieldError) error {
	messages := make([]string, 0, len(errs))
	for _, e := range errs {
		messages = append(messages, e.Error())
	}
	e := rest.Errorf(rest.CodeInvalidArgument, errs[0].Field, strings.Join(messages, "; "))
	e.Reason = "Invalid"
	return e
}
