package inventory

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kpanda/kpanda/internal/clusters"
)

// Caller is who asks for a list, with their kpanda groups.
type Caller struct {
	User   string
	Groups []string
}

// mayList asks the member, as the caller, whether they may list r in namespace ("" for every
// namespace): the member's RBAC, with the bindings kpanda compiled, decides exactly as it does
// for a request sent through impersonation. An answer is used for AccessTTL at most. Once it is
// half that old it is asked again in the background, so that steady traffic never waits for a
// member's round trip while a revoked right still stops working within AccessTTL.
func (inv *Inventory) mayList(ctx context.Context, member *clusters.Member, who Caller, r Resource, namespace string) (bool, error) {
	key := accessKey{cluster: member.Name, user: who.User, groups: strings.Join(sortedGroups(who.Groups), ","), resource: r.Name, namespace: namespace}
	allowed, fresh, stale := inv.access.get(key)
	if fresh {
		return allowed, nil
	}
	if stale {
		if inv.access.startRefresh(key) {
			go func() {
				refreshCtx, cancel := context.WithTimeout(context.Background(), inv.opts.AccessTTL)
				defer cancel()
				_, _ = inv.review(refreshCtx, member, who, r, key) // an error keeps the old answer until it expires
				inv.access.endRefresh(key)
			}()
		}
		return allowed, nil
	}
	return inv.review(ctx, member, who, r, key)
}

// review sends the SelfSubjectAccessReview of key and keeps its answer.
func (inv *Inventory) review(ctx context.Context, member *clusters.Member, who Caller, r Resource, key accessKey) (bool, error) {
	client, err := kubernetes.NewForConfigAndClient(member.Config, &http.Client{Transport: member.Impersonating(who.User, who.Groups)})
	if err != nil {
		return false, fmt.Errorf("client of cluster %s: %w", member.Name, err)
	}
	review := &authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{
		ResourceAttributes: &authorizationv1.ResourceAttributes{Verb: "list", Group: r.Group, Resource: r.Name, Namespace: key.namespace},
	}}
	answer, err := client.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx, review, metav1.CreateOptions{})
	if err != nil {
		return false, fmt.Errorf("asking cluster %s whether %s may list %s: %w", member.Name, who.User, r.Name, err)
	}
	inv.access.put(key, answer.Status.Allowed)
	return answer.Status.Allowed, nil
}

// allowedNamespaces narrows scope to what the caller may list in the member: every namespace
// when a cluster-wide list is allowed, else the scope's namespaces each allowed.
func (inv *Inventory) allowedNamespaces(ctx context.Context, member *clusters.Member, who Caller, r Resource, scope Scope) (Scope, error) {
	if scope.AllNamespaces {
		all, err := inv.mayList(ctx, member, who, r, metav1.NamespaceAll)
		if err != nil || all {
			return scope, err
		}
		// Denied everywhere at once: nothing, as the member's own list would answer.
		return Scope{Cluster: scope.Cluster}, nil
	}
	allowed := Scope{Cluster: scope.Cluster}
	for _, ns := range scope.Namespaces {
		ok, err := inv.mayList(ctx, member, who, r, ns)
		if err != nil {
			return Scope{}, err
		}
		if ok {
			allowed.Namespaces = append(allowed.Namespaces, ns)
		}
	}
	return allowed, nil
}

type accessKey struct{ cluster, user, groups, resource, namespace string }

type accessAnswer struct {
	allowed    bool
	asked      time.Time
	refreshing bool
}

// accessCache keeps access answers for a short while.
type accessCache struct {
	ttl     time.Duration
	now     func() time.Time // time.Now; tests move it
	mu      sync.Mutex
	answers map[accessKey]accessAnswer
}

func newAccessCache(ttl time.Duration) *accessCache {
	return &accessCache{ttl: ttl, now: time.Now, answers: map[accessKey]accessAnswer{}}
}

// get returns the answer of key: fresh when younger than half the TTL, stale when older but
// still usable; neither when there is none or it expired.
func (c *accessCache) get(key accessKey) (allowed, fresh, stale bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	answer, found := c.answers[key]
	if !found {
		return false, false, false
	}
	age := c.now().Sub(answer.asked)
	return answer.allowed, age < c.ttl/2, age >= c.ttl/2 && age < c.ttl
}

// startRefresh marks key as being asked again; false when a refresh already runs.
func (c *accessCache) startRefresh(key accessKey) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	answer := c.answers[key]
	if answer.refreshing {
		return false
	}
	answer.refreshing = true
	c.answers[key] = answer
	return true
}

func (c *accessCache) endRefresh(key accessKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if answer, ok := c.answers[key]; ok {
		answer.refreshing = false
		c.answers[key] = answer
	}
}

// put keeps an answer; expired answers are dropped when the map grows, so it holds at most the
// answers of the last TTL.
func (c *accessCache) put(key accessKey, allowed bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if len(c.answers) >= 1024 {
		for k, a := range c.answers {
			if now.Sub(a.asked) >= c.ttl {
				delete(c.answers, k)
			}
		}
	}
	c.answers[key] = accessAnswer{allowed: allowed, asked: now, refreshing: c.answers[key].refreshing}
}

// sortedGroups is groups in a stable order, so that the same set makes the same access key.
func sortedGroups(groups []string) []string {
	out := slices.Clone(groups)
	slices.Sort(out)
	return out
}
