// Package inventory answers "all Pods (or Deployments, ...) across the clusters I can see"
// from watch caches, one per cluster and resource, started when first asked for and stopped
// when idle, so that a list never fans out one LIST per cluster per request (issue 6 item 6).
//
// A cache holds a Row per object, not the object, which is what bounds its memory. The caches
// watch with kpanda's own identity; what a caller may read of them is decided per request by
// the member's RBAC through a SelfSubjectAccessReview as that caller (access.go), so a cache
// never widens anyone's rights (DESIGN §3).
package inventory

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"

	"github.com/kpanda/kpanda/internal/clusters"
)

// Members finds the clients of a member cluster; *clusters.Cache is one.
type Members interface {
	Get(ctx context.Context, cluster string) (*clusters.Member, error)
}

// Options bound the inventory.
type Options struct {
	// MaxCaches is how many (cluster, resource) caches may run at once; starting one more stops
	// the least recently used. Default 64.
	MaxCaches int
	// IdleTimeout stops a cache nobody read for that long. Default 10 minutes.
	IdleTimeout time.Duration
	// SyncTimeout is how long a request waits for a new cache's first list before it reports
	// the cluster as unavailable (the cache goes on syncing for the next request). Default 10 s.
	SyncTimeout time.Duration
	// AccessTTL is how long a member's access decision is reused. Default 2 s, well inside the
	// 5 s in which a revoked grant must stop working.
	AccessTTL time.Duration
	// Log receives cache starts and stops; default: discarded.
	Log *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.MaxCaches <= 0 {
		o.MaxCaches = 64
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 10 * time.Minute
	}
	if o.SyncTimeout <= 0 {
		o.SyncTimeout = 10 * time.Second
	}
	if o.AccessTTL <= 0 {
		o.AccessTTL = 2 * time.Second
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return o
}

// Inventory holds the watch caches.
type Inventory struct {
	members Members
	opts    Options
	access  *accessCache

	mu     sync.Mutex
	caches map[cacheKey]*watchCache
}

type cacheKey struct{ cluster, resource string }

// watchCache is one informer of one resource in one member.
type watchCache struct {
	member   *clusters.Member
	informer cache.SharedIndexInformer
	stop     context.CancelFunc
	lastUsed time.Time // guarded by Inventory.mu

	errMu    sync.Mutex
	watchErr error
}

// New makes an inventory; call Run to have idle caches stopped.
func New(members Members, opts Options) *Inventory {
	opts = opts.withDefaults()
	return &Inventory{members: members, opts: opts, access: newAccessCache(opts.AccessTTL), caches: map[cacheKey]*watchCache{}}
}

// Run stops idle caches until ctx ends, then stops them all.
func (inv *Inventory) Run(ctx context.Context) {
	ticker := time.NewTicker(inv.opts.IdleTimeout / 4)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			inv.stopAll()
			return
		case now := <-ticker.C:
			inv.stopIdle(now)
		}
	}
}

// Running is how many caches run, and how many objects they hold.
func (inv *Inventory) Running() (caches, objects int) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	for _, c := range inv.caches {
		objects += len(c.informer.GetStore().ListKeys())
	}
	return len(inv.caches), objects
}

// synced returns the cache of resource in cluster, started if it was not, once it has listed
// everything; a cache that cannot sync in time is an error saying why.
func (inv *Inventory) synced(ctx context.Context, cluster string, r Resource) (*watchCache, error) {
	member, err := inv.members.Get(ctx, cluster)
	if err != nil {
		return nil, err
	}
	wc, err := inv.cacheOf(cluster, r, member)
	if err != nil {
		return nil, err
	}
	if wc.informer.HasSynced() {
		return wc, nil
	}
	wait, cancel := context.WithTimeout(ctx, inv.opts.SyncTimeout)
	defer cancel()
	if !cache.WaitForCacheSync(wait.Done(), wc.informer.HasSynced) {
		return nil, wc.syncError(ctx, inv.opts.SyncTimeout)
	}
	return wc, nil
}

// cacheOf finds or starts the cache of resource r in cluster; a cache of an older kubeconfig
// of the cluster is replaced.
func (inv *Inventory) cacheOf(cluster string, r Resource, member *clusters.Member) (*watchCache, error) {
	key := cacheKey{cluster, r.Name}
	inv.mu.Lock()
	defer inv.mu.Unlock()
	if wc, ok := inv.caches[key]; ok && wc.member == member {
		wc.lastUsed = time.Now()
		return wc, nil
	}
	inv.stopLocked(key, "kubeconfig changed")
	wc, err := startCache(r, member)
	if err != nil {
		return nil, err
	}
	inv.caches[key] = wc
	inv.opts.Log.Info("Started a watch cache", "cluster", cluster, "resource", r.Name)
	inv.evictLocked()
	return wc, nil
}

// startCache starts an informer of r in member that keeps Rows.
func startCache(r Resource, member *clusters.Member) (*watchCache, error) {
	config := rest.CopyConfig(member.Config)
	// Protobuf decodes a list of thousands of pods several times faster than JSON.
	config.ContentType = "application/vnd.kubernetes.protobuf"
	config.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		return nil, fmt.Errorf("client of cluster %s: %w", member.Name, err)
	}
	informer := cache.NewSharedIndexInformerWithOptions(r.listWatch(client), r.example, cache.SharedIndexInformerOptions{Indexers: indexers()})
	if err := informer.SetTransform(r.transform); err != nil {
		return nil, fmt.Errorf("watch cache of %s in cluster %s: %w", r.Name, member.Name, err)
	}
	ctx, stop := context.WithCancel(context.Background())
	wc := &watchCache{member: member, informer: informer, stop: stop, lastUsed: time.Now()}
	if err := informer.SetWatchErrorHandlerWithContext(func(_ context.Context, _ *cache.Reflector, err error) {
		wc.errMu.Lock()
		wc.watchErr = err
		wc.errMu.Unlock()
	}); err != nil {
		stop()
		return nil, fmt.Errorf("watch cache of %s in cluster %s: %w", r.Name, member.Name, err)
	}
	go informer.RunWithContext(ctx)
	return wc, nil
}

// syncError says why the cache has not listed yet: the last list or watch error, else what a
// quick probe of the member answers (client-go retries a refused list for several seconds
// before it reports it), else only that the list takes longer than the timeout.
func (wc *watchCache) syncError(ctx context.Context, timeout time.Duration) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	wc.errMu.Lock()
	watchErr := wc.watchErr
	wc.errMu.Unlock()
	if watchErr != nil {
		return fmt.Errorf("listing failed: %w", watchErr)
	}
	probe, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := wc.member.Client.Discovery().RESTClient().Get().AbsPath("/readyz").MaxRetries(0).Do(probe).Error(); err != nil {
		return fmt.Errorf("cluster not reachable: %w", err)
	}
	return errors.New("the first list took longer than " + timeout.String() + "; try again shortly")
}

// evictLocked stops the least recently used caches beyond MaxCaches.
func (inv *Inventory) evictLocked() {
	for len(inv.caches) > inv.opts.MaxCaches {
		var oldest cacheKey
		var oldestUse time.Time
		for key, wc := range inv.caches {
			if oldestUse.IsZero() || wc.lastUsed.Before(oldestUse) {
				oldest, oldestUse = key, wc.lastUsed
			}
		}
		inv.stopLocked(oldest, "too many caches; least recently used")
	}
}

func (inv *Inventory) stopIdle(now time.Time) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	for key, wc := range inv.caches {
		if now.Sub(wc.lastUsed) > inv.opts.IdleTimeout {
			inv.stopLocked(key, "idle")
		}
	}
}

func (inv *Inventory) stopAll() {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	for key := range inv.caches {
		inv.stopLocked(key, "shutting down")
	}
}

func (inv *Inventory) stopLocked(key cacheKey, why string) {
	if wc, ok := inv.caches[key]; ok {
		wc.stop()
		delete(inv.caches, key)
		inv.opts.Log.Info("Stopped a watch cache", "cluster", key.cluster, "resource", key.resource, "reason", why)
	}
}
