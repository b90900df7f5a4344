package workloads_test

import (
	"context"
	"net/http"
	"reflect"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kpanda/kpanda/internal/apiclient"
	"github.com/kpanda/kpanda/internal/apiclient/apiclienttest"
	"github.com/kpanda/kpanda/internal/workload"
)

func TestVPA(t *testing.T) {
	ctx := t.Context()
	const name = "vpa-web"
	deploymentWith(t, name, map[string]string{"cpu": "100m"})

	t.Run("a cluster without the add-on", func(t *testing.T) {
		_, err := admin.PutVPA(ctx, cluster, namespace, apiclient.Deployments, name, workload.VPAForm{})
		expectNotInstalled(t, err, "vpa")
		_, err = admin.ListVPAs(ctx, cluster, namespace)
		expectNotInstalled(t, err, "vpa")
	})

	installCRD(t, vpaCRDYAML, workload.VPAResource)
	bounded := workload.VPAForm{UpdateMode: workload.VPAModeRecreate, Containers: []workload.VPAContainerPolicy{{
		Name: "app", MinAllowed: map[string]string{"cpu": "50m"}, MaxAllowed: map[string]string{"cpu": "1", "memory": "512Mi"},
		ControlledResources: []string{"cpu", "memory"},
	}}}

	t.Run("put, replace, get and list", func(t *testing.T) {
		put, err := admin.PutVPA(ctx, cluster, namespace, apiclient.Deployments, name, workload.VPAForm{})
		if err != nil {
			t.Fatal(err)
		}
		if put.Name != name || put.TargetKind != workload.KindDeployment || put.TargetName != name || put.UpdateMode != workload.VPAModeOff {
			t.Errorf("put answered %+v", put)
		}
		u := stored(t, workload.VPAResource, name)
		if storedString(u, "spec", "updatePolicy", "updateMode") != "Off" || storedString(u, "spec", "targetRef", "kind") != workload.KindDeployment {
			t.Errorf("stored spec %v", u.Object["spec"])
		}

		if _, err := admin.PutVPA(ctx, cluster, namespace, apiclient.Deployments, name, bounded); err != nil {
			t.Fatal(err)
		}
		u = stored(t, workload.VPAResource, name)
		if storedString(u, "spec", "updatePolicy", "updateMode") != workload.VPAModeRecreate {
			t.Errorf("replaced spec %v", u.Object["spec"])
		}
		got, err := admin.GetVPA(ctx, cluster, namespace, apiclient.Deployments, name)
		if err != nil || got.UpdateMode != workload.VPAModeRecreate || !reflect.DeepEqual(got.Containers, bounded.Containers) {
			t.Fatalf("get: %v %+v", err, got)
		}
		list, err := admin.ListVPAs(ctx, cluster, namespace)
		if err != nil || len(list.Items) != 1 || list.Items[0].TargetName != name {
			t.Errorf("list: %v %+v", err, list)
		}
	})

	t.Run("a daemonset", func(t *testing.T) {
		if _, err := admin.CreateWorkload(ctx, cluster, namespace, apiclient.DaemonSets, apiclient.WorkloadRequest{Form: form(workload.KindDaemonSet, "vpa-agent")}); err != nil {
			t.Fatal(err)
		}
		put, err := admin.PutVPA(ctx, cluster, namespace, apiclient.DaemonSets, "vpa-agent", workload.VPAForm{UpdateMode: workload.VPAModeInitial})
		if err != nil || put.TargetKind != workload.KindDaemonSet {
			t.Fatalf("put: %v %+v", err, put)
		}
		if err := admin.DeleteVPA(ctx, cluster, namespace, apiclient.DaemonSets, "vpa-agent"); err != nil {
			t.Fatal(err)
		}
		expectGone(t, workload.VPAResource, "vpa-agent")
	})

	t.Run("bad input changes nothing", func(t *testing.T) {
		before := stored(t, workload.VPAResource, name).GetResourceVersion()
		tests := []struct {
			name        string
			kind        string
			form        workload.VPAForm
			field, rule string
		}{
			{"unknown mode", apiclient.Deployments, workload.VPAForm{UpdateMode: "Sometimes"}, "updateMode", "Off, Initial, Recreate, Auto"},
			{"no such container", apiclient.Deployments, workload.VPAForm{Containers: []workload.VPAContainerPolicy{{Name: "sidecar"}}}, "containers[0].name", "which has app"},
			{"max below min", apiclient.Deployments, workload.VPAForm{Containers: []workload.VPAContainerPolicy{{Name: "app",
				MinAllowed: map[string]string{"memory": "1Gi"}, MaxAllowed: map[string]string{"memory": "512Mi"}}}}, "containers[0].maxAllowed[memory]", "less than minAllowed"},
			{"a job", apiclient.Jobs, workload.VPAForm{}, "kind", "Job"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, err := admin.PutVPA(ctx, cluster, namespace, tc.kind, name, tc.form)
				apiclienttest.ExpectError(t, err, http.StatusBadRequest, tc.field, tc.rule)
			})
		}
		if after := stored(t, workload.VPAResource, name).GetResourceVersion(); after != before {
			t.Errorf("a refused put changed the VPA: resourceVersion %s -> %s", before, after)
		}
	})

	t.Run("a second VPA of the workload", func(t *testing.T) {
		other := (&workload.VPAForm{}).BuildVPA(namespace, workload.VPATarget{Kind: workload.KindDeployment, Name: name})
		other.SetName("vpa-other")
		if _, err := dyn.Resource(workload.VPAResource).Namespace(namespace).Create(ctx, other, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		defer func() {
			_ = dyn.Resource(workload.VPAResource).Namespace(namespace).Delete(context.Background(), "vpa-other", metav1.DeleteOptions{})
		}()
		_, err := admin.PutVPA(ctx, cluster, namespace, apiclient.Deployments, name, bounded)
		apiclienttest.ExpectError(t, err, http.StatusConflict, "name", "VerticalPodAutoscaler vpa-other")
	})

	t.Run("the VPA of another workload of that name", func(t *testing.T) {
		_, err := admin.GetVPA(ctx, cluster, namespace, apiclient.StatefulSets, name)
		apiclienttest.ExpectError(t, err, http.StatusNotFound, "", "StatefulSet vpa-web has no VerticalPodAutoscaler")
		err = admin.DeleteVPA(ctx, cluster, namespace, apiclient.StatefulSets, name)
		apiclienttest.ExpectError(t, err, http.StatusNotFound, "", "has no VerticalPodAutoscaler")
		stored(t, workload.VPAResource, name) // still there
	})

	t.Run("delete", func(t *testing.T) {
		if err := admin.DeleteVPA(ctx, cluster, namespace, apiclient.Deployments, name); err != nil {
			t.Fatal(err)
		}
		expectGone(t, workload.VPAResource, name)
		_, err := admin.GetVPA(ctx, cluster, namespace, apiclient.Deployments, name)
		apiclienttest.ExpectError(t, err, http.StatusNotFound, "", "Deployment vpa-web has no VerticalPodAutoscaler")
	})
}
