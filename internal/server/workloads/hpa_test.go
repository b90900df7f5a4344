package workloads_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kpanda/kpanda/internal/apiclient"
	"github.com/kpanda/kpanda/internal/apiclient/apiclienttest"
	"github.com/kpanda/kpanda/internal/localcluster/clustertest"
	"github.com/kpanda/kpanda/internal/workload"
)

// send sends a request to the API with token and decodes the answer into out; a refusal is the
// *apiclient.APIError the typed client would return, for expectAPIError.
func send(ctx context.Context, token, method, path string, body, out any) error {
	var reader io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return err
		}
		reader = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, baseURL+apiclient.APIPrefix+path, reader)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		apiErr := &apiclient.APIError{Status: resp.StatusCode}
		if err := json.Unmarshal(data, apiErr); err != nil {
			return fmt.Errorf("%d: %s", resp.StatusCode, data)
		}
		return apiErr
	}
	if out == nil || len(data) == 0 {
		return nil
	}
	return json.Unmarshal(data, out)
}

func hpaPath(plural, name string) string {
	return fmt.Sprintf("/clusters/%s/namespaces/%s/%s/%s/hpa", cluster, namespace, plural, name)
}

// deploymentWith creates a Deployment through the form whose container requests requests.
func deploymentWith(t *testing.T, name string, requests map[string]string) {
	t.Helper()
	f := form(workload.KindDeployment, name)
	f.Containers[0].Requests = requests
	if _, err := admin.CreateWorkload(t.Context(), cluster, namespace, apiclient.Deployments, apiclient.WorkloadRequest{Form: f}); err != nil {
		t.Fatal(err)
	}
}

func TestHPA(t *testing.T) {
	ctx := t.Context()
	const name = "scaled"
	deploymentWith(t, name, map[string]string{"cpu": "100m"})
	cpu80 := workload.HPAForm{MinReplicas: ptr[int32](2), MaxReplicas: 5, CPUUtilization: ptr[int32](80)}

	t.Run("put and read back", func(t *testing.T) {
		var put workload.HPA
		if err := send(ctx, adminToken, http.MethodPut, hpaPath(apiclient.Deployments, name), cpu80, &put); err != nil {
			t.Fatal(err)
		}
		if put.Name != name || put.TargetKind != workload.KindDeployment || put.TargetName != name || put.MinReplicas != 2 || put.MaxReplicas != 5 {
			t.Errorf("put answered %+v", put)
		}
		stored, err := kube.AutoscalingV2().HorizontalPodAutoscalers(namespace).Get(ctx, name, metav1.GetOptions{})
		if err != nil || len(stored.Spec.Metrics) != 1 || *stored.Spec.Metrics[0].Resource.Target.AverageUtilization != 80 {
			t.Fatalf("stored: %v %+v", err, stored)
		}
		// A second PUT replaces it.
		cpu80.MaxReplicas = 6
		if err := send(ctx, adminToken, http.MethodPut, hpaPath(apiclient.Deployments, name), cpu80, &put); err != nil || put.MaxReplicas != 6 {
			t.Fatalf("replace: %v %+v", err, put)
		}
		var got workload.HPA
		if err := send(ctx, adminToken, http.MethodGet, hpaPath(apiclient.Deployments, name), nil, &got); err != nil || got.MaxReplicas != 6 || len(got.Metrics) != 1 || got.Metrics[0].Resource != "cpu" {
			t.Fatalf("get: %v %+v", err, got)
		}
		var list struct{ Items []workload.HPA }
		if err := send(ctx, adminToken, http.MethodGet, fmt.Sprintf("/clusters/%s/namespaces/%s/horizontalpodautoscalers", cluster, namespace), nil, &list); err != nil {
			t.Fatal(err)
		}
		if len(list.Items) != 1 || list.Items[0].TargetName != name || list.Items[0].MinReplicas != 2 {
			t.Errorf("list %+v", list.Items)
		}
	})

	t.Run("a container without a cpu request", func(t *testing.T) {
		deploymentWith(t, "unrequested", nil)
		err := send(ctx, adminToken, http.MethodPut, hpaPath(apiclient.Deployments, "unrequested"), cpu80, nil)
		apiclienttest.ExpectError(t, err, http.StatusBadRequest, "cpuUtilization", "app")
	})

	t.Run("a daemonset", func(t *testing.T) {
		err := send(ctx, adminToken, http.MethodPut, hpaPath(apiclient.DaemonSets, "any"), cpu80, nil)
		apiclienttest.ExpectError(t, err, http.StatusBadRequest, "kind", "DaemonSet")
	})

	t.Run("a second HPA of the workload", func(t *testing.T) {
		other := (&cpu80).BuildHPA(namespace, workload.HPATarget{Kind: workload.KindDeployment, Name: name})
		other.Name = "other"
		if _, err := kube.AutoscalingV2().HorizontalPodAutoscalers(namespace).Create(ctx, other, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		defer func() {
			_ = kube.AutoscalingV2().HorizontalPodAutoscalers(namespace).Delete(ctx, "other", metav1.DeleteOptions{})
		}()
		err := send(ctx, adminToken, http.MethodPut, hpaPath(apiclient.Deployments, name), cpu80, nil)
		apiclienttest.ExpectError(t, err, http.StatusConflict, "name", "other")
	})

	t.Run("an HPA of the name that scales another workload", func(t *testing.T) {
		deploymentWith(t, "twin", map[string]string{"cpu": "100m"})
		foreign := (&cpu80).BuildHPA(namespace, workload.HPATarget{Kind: workload.KindStatefulSet, Name: "twin"})
		if _, err := kube.AutoscalingV2().HorizontalPodAutoscalers(namespace).Create(ctx, foreign, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		defer func() {
			_ = kube.AutoscalingV2().HorizontalPodAutoscalers(namespace).Delete(ctx, "twin", metav1.DeleteOptions{})
		}()
		err := send(ctx, adminToken, http.MethodPut, hpaPath(apiclient.Deployments, "twin"), cpu80, nil)
		apiclienttest.ExpectError(t, err, http.StatusConflict, "name", "already scales StatefulSet twin")
		err = send(ctx, adminToken, http.MethodDelete, hpaPath(apiclient.Deployments, "twin"), nil, nil)
		apiclienttest.ExpectError(t, err, http.StatusNotFound, "", "Deployment twin has no HorizontalPodAutoscaler")
		stored, err := kube.AutoscalingV2().HorizontalPodAutoscalers(namespace).Get(ctx, "twin", metav1.GetOptions{})
		if err != nil || stored.Spec.ScaleTargetRef.Kind != workload.KindStatefulSet {
			t.Errorf("the StatefulSet's HPA after the refusals: %v %+v", err, stored)
		}
	})

	t.Run("an NS Viewer", func(t *testing.T) {
		token := viewerToken(t, "hanna")
		var got workload.HPA
		clustertest.Eventually(t, 30*time.Second, "hanna reads the HPA", func(ctx context.Context) error {
			return send(ctx, token, http.MethodGet, hpaPath(apiclient.Deployments, name), nil, &got)
		})
		err := send(ctx, token, http.MethodPut, hpaPath(apiclient.Deployments, name), cpu80, nil)
		apiclienttest.ExpectError(t, err, http.StatusForbidden, "", "[RBAC] update horizontalpodautoscalers is forbidden for user(hanna)")
		err = send(ctx, token, http.MethodDelete, hpaPath(apiclient.Deployments, name), nil, nil)
		apiclienttest.ExpectError(t, err, http.StatusForbidden, "", "[RBAC] delete horizontalpodautoscalers is forbidden for user(hanna)")
	})

	t.Run("delete", func(t *testing.T) {
		if err := send(ctx, adminToken, http.MethodDelete, hpaPath(apiclient.Deployments, name), nil, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := kube.AutoscalingV2().HorizontalPodAutoscalers(namespace).Get(ctx, name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Errorf("after delete: %v", err)
		}
		err := send(ctx, adminToken, http.MethodGet, hpaPath(apiclient.Deployments, name), nil, nil)
		apiclienttest.ExpectError(t, err, http.StatusNotFound, "", "not found")
	})
}

// viewerToken creates user as NS Viewer of the test namespace and logs them in.
func viewerToken(t *testing.T, user string) string {
	t.Helper()
	ctx := t.Context()
	if _, err := admin.CreateUser(ctx, user, "pw-"+user); err != nil {
		t.Fatal(err)
	}
	if _, _, err := admin.Grant(ctx, apiclient.GrantRequest{Role: "ns-viewer", User: user, Cluster: cluster, Namespace: namespace}); err != nil {
		t.Fatal(err)
	}
	result, err := apiclient.New(apiclient.Config{Server: baseURL}).Login(ctx, user, "pw-"+user)
	if err != nil {
		t.Fatal(err)
	}
	return result.Token
}

func TestAutoscalingOffered(t *testing.T) {
	var got struct {
		HPA     bool `json:"hpa"`
		VPA     bool `json:"vpa"`
		CronHPA bool `json:"cronhpa"`
	}
	if err := send(t.Context(), adminToken, http.MethodGet, "/clusters/"+cluster+"/autoscaling", nil, &got); err != nil {
		t.Fatal(err)
	}
	if !got.HPA || got.VPA || got.CronHPA {
		t.Errorf("offered %+v, want only the HPA", got)
	}
}
