package authz_test

import (
	"reflect"
	"regexp"
	"slices"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	iamv1alpha1 "github.com/kpanda/kpanda/api/iam/v1alpha1"
	"github.com/kpanda/kpanda/internal/authz"
)

func TestBindings(t *testing.T) {
	alice, ops := fxUser("alice"), fxGroupSubject("ops")
	tests := []struct {
		name    string
		fixture accessFixture
		want    map[string][]string // cluster -> bindingRow; clusters not listed want none
	}{
		{"two grants and a workspace on one namespace: one binding, three sources", accessFixture{
			grants: []iamv1alpha1.RoleGrant{
				fxGrant("ns-viewer-alice", iamv1alpha1.RoleNSViewer, alice, "c1/ns1"),
				fxGrant("ns-viewer-alice-2", iamv1alpha1.RoleNSViewer, alice, "c1/ns1"),
			},
			workspaces: []iamv1alpha1.Workspace{fxWorkspace("w2", []iamv1alpha1.WorkspaceMember{
				fxMember(alice, iamv1alpha1.RoleWorkspaceViewer),
				fxMember(alice, iamv1alpha1.RoleWorkspaceViewer), // listed twice: still one source
			}, []string{"c1/ns1", "c1/ns1"})},
		}, map[string][]string{"c1": {
			"ns1 role-template-ns-view User:kpanda:alice [RoleGrant ns-viewer-alice RoleGrant ns-viewer-alice-2 Workspace w2 (workspace-viewer)]",
		}}},
		{"admin and kpanda-owner: one cluster-admin binding in every cluster", accessFixture{grants: []iamv1alpha1.RoleGrant{
			fxGrant("admin-alice", iamv1alpha1.RoleAdmin, alice, ""),
			fxGrant("owner-alice", iamv1alpha1.RoleKpandaOwner, alice, ""),
		}}, everyCluster(" role-template-cluster-admin User:kpanda:alice [RoleGrant admin-alice RoleGrant owner-alice]")},
		{"platform-viewer: cluster-view in every cluster", accessFixture{grants: []iamv1alpha1.RoleGrant{
			fxGrant("pv-ops", iamv1alpha1.RolePlatformViewer, ops, ""),
		}}, everyCluster(" role-template-cluster-view Group:kpanda:ops [RoleGrant pv-ops]")},
		{"cluster roles bind in their cluster only", accessFixture{grants: []iamv1alpha1.RoleGrant{
			fxGrant("ca", iamv1alpha1.RoleClusterAdmin, alice, "c1"),
			fxGrant("cv", iamv1alpha1.RoleClusterViewer, ops, "c2"),
		}}, map[string][]string{
			"c1": {" role-template-cluster-admin User:kpanda:alice [RoleGrant ca]"},
			"c2": {" role-template-cluster-view Group:kpanda:ops [RoleGrant cv]"},
		}},
		{"a platform and a cluster role of one group meet in one cluster", accessFixture{grants: []iamv1alpha1.RoleGrant{
			fxGrant("admin-ops", iamv1alpha1.RoleAdmin, ops, ""),
			fxGrant("ca-ops", iamv1alpha1.RoleClusterAdmin, ops, "c2"),
		}}, map[string][]string{
			"c1": {" role-template-cluster-admin Group:kpanda:ops [RoleGrant admin-ops]"},
			"c2": {" role-template-cluster-admin Group:kpanda:ops [RoleGrant admin-ops RoleGrant ca-ops]"},
			"c3": {" role-template-cluster-admin Group:kpanda:ops [RoleGrant admin-ops]"},
			"c4": {" role-template-cluster-admin Group:kpanda:ops [RoleGrant admin-ops]"},
			"c5": {" role-template-cluster-admin Group:kpanda:ops [RoleGrant admin-ops]"},
		}},
		{"namespace roles map to their templates and stay apart", accessFixture{grants: []iamv1alpha1.RoleGrant{
			fxGrant("a", iamv1alpha1.RoleNSAdmin, alice, "c1/ns1"),
			fxGrant("e", iamv1alpha1.RoleNSEditor, alice, "c1/ns1"),
			fxGrant("v", iamv1alpha1.RoleNSViewer, alice, "c1/ns2"),
		}}, map[string][]string{"c1": {
			"ns1 role-template-ns-admin User:kpanda:alice [RoleGrant a]",
			"ns1 role-template-ns-edit User:kpanda:alice [RoleGrant e]",
			"ns2 role-template-ns-view User:kpanda:alice [RoleGrant v]",
		}}},
		{"a user and a group of the same name stay apart", accessFixture{grants: []iamv1alpha1.RoleGrant{
			fxGrant("u", iamv1alpha1.RoleClusterAdmin, fxUser("ops"), "c1"),
			fxGrant("g", iamv1alpha1.RoleClusterAdmin, ops, "c1"),
		}}, map[string][]string{"c1": {
			" role-template-cluster-admin User:kpanda:ops [RoleGrant u]",
			" role-template-cluster-admin Group:kpanda:ops [RoleGrant g]",
		}}},
		{"workspace members × resource groups, groups not expanded, shared clusters bind nothing", accessFixture{
			groups: []iamv1alpha1.Group{fxGroup("web", "alice", "bob")},
			workspaces: []iamv1alpha1.Workspace{fxWorkspace("w1", []iamv1alpha1.WorkspaceMember{
				fxMember(fxGroupSubject("web"), iamv1alpha1.RoleWorkspaceAdmin),
				fxMember(fxUser("carol"), iamv1alpha1.RoleWorkspaceEditor),
				fxMember(fxUser("dave"), iamv1alpha1.RoleWorkspaceViewer),
			}, []string{"c3/ns3", "c3/ns4", "c9/ns9"}, "c4", "c3")},
		}, map[string][]string{"c3": {
			"ns3 role-template-ns-admin Group:kpanda:web [Workspace w1 (workspace-admin)]",
			"ns3 role-template-ns-edit User:kpanda:carol [Workspace w1 (workspace-editor)]",
			"ns3 role-template-ns-view User:kpanda:dave [Workspace w1 (workspace-viewer)]",
			"ns4 role-template-ns-admin Group:kpanda:web [Workspace w1 (workspace-admin)]",
			"ns4 role-template-ns-edit User:kpanda:carol [Workspace w1 (workspace-editor)]",
			"ns4 role-template-ns-view User:kpanda:dave [Workspace w1 (workspace-viewer)]",
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.fixture.snapshot()
			for _, c := range append(slices.Clone(integrated), "c9") {
				got := s.Bindings(c)
				var rows []string
				for _, b := range got {
					rows = append(rows, bindingRow(b))
				}
				assertRows(t, "Bindings("+c+")", rows, tt.want[c])
				assertWellFormed(t, c, got)
			}
		})
	}
}

func everyCluster(rows ...string) map[string][]string {
	out := map[string][]string{}
	for _, c := range integrated {
		out[c] = rows
	}
	return out
}

var bindingNamePattern = regexp.MustCompile(`^kpanda-[0-9a-f]{16}$`)

// assertWellFormed checks what every binding list promises: valid unique names, sorted by
// (Namespace, Name), subjects in the RBAC API group, sources sorted and deduplicated.
func assertWellFormed(t *testing.T, cluster string, bindings []authz.Binding) {
	t.Helper()
	sorted := slices.IsSortedFunc(bindings, func(a, b authz.Binding) int {
		if a.Namespace != b.Namespace {
			return compareStrings(a.Namespace, b.Namespace)
		}
		return compareStrings(a.Name, b.Name)
	})
	if !sorted {
		t.Errorf("Bindings(%s) not sorted by (Namespace, Name): %+v", cluster, bindings)
	}
	names := map[string]bool{}
	for _, b := range bindings {
		if !bindingNamePattern.MatchString(b.Name) || len(validation.IsDNS1123Subdomain(b.Name)) > 0 {
			t.Errorf("Bindings(%s): name %q is not kpanda-<16 hex>", cluster, b.Name)
		}
		if names[b.Namespace+"/"+b.Name] {
			t.Errorf("Bindings(%s): name %s/%s twice", cluster, b.Namespace, b.Name)
		}
		names[b.Namespace+"/"+b.Name] = true
		if b.Subject.APIGroup != rbacv1.GroupName {
			t.Errorf("Bindings(%s): subject %+v not in API group %s", cluster, b.Subject, rbacv1.GroupName)
		}
		if !slices.IsSorted(b.Sources) || len(slices.Compact(slices.Clone(b.Sources))) != len(b.Sources) {
			t.Errorf("Bindings(%s): sources %v not sorted and unique", cluster, b.Sources)
		}
	}
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestBindingNamesStable: the binding controller finds its bindings by name, so a name must
// depend only on template, namespace and subject: not on the cluster, the call, the order of
// the inputs or which source made the binding. The pinned names catch a change of the hash,
// which would make every member drop and recreate every binding.
func TestBindingNamesStable(t *testing.T) {
	all := bystanders().plus(nsViewerDirect, clusterAdminViaGroup, workspaceViaGroup, adminViaGroup)
	s := all.snapshot()
	reversed := authz.NewSnapshot(reversedCopy(all.grants), reversedCopy(all.groups), reversedCopy(all.workspaces), reversedCopy(integrated))
	platformNames := map[string]bool{}
	for _, c := range integrated {
		first := s.Bindings(c)
		if len(first) == 0 {
			t.Fatalf("Bindings(%s) is empty; the fixture gives every cluster a platform binding", c)
		}
		if again := s.Bindings(c); !reflect.DeepEqual(first, again) {
			t.Errorf("Bindings(%s) changed between two calls:\n  %+v\n  %+v", c, first, again)
		}
		if other := reversed.Bindings(c); !reflect.DeepEqual(first, other) {
			t.Errorf("Bindings(%s) depends on the order of the inputs:\n  %+v\n  %+v", c, first, other)
		}
		for _, b := range first {
			if b.Subject.Name == "kpanda:ops" {
				platformNames[b.Name] = true
			}
		}
	}
	if len(platformNames) != 1 {
		t.Errorf("the platform binding of group ops has names %v across clusters, want one", platformNames)
	}

	// Pinned values are sha256sum of "template\0namespace\0kind\0name\0", first 16 hex.
	pinned := []struct {
		cluster, namespace, template, subject, name string
	}{
		{"c1", "", authz.ClusterRoleClusterAdmin, "kpanda:ops", "kpanda-1020c301fd11cc4a"},
		{"c1", "ns1", authz.ClusterRoleNSView, "kpanda:alice", "kpanda-d218c4f51f261148"},
		{"c3", "ns3", authz.ClusterRoleNSEdit, "kpanda:web", "kpanda-1dcc560b79ceec85"},
	}
	for _, p := range pinned {
		t.Run(p.template+" "+p.namespace+" "+p.subject, func(t *testing.T) {
			i := slices.IndexFunc(s.Bindings(p.cluster), func(b authz.Binding) bool {
				return b.Namespace == p.namespace && b.RoleTemplate == p.template && b.Subject.Name == p.subject
			})
			if i < 0 {
				t.Fatalf("no binding of %s in %s/%q for %s", p.template, p.cluster, p.namespace, p.subject)
			}
			if got := s.Bindings(p.cluster)[i].Name; got != p.name {
				t.Fatalf("name = %s, want %s", got, p.name)
			}
		})
	}
}

func reversedCopy[T any](items []T) []T {
	out := slices.Clone(items)
	slices.Reverse(out)
	return out
}
