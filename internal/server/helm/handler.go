// Package helm serves the Helm resources of a member cluster over REST (the "REST twins" of
// the helm.kpanda.io objects): chart repositories, the charts they list, and apps (Helm
// releases) with their operations and revisions. Every write to a member, and every read of
// namespaced objects, is sent as the calling user through impersonation, so the member's RBAC
// decides (DESIGN §3); the controllers in the controller-manager do the Helm work (DESIGN §4).
package helm

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv1alpha1 "github.com/kpanda/kpanda/api/helm/v1alpha1"
	"github.com/kpanda/kpanda/internal/clusters"
	"github.com/kpanda/kpanda/internal/controller/binding"
	"github.com/kpanda/kpanda/internal/server/proxy"
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

// call is one request's caller and the member it addresses.
type call struct {
	user    string
	groups  []string
	cluster string
	member  *clusters.Member
}

// withCall admits callers who may see the cluster (others get the 404 of a cluster that does
// not exist, so that names do not leak) and finds the member.
func (h *Handler) withCall(serve func(http.ResponseWriter, *http.Request, *call)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := h.newCall(r)
		if err != nil {
			restconv.WriteError(w, err)
			return
		}
		serve(w, r, c)
	}
}

func (h *Handler) newCall(r *http.Request) (*call, error) {
	identity := restconv.IdentityFrom(r.Context())
	cluster := r.PathValue("cluster")
	snapshot, err := binding.LoadSnapshot(r.Context(), h.Global)
	if err != nil {
		return nil, err
	}
	// The groups of the token (an OIDC login) count as well as kpanda's own groups.
	snapshot = snapshot.WithGroups(identity.User, identity.Groups)
	if !snapshot.CanSee(identity.User, cluster) {
		return nil, restconv.Errorf(restconv.CodeNotFound, "cluster", fmt.Sprintf("cluster %s not found; GET /clusters lists the clusters you may see", cluster))
	}
	member, err := h.Members.Get(r.Context(), cluster)
	if err != nil {
		return nil, restconv.Errorf(restconv.CodeUnavailable, "cluster", fmt.Sprintf("cluster %s cannot be reached through kpanda: %v", cluster, err))
	}
	return &call{user: identity.User, groups: snapshot.GroupsOf(identity.User), cluster: cluster, member: member}, nil
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
	httpClient := &http.Client{Transport: c.member.Impersonating(c.user, c.groups)}
	cl, err := client.New(c.member.Config, client.Options{Scheme: scheme, Mapper: mapper, HTTPClient: httpClient})
	if err != nil {
		return nil, fmt.Errorf("client of cluster %s: %w", c.cluster, err)
	}
	return cl, nil
}

// callerConfig is the member's rest.Config impersonating the caller, for Helm's own clients.
func (c *call) callerConfig() *rest.Config {
	config := rest.CopyConfig(c.member.Config)
	config.Impersonate = rest.ImpersonationConfig{UserName: clusters.UserPrefix + c.user, Groups: prefixed(c.groups)}
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
	if cached, ok := h.own[c.cluster]; ok && cached.member == c.member {
		return cached.client, nil
	}
	cl, err := client.New(c.member.Config, client.Options{Scheme: scheme, Mapper: mapper})
	if err != nil {
		return nil, fmt.Errorf("client of cluster %s: %w", c.cluster, err)
	}
	if h.own == nil {
		h.own = map[string]ownClient{}
	}
	h.own[c.cluster] = ownClient{member: c.member, client: cl}
	return cl, nil
}

// memberError gives a member's refusal kpanda's form: a 403 names the missing right as the proxy
// does; others pass as they are.
func (c *call) memberError(err error) error {
	var status apierrors.APIStatus
	if errors.As(err, &status) && status.Status().Code == http.StatusForbidden {
		return proxy.RBACError(c.user, c.cluster, status.Status().Message)
	}
	return err
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
