package server_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"

	clusterv1alpha1 "github.com/kpanda/kpanda/api/cluster/v1alpha1"
	"github.com/kpanda/kpanda/internal/controller/binding"
	"github.com/kpanda/kpanda/internal/server"
)

// The revoke verbs of workspaces run against the global cluster as member (it is integrated as
// kpanda-global-cluster), so that they share nothing with the access matrix's c2.
const (
	globalName = clusterv1alpha1.GlobalClusterName
	wsr        = "/workspaces/wsr"
	wsrNS      = "wsr-a"
)

// managedSubjects lists the subjects of the binding controller's RoleBindings in namespace.
func managedSubjects(t *testing.T, member kubernetes.Interface, namespace string) []string {
	t.Helper()
	list, err := member.RbacV1().RoleBindings(namespace).List(t.Context(), metav1.ListOptions{LabelSelector: binding.ManagedLabel + "=true"})
	if err != nil {
		t.Fatal(err)
	}
	var subjects []string
	for _, b := range list.Items {
		for _, s := range b.Subjects {
			subjects = append(subjects, s.Kind+" "+s.Name+" "+b.RoleRef.Name)
		}
	}
	slices.Sort(subjects)
	return subjects
}

// waitForSubjects polls until the managed RoleBindings of namespace bind exactly want.
func waitForSubjects(t *testing.T, member kubernetes.Interface, namespace string, want ...string) {
	t.Helper()
	want = slices.Sorted(slices.Values(want))
	var got []string
	err := wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, 15*time.Second, true, func(context.Context) (bool, error) {
		got = managedSubjects(t, member, namespace)
		return slices.Equal(got, want), nil
	})
	if err != nil {
		t.Fatalf("managed RoleBindings of %s bind %v, want %v", namespace, got, want)
	}
}

func TestWorkspaceRevokeRemovesBindingsAndVisibility(t *testing.T) {
	admin := login(t)
	w := &accessWorld{admin: admin, tokens: map[string]string{}}
	member, err := kubernetes.NewForConfig(env.Global.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := member.CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: wsrNS}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, user := range []string{"wsr-amy", "wsr-ben"} {
		w.must(t, "POST", "/users", map[string]string{"name": user, "password": "pw-" + user})
		w.tokens[user] = userToken(t, user, "pw-"+user)
	}
	w.must(t, "POST", "/groups", map[string]any{"name": "wsr-team", "members": []string{"wsr-ben"}})
	w.must(t, "POST", "/workspaces", map[string]string{"name": "wsr"})
	w.must(t, "POST", wsr+"/members", map[string]string{"user": "wsr-amy", "role": "workspace-editor"})
	w.must(t, "POST", wsr+"/members", map[string]string{"group": "wsr-team", "role": "workspace-viewer"})
	w.must(t, "POST", wsr+"/namespaces", map[string]string{"cluster": globalName, "namespace": wsrNS})
	w.must(t, "POST", wsr+"/clusters", map[string]string{"cluster": globalName})

	amy := rbacv1.UserKind + " kpanda:wsr-amy role-template-ns-edit"
	team := rbacv1.GroupKind + " kpanda:wsr-team role-template-ns-view"
	waitForSubjects(t, member, wsrNS, amy, team)
	assertVisible(t, w.tokens["wsr-amy"], globalName)
	assertVisible(t, w.tokens["wsr-ben"], globalName)

	t.Run("bad input changes nothing", func(t *testing.T) {
		before := w.must(t, "GET", wsr, nil).raw
		path := server.APIPrefix + wsr
		for _, tc := range []struct {
			name, method, path string
			status, code       int
			field, phrase      string
		}{
			{"no subject", "DELETE", path + "/members", 400, 3, "user", "exactly one"},
			{"both subjects", "DELETE", path + "/members?user=wsr-amy&group=wsr-team", 400, 3, "user", "exactly one"},
			{"user not a member", "DELETE", path + "/members?user=wsr-ben", 404, 5, "user", "wsr-ben is not a member of workspace wsr"},
			{"group not a member", "DELETE", path + "/members?group=nobody", 404, 5, "group", "nobody is not a member"},
			{"no namespace", "DELETE", path + "/namespaces?cluster=" + globalName, 400, 3, "namespace", "both are required"},
			{"namespace not bound", "DELETE", path + "/namespaces?cluster=" + globalName + "&namespace=other", 404, 5, "namespace", "namespace other of cluster " + globalName + " is not bound"},
			{"cluster not shared", "DELETE", path + "/clusters/c9", 404, 5, "cluster", "cluster c9 is not shared with workspace wsr"},
			{"unknown workspace", "DELETE", server.APIPrefix + "/workspaces/nope/members?user=wsr-amy", 404, 5, "name", "workspace nope not found"},
			{"delete unknown workspace", "DELETE", server.APIPrefix + "/workspaces/nope", 404, 5, "name", "workspace nope not found"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				expectError(t, call(t, tc.method, tc.path, admin, nil), tc.status, tc.code, tc.field, tc.phrase)
			})
		}
		for _, path := range []string{path + "/members?user=wsr-amy", path + "/namespaces?cluster=" + globalName + "&namespace=" + wsrNS, path + "/clusters/" + globalName, path} {
			expectError(t, call(t, "DELETE", path, w.tokens["wsr-amy"], nil), 403, 7, "", "may not manage access")
		}
		if after := w.must(t, "GET", wsr, nil).raw; after != before {
			t.Errorf("refused removals changed the workspace:\nbefore %s\nafter  %s", before, after)
		}
	})

	t.Run("remove-member", func(t *testing.T) {
		r := w.must(t, "DELETE", wsr+"/members?group=wsr-team", nil)
		if members := r.body["spec"].(map[string]any)["members"].([]any); len(members) != 1 {
			t.Errorf("members after the removal: %v", members)
		}
		waitForSubjects(t, member, wsrNS, amy)
		assertVisible(t, w.tokens["wsr-ben"])
		assertVisible(t, w.tokens["wsr-amy"], globalName)
	})
	t.Run("unbind-namespace", func(t *testing.T) {
		w.must(t, "DELETE", wsr+"/namespaces?cluster="+globalName+"&namespace="+wsrNS, nil)
		waitForSubjects(t, member, wsrNS)
		assertVisible(t, w.tokens["wsr-amy"], globalName) // still shared
	})
	t.Run("unshare-cluster", func(t *testing.T) {
		w.must(t, "DELETE", wsr+"/clusters/"+globalName, nil)
		assertVisible(t, w.tokens["wsr-amy"])
	})
	t.Run("delete", func(t *testing.T) {
		w.must(t, "POST", wsr+"/namespaces", map[string]string{"cluster": globalName, "namespace": wsrNS})
		w.must(t, "POST", wsr+"/clusters", map[string]string{"cluster": globalName})
		waitForSubjects(t, member, wsrNS, amy)
		assertVisible(t, w.tokens["wsr-amy"], globalName)
		if r := w.must(t, "DELETE", wsr, nil); r.body["deleted"] != "wsr" {
			t.Errorf("delete answered %s", r.raw)
		}
		waitForSubjects(t, member, wsrNS)
		assertVisible(t, w.tokens["wsr-amy"])
		expectError(t, call(t, "GET", server.APIPrefix+wsr, admin, nil), 404, 5, "name", "not found")
	})
}

func userToken(t *testing.T, user, password string) string {
	t.Helper()
	r := call(t, "POST", server.APIPrefix+"/login", "", map[string]string{"username": user, "password": password})
	if r.status != http.StatusOK {
		t.Fatalf("login %s: %s", user, r.raw)
	}
	return r.body["token"].(string)
}

// assertVisible checks the caller's cluster list. Visibility is computed per request from the
// model, so no wait is needed.
func assertVisible(t *testing.T, token string, want ...string) {
	t.Helper()
	if got := visibleClusters(t, token); !slices.Equal(got, want) {
		t.Errorf("GET /clusters lists %v, want %v", got, want)
	}
}
