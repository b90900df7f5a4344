package authz_test

import (
	"slices"
	"strings"
	"testing"

	iamv1alpha1 "github.com/kpanda/kpanda/api/iam/v1alpha1"
)

// TestExplainNamespace: with a namespace, only sources that reach that namespace explain it.
func TestExplainNamespace(t *testing.T) {
	alice := fxUser("alice")
	nsViewer := nsViewerDirect
	plusClusterViewer := nsViewerDirect.plus(accessFixture{grants: []iamv1alpha1.RoleGrant{
		fxGrant("cv-alice", iamv1alpha1.RoleClusterViewer, alice, "c1"),
	}})
	tests := []struct {
		name               string
		fixture            accessFixture
		cluster, namespace string
		want               []string // sourceRow, in Explain's order
	}{
		{"namespace role explains its namespace", nsViewer, "c1", "ns1",
			[]string{"NamespaceRole ns-viewer via=direct grant=ns-viewer-alice ns=ns1"}},
		{"namespace role does not explain another namespace", nsViewer, "c1", "ns2", nil},
		{"namespace role does not explain the namespace in another cluster", nsViewer, "c2", "ns1", nil},
		{"cluster role explains any namespace", plusClusterViewer, "c1", "ns2",
			[]string{"ClusterRole cluster-viewer via=direct grant=cv-alice"}},
		{"cluster role first, then the namespace role", plusClusterViewer, "c1", "ns1", []string{
			"ClusterRole cluster-viewer via=direct grant=cv-alice",
			"NamespaceRole ns-viewer via=direct grant=ns-viewer-alice ns=ns1",
		}},
		{"resource group explains its namespace", workspaceViaGroup, "c3", "ns3",
			[]string{"WorkspaceResourceGroup workspace-editor via=group web ws=w1 ns=ns3"}},
		{"resource group does not explain another namespace", workspaceViaGroup, "c3", "ns4", nil},
		{"shared cluster explains the cluster", workspaceViaGroup, "c4", "",
			[]string{"WorkspaceSharedCluster workspace-editor via=group web ws=w1"}},
		{"shared cluster explains no namespace", workspaceViaGroup, "c4", "ns4", nil},
		{"platform role explains any namespace of any cluster", adminViaGroup, "c5", "anything",
			[]string{"PlatformRole admin via=group ops grant=admin-ops"}},
		{"platform role does not explain a cluster that is not integrated", adminViaGroup, "c9", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sourceRows(tt.fixture.snapshot().Explain("alice", tt.cluster, tt.namespace))
			if !slices.Equal(got, tt.want) {
				t.Fatalf("Explain(alice, %s, %q) =\n  %s\nwant\n  %s", tt.cluster, tt.namespace,
					strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}

// TestExplainOrderAndDescriptions: every kind of source on one namespace, listed widest first,
// direct before groups, each with its sentence; a member listed twice is explained once.
func TestExplainOrderAndDescriptions(t *testing.T) {
	alice := fxUser("alice")
	f := accessFixture{
		groups: []iamv1alpha1.Group{fxGroup("ops", "alice"), fxGroup("devs", "alice"), fxGroup("web", "alice")},
		grants: []iamv1alpha1.RoleGrant{
			fxGrant("ns-admin-devs", iamv1alpha1.RoleNSAdmin, fxGroupSubject("devs"), "c1/ns1"),
			fxGrant("ns-viewer-alice", iamv1alpha1.RoleNSViewer, alice, "c1/ns1"),
			fxGrant("cv-alice", iamv1alpha1.RoleClusterViewer, alice, "c1"),
			fxGrant("admin-ops", iamv1alpha1.RoleAdmin, fxGroupSubject("ops"), ""),
			fxGrant("pv-alice", iamv1alpha1.RolePlatformViewer, alice, ""),
		},
		workspaces: []iamv1alpha1.Workspace{
			fxWorkspace("w1", []iamv1alpha1.WorkspaceMember{
				fxMember(fxGroupSubject("web"), iamv1alpha1.RoleWorkspaceEditor),
				fxMember(fxGroupSubject("web"), iamv1alpha1.RoleWorkspaceEditor),
			}, []string{"c1/ns1"}, "c1"),
		},
	}
	want := []string{
		"platform role platform-viewer directly (RoleGrant pv-alice) gives every cluster",
		"platform role admin through group ops (RoleGrant admin-ops) gives every cluster",
		"cluster role cluster-viewer directly (RoleGrant cv-alice) gives every namespace of cluster c1",
		"namespace role ns-viewer directly (RoleGrant ns-viewer-alice) gives namespace ns1 of cluster c1",
		"namespace role ns-admin through group devs (RoleGrant ns-admin-devs) gives namespace ns1 of cluster c1",
		"workspace role workspace-editor in workspace w1 through group web gives namespace ns1 of cluster c1 (a resource group, as ns-editor)",
		"workspace role workspace-editor in workspace w1 through group web gives cluster c1 (a shared cluster: the cluster only, no namespace)",
	}
	s := f.snapshot()
	var got []string
	for _, src := range s.Explain("alice", "c1", "") {
		got = append(got, src.Description)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Explain(alice, c1) descriptions =\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	// With the namespace, the shared cluster drops out and nothing else does.
	got = got[:0]
	for _, src := range s.Explain("alice", "c1", "ns1") {
		got = append(got, src.Description)
	}
	if !slices.Equal(got, want[:len(want)-1]) {
		t.Fatalf("Explain(alice, c1, ns1) descriptions =\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want[:len(want)-1], "\n  "))
	}
}
