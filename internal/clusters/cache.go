package clusters

import (
	"context"
	"fmt"
	"net/http"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Namespace is where kpanda keeps its objects: in the global cluster (each member's Secret and
// settings) and in every member.
const Namespace = "kpanda-system"

// KubeconfigKey is the key of <cluster>-secret that holds the member's kubeconfig.
const KubeconfigKey = "kubeconfig"

// SecretName is the Secret holding a member's kubeconfig in the global cluster.
func SecretName(cluster string) string { return cluster + "-secret" }

// Member is the way to one member cluster: its configuration and clients sharing one HTTP
// client (one connection pool per member, however many clients use it).
type Member struct {
	Name     string
	Config   *rest.Config
	Client   kubernetes.Interface
	Metadata metadata.Interface
	Dynamic  dynamic.Interface
	http     *http.Client
}

// Cache builds a Member per cluster from its Secret and keeps it until the Secret changes, so
// that the controllers and the apiserver do not open a connection pool per request.
type Cache struct {
	secrets client.Reader

	mu      sync.Mutex
	members map[string]cachedMember
}

type cachedMember struct {
	secretVersion string
	member        *Member
}

// NewCache reads member Secrets through secrets (the global cluster; a cached reader is best).
func NewCache(secrets client.Reader) *Cache {
	return &Cache{secrets: secrets, members: map[string]cachedMember{}}
}

// Get returns the Member of cluster, built anew when its Secret changed since the last call.
func (c *Cache) Get(ctx context.Context, cluster string) (*Member, error) {
	var secret corev1.Secret
	if err := c.secrets.Get(ctx, client.ObjectKey{Namespace: Namespace, Name: SecretName(cluster)}, &secret); err != nil {
		return nil, fmt.Errorf("reading the kubeconfig of cluster %s (Secret %s/%s): %w", cluster, Namespace, SecretName(cluster), err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if cached, ok := c.members[cluster]; ok && cached.secretVersion == secret.ResourceVersion {
		return cached.member, nil
	}
	member, err := NewMember(cluster, secret.Data[KubeconfigKey])
	if err != nil {
		return nil, err
	}
	c.forgetLocked(cluster)
	c.members[cluster] = cachedMember{secretVersion: secret.ResourceVersion, member: member}
	return member, nil
}

// Forget drops the Member of cluster and closes its idle connections (after detach).
func (c *Cache) Forget(cluster string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.forgetLocked(cluster)
}

func (c *Cache) forgetLocked(cluster string) {
	if cached, ok := c.members[cluster]; ok {
		cached.member.http.CloseIdleConnections()
		delete(c.members, cluster)
	}
}

// NewMember builds the clients of a member from its kubeconfig.
func NewMember(name string, kubeconfig []byte) (*Member, error) {
	config, err := RESTConfigFromKubeconfig(kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("kubeconfig of cluster %s: %w", name, err)
	}
	config.UserAgent = "kpanda"
	if config.QPS == 0 {
		// client-go's default of 5 requests a second would take minutes to write the bindings
		// of a member with many namespaces.
		config.QPS, config.Burst = 50, 100
	}
	httpClient, err := rest.HTTPClientFor(config)
	if err != nil {
		return nil, fmt.Errorf("kubeconfig of cluster %s: %w", name, err)
	}
	typed, err := kubernetes.NewForConfigAndClient(config, httpClient)
	if err != nil {
		return nil, fmt.Errorf("client of cluster %s: %w", name, err)
	}
	meta, err := metadata.NewForConfigAndClient(config, httpClient)
	if err != nil {
		return nil, fmt.Errorf("client of cluster %s: %w", name, err)
	}
	dyn, err := dynamic.NewForConfigAndClient(config, httpClient)
	if err != nil {
		return nil, fmt.Errorf("client of cluster %s: %w", name, err)
	}
	return &Member{Name: name, Config: config, Client: typed, Metadata: meta, Dynamic: dyn, http: httpClient}, nil
}
