package workloads_test

import (
	"context"
	"net/http"
	"reflect"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kpanda/kpanda/internal/apiclient"
	"github.com/kpanda/kpanda/internal/apiclient/apiclienttest"
	"github.com/kpanda/kpanda/internal/workload"
)

// TestCronHPA follows the controller's rule: a CronHPA scales the workload, or the workload's
// HPA when it has one, and follows the HPA as it comes and goes.
func TestCronHPA(t *testing.T) {
	ctx := t.Context()
	const plain, autoscaled = "cron-web", "cron-scaled"
	deploymentWith(t, plain, map[string]string{"cpu": "100m"})
	deploymentWith(t, autoscaled, map[string]string{"cpu": "100m"})
	cpu80 := workload.HPAForm{MaxReplicas: 6, CPUUtilization: ptr[int32](80)}
	putHPA(t, autoscaled, cpu80)
	t.Cleanup(func() {
		_ = kube.AutoscalingV2().HorizontalPodAutoscalers(namespace).Delete(context.Background(), autoscaled, metav1.DeleteOptions{})
	})
	weekdays := workload.CronHPAForm{
		Jobs: []workload.CronHPAJob{
			{Name: "up", Schedule: "0 0 8 * * 1-5", TargetSize: 4},
			{Name: "down", Schedule: "0 0 20 * * 1-5", TargetSize: 1, RunOnce: true},
		},
		ExcludeDates: []string{"* * * 25 12 *"},
	}
	onWorkload := func(name string) workload.ScaleTargetRef {
		return workload.ScaleTargetRef{APIVersion: "apps/v1", Kind: workload.KindDeployment, Name: name}
	}
	onHPA := func(name string) workload.ScaleTargetRef {
		return workload.ScaleTargetRef{APIVersion: "autoscaling/v2", Kind: "HorizontalPodAutoscaler", Name: name}
	}

	t.Run("a cluster without the add-on", func(t *testing.T) {
		_, err := admin.PutCronHPA(ctx, cluster, namespace, apiclient.Deployments, plain, weekdays)
		expectNotInstalled(t, err, "cronhpa")
		_, err = admin.ListCronHPAs(ctx, cluster, namespace)
		expectNotInstalled(t, err, "cronhpa")
	})

	installCRD(t, cronHPACRDYAML, workload.CronHPAResource)

	t.Run("a workload without an HPA is scaled itself", func(t *testing.T) {
		put, err := admin.PutCronHPA(ctx, cluster, namespace, apiclient.Deployments, plain, weekdays)
		if err != nil {
			t.Fatal(err)
		}
		if put.Target != onWorkload(plain) || !reflect.DeepEqual(put.Jobs, weekdays.Jobs) || !reflect.DeepEqual(put.ExcludeDates, weekdays.ExcludeDates) {
			t.Errorf("put answered %+v", put)
		}
		expectCronTarget(t, plain, onWorkload(plain))
		jobs := storedJobs(t, plain)
		if len(jobs) != 2 || jobs[0]["schedule"] != "0 0 8 * * 1-5" || jobs[0]["targetSize"] != int64(4) || jobs[1]["runOnce"] != true {
			t.Errorf("stored jobs %v", jobs)
		}
	})

	t.Run("a workload with an HPA is scaled through it", func(t *testing.T) {
		put, err := admin.PutCronHPA(ctx, cluster, namespace, apiclient.Deployments, autoscaled, weekdays)
		if err != nil {
			t.Fatal(err)
		}
		if put.Target != onHPA(autoscaled) {
			t.Errorf("put answered target %+v", put.Target)
		}
		expectCronTarget(t, autoscaled, onHPA(autoscaled))
		got, err := admin.GetCronHPA(ctx, cluster, namespace, apiclient.Deployments, autoscaled)
		if err != nil || got.Target != onHPA(autoscaled) {
			t.Errorf("get: %v %+v", err, got)
		}
		list, err := admin.ListCronHPAs(ctx, cluster, namespace)
		if err != nil || len(list.Items) != 2 {
			t.Errorf("list: %v %+v", err, list)
		}
	})

	t.Run("an HPA added later re-points it, deleting the HPA points it back", func(t *testing.T) {
		putHPA(t, plain, cpu80)
		expectCronTarget(t, plain, onHPA(plain))
		if _, err := admin.GetCronHPA(ctx, cluster, namespace, apiclient.Deployments, plain); err != nil {
			t.Errorf("the re-pointed CronHPA is still the workload's: %v", err)
		}
		if err := send(ctx, adminToken, http.MethodDelete, hpaPath(apiclient.Deployments, plain), nil, nil); err != nil {
			t.Fatal(err)
		}
		expectCronTarget(t, plain, onWorkload(plain))
		// The other workload's CronHPA was left alone.
		expectCronTarget(t, autoscaled, onHPA(autoscaled))
	})

	t.Run("bad input changes nothing", func(t *testing.T) {
		before := stored(t, workload.CronHPAResource, plain).GetResourceVersion()
		fiveFields := workload.CronHPAForm{Jobs: []workload.CronHPAJob{weekdays.Jobs[0], {Name: "night", Schedule: "0 22 * * *", TargetSize: 1}}}
		twice := workload.CronHPAForm{Jobs: []workload.CronHPAJob{weekdays.Jobs[0], weekdays.Jobs[0]}}
		toZero := workload.CronHPAForm{Jobs: []workload.CronHPAJob{{Name: "off", Schedule: "0 0 22 * * *", TargetSize: 0}}}
		tests := []struct {
			name, kind, workload string
			form                 workload.CronHPAForm
			field, rule          string
		}{
			{"a five-field schedule", apiclient.Deployments, plain, fiveFields, "jobs[1].schedule", "has 5 fields"},
			{"a job name twice", apiclient.Deployments, plain, twice, "jobs[1].name", "unique"},
			{"zero through an HPA", apiclient.Deployments, autoscaled, toZero, "jobs[0].targetSize", "HorizontalPodAutoscaler cron-scaled"},
			{"a daemonset", apiclient.DaemonSets, plain, weekdays, "kind", "DaemonSet"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, err := admin.PutCronHPA(ctx, cluster, namespace, tc.kind, tc.workload, tc.form)
				apiclienttest.ExpectError(t, err, http.StatusBadRequest, tc.field, tc.rule)
			})
		}
		if after := stored(t, workload.CronHPAResource, plain).GetResourceVersion(); after != before {
			t.Errorf("a refused put changed the CronHPA: resourceVersion %s -> %s", before, after)
		}
	})

	t.Run("delete", func(t *testing.T) {
		for _, name := range []string{plain, autoscaled} {
			if err := admin.DeleteCronHPA(ctx, cluster, namespace, apiclient.Deployments, name); err != nil {
				t.Fatal(err)
			}
			expectGone(t, workload.CronHPAResource, name)
		}
		_, err := admin.GetCronHPA(ctx, cluster, namespace, apiclient.Deployments, plain)
		apiclienttest.ExpectError(t, err, http.StatusNotFound, "", "Deployment cron-web has no CronHorizontalPodAutoscaler")
	})
}

// putHPA puts the HPA of the Deployment name through the API.
func putHPA(t *testing.T, name string, form workload.HPAForm) {
	t.Helper()
	if err := send(t.Context(), adminToken, http.MethodPut, hpaPath(apiclient.Deployments, name), form, nil); err != nil {
		t.Fatal(err)
	}
}

// expectCronTarget asserts what the stored CronHPA name scales.
func expectCronTarget(t *testing.T, name string, want workload.ScaleTargetRef) {
	t.Helper()
	u := stored(t, workload.CronHPAResource, name)
	got := workload.ScaleTargetRef{
		APIVersion: storedString(u, "spec", "scaleTargetRef", "apiVersion"),
		Kind:       storedString(u, "spec", "scaleTargetRef", "kind"),
		Name:       storedString(u, "spec", "scaleTargetRef", "name"),
	}
	if got != want {
		t.Errorf("CronHPA %s scales %+v, want %+v", name, got, want)
	}
}

// storedJobs are the jobs of the stored CronHPA name.
func storedJobs(t *testing.T, name string) []map[string]any {
	t.Helper()
	items, _, err := unstructured.NestedSlice(stored(t, workload.CronHPAResource, name).Object, "spec", "jobs")
	if err != nil {
		t.Fatal(err)
	}
	jobs := make([]map[string]any, 0, len(items))
	for _, item := range items {
		job, _ := item.(map[string]any)
		jobs = append(jobs, job)
	}
	return jobs
}
