package workloads_test

import (
	"net/http"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kpanda/kpanda/internal/apiclient"
	"github.com/kpanda/kpanda/internal/apiclient/apiclienttest"
)

func TestCreateNamespace(t *testing.T) {
	ctx := t.Context()
	created, err := admin.CreateNamespace(ctx, cluster, apiclient.NamespaceRequest{
		Name: "team-a", Labels: map[string]string{"team": "a"}, Quota: map[string]string{"pods": "10", "requests.cpu": "2"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if created.Name != "team-a" || created.Labels["team"] != "a" {
		t.Errorf("created %+v", created)
	}
	quota, err := kube.CoreV1().ResourceQuotas("team-a").Get(ctx, "kpanda-quota", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if pods := quota.Spec.Hard["pods"]; pods.String() != "10" {
		t.Errorf("quota %v", quota.Spec.Hard)
	}
	list, err := admin.ListNamespaces(ctx, cluster)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, ns := range list.Items {
		found = found || ns.Name == "team-a" && ns.Status == "Active"
	}
	if !found {
		t.Errorf("team-a not listed: %+v", list.Items)
	}

	tests := []struct {
		name         string
		req          apiclient.NamespaceRequest
		status       int
		field, words string
	}{
		{"taken", apiclient.NamespaceRequest{Name: "team-a"}, http.StatusConflict, "name", "already exists"},
		{"bad name", apiclient.NamespaceRequest{Name: "Team"}, http.StatusBadRequest, "name", "RFC 1123"},
		{"bad label", apiclient.NamespaceRequest{Name: "team-b", Labels: map[string]string{"team": "b b"}}, http.StatusBadRequest, "labels[team]", "team"},
		{"bad quota", apiclient.NamespaceRequest{Name: "team-b", Quota: map[string]string{"pods": "many"}}, http.StatusBadRequest, "quota[pods]", "not a quantity"},
		// The member refuses the quota (an unknown resource name): the namespace goes again.
		{"quota the member refuses", apiclient.NamespaceRequest{Name: "team-b", Quota: map[string]string{"no/such/thing": "1"}}, http.StatusBadRequest, "", "quota"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := admin.CreateNamespace(ctx, cluster, tc.req)
			apiclienttest.ExpectError(t, err, tc.status, tc.field, tc.words)
			if tc.req.Name == "team-b" {
				ns, err := kube.CoreV1().Namespaces().Get(ctx, "team-b", metav1.GetOptions{})
				if !apierrors.IsNotFound(err) && (err != nil || ns.DeletionTimestamp == nil) {
					t.Errorf("a refused create left namespace team-b: %v", err)
				}
			}
		})
	}
}
