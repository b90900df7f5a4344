package inventory

import (
	"cmp"
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/labels"
)

// Scope is the part of one cluster a caller sees in kpanda's access model: every namespace, or
// the listed ones.
type Scope struct {
	Cluster       string
	AllNamespaces bool
	Namespaces    []string
}

// Query is one page of a list across clusters.
type Query struct {
	Resource Resource
	Caller   Caller
	// Scopes are the clusters to list, sorted by cluster, each at most what the caller sees.
	Scopes []Scope
	// Selector filters by labels; nil or empty matches everything.
	Selector labels.Selector
	// Name keeps objects whose name contains it.
	Name string
	// Limit is the page size; Continue the token of the previous page, "" for the first.
	Limit    int
	Continue string
}

// Item is one object of a page.
type Item struct {
	Cluster   string            `json:"cluster"`
	Namespace string            `json:"namespace"`
	Name      string            `json:"name"`
	Kind      string            `json:"kind"`
	Labels    map[string]string `json:"labels,omitempty"`
	Created   time.Time         `json:"created"`
	Status    string            `json:"status"`
	Ready     string            `json:"ready,omitempty"`
	Node      string            `json:"node,omitempty"`
	Restarts  int32             `json:"restarts,omitempty"`
}

// Unavailable is a cluster whose objects a page lacks, and why.
type Unavailable struct {
	Cluster string `json:"cluster"`
	Message string `json:"message"`
}

// Page is the answer to a Query: items sorted by cluster, namespace and name.
type Page struct {
	Items []Item `json:"items"`
	// Continue fetches the next page; empty on the last.
	Continue string `json:"continue,omitempty"`
	// Total counts the objects that match in every cluster listed, all pages together.
	Total int `json:"total"`
	// Unavailable clusters are left out of the page rather than failing it.
	Unavailable []Unavailable `json:"unavailable,omitempty"`
}

// List answers q from the watch caches, starting those not yet running. A cluster whose cache
// cannot start or sync, or whose access cannot be decided, is reported Unavailable.
func (inv *Inventory) List(ctx context.Context, q Query) (*Page, error) {
	after, err := decodeContinue(q.Continue)
	if err != nil {
		return nil, err
	}
	if q.Selector == nil {
		q.Selector = labels.Everything()
	}
	// Pages are ordered by cluster first, so the clusters are visited in order.
	q.Scopes = slices.Clone(q.Scopes)
	slices.SortFunc(q.Scopes, func(a, b Scope) int { return cmp.Compare(a.Cluster, b.Cluster) })
	ready := inv.prepare(ctx, q)
	page := &Page{Items: []Item{}}
	for _, p := range ready {
		if p.err != nil {
			page.Unavailable = append(page.Unavailable, Unavailable{Cluster: p.scope.Cluster, Message: p.err.Error()})
			continue
		}
		indexer := p.cache.informer.GetIndexer()
		if page.Continue != "" {
			// The page is full: this cluster only counts.
			eachMatch(indexer, p.scope, q, func(*Row) { page.Total++ })
			continue
		}
		var matched []*Row
		eachMatch(indexer, p.scope, q, func(r *Row) { matched = append(matched, r) })
		page.Total += len(matched)
		page.addFrom(p.scope.Cluster, matched, after, q.Limit)
	}
	return page, nil
}

// prepared is one scope with its synced cache and allowed namespaces, or why it has none.
type prepared struct {
	scope Scope
	cache *watchCache
	err   error
}

// prepare syncs the caches and decides access of every scope at once: a cold start waits for
// the slowest cluster, not for their sum.
func (inv *Inventory) prepare(ctx context.Context, q Query) []prepared {
	out := make([]prepared, len(q.Scopes))
	var wg sync.WaitGroup
	for i, scope := range q.Scopes {
		wg.Go(func() {
			out[i] = inv.prepareScope(ctx, q, scope)
		})
	}
	wg.Wait()
	return out
}

func (inv *Inventory) prepareScope(ctx context.Context, q Query, scope Scope) prepared {
	wc, err := inv.synced(ctx, scope.Cluster, q.Resource)
	if err != nil {
		return prepared{scope: scope, err: fmt.Errorf("listing %s: %w", q.Resource.Name, err)}
	}
	allowed, err := inv.allowedNamespaces(ctx, wc.member, q.Caller, q.Resource, scope)
	if err != nil {
		return prepared{scope: scope, err: err}
	}
	return prepared{scope: allowed, cache: wc}
}

func itemOf(cluster string, r *Row) Item {
	return Item{Cluster: cluster, Namespace: r.Namespace, Name: r.Name, Kind: r.Kind, Labels: r.Labels,
		Created: r.CreationTimestamp.Time, Status: r.Status, Ready: r.Ready, Node: r.Node, Restarts: r.Restarts}
}

// position is the last item of a page: the next page starts after it.
type position struct{ Cluster, Namespace, Name string }

// before reports whether the row of cluster comes after p.
func (p position) before(cluster string, r *Row) bool {
	return cmp.Or(cmp.Compare(p.Cluster, cluster), cmp.Compare(p.Namespace, r.Namespace), cmp.Compare(p.Name, r.Name)) < 0
}

// encode makes the continue token: opaque to clients, stateless for the server, so that any
// replica can serve the next page.
func (p position) encode() string {
	return base64.RawURLEncoding.EncodeToString([]byte(p.Cluster + "\x00" + p.Namespace + "\x00" + p.Name))
}

func decodeContinue(token string) (position, error) {
	if token == "" {
		return position{}, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	parts := strings.Split(string(raw), "\x00")
	if err != nil || len(parts) != 3 {
		return position{}, fmt.Errorf("continue: %q is not a token this API returned; start again without it", token)
	}
	return position{Cluster: parts[0], Namespace: parts[1], Name: parts[2]}, nil
}
