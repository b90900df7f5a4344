// Package helm serves the Helm resources of a member cluster over REST (the "REST twins" of
// the helm.kpanda.io objects): chart repositories, the charts they list, and apps (Helm
// releases) with their operations and revisions. Every write to a member, and every read of
// namespaced objects, is sent as the calling user through impersonation, so the member's RBAC
// decides (DESIGN §3); the controllers in the controller-manager do the Helm work (DESIGN §4).
package helm

import (
	"fmt"
	"net/http"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv1alpha1 "github.com/kpanda/kpanda/api/helm/v1alpha1"
	"github.com/kpanda/kpanda/internal/clusters"
	"github.com/kpanda/kpanda/internal/server/caller"
	restconv "github.com/kpanda/kpanda/internal/server/rest"
)

// Handler serves the Helm routes under /clusters/{cluster}/.
type Handler struct {
	// Global reads the access model (visibility, groups) in the global cluster.
	Global client.Reader
	// Members reaches the member clusters.
	Members *clusters.Cache

	mu sync.Mutex
	// own holds, per cluster, a client acting as kpanda itself, built for the Member it was
	// built from (the cache hands out a new Member when the kubeconfig changes).
	own map[string]ownClient
}

type ownClient struct {
	member *clusters.Member
	client client.Client
}

// Register adds the routes under prefix (".../v1alpha1").
func (h *Handler) Register(mux *http.ServeMux, prefix string) {
	base := prefix + "/clusters/{cluster}"
	routes := map[string]func(http.ResponseWriter, *http.Request, *call){
		"GET /helmrepos":                       h.listRepos,
		"POST /helmrepos":                      h.createRepo,
		"GET /helmrepos/{name}":                h.getRepo,
		"DELETE /helmrepos/{name}":             h.deleteRepo,
		"POST /helmrepos/{name}/refresh":       h.refreshRepo,
		"GET /charts":                          h.searchCharts,
		"GET /helmrepos/{repo}/charts/{chart}": h.chartVersions,
		"GET /helmrepos/{repo}/charts/{chart}/versions/{version}": h.chartVersion,
		"GET /helmreleases":                                          h.listAllReleases,
		"GET /namespaces/{namespace}/helmreleases":                   h.listReleases,
		"POST /namespaces/{namespace}/helmreleases":                  h.install,
		"GET /namespaces/{namespace}/helmreleases/{name}":            h.getRelease,
		"PUT /namespaces/{namespace}/helmreleases/{name}":            h.upgrade,
		"DELETE /namespaces/{namespace}/helmreleases/{name}":         h.uninstall,
		"POST /namespaces/{namespace}/helmreleases/{name}/rollback":  h.rollback,
		"GET /namespaces/{namespace}/helmreleases/{name}/operations": h.operations,
		"GET /namespaces/{namespace}/helmreleases/{name}/revisions":  h.revisions,
	}
	for route, serve := range routes {
		method, path, _ := strings.Cut(route, " ")
		mux.HandleFunc(method+" "+base+path, h.withCall(serve))
	}
}

// call is one request's caller and the member it addresses (internal/server/caller), with the
// clients this package builds for it.
type call struct {
	*caller.Call
}

// withCall admits callers who may see the cluster (others get the 404 of a cluster that does
// not exist, so that names do not leak) and finds the member.
func (h *Handler) withCall(serve func(http.ResponseWriter, *http.Request, *call)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := caller.New(r, h.Global, h.Members)
		if err != nil {
			restconv.WriteError(w, err)
			return
		}
		serve(w, r, &call{Call: c})
	}
}

// scheme and mapper know the kinds this package reads and writes. The mapper is static so that
// building a client per request costs no discovery round trips.
var (
	scheme = newScheme()
	mapper = newMapper()
)

func newScheme() *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, helmv1alpha1.AddToScheme} {
		if err := add(s); err != nil {
			panic(err)
		}
	}
	return s
}

func newMapper() meta.RESTMapper {
	core := schema.GroupVersion{Version: "v1"}
	m := meta.NewDefaultRESTMapper([]schema.GroupVersion{core, helmv1alpha1.GroupVersion})
	m.Add(helmv1alpha1.GroupVersion.WithKind("HelmRepo"), meta.RESTScopeRoot)
	m.Add(helmv1alpha1.GroupVersion.WithKind("HelmRelease"), meta.RESTScopeNamespace)
	m.Add(helmv1alpha1.GroupVersion.WithKind("HelmOperation"), meta.RESTScopeNamespace)
	m.Add(core.WithKind("Secret"), meta.RESTScopeNamespace)
	m.Add(core.WithKind("ConfigMap"), meta.RESTScopeNamespace)
	return m
}

// asCaller is a client of the member that acts as the caller: the member's RBAC decides.
func (c *call) asCaller() (client.Client, error) {
	httpClient := &http.Client{Transport: c.Member.Impersonating(c.User, c.Groups)}
	cl, err := client.New(c.Member.Config, client.Options{Scheme: scheme, Mapper: mapper, HTTPClient: httpClient})
	if err != nil {
		return nil, fmt.Errorf("client of cluster %s: %w", c.Cluster, err)
	}
	return cl, nil
}

// callerConfig is the member's rest.Config impersonating the caller, for Helm's own clients.
func (c *call) callerConfig() *rest.Config {
	config := rest.CopyConfig(c.Member.Config)
	config.Impersonate = rest.ImpersonationConfig{UserName: clusters.UserPrefix + c.User, Groups: prefixed(c.Groups)}
	return config
}

func prefixed(groups []string) []string {
	out := make([]string, 0, len(groups))
	for _, g := range groups {
		out = append(out, clusters.UserPrefix+g)
	}
	return out
}

// asKpanda is a client of the member acting as kpanda itself, kept per member so that its
// connections are reused. Only for what every caller who sees the cluster may read: the
// cluster-scoped repos and their chart indexes, which namespace-level users cannot read in the
// member, yet need to choose a chart to install.
func (h *Handler) asKpanda(c *call) (client.Client, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if cached, ok := h.own[c.Cluster]; ok && cached.member == c.Member {
		return cached.client, nil
	}
	cl, err := client.New(c.Member.Config, client.Options{Scheme: scheme, Mapper: mapper})
	if err != nil {
		return nil, fmt.Errorf("client of cluster %s: %w", c.Cluster, err)
	}
	if h.own == nil {
		h.own = map[string]ownClient{}
	}
	h.own[c.Cluster] = ownClient{member: c.Member, client: cl}
	return cl, nil
}

// callerClient is a client acting as the caller; false when it answered the error instead.
func (c *call) callerClient(w http.ResponseWriter) (client.Client, bool) {
	cl, err := c.asCaller()
	if err != nil {
		restconv.WriteError(w, err)
		return nil, false
	}
	return cl, true
}
