package authz_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	iamv1alpha1 "github.com/kpanda/kpanda/api/iam/v1alpha1"
	"github.com/kpanda/kpanda/internal/authz"
)

// integrated are the clusters every fixture of these tests passes to NewSnapshot; c9 is the
// cluster that grants name but that is not integrated.
var integrated = []string{"c1", "c2", "c3", "c4", "c5"}

// accessFixture is a set of iam objects; fixtures combine with plus.
type accessFixture struct {
	grants     []iamv1alpha1.RoleGrant
	groups     []iamv1alpha1.Group
	workspaces []iamv1alpha1.Workspace
}

func (f accessFixture) plus(more ...accessFixture) accessFixture {
	out := accessFixture{grants: slices.Clone(f.grants), groups: slices.Clone(f.groups), workspaces: slices.Clone(f.workspaces)}
	for _, m := range more {
		out.grants = append(out.grants, m.grants...)
		out.groups = append(out.groups, m.groups...)
		out.workspaces = append(out.workspaces, m.workspaces...)
	}
	return out
}

func (f accessFixture) snapshot() *authz.Snapshot {
	return authz.NewSnapshot(f.grants, f.groups, f.workspaces, integrated)
}

func fxUser(name string) iamv1alpha1.Subject {
	return iamv1alpha1.Subject{Kind: iamv1alpha1.SubjectUser, Name: name}
}

func fxGroupSubject(name string) iamv1alpha1.Subject {
	return iamv1alpha1.Subject{Kind: iamv1alpha1.SubjectGroup, Name: name}
}

// fxGrant is a RoleGrant; where is "", "cluster" or "cluster/namespace".
func fxGrant(name, role string, sub iamv1alpha1.Subject, where string) iamv1alpha1.RoleGrant {
	cluster, namespace, _ := strings.Cut(where, "/")
	return iamv1alpha1.RoleGrant{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       iamv1alpha1.RoleGrantSpec{Role: role, Subject: sub, Cluster: cluster, Namespace: namespace},
	}
}

func fxGroup(name string, members ...string) iamv1alpha1.Group {
	return iamv1alpha1.Group{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: iamv1alpha1.GroupSpec{Members: members}}
}

func fxMember(sub iamv1alpha1.Subject, role string) iamv1alpha1.WorkspaceMember {
	return iamv1alpha1.WorkspaceMember{Subject: sub, Role: role}
}

// fxWorkspace is a Workspace; resourceGroups are "cluster/namespace".
func fxWorkspace(name string, members []iamv1alpha1.WorkspaceMember, resourceGroups []string, shared ...string) iamv1alpha1.Workspace {
	ws := iamv1alpha1.Workspace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	ws.Spec.Members = members
	ws.Spec.SharedClusters = shared
	for _, rg := range resourceGroups {
		cluster, namespace, _ := strings.Cut(rg, "/")
		ws.Spec.ResourceGroups = append(ws.Spec.ResourceGroups, iamv1alpha1.NamespaceRef{Cluster: cluster, Namespace: namespace})
	}
	return ws
}

// The four sources of seed FAQ 2 for alice, each on its own cluster so that combinations stay
// readable; bob shares alice's groups so that group subjects are visibly not expanded.
var (
	nsViewerDirect = accessFixture{grants: []iamv1alpha1.RoleGrant{
		fxGrant("ns-viewer-alice", iamv1alpha1.RoleNSViewer, fxUser("alice"), "c1/ns1"),
	}}
	clusterAdminViaGroup = accessFixture{
		groups: []iamv1alpha1.Group{fxGroup("devs", "alice", "bob")},
		grants: []iamv1alpha1.RoleGrant{fxGrant("cluster-admin-devs", iamv1alpha1.RoleClusterAdmin, fxGroupSubject("devs"), "c2")},
	}
	workspaceViaGroup = accessFixture{
		groups: []iamv1alpha1.Group{fxGroup("web", "alice", "bob")},
		workspaces: []iamv1alpha1.Workspace{fxWorkspace("w1",
			[]iamv1alpha1.WorkspaceMember{fxMember(fxGroupSubject("web"), iamv1alpha1.RoleWorkspaceEditor)},
			[]string{"c3/ns3"}, "c4")},
	}
	adminViaGroup = accessFixture{
		groups: []iamv1alpha1.Group{fxGroup("ops", "alice")},
		grants: []iamv1alpha1.RoleGrant{fxGrant("admin-ops", iamv1alpha1.RoleAdmin, fxGroupSubject("ops"), "")},
	}
)

func TestGroupsOf(t *testing.T) {
	s := accessFixture{groups: []iamv1alpha1.Group{
		fxGroup("g2", "alice", "alice"),
		fxGroup("g1", "bob", "alice"),
		fxGroup("g3", "bob", ""),
		fxGroup("", "alice"), // a nameless group is no group
	}}.snapshot()
	tests := []struct {
		user string
		want []string
	}{
		{"alice", []string{"g1", "g2"}},
		{"bob", []string{"g1", "g3"}},
		{"nobody", nil},
		{"", nil},
	}
	for _, tt := range tests {
		t.Run(tt.user, func(t *testing.T) {
			got := s.GroupsOf(tt.user)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("GroupsOf(%s) = %v, want %v", tt.user, got, tt.want)
			}
			if len(got) > 0 {
				got[0] = "changed" // the snapshot must not share its index with callers
				if again := s.GroupsOf(tt.user); !slices.Equal(again, tt.want) {
					t.Fatalf("GroupsOf(%s) after the caller changed the result = %v, want %v", tt.user, again, tt.want)
				}
			}
		})
	}
}

func TestSubjectNames(t *testing.T) {
	if got := authz.UserSubject("alice"); got != "kpanda:alice" {
		t.Errorf("UserSubject(alice) = %q", got)
	}
	if got := authz.GroupSubject("ops"); got != "kpanda:ops" {
		t.Errorf("GroupSubject(ops) = %q", got)
	}
}

// TestMalformedInputGivesNothing: the API rejects these objects; should one slip through, it
// must neither give access nor panic.
func TestMalformedInputGivesNothing(t *testing.T) {
	alice := fxUser("alice")
	tests := []struct {
		name    string
		fixture accessFixture
	}{
		{"unknown role", accessFixture{grants: []iamv1alpha1.RoleGrant{fxGrant("g", "superuser", alice, "c1")}}},
		{"workspace role in a RoleGrant", accessFixture{grants: []iamv1alpha1.RoleGrant{fxGrant("g", iamv1alpha1.RoleWorkspaceAdmin, alice, "c1/ns1")}}},
		{"platform role with a cluster", accessFixture{grants: []iamv1alpha1.RoleGrant{fxGrant("g", iamv1alpha1.RoleAdmin, alice, "c1")}}},
		{"platform role with a namespace", accessFixture{grants: []iamv1alpha1.RoleGrant{fxGrant("g", iamv1alpha1.RoleKpandaOwner, alice, "/ns1")}}},
		{"cluster role without a cluster", accessFixture{grants: []iamv1alpha1.RoleGrant{fxGrant("g", iamv1alpha1.RoleClusterAdmin, alice, "")}}},
		{"cluster role with a namespace", accessFixture{grants: []iamv1alpha1.RoleGrant{fxGrant("g", iamv1alpha1.RoleClusterViewer, alice, "c1/ns1")}}},
		{"namespace role without a namespace", accessFixture{grants: []iamv1alpha1.RoleGrant{fxGrant("g", iamv1alpha1.RoleNSAdmin, alice, "c1")}}},
		{"namespace role without a cluster", accessFixture{grants: []iamv1alpha1.RoleGrant{fxGrant("g", iamv1alpha1.RoleNSAdmin, alice, "/ns1")}}},
		{"unknown subject kind", accessFixture{grants: []iamv1alpha1.RoleGrant{fxGrant("g", iamv1alpha1.RoleClusterAdmin, iamv1alpha1.Subject{Kind: "ServiceAccount", Name: "alice"}, "c1")}}},
		{"empty subject name", accessFixture{grants: []iamv1alpha1.RoleGrant{fxGrant("g", iamv1alpha1.RoleClusterAdmin, fxUser(""), "c1")}}},
		{"workspace member with an unknown role", accessFixture{workspaces: []iamv1alpha1.Workspace{
			fxWorkspace("w", []iamv1alpha1.WorkspaceMember{fxMember(alice, "owner")}, []string{"c1/ns1"}, "c1"),
		}}},
		{"resource group without a namespace", accessFixture{workspaces: []iamv1alpha1.Workspace{
			fxWorkspace("w", []iamv1alpha1.WorkspaceMember{fxMember(alice, iamv1alpha1.RoleWorkspaceAdmin)}, []string{"c1/"}),
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.fixture.snapshot()
			if got := s.Visible("alice"); len(got) != 0 {
				t.Errorf("Visible(alice) = %+v, want nothing", got)
			}
			for _, c := range integrated {
				if s.CanSee("alice", c) {
					t.Errorf("CanSee(alice, %s) = true", c)
				}
				if got := s.Explain("alice", c, ""); len(got) != 0 {
					t.Errorf("Explain(alice, %s) = %+v, want nothing", c, got)
				}
				if got := s.Bindings(c); len(got) != 0 {
					t.Errorf("Bindings(%s) = %+v, want nothing", c, got)
				}
			}
		})
	}
}

// TestClusterNotIntegrated: grants and workspaces may name a cluster that is not (or no longer)
// integrated; it must not appear anywhere.
func TestClusterNotIntegrated(t *testing.T) {
	alice := fxUser("alice")
	tests := []struct {
		name    string
		fixture accessFixture
		want    []authz.Access
	}{
		{"cluster role", accessFixture{grants: []iamv1alpha1.RoleGrant{fxGrant("g", iamv1alpha1.RoleClusterAdmin, alice, "c9")}}, nil},
		{"namespace role", accessFixture{grants: []iamv1alpha1.RoleGrant{fxGrant("g", iamv1alpha1.RoleNSAdmin, alice, "c9/ns1")}}, nil},
		{"workspace resource group and shared cluster", accessFixture{workspaces: []iamv1alpha1.Workspace{
			fxWorkspace("w", []iamv1alpha1.WorkspaceMember{fxMember(alice, iamv1alpha1.RoleWorkspaceAdmin)}, []string{"c9/ns1"}, "c9"),
		}}, nil},
		{"platform role lists only integrated clusters", accessFixture{grants: []iamv1alpha1.RoleGrant{fxGrant("g", iamv1alpha1.RoleAdmin, alice, "")}},
			allNamespacesOf(integrated...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.fixture.snapshot()
			assertAccess(t, s.Visible("alice"), tt.want)
			if s.CanSee("alice", "c9") {
				t.Error("CanSee(alice, c9) = true")
			}
			if got := s.Explain("alice", "c9", ""); len(got) != 0 {
				t.Errorf("Explain(alice, c9) = %+v, want nothing", got)
			}
			if got := s.Bindings("c9"); len(got) != 0 {
				t.Errorf("Bindings(c9) = %+v, want nothing", got)
			}
		})
	}
}

func allNamespacesOf(clusters ...string) []authz.Access {
	var out []authz.Access
	for _, c := range clusters {
		out = append(out, authz.Access{Cluster: c, AllNamespaces: true})
	}
	return out
}

func assertAccess(t *testing.T, got, want []authz.Access) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) || len(got) != len(want) {
		t.Fatalf("Visible =\n  %+v\nwant\n  %+v", got, want)
	}
	for i := range got {
		if got[i].AllNamespaces && got[i].Namespaces != nil {
			t.Fatalf("Visible[%d] = %+v: namespaces listed with AllNamespaces", i, got[i])
		}
	}
}

// An OIDC user's token groups count like Group membership, for that user only, and leave the
// snapshot they were added to unchanged.
func TestWithGroups(t *testing.T) {
	grants := []iamv1alpha1.RoleGrant{
		{ObjectMeta: metav1.ObjectMeta{Name: "g1"}, Spec: iamv1alpha1.RoleGrantSpec{Role: iamv1alpha1.RoleClusterViewer, Subject: iamv1alpha1.Subject{Kind: iamv1alpha1.SubjectGroup, Name: "idp-devs"}, Cluster: "c1"}},
		{ObjectMeta: metav1.ObjectMeta{Name: "g2"}, Spec: iamv1alpha1.RoleGrantSpec{Role: iamv1alpha1.RoleAdmin, Subject: iamv1alpha1.Subject{Kind: iamv1alpha1.SubjectGroup, Name: "idp-admins"}}},
	}
	groups := []iamv1alpha1.Group{{ObjectMeta: metav1.ObjectMeta{Name: "local"}, Spec: iamv1alpha1.GroupSpec{Members: []string{"ann@example.com"}}}}
	workspaces := []iamv1alpha1.Workspace{{ObjectMeta: metav1.ObjectMeta{Name: "w"}, Spec: iamv1alpha1.WorkspaceSpec{
		Members:        []iamv1alpha1.WorkspaceMember{{Subject: iamv1alpha1.Subject{Kind: iamv1alpha1.SubjectGroup, Name: "idp-ops"}, Role: iamv1alpha1.RoleWorkspaceViewer}},
		SharedClusters: []string{"c2"},
	}}}
	base := authz.NewSnapshot(grants, groups, workspaces, []string{"c1", "c2", "c3"})
	const ann = "ann@example.com"

	for _, tc := range []struct {
		name     string
		groups   []string
		clusters []string
		admin    bool
	}{
		{"no token groups", nil, nil, false},
		{"a group with a cluster grant", []string{"idp-devs"}, []string{"c1"}, false},
		{"a group that is a workspace member", []string{"idp-ops", ""}, []string{"c2"}, false},
		{"a group with a platform role", []string{"idp-admins"}, []string{"c1", "c2", "c3"}, true},
		{"unknown groups", []string{"nobody"}, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			view := base.WithGroups(ann, tc.groups)
			var got []string
			for _, a := range view.Visible(ann) {
				got = append(got, a.Cluster)
			}
			if !slices.Equal(got, tc.clusters) {
				t.Errorf("Visible = %v, want %v", got, tc.clusters)
			}
			if view.HoldsAnyPlatformRole(ann, iamv1alpha1.RoleAdmin) != tc.admin {
				t.Errorf("platform admin = %v, want %v", !tc.admin, tc.admin)
			}
			for _, c := range tc.clusters {
				if !view.CanSee(ann, c) || len(view.Explain(ann, c, "")) == 0 {
					t.Errorf("CanSee or Explain disagree with Visible on %s", c)
				}
			}
			wantGroups := slices.Sorted(slices.Values(append([]string{"local"}, slices.DeleteFunc(slices.Clone(tc.groups), func(g string) bool { return g == "" })...)))
			if got := view.GroupsOf(ann); !slices.Equal(got, wantGroups) {
				t.Errorf("GroupsOf = %v, want %v", got, wantGroups)
			}
			if len(view.Visible("bob")) != 0 {
				t.Error("another user gained the token's groups")
			}
		})
	}
	if got := base.GroupsOf(ann); !slices.Equal(got, []string{"local"}) || len(base.Visible(ann)) != 0 {
		t.Errorf("WithGroups changed the snapshot: groups %v, visible %v", got, base.Visible(ann))
	}
}
