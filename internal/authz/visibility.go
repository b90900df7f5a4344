package authz

import (
	"maps"
	"slices"

	iamv1alpha1 "github.com/kpanda/kpanda/api/iam/v1alpha1"
)

// Access is what one user may see of one cluster.
type Access struct {
	Cluster string
	// AllNamespaces: the user sees every namespace of the cluster.
	AllNamespaces bool
	// Namespaces the user sees, sorted; nil when AllNamespaces. Empty with AllNamespaces false
	// means the cluster is visible (a workspace shares it) but none of its namespaces are.
	Namespaces []string
}

// Visible returns the clusters user sees, sorted by cluster (seed FAQ 2):
//   - a platform role of the user or of one of the user's groups: every cluster, all namespaces;
//   - a cluster role on C: C, all namespaces;
//   - a namespace role on C/N: C limited to N; namespaces of several sources accumulate;
//   - workspace membership, directly or through a group: a resource group C/N gives C limited
//     to N; a shared cluster C makes C visible without adding any namespace.
//
// Only integrated clusters (those passed to NewSnapshot) appear.
func (s *Snapshot) Visible(user string) []Access {
	if s.holdsPlatformRole(user) {
		// Short cut: nothing can add to "everything", and platform users are the ones who
		// would otherwise pay for the most facts.
		return s.everything()
	}
	seen := visibilityByCluster{}
	s.facts(user, func(f fact) { seen.add(f) })
	return seen.accesses()
}

func (s *Snapshot) everything() []Access {
	all := make([]Access, len(s.clusterList))
	for i, c := range s.clusterList {
		all[i] = Access{Cluster: c, AllNamespaces: true}
	}
	return all
}

// CanSee reports whether user sees cluster at all (some namespace, all of them, or only the
// cluster through a workspace's shared cluster).
func (s *Snapshot) CanSee(user, cluster string) bool {
	if !s.clusters[cluster] {
		return false
	}
	found := false
	s.facts(user, func(f fact) { found = found || f.cluster == "" || f.cluster == cluster })
	return found
}

// visibility accumulates the facts of one cluster.
type visibility struct {
	all        bool
	namespaces map[string]bool
}

type visibilityByCluster map[string]*visibility

// add folds one fact in; a platform fact never reaches here (Visible short-cuts it).
func (v visibilityByCluster) add(f fact) {
	acc := v[f.cluster]
	if acc == nil {
		acc = &visibility{namespaces: map[string]bool{}}
		v[f.cluster] = acc
	}
	switch f.kind {
	case SourceClusterRole:
		acc.all = true
	case SourceNamespaceRole, SourceWorkspaceResourceGroup:
		acc.namespaces[f.namespace] = true
	case SourceWorkspaceSharedCluster:
		// The cluster is visible, which creating acc above recorded; no namespace comes with it.
	}
}

func (v visibilityByCluster) accesses() []Access {
	out := make([]Access, 0, len(v))
	for _, c := range slices.Sorted(maps.Keys(v)) {
		acc := v[c]
		a := Access{Cluster: c, AllNamespaces: acc.all}
		if !acc.all && len(acc.namespaces) > 0 {
			a.Namespaces = slices.Sorted(maps.Keys(acc.namespaces))
		}
		out = append(out, a)
	}
	return out
}

// WorkspaceAuthorizations lists the members of workspace as its authorization tab shows them:
// users who hold a platform role, directly or through a group, are left out because they see
// everything anyway (seed FAQ 2); groups are always kept. Members keep the workspace's order.
// It returns nil for an unknown workspace.
func (s *Snapshot) WorkspaceAuthorizations(workspace string) []iamv1alpha1.WorkspaceMember {
	ws := s.workspaceByName[workspace]
	if ws == nil {
		return nil
	}
	out := make([]iamv1alpha1.WorkspaceMember, 0, len(ws.Spec.Members))
	for _, m := range ws.Spec.Members {
		if m.Kind == iamv1alpha1.SubjectUser && s.holdsPlatformRole(m.Name) {
			continue
		}
		out = append(out, m)
	}
	return out
}
