package workloads_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kpanda/kpanda/internal/apiclient"
	"github.com/kpanda/kpanda/internal/apiclient/apiclienttest"
	"github.com/kpanda/kpanda/internal/localcluster/clustertest"
	"github.com/kpanda/kpanda/internal/workload"
)

func ptr[T any](v T) *T { return &v }

// form is a valid form of kind named name: one container on port 8080.
func form(kind, name string) *workload.Form {
	f := &workload.Form{Kind: kind, Name: name, Description: "made by " + name,
		Containers: []workload.Container{{Name: "app", Image: "registry.example/app:1", Ports: []workload.Port{{ContainerPort: 8080}}}}}
	if kind == workload.KindCronJob {
		f.Schedule = "*/5 * * * *"
	}
	return f
}

// waitStatus waits until the workload shows status want through the API.
func waitStatus(t *testing.T, kind, name, want string) *apiclient.Workload {
	t.Helper()
	var w *apiclient.Workload
	clustertest.Eventually(t, 60*time.Second, fmt.Sprintf("%s/%s %s", kind, name, want), func(ctx context.Context) error {
		var err error
		if w, err = admin.GetWorkload(ctx, cluster, namespace, kind, name); err != nil {
			return err
		}
		if w.Status != want {
			return fmt.Errorf("status %s", w.Status)
		}
		return nil
	})
	return w
}

func TestEveryKindFromTheForm(t *testing.T) {
	tests := []struct {
		kind, plural, want string
	}{
		{workload.KindDeployment, apiclient.Deployments, workload.StatusRunning},
		{workload.KindStatefulSet, apiclient.StatefulSets, workload.StatusRunning},
		{workload.KindDaemonSet, apiclient.DaemonSets, workload.StatusRunning},
		{workload.KindJob, apiclient.Jobs, workload.StatusCompleted},
		{workload.KindCronJob, apiclient.CronJobs, workload.StatusWaiting},
	}
	for _, tc := range tests {
		t.Run(tc.kind, func(t *testing.T) {
			name := "form-" + tc.plural
			created, err := admin.CreateWorkload(t.Context(), cluster, namespace, tc.plural, apiclient.WorkloadRequest{Form: form(tc.kind, name)})
			if err != nil {
				t.Fatal(err)
			}
			if created.Kind != tc.kind || created.Description != "made by "+name {
				t.Errorf("created %s %q", created.Kind, created.Description)
			}
			waitStatus(t, tc.plural, name, tc.want)
			list, err := admin.ListWorkloads(t.Context(), cluster, namespace, tc.plural)
			if err != nil || len(list.Items) == 0 {
				t.Fatalf("list: %v, %d items", err, len(list.Items))
			}
			// The stored object carries the form's defaults, read as the member's admin.
			u, err := dyn.Resource(gvr(tc.plural)).Namespace(namespace).Get(t.Context(), name, metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if u.GetAnnotations()[workload.DescriptionAnnotation] != "made by "+name {
				t.Errorf("annotations %v", u.GetAnnotations())
			}
		})
	}
	t.Run("delete", func(t *testing.T) {
		if err := admin.DeleteWorkload(t.Context(), cluster, namespace, apiclient.Jobs, "form-jobs"); err != nil {
			t.Fatal(err)
		}
		clustertest.Eventually(t, 30*time.Second, "job gone", func(ctx context.Context) error {
			_, err := kube.BatchV1().Jobs(namespace).Get(ctx, "form-jobs", metav1.GetOptions{})
			if apierrors.IsNotFound(err) {
				return nil
			}
			return fmt.Errorf("still there: %w", err)
		})
	})
}

func TestFromYAML(t *testing.T) {
	manifest := `apiVersion: apps/v1
kind: Deployment
metadata:
  name: from-yaml
spec:
  replicas: 1
  selector: {matchLabels: {app: from-yaml}}
  template:
    metadata: {labels: {app: from-yaml}}
    spec:
      containers: [{name: app, image: registry.example/app:1}]
`
	if _, err := admin.CreateWorkload(t.Context(), cluster, namespace, apiclient.Deployments, apiclient.WorkloadRequest{YAML: manifest}); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, apiclient.Deployments, "from-yaml", workload.StatusRunning)
	updated, err := admin.UpdateWorkload(t.Context(), cluster, namespace, apiclient.Deployments, "from-yaml",
		apiclient.WorkloadRequest{YAML: strings.Replace(manifest, "replicas: 1", "replicas: 2", 1)})
	if err != nil {
		t.Fatal(err)
	}
	// JSON numbers decode as float64.
	if replicas, _, _ := unstructured.NestedFieldNoCopy(updated.Object, "spec", "replicas"); replicas != float64(2) {
		t.Errorf("replicas after update: %v", replicas)
	}
}

func TestDeploymentActions(t *testing.T) {
	ctx := t.Context()
	const name = "actions"
	if _, err := admin.CreateWorkload(ctx, cluster, namespace, apiclient.Deployments, apiclient.WorkloadRequest{Form: form(workload.KindDeployment, name)}); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, apiclient.Deployments, name, workload.StatusRunning)

	t.Run("scale", func(t *testing.T) {
		if _, err := admin.WorkloadAction(ctx, cluster, namespace, apiclient.Deployments, name, "scale", map[string]int{"replicas": 3}); err != nil {
			t.Fatal(err)
		}
		waitStatus(t, apiclient.Deployments, name, workload.StatusRunning)
		d, err := kube.AppsV1().Deployments(namespace).Get(ctx, name, metav1.GetOptions{})
		if err != nil || *d.Spec.Replicas != 3 || d.Status.AvailableReplicas != 3 {
			t.Fatalf("after scale: %v %+v", err, d.Status)
		}
	})
	t.Run("restart", func(t *testing.T) {
		if _, err := admin.WorkloadAction(ctx, cluster, namespace, apiclient.Deployments, name, "restart", nil); err != nil {
			t.Fatal(err)
		}
		d, err := kube.AppsV1().Deployments(namespace).Get(ctx, name, metav1.GetOptions{})
		if err != nil || d.Spec.Template.Annotations["kubectl.kubernetes.io/restartedAt"] == "" {
			t.Fatalf("restart left no annotation: %v %v", err, d.Spec.Template.Annotations)
		}
		clustertest.Eventually(t, 60*time.Second, "revision 2 rolled out", func(ctx context.Context) error {
			return rolledOut(ctx, name, "2")
		})
	})
	t.Run("rollback", func(t *testing.T) {
		if _, err := admin.WorkloadAction(ctx, cluster, namespace, apiclient.Deployments, name, "rollback", map[string]int{"revision": 1}); err != nil {
			t.Fatal(err)
		}
		// Revision 1's template comes back as revision 3, without the restart's annotation.
		clustertest.Eventually(t, 60*time.Second, "revision 3 rolled out", func(ctx context.Context) error {
			return rolledOut(ctx, name, "3")
		})
		d, _ := kube.AppsV1().Deployments(namespace).Get(ctx, name, metav1.GetOptions{})
		if _, found := d.Spec.Template.Annotations["kubectl.kubernetes.io/restartedAt"]; found {
			t.Errorf("template after rollback to 1: %v", d.Spec.Template.Annotations)
		}
		_, err := admin.WorkloadAction(ctx, cluster, namespace, apiclient.Deployments, name, "rollback", map[string]int{"revision": 42})
		apiclienttest.ExpectError(t, err, http.StatusNotFound, "revision", "has no revision 42")
	})
	t.Run("pause and resume", func(t *testing.T) {
		for _, action := range []string{"pause", "resume"} {
			if _, err := admin.WorkloadAction(ctx, cluster, namespace, apiclient.Deployments, name, action, nil); err != nil {
				t.Fatal(err)
			}
			d, err := kube.AppsV1().Deployments(namespace).Get(ctx, name, metav1.GetOptions{})
			if err != nil || d.Spec.Paused != (action == "pause") {
				t.Errorf("after %s: paused %v (%v)", action, d.Spec.Paused, err)
			}
		}
	})
}

// rolledOut says whether the Deployment is at revision and fully available.
func rolledOut(ctx context.Context, name, revision string) error {
	d, err := kube.AppsV1().Deployments(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	if got := d.Annotations["deployment.kubernetes.io/revision"]; got != revision {
		return fmt.Errorf("revision %s", got)
	}
	if d.Status.UpdatedReplicas != *d.Spec.Replicas || d.Status.AvailableReplicas != *d.Spec.Replicas || d.Status.Replicas != *d.Spec.Replicas {
		return fmt.Errorf("status %+v", d.Status)
	}
	return nil
}

// TestRemovingEveryPolicyLeavesNoTrace is seed FAQ 6: a Deployment whose required node
// affinity no node meets has Pending pods; an edit without policies lets them run and leaves
// no affinity in the stored object.
func TestRemovingEveryPolicyLeavesNoTrace(t *testing.T) {
	ctx := t.Context()
	const name = "faq6"
	f := form(workload.KindDeployment, name)
	f.Scheduling = &workload.Scheduling{NodeAffinity: []workload.NodeRule{{Type: workload.RuleRequired,
		Expressions: []workload.Expression{{Key: "kpanda.io/nowhere", Operator: "In", Values: []string{"yes"}}}}}}
	if _, err := admin.CreateWorkload(ctx, cluster, namespace, apiclient.Deployments, apiclient.WorkloadRequest{Form: f}); err != nil {
		t.Fatal(err)
	}
	clustertest.Eventually(t, 30*time.Second, "a Pending pod", func(ctx context.Context) error {
		pods, err := admin.ListPods(ctx, cluster, namespace, workload.AppLabel+"="+name)
		if err != nil {
			return err
		}
		if len(pods.Items) != 1 || pods.Items[0].Status != "Pending" {
			return fmt.Errorf("pods %+v", pods.Items)
		}
		return nil
	})
	w, err := admin.GetWorkload(ctx, cluster, namespace, apiclient.Deployments, name)
	if err != nil {
		t.Fatal(err)
	}
	if w.Status != workload.StatusWaiting || w.Scheduling == nil || len(w.Scheduling.NodeAffinity) != 1 {
		t.Errorf("with pending pods: status %s, scheduling %+v", w.Status, w.Scheduling)
	}

	f.Scheduling = nil
	if _, err := admin.UpdateWorkload(ctx, cluster, namespace, apiclient.Deployments, name, apiclient.WorkloadRequest{Form: f}); err != nil {
		t.Fatal(err)
	}
	if w = waitStatus(t, apiclient.Deployments, name, workload.StatusRunning); w.Scheduling != nil {
		t.Errorf("policies after removing them all: %+v", w.Scheduling)
	}
	u, err := dyn.Resource(gvr(apiclient.Deployments)).Namespace(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	podSpec, _, _ := unstructured.NestedMap(u.Object, "spec", "template", "spec")
	for _, field := range []string{"affinity", "nodeSelector", "tolerations"} {
		if value, found := podSpec[field]; found {
			t.Errorf("stored pod template still has %s: %v", field, value)
		}
	}
	if u.GetAnnotations()[workload.DescriptionAnnotation] != "made by "+name || u.GetAnnotations()["deployment.kubernetes.io/revision"] == "" {
		t.Errorf("the edit lost annotations: %v", u.GetAnnotations())
	}
}

func gvr(plural string) schema.GroupVersionResource {
	group := "apps"
	if plural == apiclient.Jobs || plural == apiclient.CronJobs {
		group = "batch"
	}
	return schema.GroupVersionResource{Group: group, Version: "v1", Resource: plural}
}

// TestOtherKindActions: a StatefulSet scales, a DaemonSet restarts, a CronJob stops and
// starts again.
func TestOtherKindActions(t *testing.T) {
	ctx := t.Context()
	for _, kind := range []string{workload.KindStatefulSet, workload.KindDaemonSet, workload.KindCronJob} {
		plural := strings.ToLower(kind) + "s"
		if _, err := admin.CreateWorkload(ctx, cluster, namespace, plural, apiclient.WorkloadRequest{Form: form(kind, "acts")}); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("statefulset scale", func(t *testing.T) {
		waitStatus(t, apiclient.StatefulSets, "acts", workload.StatusRunning)
		if _, err := admin.WorkloadAction(ctx, cluster, namespace, apiclient.StatefulSets, "acts", "scale", map[string]int{"replicas": 2}); err != nil {
			t.Fatal(err)
		}
		waitStatus(t, apiclient.StatefulSets, "acts", workload.StatusRunning)
		if s, err := kube.AppsV1().StatefulSets(namespace).Get(ctx, "acts", metav1.GetOptions{}); err != nil || s.Status.ReadyReplicas != 2 {
			t.Errorf("after scale: %v %+v", err, s.Status)
		}
	})
	t.Run("daemonset restart", func(t *testing.T) {
		waitStatus(t, apiclient.DaemonSets, "acts", workload.StatusRunning)
		if _, err := admin.WorkloadAction(ctx, cluster, namespace, apiclient.DaemonSets, "acts", "restart", nil); err != nil {
			t.Fatal(err)
		}
		d, err := kube.AppsV1().DaemonSets(namespace).Get(ctx, "acts", metav1.GetOptions{})
		if err != nil || d.Spec.Template.Annotations["kubectl.kubernetes.io/restartedAt"] == "" {
			t.Fatalf("after restart: %v %v", err, d.Spec.Template.Annotations)
		}
		waitStatus(t, apiclient.DaemonSets, "acts", workload.StatusRunning)
	})
	t.Run("cronjob pause and resume", func(t *testing.T) {
		if w, err := admin.WorkloadAction(ctx, cluster, namespace, apiclient.CronJobs, "acts", "pause", nil); err != nil || w.Status != workload.StatusStopped {
			t.Fatalf("after pause: %v %+v", err, w)
		}
		if w, err := admin.WorkloadAction(ctx, cluster, namespace, apiclient.CronJobs, "acts", "resume", nil); err != nil || w.Status != workload.StatusWaiting {
			t.Fatalf("after resume: %v %+v", err, w)
		}
	})
	t.Run("no scale for a daemonset", func(t *testing.T) {
		_, err := admin.WorkloadAction(ctx, cluster, namespace, apiclient.DaemonSets, "acts", "scale", map[string]int{"replicas": 2})
		apiclienttest.ExpectError(t, err, http.StatusNotFound, "", "no such endpoint")
	})
}

// TestStuckDeploymentIsAbnormal: a rollout past its progress deadline shows as Abnormal.
func TestStuckDeploymentIsAbnormal(t *testing.T) {
	f := form(workload.KindDeployment, "stuck")
	f.ProgressDeadlineSeconds = ptr(int32(2))
	f.Scheduling = &workload.Scheduling{NodeSelector: map[string]string{"kpanda.io/nowhere": "yes"}}
	if _, err := admin.CreateWorkload(t.Context(), cluster, namespace, apiclient.Deployments, apiclient.WorkloadRequest{Form: f}); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, apiclient.Deployments, "stuck", workload.StatusAbnormal)
}
