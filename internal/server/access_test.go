package server_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"

	"github.com/kpanda/kpanda/internal/server"
)

// accessWorld is the access model of seed FAQ 2 built through the REST API: cluster c2 (a
// member) with namespaces team-a and team-b, beside the global cluster.
type accessWorld struct {
	admin  string
	tokens map[string]string
	member kubernetes.Interface
}

const c2 = "c2"

// world is the access world once built: tests of one package share it.
var world *accessWorld

// setUpAccessWorld builds the world on first use. Tests that change it (a revoke) say so.
func setUpAccessWorld(t *testing.T) *accessWorld {
	t.Helper()
	if world != nil {
		return world
	}
	w := &accessWorld{admin: login(t), tokens: map[string]string{}}
	member, err := kubernetes.NewForConfig(env.Members[1].RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	w.member = member
	kubeconfig, err := os.ReadFile(env.Members[1].KubeconfigPath())
	if err != nil {
		t.Fatal(err)
	}
	w.must(t, "POST", "/clusters", map[string]string{"name": c2, "kubeconfig": string(kubeconfig)})
	for _, ns := range []string{"team-a", "team-b"} {
		if _, err := member.CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, user := range []string{"alice", "bob", "carol", "dave", "erin", "frank"} {
		w.must(t, "POST", "/users", map[string]string{"name": user, "password": "pw-" + user})
		r := call(t, "POST", server.APIPrefix+"/login", "", map[string]string{"username": user, "password": "pw-" + user})
		if r.status != http.StatusOK {
			t.Fatalf("login %s: %s", user, r.raw)
		}
		w.tokens[user] = r.body["token"].(string)
	}
	w.must(t, "POST", "/groups", map[string]any{"name": "devs", "members": []string{"bob"}})
	w.must(t, "POST", "/groups", map[string]any{"name": "ops", "members": []string{"dave"}})
	w.must(t, "POST", "/groups", map[string]any{"name": "squad", "members": []string{"carol"}})
	w.must(t, "POST", "/grants", map[string]string{"role": "ns-viewer", "user": "alice", "cluster": c2, "namespace": "team-a"})
	w.must(t, "POST", "/grants", map[string]string{"role": "cluster-admin", "group": "devs", "cluster": c2})
	w.must(t, "POST", "/grants", map[string]string{"role": "admin", "group": "ops"})
	w.must(t, "POST", "/grants", map[string]string{"role": "ns-admin", "user": "frank", "cluster": c2, "namespace": "team-b"})
	w.must(t, "POST", "/workspaces", map[string]string{"name": "ws1"})
	w.must(t, "POST", "/workspaces/ws1/members", map[string]string{"group": "squad", "role": "workspace-editor"})
	w.must(t, "POST", "/workspaces/ws1/members", map[string]string{"user": "dave", "role": "workspace-viewer"})
	w.must(t, "POST", "/workspaces/ws1/namespaces", map[string]string{"cluster": c2, "namespace": "team-b"})
	w.must(t, "POST", "/workspaces/ws1/clusters", map[string]string{"cluster": "kpanda-global-cluster"})
	world = w
	return w
}

func (w *accessWorld) must(t *testing.T, method, path string, body any) response {
	t.Helper()
	r := call(t, method, server.APIPrefix+path, w.admin, body)
	if r.status >= 300 {
		t.Fatalf("%s %s: %d %s", method, path, r.status, r.raw)
	}
	return r
}

// visibleClusters is the caller's cluster list.
func visibleClusters(t *testing.T, token string) []string {
	t.Helper()
	r := call(t, "GET", server.APIPrefix+"/clusters", token, nil)
	if r.status != http.StatusOK {
		t.Fatalf("list: %d %s", r.status, r.raw)
	}
	var names []string
	for _, item := range r.body["items"].([]any) {
		names = append(names, item.(map[string]any)["metadata"].(map[string]any)["name"].(string))
	}
	slices.Sort(names)
	return names
}

// memberAllows asks c2's own apiserver whether kpanda's user may list pods in namespace.
func (w *accessWorld) memberAllows(t *testing.T, user string, groups []string, namespace, resource string) bool {
	t.Helper()
	review := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
		User: "kpanda:" + user, Groups: groups,
		ResourceAttributes: &authorizationv1.ResourceAttributes{Namespace: namespace, Verb: "list", Resource: resource},
	}}
	result, err := w.member.AuthorizationV1().SubjectAccessReviews().Create(t.Context(), review, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return result.Status.Allowed
}

func TestAccessMatrixAgreesWithMemberRBAC(t *testing.T) {
	w := setUpAccessWorld(t)
	groups := map[string][]string{"bob": {"kpanda:devs"}, "dave": {"kpanda:ops"}, "carol": {"kpanda:squad"}}
	for _, tc := range []struct {
		user     string
		clusters []string
		pods     map[string]bool // namespace of c2 → may list pods there
	}{
		{"alice", []string{c2}, map[string]bool{"team-a": true, "team-b": false}},                          // direct namespace role
		{"bob", []string{c2}, map[string]bool{"team-a": true, "team-b": true}},                             // cluster role through a group
		{"carol", []string{c2, "kpanda-global-cluster"}, map[string]bool{"team-a": false, "team-b": true}}, // workspace through a group
		{"dave", []string{c2, "kpanda-global-cluster"}, map[string]bool{"team-a": true, "team-b": true}},   // platform role through a group
		{"erin", nil, map[string]bool{"team-a": false, "team-b": false}},                                   // nothing
		{"frank", []string{c2}, map[string]bool{"team-a": false, "team-b": true}},                          // ns-admin
	} {
		t.Run(tc.user, func(t *testing.T) {
			if got := visibleClusters(t, w.tokens[tc.user]); !slices.Equal(got, tc.clusters) {
				t.Errorf("kpanda lists %v, want %v", got, tc.clusters)
			}
			for namespace, want := range tc.pods {
				var got bool
				_ = wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, 15*time.Second, true, func(context.Context) (bool, error) {
					got = w.memberAllows(t, tc.user, groups[tc.user], namespace, "pods")
					return got == want, nil
				})
				if got != want {
					t.Errorf("member c2 lets kpanda:%s list pods in %s: %v, want %v", tc.user, namespace, got, want)
				}
				if visibleNamespace(t, w, tc.user, namespace) != want {
					t.Errorf("kpanda's explain and the member disagree for %s in %s", tc.user, namespace)
				}
			}
		})
	}

	t.Run("a cluster integrated after a grant receives it", func(t *testing.T) {
		// The bootstrap admin's platform role was granted before c2 was integrated.
		if !w.memberAllows(t, "admin", nil, "team-a", "secrets") {
			t.Error("c2 does not let kpanda:admin list secrets: the platform grant made before c2 was integrated did not reach it")
		}
	})

	t.Run("platform-role holder is not among the workspace's authorizations", func(t *testing.T) {
		r := w.must(t, "GET", "/explain?user=dave&cluster=kpanda-global-cluster", nil)
		if kinds := sourceKinds(r); !slices.Contains(kinds, "PlatformRole") {
			t.Errorf("dave's sources %v lack the platform role", kinds)
		}
		ws := w.must(t, "GET", "/workspaces/ws1", nil)
		var names []string
		for _, a := range ws.body["authorizations"].([]any) {
			names = append(names, a.(map[string]any)["kind"].(string)+" "+a.(map[string]any)["name"].(string))
		}
		if !slices.Equal(names, []string{"Group squad"}) {
			t.Errorf("workspace ws1 authorizations %v, want only Group squad (dave, a member, holds a platform role)", names)
		}
	})
	t.Run("shared cluster explained", func(t *testing.T) {
		r := w.must(t, "GET", "/explain?user=carol&cluster=kpanda-global-cluster", nil)
		if kinds := sourceKinds(r); !slices.Equal(kinds, []string{"WorkspaceSharedCluster"}) {
			t.Errorf("carol's sources on the global cluster: %v", kinds)
		}
		r = w.must(t, "GET", "/explain?user=erin&cluster="+c2, nil)
		if r.body["visible"] != false || len(sourceKinds(r)) != 0 {
			t.Errorf("erin: %s", r.raw)
		}
	})

	t.Run("proxy enforces the member's RBAC", func(t *testing.T) {
		pods := call(t, "GET", server.APIPrefix+"/clusters/c2/proxy/api/v1/namespaces/team-a/pods", w.tokens["alice"], nil)
		if pods.status != http.StatusOK || pods.body["kind"] != "PodList" {
			t.Fatalf("NS Viewer listing pods through the proxy: %d %.300s", pods.status, pods.raw)
		}
		secrets := call(t, "GET", server.APIPrefix+"/clusters/c2/proxy/api/v1/namespaces/team-a/secrets", w.tokens["alice"], nil)
		expectError(t, secrets, 403, 7, "", "[RBAC] list secrets is forbidden for user(alice) in cluster(c2)")
		spoof := call(t, "GET", server.APIPrefix+"/clusters/c2/proxy/api/v1/namespaces/team-b/pods", w.tokens["alice"], nil)
		if spoof.status != http.StatusForbidden {
			t.Errorf("alice listing pods of team-b: %d, want 403", spoof.status)
		}
	})

	t.Run("an NS Admin cannot grant Cluster Admin", func(t *testing.T) {
		r := call(t, "POST", server.APIPrefix+"/grants", w.tokens["frank"], map[string]string{"role": "cluster-admin", "user": "frank", "cluster": c2})
		expectError(t, r, 403, 7, "role", "may not grant cluster-admin")
		r = call(t, "POST", server.APIPrefix+"/grants", w.tokens["frank"], map[string]string{"role": "ns-editor", "user": "erin", "cluster": c2, "namespace": "team-b"})
		if r.status != http.StatusCreated {
			t.Errorf("an NS Admin granting ns-editor in their namespace: %d %s", r.status, r.raw)
		}
		r = call(t, "POST", server.APIPrefix+"/grants", w.tokens["frank"], map[string]string{"role": "ns-editor", "user": "erin", "cluster": c2, "namespace": "team-a"})
		expectError(t, r, 403, 7, "role", "may not grant ns-editor")
	})

	t.Run("a disabled user is locked out at once, tokens included", func(t *testing.T) {
		w.must(t, "POST", "/users/erin/disable", nil)
		expectError(t, call(t, "GET", server.APIPrefix+"/clusters", w.tokens["erin"], nil), 401, 16, "", "user erin: user is disabled")
		expectError(t, call(t, "POST", server.APIPrefix+"/login", "", map[string]string{"username": "erin", "password": "pw-erin"}), 401, 16, "", "disabled")
		w.must(t, "POST", "/users/erin/enable", nil)
		if r := call(t, "GET", server.APIPrefix+"/clusters", w.tokens["erin"], nil); r.status != http.StatusOK {
			t.Errorf("erin enabled again: %d %s", r.status, r.raw)
		}
		expectError(t, call(t, "POST", server.APIPrefix+"/users/nobody/disable", w.admin, nil), 404, 5, "name", "not found")
	})

	t.Run("revoking removes access within 5 s", func(t *testing.T) {
		w.must(t, "POST", "/revoke", map[string]string{"role": "ns-viewer", "user": "alice", "cluster": c2, "namespace": "team-a"})
		revoked := time.Now()
		err := wait.PollUntilContextTimeout(t.Context(), 50*time.Millisecond, 5*time.Second, true, func(context.Context) (bool, error) {
			return !w.memberAllows(t, "alice", nil, "team-a", "pods"), nil
		})
		if err != nil {
			t.Fatalf("alice may still list pods in team-a 5 s after the revoke")
		}
		t.Logf("access gone %s after the revoke", time.Since(revoked).Round(time.Millisecond))
		if got := visibleClusters(t, w.tokens["alice"]); len(got) != 0 {
			t.Errorf("alice still sees %v", got)
		}
	})
}

func visibleNamespace(t *testing.T, w *accessWorld, user, namespace string) bool {
	r := w.must(t, "GET", fmt.Sprintf("/explain?user=%s&cluster=%s&namespace=%s", user, c2, namespace), nil)
	return r.body["visible"] == true
}

func sourceKinds(r response) []string {
	var kinds []string
	for _, s := range r.body["sources"].([]any) {
		kinds = append(kinds, s.(map[string]any)["kind"].(string))
	}
	return kinds
}
