package authz

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"slices"

	rbacv1 "k8s.io/api/rbac/v1"

	iamv1alpha1 "github.com/kpanda/kpanda/api/iam/v1alpha1"
)

// Binding is one RBAC binding a member cluster needs.
type Binding struct {
	// Name is "kpanda-" and 16 hex digits of a hash of role template, namespace and subject: the
	// same binding has the same name in every cluster and every reconcile, so the controller
	// can tell what to keep and what to delete by name alone.
	Name string
	// Namespace of the RoleBinding; "" means a ClusterRoleBinding.
	Namespace string
	// RoleTemplate is the name of the ClusterRole bound (ClusterRoleClusterAdmin, …).
	RoleTemplate string
	// Subject is kpanda:<user> (User) or kpanda:<group> (Group).
	Subject rbacv1.Subject
	// Sources say why the binding exists, sorted and deduplicated: "RoleGrant <name>" or
	// "Workspace <name> (<workspace role>)".
	Sources []string
}

// bindingKey is what makes two bindings the same; Name is derived from it.
type bindingKey struct {
	template  string
	namespace string
	subject   iamv1alpha1.Subject
}

// Bindings returns every binding cluster needs, sorted by (Namespace, Name); none for a cluster
// that is not integrated. The same role template, namespace and subject reached from several
// sources is one binding listing every source.
//   - admin, kpanda-owner: a ClusterRoleBinding to ClusterRoleClusterAdmin in every cluster;
//     platform-viewer: to ClusterRoleClusterView;
//   - cluster-admin / cluster-viewer on the cluster: the same two, in that cluster only;
//   - ns-admin / ns-editor / ns-viewer on C/N: a RoleBinding in N to ClusterRoleNSAdmin /
//     ClusterRoleNSEdit / ClusterRoleNSView;
//   - each workspace member times each resource group in the cluster: a RoleBinding in the
//     namespace to the template of the member's workspace role;
//   - shared clusters: nothing, they give visibility only.
//
// Subjects are bound as granted: groups stay groups and are not expanded into their users,
// because kpanda impersonates each user together with the user's groups and the member's
// apiserver resolves them; a membership change then needs no binding change.
func (s *Snapshot) Bindings(cluster string) []Binding {
	if !s.clusters[cluster] {
		return nil
	}
	out := bindingSet{}
	for _, g := range s.platformGrants {
		out.add(clusterRoleOfRole[g.role], "", g.subject, "RoleGrant "+g.name)
	}
	for _, g := range s.grantsIn[cluster] {
		out.add(clusterRoleOfRole[g.role], g.namespace, g.subject, "RoleGrant "+g.name)
	}
	for _, rg := range s.resourceGroupsIn[cluster] {
		for _, m := range s.membersOf[rg.ws] {
			clusterRole := clusterRoleOfRole[iamv1alpha1.WorkspaceNamespaceRoles[m.role]]
			out.add(clusterRole, rg.namespace, m.subject, "Workspace "+rg.ws.Name+" ("+m.role+")")
		}
	}
	return out.sorted()
}

type bindingSet map[bindingKey]*Binding

func (set bindingSet) add(template, namespace string, sub iamv1alpha1.Subject, source string) {
	key := bindingKey{template: template, namespace: namespace, subject: sub}
	b := set[key]
	if b == nil {
		b = newBinding(key)
		set[key] = b
	}
	b.Sources = append(b.Sources, source)
}

func newBinding(key bindingKey) *Binding {
	subject := rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: UserSubject(key.subject.Name)}
	if key.subject.Kind == iamv1alpha1.SubjectGroup {
		subject = rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: GroupSubject(key.subject.Name)}
	}
	return &Binding{
		Name:         bindingName(key.template, key.namespace, subject),
		Namespace:    key.namespace,
		RoleTemplate: key.template,
		Subject:      subject,
	}
}

// bindingName hashes what identifies a binding. NUL separators keep ("a","bc") and ("ab","c")
// apart; 16 hex digits (64 bits) keep names short, valid DNS labels and collision-free for any
// realistic number of bindings in one namespace.
func bindingName(template, namespace string, subject rbacv1.Subject) string {
	h := sha256.New()
	for _, part := range []string{template, namespace, subject.Kind, subject.Name} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return "kpanda-" + hex.EncodeToString(h.Sum(nil))[:16]
}

func (set bindingSet) sorted() []Binding {
	out := make([]Binding, 0, len(set))
	for _, b := range set {
		slices.Sort(b.Sources)
		b.Sources = slices.Compact(b.Sources)
		out = append(out, *b)
	}
	slices.SortFunc(out, func(a, b Binding) int {
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
	})
	return out
}
