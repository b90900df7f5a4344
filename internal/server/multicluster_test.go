package server_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kpanda/kpanda/internal/server"
)

// TestListAcrossClustersOverREST: GET /multicluster/pods answers from the watch caches what
// each user sees of the access world (seed FAQ 2's sources), filtered by label.
func TestListAcrossClustersOverREST(t *testing.T) {
	w := setUpAccessWorld(t)
	for _, p := range []struct{ namespace, name, app string }{
		{"team-a", "web-a1", "web"}, {"team-a", "web-a2", "web"}, {"team-a", "db-a1", "db"}, {"team-b", "web-b1", "web"},
	} {
		pod := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: p.name, Namespace: p.namespace, Labels: map[string]string{"app": p.app}},
			Spec:       corev1.PodSpec{NodeName: "nowhere", Containers: []corev1.Container{{Name: "c", Image: "registry.k8s.io/pause:3.10"}}},
		}
		if _, err := w.member.CoreV1().Pods(p.namespace).Create(t.Context(), pod, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// gina has no grant at all (erin of the world may be given one by another test).
	w.must(t, "POST", "/users", map[string]string{"name": "gina", "password": "pw-gina"})
	r := call(t, "POST", server.APIPrefix+"/login", "", map[string]string{"username": "gina", "password": "pw-gina"})
	if r.status != http.StatusOK {
		t.Fatalf("login gina: %s", r.raw)
	}
	w.tokens["gina"] = r.body["token"].(string)
	web := "/multicluster/pods?labelSelector=" + url.QueryEscape("app=web")
	for _, tc := range []struct {
		user  string
		query string
		want  []string // cluster/namespace/name
	}{
		{"admin", web + "&cluster=" + c2, []string{"c2/team-a/web-a1", "c2/team-a/web-a2", "c2/team-b/web-b1"}},
		{"admin", web + "&cluster=" + c2 + "&namespace=team-b", []string{"c2/team-b/web-b1"}},
		{"admin", "/multicluster/pods?name=db&cluster=" + c2, []string{"c2/team-a/db-a1"}},
		{"bob", web, []string{"c2/team-a/web-a1", "c2/team-a/web-a2", "c2/team-b/web-b1"}}, // cluster role through a group
		{"carol", web, []string{"c2/team-b/web-b1"}},                                       // workspace resource group
		{"frank", web, []string{"c2/team-b/web-b1"}},                                       // namespace role
		{"frank", web + "&namespace=team-a", nil},                                          // asks for more than granted
		{"gina", web, nil}, // nothing
	} {
		t.Run(tc.user+tc.query, func(t *testing.T) {
			token := w.admin
			if tc.user != "admin" {
				token = w.tokens[tc.user]
			}
			r := call(t, "GET", server.APIPrefix+tc.query, token, nil)
			if r.status != http.StatusOK {
				t.Fatalf("%d %s", r.status, r.raw)
			}
			var got []string
			for _, item := range r.body["items"].([]any) {
				i := item.(map[string]any)
				got = append(got, i["cluster"].(string)+"/"+i["namespace"].(string)+"/"+i["name"].(string))
			}
			if !slices.Equal(got, tc.want) || r.body["total"] != float64(len(tc.want)) {
				t.Errorf("items %v (total %v), want %v", got, r.body["total"], tc.want)
			}
		})
	}

	t.Run("refusals name the parameter", func(t *testing.T) {
		for _, tc := range []struct {
			query  string
			status int
			code   int
			field  string
		}{
			{"/multicluster/pods?labelSelector=" + url.QueryEscape("app in (web"), 400, 3, "labelSelector"},
			{"/multicluster/pods?limit=0", 400, 3, "limit"},
			{"/multicluster/pods?limit=501", 400, 3, "limit"},
			{"/multicluster/pods?continue=garbage!", 400, 3, "continue"},
			{"/multicluster/secrets", 404, 5, "resource"},
			{"/multicluster/pods?cluster=nope", 404, 5, "cluster"},
		} {
			expectError(t, call(t, "GET", server.APIPrefix+tc.query, w.admin, nil), tc.status, tc.code, tc.field, tc.field)
		}
	})
}
