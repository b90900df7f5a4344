package authz_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	iamv1alpha1 "github.com/kpanda/kpanda/api/iam/v1alpha1"
	"github.com/kpanda/kpanda/internal/authz"
)

// faq2Piece is one source of seed FAQ 2 for alice and what it alone must give her.
type faq2Piece struct {
	fixture accessFixture
	// explain: per cluster, the sources Explain(alice, cluster, "") lists for this piece, as
	// sourceRow renders them; "*" stands for every integrated cluster.
	explain map[string][]string
	// bindings: per cluster, the bindings this piece makes, as bindingRow renders them.
	bindings map[string][]string
}

var faq2Pieces = map[string]faq2Piece{
	"ns-viewer direct": {
		fixture: nsViewerDirect,
		explain: map[string][]string{"c1": {"NamespaceRole ns-viewer via=direct grant=ns-viewer-alice ns=ns1"}},
		bindings: map[string][]string{"c1": {
			"ns1 role-template-ns-view User:kpanda:alice [RoleGrant ns-viewer-alice]",
		}},
	},
	"cluster-admin via group": {
		fixture: clusterAdminViaGroup,
		explain: map[string][]string{"c2": {"ClusterRole cluster-admin via=group devs grant=cluster-admin-devs"}},
		bindings: map[string][]string{"c2": {
			" role-template-cluster-admin Group:kpanda:devs [RoleGrant cluster-admin-devs]",
		}},
	},
	"workspace via group": {
		fixture: workspaceViaGroup,
		explain: map[string][]string{
			"c3": {"WorkspaceResourceGroup workspace-editor via=group web ws=w1 ns=ns3"},
			"c4": {"WorkspaceSharedCluster workspace-editor via=group web ws=w1"},
		},
		bindings: map[string][]string{"c3": {
			"ns3 role-template-ns-edit Group:kpanda:web [Workspace w1 (workspace-editor)]",
		}},
	},
	"admin via group": {
		fixture: adminViaGroup,
		explain: map[string][]string{"*": {"PlatformRole admin via=group ops grant=admin-ops"}},
		bindings: map[string][]string{"*": {
			" role-template-cluster-admin Group:kpanda:ops [RoleGrant admin-ops]",
		}},
	},
}

// TestFAQ2Matrix: alice with each source of seed FAQ 2 alone and in combinations. Visible is
// spelled out per case; Explain and Bindings must be exactly the union of the pieces'.
func TestFAQ2Matrix(t *testing.T) {
	tests := []struct {
		name   string
		pieces []string
		want   []authz.Access
	}{
		{"nothing", nil, nil},
		{"ns-viewer direct", []string{"ns-viewer direct"}, []authz.Access{{Cluster: "c1", Namespaces: []string{"ns1"}}}},
		{"cluster-admin via group", []string{"cluster-admin via group"}, allNamespacesOf("c2")},
		{"workspace via group", []string{"workspace via group"}, []authz.Access{
			{Cluster: "c3", Namespaces: []string{"ns3"}},
			{Cluster: "c4"},
		}},
		{"admin via group", []string{"admin via group"}, allNamespacesOf(integrated...)},
		{"ns-viewer + cluster-admin", []string{"ns-viewer direct", "cluster-admin via group"}, []authz.Access{
			{Cluster: "c1", Namespaces: []string{"ns1"}},
			{Cluster: "c2", AllNamespaces: true},
		}},
		{"ns-viewer + cluster-admin + workspace", []string{"ns-viewer direct", "cluster-admin via group", "workspace via group"}, []authz.Access{
			{Cluster: "c1", Namespaces: []string{"ns1"}},
			{Cluster: "c2", AllNamespaces: true},
			{Cluster: "c3", Namespaces: []string{"ns3"}},
			{Cluster: "c4"},
		}},
		{"workspace + admin", []string{"workspace via group", "admin via group"}, allNamespacesOf(integrated...)},
		{"all four", []string{"ns-viewer direct", "cluster-admin via group", "workspace via group", "admin via group"}, allNamespacesOf(integrated...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fixture := bystanders()
			for _, p := range tt.pieces {
				fixture = fixture.plus(faq2Pieces[p].fixture)
			}
			s := fixture.snapshot()
			assertAccess(t, s.Visible("alice"), tt.want)
			for _, c := range append(slices.Clone(integrated), "c9") {
				wantSee := slices.ContainsFunc(tt.want, func(a authz.Access) bool { return a.Cluster == c })
				if got := s.CanSee("alice", c); got != wantSee {
					t.Errorf("CanSee(alice, %s) = %v, want %v", c, got, wantSee)
				}
				assertRows(t, "Explain(alice, "+c+")", sourceRows(s.Explain("alice", c, "")), piecesRows(tt.pieces, c, false))
				assertRows(t, "Bindings("+c+") of alice's sources", aliceBindingRows(s.Bindings(c)), piecesRows(tt.pieces, c, true))
			}
		})
	}
}

// bystanders gives other users access everywhere, so that a test finds alice's access among
// others' and not alone.
func bystanders() accessFixture {
	return accessFixture{
		groups: []iamv1alpha1.Group{fxGroup("others", "carol", "dave")},
		grants: []iamv1alpha1.RoleGrant{
			fxGrant("owner-carol", iamv1alpha1.RoleKpandaOwner, fxUser("carol"), ""),
			fxGrant("viewer-others-c1", iamv1alpha1.RoleClusterViewer, fxGroupSubject("others"), "c1"),
			fxGrant("ns-admin-dave", iamv1alpha1.RoleNSAdmin, fxUser("dave"), "c3/ns3"),
		},
		workspaces: []iamv1alpha1.Workspace{fxWorkspace("w-others",
			[]iamv1alpha1.WorkspaceMember{fxMember(fxUser("dave"), iamv1alpha1.RoleWorkspaceViewer)}, []string{"c1/ns1", "c4/ns4"}, "c2")},
	}
}

// piecesRows is the union of what the pieces give on cluster c.
func piecesRows(pieces []string, c string, bindings bool) []string {
	var rows []string
	for _, p := range pieces {
		byCluster := faq2Pieces[p].explain
		if bindings {
			byCluster = faq2Pieces[p].bindings
		}
		if slices.Contains(integrated, c) {
			rows = append(rows, byCluster["*"]...)
		}
		rows = append(rows, byCluster[c]...)
	}
	return rows
}

func sourceRow(s authz.Source) string {
	row := []string{string(s.Kind), s.Role, "via=" + s.Via}
	for _, field := range [][2]string{{"ws", s.Workspace}, {"grant", s.Grant}, {"ns", s.Namespace}} {
		if field[1] != "" {
			row = append(row, field[0]+"="+field[1])
		}
	}
	return strings.Join(row, " ")
}

func sourceRows(sources []authz.Source) []string {
	var rows []string
	for _, s := range sources {
		rows = append(rows, sourceRow(s))
	}
	return rows
}

func bindingRow(b authz.Binding) string {
	return fmt.Sprintf("%s %s %s:%s %v", b.Namespace, b.RoleTemplate, b.Subject.Kind, b.Subject.Name, b.Sources)
}

// aliceBindingRows keeps the bindings whose subject carries alice's roles in the FAQ 2 pieces.
func aliceBindingRows(bindings []authz.Binding) []string {
	var rows []string
	for _, b := range bindings {
		switch b.Subject.Name {
		case "kpanda:alice", "kpanda:devs", "kpanda:web", "kpanda:ops":
			rows = append(rows, bindingRow(b))
		}
	}
	return rows
}

// assertRows compares as sets: order is tested where it is specified.
func assertRows(t *testing.T, what string, got, want []string) {
	t.Helper()
	got, want = slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))
	if !slices.Equal(got, want) {
		t.Errorf("%s =\n  %s\nwant\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// TestVisibleAccumulates: several sources on one cluster combine into one Access.
func TestVisibleAccumulates(t *testing.T) {
	alice := fxUser("alice")
	tests := []struct {
		name    string
		fixture accessFixture
		want    []authz.Access
	}{
		{"namespaces of roles and resource groups accumulate, sorted and once each", accessFixture{
			grants: []iamv1alpha1.RoleGrant{
				fxGrant("a", iamv1alpha1.RoleNSAdmin, alice, "c1/ns2"),
				fxGrant("b", iamv1alpha1.RoleNSViewer, alice, "c1/ns1"),
				fxGrant("c", iamv1alpha1.RoleNSEditor, alice, "c1/ns2"),
			},
			workspaces: []iamv1alpha1.Workspace{fxWorkspace("w", []iamv1alpha1.WorkspaceMember{fxMember(alice, iamv1alpha1.RoleWorkspaceViewer)}, []string{"c1/ns0"})},
		}, []authz.Access{{Cluster: "c1", Namespaces: []string{"ns0", "ns1", "ns2"}}}},
		{"a cluster role absorbs namespace roles", accessFixture{grants: []iamv1alpha1.RoleGrant{
			fxGrant("a", iamv1alpha1.RoleNSAdmin, alice, "c1/ns2"),
			fxGrant("b", iamv1alpha1.RoleClusterViewer, alice, "c1"),
		}}, allNamespacesOf("c1")},
		{"a shared cluster with a resource group in it lists the namespace", accessFixture{workspaces: []iamv1alpha1.Workspace{
			fxWorkspace("w", []iamv1alpha1.WorkspaceMember{fxMember(alice, iamv1alpha1.RoleWorkspaceViewer)}, []string{"c4/ns4"}, "c4"),
		}}, []authz.Access{{Cluster: "c4", Namespaces: []string{"ns4"}}}},
		{"a shared cluster alone shows the cluster and no namespace", accessFixture{workspaces: []iamv1alpha1.Workspace{
			fxWorkspace("w", []iamv1alpha1.WorkspaceMember{fxMember(alice, iamv1alpha1.RoleWorkspaceViewer)}, nil, "c4", "c2"),
		}}, []authz.Access{{Cluster: "c2"}, {Cluster: "c4"}}},
		{"a group's workspace and a direct membership of another", accessFixture{
			groups: []iamv1alpha1.Group{fxGroup("web", "alice")},
			workspaces: []iamv1alpha1.Workspace{
				fxWorkspace("w1", []iamv1alpha1.WorkspaceMember{fxMember(fxGroupSubject("web"), iamv1alpha1.RoleWorkspaceAdmin)}, []string{"c2/b"}),
				fxWorkspace("w2", []iamv1alpha1.WorkspaceMember{fxMember(alice, iamv1alpha1.RoleWorkspaceViewer)}, []string{"c2/a"}),
			},
		}, []authz.Access{{Cluster: "c2", Namespaces: []string{"a", "b"}}}},
		{"another user's and another group's roles give nothing", accessFixture{
			groups: []iamv1alpha1.Group{fxGroup("ops", "bob")},
			grants: []iamv1alpha1.RoleGrant{
				fxGrant("a", iamv1alpha1.RoleAdmin, fxGroupSubject("ops"), ""),
				fxGrant("b", iamv1alpha1.RoleClusterAdmin, fxUser("bob"), "c1"),
				fxGrant("c", iamv1alpha1.RoleClusterAdmin, fxGroupSubject("alice"), "c1"), // a group named like her
			},
		}, nil},
		{"every platform role gives every cluster: platform-viewer", accessFixture{grants: []iamv1alpha1.RoleGrant{
			fxGrant("a", iamv1alpha1.RolePlatformViewer, alice, ""),
		}}, allNamespacesOf(integrated...)},
		{"every platform role gives every cluster: kpanda-owner", accessFixture{grants: []iamv1alpha1.RoleGrant{
			fxGrant("a", iamv1alpha1.RoleKpandaOwner, alice, ""),
		}}, allNamespacesOf(integrated...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertAccess(t, tt.fixture.snapshot().Visible("alice"), tt.want)
		})
	}
}

func TestWorkspaceAuthorizations(t *testing.T) {
	members := []iamv1alpha1.WorkspaceMember{
		fxMember(fxUser("alice"), iamv1alpha1.RoleWorkspaceAdmin),
		fxMember(fxUser("bob"), iamv1alpha1.RoleWorkspaceEditor),
		fxMember(fxUser("carol"), iamv1alpha1.RoleWorkspaceViewer),
		fxMember(fxGroupSubject("ops"), iamv1alpha1.RoleWorkspaceViewer),
		fxMember(fxGroupSubject("web"), iamv1alpha1.RoleWorkspaceEditor),
	}
	base := accessFixture{
		groups:     []iamv1alpha1.Group{fxGroup("ops", "alice"), fxGroup("web", "bob")},
		workspaces: []iamv1alpha1.Workspace{fxWorkspace("w1", members, []string{"c1/ns1"}, "c2")},
		grants: []iamv1alpha1.RoleGrant{
			fxGrant("ca-bob", iamv1alpha1.RoleClusterAdmin, fxUser("bob"), "c1"),          // not a platform role
			fxGrant("cv-web", iamv1alpha1.RoleClusterViewer, fxGroupSubject("web"), "c2"), // nor this
		},
	}
	tests := []struct {
		name      string
		fixture   accessFixture
		workspace string
		want      []string
	}{
		{"nobody holds a platform role: every member", base, "w1",
			[]string{"User alice", "User bob", "User carol", "Group ops", "Group web"}},
		{"platform role through a group hides the user, the group stays", base.plus(accessFixture{grants: []iamv1alpha1.RoleGrant{
			fxGrant("admin-ops", iamv1alpha1.RoleAdmin, fxGroupSubject("ops"), ""),
		}}), "w1", []string{"User bob", "User carol", "Group ops", "Group web"}},
		{"direct platform roles hide users", base.plus(accessFixture{grants: []iamv1alpha1.RoleGrant{
			fxGrant("owner-carol", iamv1alpha1.RoleKpandaOwner, fxUser("carol"), ""),
			fxGrant("viewer-alice", iamv1alpha1.RolePlatformViewer, fxUser("alice"), ""),
		}}), "w1", []string{"User bob", "Group ops", "Group web"}},
		{"unknown workspace", base, "w2", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.fixture.snapshot()
			var got []string
			for _, m := range s.WorkspaceAuthorizations(tt.workspace) {
				got = append(got, string(m.Kind)+" "+m.Name)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("WorkspaceAuthorizations(%s) = %v, want %v", tt.workspace, got, tt.want)
			}
		})
	}
}

// TestVisibleCanSeeExplainAgree: over a random access model, the three answers are one
// decision: a cluster is visible iff CanSee iff Explain lists a source, and Explain with a
// namespace explains exactly the namespaces Visible lists.
func TestVisibleCanSeeExplainAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	users := []string{"u0", "u1", "u2", "u3", "u4", "u5", "u6", "u7"}
	namespaces := []string{"n0", "n1", "n2", "n3"}
	clusters := append(slices.Clone(integrated), "c9")
	pick := func(items []string) string { return items[rng.IntN(len(items))] }
	var f accessFixture
	for i := range 4 {
		f.groups = append(f.groups, fxGroup(fmt.Sprintf("g%d", i), pick(users), pick(users), pick(users)))
	}
	subject := func() iamv1alpha1.Subject {
		if rng.IntN(3) == 0 {
			return fxGroupSubject(fmt.Sprintf("g%d", rng.IntN(4)))
		}
		return fxUser(pick(users))
	}
	nsRoles := []string{iamv1alpha1.RoleNSAdmin, iamv1alpha1.RoleNSEditor, iamv1alpha1.RoleNSViewer}
	for i := range 24 {
		role, where := pick(nsRoles), pick(clusters)+"/"+pick(namespaces)
		switch rng.IntN(8) {
		case 0:
			role, where = iamv1alpha1.RolePlatformViewer, ""
		case 1, 2:
			role, where = iamv1alpha1.RoleClusterViewer, pick(clusters)
		}
		f.grants = append(f.grants, fxGrant(fmt.Sprintf("r%d", i), role, subject(), where))
	}
	for i := range 3 {
		members := []iamv1alpha1.WorkspaceMember{fxMember(subject(), iamv1alpha1.RoleWorkspaceViewer), fxMember(subject(), iamv1alpha1.RoleWorkspaceAdmin)}
		f.workspaces = append(f.workspaces, fxWorkspace(fmt.Sprintf("w%d", i), members,
			[]string{pick(clusters) + "/" + pick(namespaces), pick(clusters) + "/" + pick(namespaces)}, pick(clusters)))
	}
	s := f.snapshot()
	visibleSomewhere, limited := 0, 0
	for _, u := range users {
		visible := map[string]authz.Access{}
		for _, a := range s.Visible(u) {
			visible[a.Cluster] = a
		}
		for _, c := range clusters {
			a, seen := visible[c]
			if got := s.CanSee(u, c); got != seen {
				t.Errorf("CanSee(%s, %s) = %v, Visible says %v", u, c, got, seen)
			}
			if got := len(s.Explain(u, c, "")) > 0; got != seen {
				t.Errorf("Explain(%s, %s) gives a source: %v, Visible says %v", u, c, got, seen)
			}
			for _, n := range append(slices.Clone(namespaces), "elsewhere") {
				want := a.AllNamespaces || slices.Contains(a.Namespaces, n)
				if got := len(s.Explain(u, c, n)) > 0; got != want {
					t.Errorf("Explain(%s, %s, %s) gives a source: %v, Visible says %+v", u, c, n, got, a)
				}
			}
			if seen {
				visibleSomewhere++
			}
			if seen && !a.AllNamespaces {
				limited++
			}
		}
	}
	// Guard the guard: a model where nobody sees anything would make this test pass vacuously.
	if visibleSomewhere == 0 || limited == 0 {
		t.Fatalf("random model too thin: %d visible, %d limited", visibleSomewhere, limited)
	}
}
