package authz

import (
	"cmp"
	"fmt"
	"slices"

	iamv1alpha1 "github.com/kpanda/kpanda/api/iam/v1alpha1"
)

// SourceKind names where an access comes from.
type SourceKind string

// The sources of access, in the order Explain lists them: widest first.
const (
	SourcePlatformRole           SourceKind = "PlatformRole"
	SourceClusterRole            SourceKind = "ClusterRole"
	SourceNamespaceRole          SourceKind = "NamespaceRole"
	SourceWorkspaceResourceGroup SourceKind = "WorkspaceResourceGroup"
	SourceWorkspaceSharedCluster SourceKind = "WorkspaceSharedCluster"
)

var kindRank = map[SourceKind]int{
	SourcePlatformRole: 0, SourceClusterRole: 1, SourceNamespaceRole: 2,
	SourceWorkspaceResourceGroup: 3, SourceWorkspaceSharedCluster: 4,
}

// Source is one reason a user has access.
type Source struct {
	Kind SourceKind
	// Role is the RoleGrant's role, or the workspace role for workspace sources.
	Role string
	// Via is "direct" when the user holds the source, "group G" when group G does.
	Via string
	// Workspace names the workspace of workspace sources.
	Workspace string
	// Grant names the RoleGrant of role sources.
	Grant string
	// Namespace is the namespace a namespace role or resource group gives; "" for the others.
	Namespace string
	// Description says the above in one sentence.
	Description string
}

// Explain returns every source that gives user access to cluster and, when namespace is not
// "", to that namespace of it. It returns none when the user has no access or cluster is not
// integrated. A shared cluster explains the cluster but no namespace; a namespace role or
// resource group explains only its own namespace; platform and cluster roles explain every
// namespace. Sources are ordered widest first, then direct before groups.
func (s *Snapshot) Explain(user, cluster, namespace string) []Source {
	if !s.clusters[cluster] {
		return nil
	}
	var out []Source
	s.facts(user, func(f fact) {
		if explains(f, cluster, namespace) {
			out = append(out, source(f))
		}
	})
	slices.SortFunc(out, compareSources)
	return slices.Compact(out) // a workspace may list a member or namespace twice
}

// explains reports whether f gives access to cluster (and namespace, unless "").
func explains(f fact, cluster, namespace string) bool {
	switch f.kind {
	case SourcePlatformRole:
		return true
	case SourceClusterRole:
		return f.cluster == cluster
	case SourceNamespaceRole, SourceWorkspaceResourceGroup:
		return f.cluster == cluster && (namespace == "" || f.namespace == namespace)
	case SourceWorkspaceSharedCluster:
		return f.cluster == cluster && namespace == ""
	}
	return false
}

func source(f fact) Source {
	return Source{
		Kind: f.kind, Role: f.role, Via: via(f.via), Workspace: f.workspace, Grant: f.grant,
		Namespace: f.namespace, Description: describe(f),
	}
}

func describe(f fact) string {
	holder := viaPhrase(f.via)
	switch f.kind {
	case SourcePlatformRole:
		return fmt.Sprintf("platform role %s %s (RoleGrant %s) gives every cluster", f.role, holder, f.grant)
	case SourceClusterRole:
		return fmt.Sprintf("cluster role %s %s (RoleGrant %s) gives every namespace of cluster %s", f.role, holder, f.grant, f.cluster)
	case SourceNamespaceRole:
		return fmt.Sprintf("namespace role %s %s (RoleGrant %s) gives namespace %s of cluster %s", f.role, holder, f.grant, f.namespace, f.cluster)
	case SourceWorkspaceResourceGroup:
		return fmt.Sprintf("workspace role %s in workspace %s %s gives namespace %s of cluster %s (a resource group, as %s)",
			f.role, f.workspace, holder, f.namespace, f.cluster, iamv1alpha1.WorkspaceNamespaceRoles[f.role])
	case SourceWorkspaceSharedCluster:
		return fmt.Sprintf("workspace role %s in workspace %s %s gives cluster %s (a shared cluster: the cluster only, no namespace)",
			f.role, f.workspace, holder, f.cluster)
	}
	return ""
}

func compareSources(a, b Source) int {
	return cmp.Or(
		cmp.Compare(kindRank[a.Kind], kindRank[b.Kind]),
		cmp.Compare(a.Via, b.Via), // "direct" sorts before "group …"
		cmp.Compare(a.Workspace, b.Workspace),
		cmp.Compare(a.Grant, b.Grant),
		cmp.Compare(a.Role, b.Role),
		cmp.Compare(a.Namespace, b.Namespace),
	)
}

// via renders who holds a source, as Source.Via shows it.
func via(sub iamv1alpha1.Subject) string {
	if sub.Kind == iamv1alpha1.SubjectGroup {
		return "group " + sub.Name
	}
	return "direct"
}

// viaPhrase is via inside a sentence: "directly" or "through group G".
func viaPhrase(sub iamv1alpha1.Subject) string {
	if sub.Kind == iamv1alpha1.SubjectGroup {
		return "through group " + sub.Name
	}
	return "directly"
}
