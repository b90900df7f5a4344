// Package authz decides who sees what in kpanda and which RBAC bindings each member cluster
// needs. It is pure computation over the iam.kpanda.io objects (RoleGrants, Groups,
// Workspaces) and the list of integrated clusters: no client, no cluster. The REST API's
// visibility, the explain command and the binding controller all call it, so they agree.
//
// It decides three things (seed FAQ 2):
//   - visibility: which clusters, and which namespaces of them, a user sees, from platform roles,
//     cluster and namespace roles, and workspaces (resource groups and shared clusters), held by
//     the user directly or through one of the user's groups;
//   - explanation: every source that gives a user a cluster or namespace;
//   - bindings: the RoleBindings and ClusterRoleBindings of the role templates each member
//     cluster needs.
//
// Visibility only chooses what kpanda lists. Enforcement is the member apiserver's RBAC: kpanda
// impersonates the calling user as kpanda:<user> with groups kpanda:<group>, and the bindings
// compiled here, for exactly those subjects, are what the member checks.
package authz

import (
	"slices"

	iamv1alpha1 "github.com/kpanda/kpanda/api/iam/v1alpha1"
)

// Names of the ClusterRoles (role templates) that the compiled bindings refer to. Every member
// cluster carries them.
const (
	ClusterRoleClusterAdmin = "role-template-cluster-admin"
	ClusterRoleClusterView  = "role-template-cluster-view"
	ClusterRoleNSAdmin      = "role-template-ns-admin"
	ClusterRoleNSEdit       = "role-template-ns-edit"
	ClusterRoleNSView       = "role-template-ns-view"
)

// subjectPrefix keeps kpanda identities apart from a member cluster's own users and groups.
const subjectPrefix = "kpanda:"

// UserSubject is the name a kpanda user has in member clusters.
func UserSubject(user string) string { return subjectPrefix + user }

// GroupSubject is the name a kpanda group has in member clusters.
func GroupSubject(group string) string { return subjectPrefix + group }

// clusterRoleOfRole maps every role that yields a binding to the role template it binds.
// Workspace roles go through iamv1alpha1.WorkspaceNamespaceRoles first.
var clusterRoleOfRole = map[string]string{
	iamv1alpha1.RoleAdmin:          ClusterRoleClusterAdmin,
	iamv1alpha1.RoleKpandaOwner:    ClusterRoleClusterAdmin,
	iamv1alpha1.RolePlatformViewer: ClusterRoleClusterView,
	iamv1alpha1.RoleClusterAdmin:   ClusterRoleClusterAdmin,
	iamv1alpha1.RoleClusterViewer:  ClusterRoleClusterView,
	iamv1alpha1.RoleNSAdmin:        ClusterRoleNSAdmin,
	iamv1alpha1.RoleNSEditor:       ClusterRoleNSEdit,
	iamv1alpha1.RoleNSViewer:       ClusterRoleNSView,
}

// grant is a RoleGrant that passed the scope checks, flattened for the indexes.
type grant struct {
	name      string
	role      string
	scope     iamv1alpha1.Scope
	subject   iamv1alpha1.Subject
	cluster   string // "" for platform roles
	namespace string // "" for platform and cluster roles
}

// membership is one member entry of a workspace: subject holds role in ws.
type membership struct {
	ws      *iamv1alpha1.Workspace
	subject iamv1alpha1.Subject
	role    string
}

// resourceGroup is one namespace bound to a workspace, indexed by cluster for Bindings.
type resourceGroup struct {
	ws        *iamv1alpha1.Workspace
	namespace string
}

// Snapshot is the access model at one moment; build once per request or reconcile. It is
// read-only after NewSnapshot and safe for concurrent use.
type Snapshot struct {
	clusters    map[string]bool
	clusterList []string // sorted

	groupsOf map[string][]string // user -> sorted group names

	// identityGroups are the groups an identity provider vouched for at login (OIDC), by user,
	// set by WithGroups. They count exactly as Group membership does.
	identityGroups map[string][]string

	// Indexes by subject make Visible and Explain cost what the user holds, not what exists.
	grantsOf      map[iamv1alpha1.Subject][]grant
	membershipsOf map[iamv1alpha1.Subject][]membership

	// Indexes by cluster make Bindings cost what the cluster holds.
	platformGrants   []grant
	grantsIn         map[string][]grant // cluster and namespace grants by cluster
	resourceGroupsIn map[string][]resourceGroup
	workspaceByName  map[string]*iamv1alpha1.Workspace
	membersOf        map[*iamv1alpha1.Workspace][]membership // members with a known role
}

// NewSnapshot indexes grants, groups and workspaces. Only clusters listed in clusters count:
// a grant or workspace entry naming any other cluster gives nothing. RoleGrants with an unknown
// role or fields that do not fit the role's scope, and workspace members with an unknown role,
// are ignored: the API rejects them, and a stray one must not widen or break anything.
func NewSnapshot(grants []iamv1alpha1.RoleGrant, groups []iamv1alpha1.Group, workspaces []iamv1alpha1.Workspace, clusters []string) *Snapshot {
	s := &Snapshot{
		clusters:         map[string]bool{},
		groupsOf:         map[string][]string{},
		grantsOf:         map[iamv1alpha1.Subject][]grant{},
		membershipsOf:    map[iamv1alpha1.Subject][]membership{},
		grantsIn:         map[string][]grant{},
		resourceGroupsIn: map[string][]resourceGroup{},
		workspaceByName:  map[string]*iamv1alpha1.Workspace{},
		membersOf:        map[*iamv1alpha1.Workspace][]membership{},
	}
	s.indexClusters(clusters)
	s.indexGroups(groups)
	s.indexGrants(grants)
	s.indexWorkspaces(workspaces)
	return s
}

func (s *Snapshot) indexClusters(clusters []string) {
	for _, c := range clusters {
		if c != "" && !s.clusters[c] {
			s.clusters[c] = true
			s.clusterList = append(s.clusterList, c)
		}
	}
	slices.Sort(s.clusterList)
}

func (s *Snapshot) indexGroups(groups []iamv1alpha1.Group) {
	for _, g := range groups {
		if g.Name == "" {
			continue
		}
		for _, user := range g.Spec.Members {
			if user != "" && !slices.Contains(s.groupsOf[user], g.Name) {
				s.groupsOf[user] = append(s.groupsOf[user], g.Name)
			}
		}
	}
	for _, names := range s.groupsOf {
		slices.Sort(names)
	}
}

func (s *Snapshot) indexGrants(grants []iamv1alpha1.RoleGrant) {
	for i := range grants {
		g, ok := validGrant(&grants[i])
		if !ok {
			continue
		}
		s.grantsOf[g.subject] = append(s.grantsOf[g.subject], g)
		if g.scope == iamv1alpha1.ScopePlatform {
			s.platformGrants = append(s.platformGrants, g)
		} else if s.clusters[g.cluster] {
			s.grantsIn[g.cluster] = append(s.grantsIn[g.cluster], g)
		}
	}
}

// validGrant flattens a RoleGrant, or refuses one the API would have rejected.
func validGrant(rg *iamv1alpha1.RoleGrant) (grant, bool) {
	spec := rg.Spec
	scope, known := iamv1alpha1.RoleScopes[spec.Role]
	if !known || !validSubject(spec.Subject) {
		return grant{}, false
	}
	var fits bool
	switch scope {
	case iamv1alpha1.ScopePlatform:
		fits = spec.Cluster == "" && spec.Namespace == ""
	case iamv1alpha1.ScopeCluster:
		fits = spec.Cluster != "" && spec.Namespace == ""
	case iamv1alpha1.ScopeNamespace:
		fits = spec.Cluster != "" && spec.Namespace != ""
	}
	if !fits {
		return grant{}, false
	}
	return grant{
		name: rg.Name, role: spec.Role, scope: scope, subject: spec.Subject,
		cluster: spec.Cluster, namespace: spec.Namespace,
	}, true
}

func validSubject(sub iamv1alpha1.Subject) bool {
	return sub.Name != "" && (sub.Kind == iamv1alpha1.SubjectUser || sub.Kind == iamv1alpha1.SubjectGroup)
}

func (s *Snapshot) indexWorkspaces(workspaces []iamv1alpha1.Workspace) {
	for i := range workspaces {
		ws := &workspaces[i]
		s.workspaceByName[ws.Name] = ws
		for _, m := range ws.Spec.Members {
			if _, known := iamv1alpha1.WorkspaceNamespaceRoles[m.Role]; !known || !validSubject(m.Subject) {
				continue
			}
			mem := membership{ws: ws, subject: m.Subject, role: m.Role}
			s.membershipsOf[m.Subject] = append(s.membershipsOf[m.Subject], mem)
			s.membersOf[ws] = append(s.membersOf[ws], mem)
		}
		for _, ref := range ws.Spec.ResourceGroups {
			if ref.Namespace != "" && s.clusters[ref.Cluster] {
				s.resourceGroupsIn[ref.Cluster] = append(s.resourceGroupsIn[ref.Cluster], resourceGroup{ws: ws, namespace: ref.Namespace})
			}
		}
	}
}

// GroupsOf returns the sorted names of the groups user is a member of: the Groups that list
// the user, and the groups WithGroups added.
func (s *Snapshot) GroupsOf(user string) []string {
	return slices.Clone(s.groupNames(user))
}

// groupNames is GroupsOf without the copy: callers must not change it.
func (s *Snapshot) groupNames(user string) []string {
	extra := s.identityGroups[user]
	if len(extra) == 0 {
		return s.groupsOf[user]
	}
	return slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(s.groupsOf[user]), extra...))))
}

// WithGroups returns the snapshot as seen by a caller whose token says user is in groups
// (the groups claim of an OIDC login): those groups' grants and workspace memberships count for
// user as if Groups listed it. s itself is unchanged; the copy shares its indexes, so this costs
// what the groups do, not what the model holds.
func (s *Snapshot) WithGroups(user string, groups []string) *Snapshot {
	if user == "" || len(groups) == 0 {
		return s
	}
	view := *s
	view.identityGroups = map[string][]string{user: slices.DeleteFunc(slices.Clone(groups), func(g string) bool { return g == "" })}
	return &view
}

// subjectsOf is the user followed by the user's groups: everything whose roles the user holds.
func (s *Snapshot) subjectsOf(user string) []iamv1alpha1.Subject {
	if user == "" {
		return nil
	}
	groups := s.groupNames(user)
	subjects := make([]iamv1alpha1.Subject, 0, 1+len(groups))
	subjects = append(subjects, iamv1alpha1.Subject{Kind: iamv1alpha1.SubjectUser, Name: user})
	for _, g := range groups {
		subjects = append(subjects, iamv1alpha1.Subject{Kind: iamv1alpha1.SubjectGroup, Name: g})
	}
	return subjects
}

// holdsPlatformRole reports whether user holds a platform role, directly or through a group.
func (s *Snapshot) holdsPlatformRole(user string) bool {
	for _, sub := range s.subjectsOf(user) {
		for _, g := range s.grantsOf[sub] {
			if g.scope == iamv1alpha1.ScopePlatform {
				return true
			}
		}
	}
	return false
}

// fact is one source of access of a user, before it is turned into visibility or an
// explanation. Visible, CanSee and Explain all read the same facts, so they cannot disagree.
type fact struct {
	kind      SourceKind
	role      string // the RoleGrant's role, or the workspace role
	via       iamv1alpha1.Subject
	grant     string
	workspace string
	cluster   string // "" for platform roles: every cluster
	namespace string // "" when the fact covers the whole cluster
}

// facts calls yield for every source of access of user on an integrated cluster. Platform
// roles yield one fact with no cluster.
func (s *Snapshot) facts(user string, yield func(fact)) {
	for _, sub := range s.subjectsOf(user) {
		for _, g := range s.grantsOf[sub] {
			if g.scope != iamv1alpha1.ScopePlatform && !s.clusters[g.cluster] {
				continue
			}
			yield(fact{kind: kindOfScope[g.scope], role: g.role, via: sub, grant: g.name, cluster: g.cluster, namespace: g.namespace})
		}
		for _, m := range s.membershipsOf[sub] {
			s.workspaceFacts(m, yield)
		}
	}
}

// workspaceFacts yields what one workspace membership gives: its resource groups and shared
// clusters on integrated clusters.
func (s *Snapshot) workspaceFacts(m membership, yield func(fact)) {
	for _, ref := range m.ws.Spec.ResourceGroups {
		if ref.Namespace == "" || !s.clusters[ref.Cluster] {
			continue
		}
		yield(fact{kind: SourceWorkspaceResourceGroup, role: m.role, via: m.subject, workspace: m.ws.Name, cluster: ref.Cluster, namespace: ref.Namespace})
	}
	for _, c := range m.ws.Spec.SharedClusters {
		if !s.clusters[c] {
			continue
		}
		yield(fact{kind: SourceWorkspaceSharedCluster, role: m.role, via: m.subject, workspace: m.ws.Name, cluster: c})
	}
}

var kindOfScope = map[iamv1alpha1.Scope]SourceKind{
	iamv1alpha1.ScopePlatform:  SourcePlatformRole,
	iamv1alpha1.ScopeCluster:   SourceClusterRole,
	iamv1alpha1.ScopeNamespace: SourceNamespaceRole,
}
