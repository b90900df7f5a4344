package helm

import (
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// restClientGetter gives Helm the clients of one rest.Config (with its impersonation, if any)
// instead of a kubeconfig file: kpanda never writes member credentials to disk.
type restClientGetter struct {
	config    *rest.Config
	namespace string
	discovery discovery.CachedDiscoveryInterface
	mapper    meta.RESTMapper
}

func newRESTClientGetter(config *rest.Config, namespace string, shared *Discovery) (*restClientGetter, error) {
	config = rest.CopyConfig(config)
	if config.QPS == 0 {
		config.QPS, config.Burst = 50, 100
	}
	if shared == nil {
		var err error
		if shared, err = NewDiscovery(config); err != nil {
			return nil, err
		}
	}
	cached, mapper := shared.current()
	return &restClientGetter{config: config, namespace: namespace, discovery: cached, mapper: mapper}, nil
}

// discoveryTTL is how long a Discovery trusts what it learnt: CRDs installed by other means
// than a Helm action (which invalidates the cache itself) show up after at most this long.
const discoveryTTL = time.Minute

// Discovery caches what Helm asks a cluster before every action — its version and API
// resources — so that operations in a long-running process do not each pay for a full
// discovery, as the helm CLI does not either (it caches discovery on disk). Discovery documents
// are the same for every user, so one cache serves every impersonated user of a cluster.
type Discovery struct {
	mu        sync.Mutex
	cached    discovery.CachedDiscoveryInterface
	mapper    meta.RESTMapper
	refreshed time.Time
}

// NewDiscovery caches the discovery of the cluster config reaches.
func NewDiscovery(config *rest.Config) (*Discovery, error) {
	dc, err := discovery.NewDiscoveryClientForConfig(config)
	if err != nil {
		return nil, err
	}
	cached := memory.NewMemCacheClient(dc)
	return &Discovery{cached: cached, mapper: restmapper.NewDeferredDiscoveryRESTMapper(cached), refreshed: time.Now()}, nil
}

func (d *Discovery) current() (discovery.CachedDiscoveryInterface, meta.RESTMapper) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if time.Since(d.refreshed) > discoveryTTL {
		d.cached.Invalidate()
		d.refreshed = time.Now()
	}
	return d.cached, d.mapper
}

func (g *restClientGetter) ToRESTConfig() (*rest.Config, error) {
	return rest.CopyConfig(g.config), nil
}

func (g *restClientGetter) ToDiscoveryClient() (discovery.CachedDiscoveryInterface, error) {
	return g.discovery, nil
}

func (g *restClientGetter) ToRESTMapper() (meta.RESTMapper, error) { return g.mapper, nil }

func (g *restClientGetter) ToRawKubeConfigLoader() clientcmd.ClientConfig {
	return namespacedConfig{getter: g}
}

// namespacedConfig answers the few kubeconfig questions Helm's kube client asks: mainly the
// namespace.
type namespacedConfig struct{ getter *restClientGetter }

func (c namespacedConfig) RawConfig() (clientcmdapi.Config, error) { return clientcmdapi.Config{}, nil }

func (c namespacedConfig) ClientConfig() (*rest.Config, error) { return c.getter.ToRESTConfig() }

func (c namespacedConfig) Namespace() (string, bool, error) { return c.getter.namespace, true, nil }

func (c namespacedConfig) ConfigAccess() clientcmd.ConfigAccess {
	return clientcmd.NewDefaultClientConfigLoadingRules()
}
