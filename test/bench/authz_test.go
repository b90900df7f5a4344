package bench

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	iamv1alpha1 "github.com/kpanda/kpanda/api/iam/v1alpha1"
	"github.com/kpanda/kpanda/internal/authz"
)

// The size of the access model BenchmarkAuthzVisible computes over: a large installation.
const (
	authzUsers            = 1000
	authzGroups           = 100 // authzUsers/authzGroups users each
	authzClusters         = 20
	authzNamespaces       = 50 // per cluster
	authzGrants           = 5000
	authzWorkspaces       = 50
	authzPlatformPerMille = 10  // share of grants that are platform roles
	authzClusterPerMille  = 190 // share that are cluster roles; the rest are namespace roles
	authzGroupPerMille    = 300 // share of grants and workspace members that are groups
)

// BenchmarkAuthzVisible: the visibility the REST API computes on every list request, over a
// large installation. Prints the time of Visible for one user (target p99 ≤ 5 ms), the time to
// build the snapshot it reads, and the time of the bindings of one cluster. No cluster starts.
func BenchmarkAuthzVisible(b *testing.B) {
	model := newAuthzModel(rand.New(rand.NewPCG(7, 11)))
	fmt.Printf("access model: %d users, %d groups, %d clusters × %d namespaces, %d grants, %d workspaces\n",
		authzUsers, authzGroups, authzClusters, authzNamespaces, len(model.grants), len(model.workspaces))
	for b.Loop() {
		start := time.Now()
		s := authz.NewSnapshot(model.grants, model.groups, model.workspaces, model.clusters)
		built := time.Since(start)

		took, seen := timeVisible(s)
		slices.Sort(took)
		p50, p99, worst := took[len(took)/2], authzPercentile(took, 99), took[len(took)-1]
		fmt.Printf("visible clusters of one user over %d users: p50 %d µs, p99 %d µs, max %d µs (snapshot built in %d ms)\n",
			len(took), p50.Microseconds(), p99.Microseconds(), worst.Microseconds(), built.Milliseconds())
		fmt.Printf("users see %.1f clusters on average\n", float64(seen)/float64(len(took)))

		start = time.Now()
		bindings := s.Bindings(model.clusters[0])
		fmt.Printf("bindings of one cluster: %d bindings in %.2f ms\n", len(bindings), float64(time.Since(start).Microseconds())/1000)

		b.ReportMetric(float64(p99.Microseconds()), "µs-p99-visible")
		b.ReportMetric(float64(built.Milliseconds()), "ms-snapshot")
	}
}

// timeVisible times Visible for every user, one call at a time, and counts the clusters seen.
func timeVisible(s *authz.Snapshot) (took []time.Duration, seen int) {
	took = make([]time.Duration, 0, authzUsers)
	for u := range authzUsers {
		start := time.Now()
		visible := s.Visible(authzUser(u))
		took = append(took, time.Since(start))
		seen += len(visible)
	}
	return took, seen
}

// authzPercentile of sorted durations, nearest rank.
func authzPercentile(sorted []time.Duration, p int) time.Duration {
	rank := (len(sorted)*p + 99) / 100
	return sorted[max(rank, 1)-1]
}

type authzModel struct {
	grants     []iamv1alpha1.RoleGrant
	groups     []iamv1alpha1.Group
	workspaces []iamv1alpha1.Workspace
	clusters   []string
}

func authzUser(i int) string      { return fmt.Sprintf("u%04d", i) }
func authzGroup(i int) string     { return fmt.Sprintf("g%03d", i) }
func authzCluster(i int) string   { return fmt.Sprintf("c%02d", i) }
func authzNamespace(i int) string { return fmt.Sprintf("ns%02d", i) }

// newAuthzModel builds a deterministic model from rng: groups of consecutive users, grants
// mixed over platform, cluster and namespace roles for users and groups, and workspaces with
// user and group members, resource groups and shared clusters.
func newAuthzModel(rng *rand.Rand) authzModel {
	var m authzModel
	for c := range authzClusters {
		m.clusters = append(m.clusters, authzCluster(c))
	}
	perGroup := authzUsers / authzGroups
	for g := range authzGroups {
		group := iamv1alpha1.Group{ObjectMeta: metav1.ObjectMeta{Name: authzGroup(g)}}
		for u := g * perGroup; u < (g+1)*perGroup; u++ {
			group.Spec.Members = append(group.Spec.Members, authzUser(u))
		}
		m.groups = append(m.groups, group)
	}
	for i := range authzGrants {
		m.grants = append(m.grants, randomGrant(rng, i))
	}
	for w := range authzWorkspaces {
		m.workspaces = append(m.workspaces, randomWorkspace(rng, w))
	}
	return m
}

func randomSubject(rng *rand.Rand) iamv1alpha1.Subject {
	if rng.IntN(1000) < authzGroupPerMille {
		return iamv1alpha1.Subject{Kind: iamv1alpha1.SubjectGroup, Name: authzGroup(rng.IntN(authzGroups))}
	}
	return iamv1alpha1.Subject{Kind: iamv1alpha1.SubjectUser, Name: authzUser(rng.IntN(authzUsers))}
}

func randomGrant(rng *rand.Rand, i int) iamv1alpha1.RoleGrant {
	spec := iamv1alpha1.RoleGrantSpec{Subject: randomSubject(rng)}
	switch kind := rng.IntN(1000); {
	case kind < authzPlatformPerMille:
		spec.Role = authzPick(rng, iamv1alpha1.RoleAdmin, iamv1alpha1.RoleKpandaOwner, iamv1alpha1.RolePlatformViewer)
	case kind < authzPlatformPerMille+authzClusterPerMille:
		spec.Role = authzPick(rng, iamv1alpha1.RoleClusterAdmin, iamv1alpha1.RoleClusterViewer)
		spec.Cluster = authzCluster(rng.IntN(authzClusters))
	default:
		spec.Role = authzPick(rng, iamv1alpha1.RoleNSAdmin, iamv1alpha1.RoleNSEditor, iamv1alpha1.RoleNSViewer)
		spec.Cluster = authzCluster(rng.IntN(authzClusters))
		spec.Namespace = authzNamespace(rng.IntN(authzNamespaces))
	}
	return iamv1alpha1.RoleGrant{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("grant-%05d", i)}, Spec: spec}
}

// randomWorkspace: 10 members, 10 resource groups, 2 shared clusters.
func randomWorkspace(rng *rand.Rand, w int) iamv1alpha1.Workspace {
	ws := iamv1alpha1.Workspace{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("w%02d", w)}}
	for range 10 {
		ws.Spec.Members = append(ws.Spec.Members, iamv1alpha1.WorkspaceMember{
			Subject: randomSubject(rng),
			Role:    authzPick(rng, iamv1alpha1.RoleWorkspaceAdmin, iamv1alpha1.RoleWorkspaceEditor, iamv1alpha1.RoleWorkspaceViewer),
		})
		ws.Spec.ResourceGroups = append(ws.Spec.ResourceGroups, iamv1alpha1.NamespaceRef{
			Cluster: authzCluster(rng.IntN(authzClusters)), Namespace: authzNamespace(rng.IntN(authzNamespaces)),
		})
	}
	first := rng.IntN(authzClusters)
	second := (first + 1 + rng.IntN(authzClusters-1)) % authzClusters // a set: no duplicate
	ws.Spec.SharedClusters = []string{authzCluster(first), authzCluster(second)}
	return ws
}

func authzPick(rng *rand.Rand, items ...string) string { return items[rng.IntN(len(items))] }
