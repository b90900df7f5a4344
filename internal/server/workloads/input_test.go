package workloads_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kpanda/kpanda/internal/apiclient"
	"github.com/kpanda/kpanda/internal/apiclient/apiclienttest"
	"github.com/kpanda/kpanda/internal/workload"
)

// TestBadInput: each bad input is refused with the field at fault, and nothing is created.
func TestBadInput(t *testing.T) {
	ctx := t.Context()
	if _, err := admin.CreateWorkload(ctx, cluster, namespace, apiclient.Deployments, apiclient.WorkloadRequest{Form: form(workload.KindDeployment, "taken")}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		change func(*workload.Form)
		yaml   string
		status int
		field  string
		phrase string
	}{
		{name: "name taken", change: func(f *workload.Form) { f.Name = "taken" }, status: http.StatusConflict, field: "name", phrase: "already exists"},
		{name: "name not DNS-1123", change: func(f *workload.Form) { f.Name = "Bad_Name" }, status: http.StatusBadRequest, field: "name", phrase: "RFC 1123"},
		{name: "name too long", change: func(f *workload.Form) { f.Name = strings.Repeat("x", 64) }, status: http.StatusBadRequest, field: "name", phrase: "at most 63"},
		{name: "description too long", change: func(f *workload.Form) { f.Description = strings.Repeat("d", 513) }, status: http.StatusBadRequest, field: "description", phrase: "at most 512"},
		{name: "shared container port", change: func(f *workload.Form) {
			f.Containers = append(f.Containers, workload.Container{Name: "side", Image: "side:1", Ports: []workload.Port{{ContainerPort: 8080}}})
		}, status: http.StatusBadRequest, field: "containers[1].ports[0].containerPort", phrase: "already used by containers[0].ports[0]"},
		{name: "grace period", change: func(f *workload.Form) { f.TerminationGracePeriodSeconds = ptr(int64(10000)) },
			status: http.StatusBadRequest, field: "terminationGracePeriodSeconds", phrase: "0 to 9999"},
		{name: "affinity weight", change: func(f *workload.Form) {
			f.Scheduling = &workload.Scheduling{NodeAffinity: []workload.NodeRule{{Type: workload.RulePreferred, Weight: 101,
				Expressions: []workload.Expression{{Key: "disk", Operator: "Exists"}}}}}
		}, status: http.StatusBadRequest, field: "scheduling.nodeAffinity[0].weight", phrase: "1 to 100"},
		{name: "pod affinity without topology", change: func(f *workload.Form) {
			f.Scheduling = &workload.Scheduling{PodAntiAffinity: []workload.PodRule{{Type: workload.RuleRequired,
				Expressions: []workload.Expression{{Key: "app", Operator: "Exists"}}}}}
		}, status: http.StatusBadRequest, field: "scheduling.podAntiAffinity[0].topologyKey", phrase: "required"},
		{name: "kind of another route", change: func(f *workload.Form) { f.Kind = workload.KindJob }, status: http.StatusBadRequest, field: "kind", phrase: "route of deployments"},
		{name: "yaml of another kind", yaml: "apiVersion: batch/v1\nkind: Job\nmetadata: {name: y}\n", status: http.StatusBadRequest, field: "yaml", phrase: "takes apps/v1 Deployment"},
		{name: "yaml not yaml", yaml: "{{", status: http.StatusBadRequest, field: "yaml", phrase: "not one YAML object"},
		{name: "yaml the apiserver refuses", yaml: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: no-spec}\n", status: http.StatusBadRequest, field: "", phrase: "spec.selector"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := apiclient.WorkloadRequest{YAML: tc.yaml}
			if tc.change != nil {
				req.Form = form(workload.KindDeployment, "refused")
				tc.change(req.Form)
			}
			_, err := admin.CreateWorkload(ctx, cluster, namespace, apiclient.Deployments, req)
			apiclienttest.ExpectError(t, err, tc.status, tc.field, tc.phrase)
			if _, err := kube.AppsV1().Deployments(namespace).Get(ctx, "refused", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
				t.Errorf("a refused create left a Deployment: %v", err)
			}
		})
	}
	t.Run("rename on update", func(t *testing.T) {
		_, err := admin.UpdateWorkload(ctx, cluster, namespace, apiclient.Deployments, "taken", apiclient.WorkloadRequest{Form: form(workload.KindDeployment, "other")})
		apiclienttest.ExpectError(t, err, http.StatusBadRequest, "name", "cannot be renamed")
	})
	t.Run("both form and yaml", func(t *testing.T) {
		_, err := admin.CreateWorkload(ctx, cluster, namespace, apiclient.Deployments, apiclient.WorkloadRequest{Form: form(workload.KindDeployment, "x"), YAML: "a: b"})
		apiclienttest.ExpectError(t, err, http.StatusBadRequest, "", "exactly one of form and yaml")
	})
	t.Run("negative scale", func(t *testing.T) {
		err := action(ctx, admin, "taken", "scale", map[string]int{"replicas": -1})
		apiclienttest.ExpectError(t, err, http.StatusBadRequest, "replicas", "0 or more")
	})
	t.Run("tail lines", func(t *testing.T) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+apiclient.APIPrefix+"/clusters/"+cluster+"/namespaces/"+namespace+"/pods/any/log?tailLines=-3", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+adminToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		var body struct{ Field, Message string }
		_ = json.NewDecoder(resp.Body).Decode(&body)
		if resp.StatusCode != http.StatusBadRequest || body.Field != "tailLines" {
			t.Errorf("tailLines=-3: %d %+v", resp.StatusCode, body)
		}
	})
}
