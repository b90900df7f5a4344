package member_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv1alpha1 "github.com/kpanda/kpanda/api/helm/v1alpha1"
	"github.com/kpanda/kpanda/internal/controller/helmoperation"
	"github.com/kpanda/kpanda/internal/controller/member"
	"github.com/kpanda/kpanda/internal/helm/helmtest"
	runner "github.com/kpanda/kpanda/internal/helmoperation"
	"github.com/kpanda/kpanda/internal/localcluster/clustertest"
)

// useJobExecutor switches the member to the job executor for one test.
func useJobExecutor(t *testing.T, settings ...[2]string) {
	t.Helper()
	settings = append(settings, [2]string{"addon_setting.helm_operation_executor", "job"})
	applySettings(t, settings...)
	t.Cleanup(func() {
		_ = setSetting(context.Background(), "addon_setting.helm_operation_executor", "local")
		time.Sleep(2 * time.Second)
	})
}

func applySettings(t *testing.T, settings ...[2]string) {
	t.Helper()
	for _, s := range settings {
		if err := setSetting(t.Context(), s[0], s[1]); err != nil {
			t.Fatal(err)
		}
	}
	// The controller-manager reads the ConfigMap through a watch; give it a moment.
	time.Sleep(2 * time.Second)
}

// blockScheduling taints every node of the member so that operation pods stay Pending and the
// test, not the simulated kubelet, decides what their containers report.
func blockScheduling(t *testing.T) {
	t.Helper()
	setTaint(t, true)
	t.Cleanup(func() { setTaint(t, false) })
}

func setTaint(t *testing.T, on bool) {
	var nodes corev1.NodeList
	if err := remote.List(context.Background(), &nodes); err != nil {
		t.Fatal(err)
	}
	for _, node := range nodes.Items {
		patch := client.MergeFrom(node.DeepCopy())
		node.Spec.Taints = nil
		if on {
			node.Spec.Taints = []corev1.Taint{{Key: "kpanda.io/test-hold", Effect: corev1.TaintEffectNoSchedule}}
		}
		if err := remote.Patch(context.Background(), &node, patch); err != nil {
			t.Fatal(err)
		}
	}
}

// operationJob waits for the Job of the release's operation of type for its first generation.
func operationJob(t *testing.T, namespace, release string, opType helmv1alpha1.OperationType) (*helmv1alpha1.HelmOperation, *batchv1.Job) {
	t.Helper()
	return generationJob(t, namespace, release, opType, 1)
}

// generationJob waits for the Job of the release's operation of type for generation.
func generationJob(t *testing.T, namespace, release string, opType helmv1alpha1.OperationType, generation int64) (*helmv1alpha1.HelmOperation, *batchv1.Job) {
	t.Helper()
	var op helmv1alpha1.HelmOperation
	var job batchv1.Job
	clustertest.Eventually(t, 30*time.Second, "job of "+release, func(ctx context.Context) error {
		var ops helmv1alpha1.HelmOperationList
		if err := remote.List(ctx, &ops, client.InNamespace(namespace), client.MatchingLabels{helmv1alpha1.ReleaseLabel: release}); err != nil {
			return err
		}
		for _, o := range ops.Items {
			if o.Spec.Type == opType && o.Status.JobName != "" && o.Spec.ReleaseGeneration == generation {
				op = o
			}
		}
		if op.Name == "" {
			return fmt.Errorf("no %s operation with a Job yet", opType)
		}
		return remote.Get(ctx, client.ObjectKey{Namespace: runner.Namespace, Name: op.Status.JobName}, &job)
	})
	return &op, &job
}

// operationResult waits until op finished and returns its Complete condition.
func operationResult(t *testing.T, op *helmv1alpha1.HelmOperation, timeout time.Duration) *metav1.Condition {
	t.Helper()
	var c *metav1.Condition
	clustertest.Eventually(t, timeout, "operation "+op.Name+" finished", func(ctx context.Context) error {
		if err := remote.Get(ctx, client.ObjectKeyFromObject(op), op); err != nil {
			return err
		}
		if c = meta.FindStatusCondition(op.Status.Conditions, helmv1alpha1.ConditionComplete); c == nil {
			return fmt.Errorf("phase %q", op.Status.Phase)
		}
		return nil
	})
	return c
}

func TestJobCarriesTheSettingAndFailsWithoutReport(t *testing.T) {
	newRepo(t, "jobs", helmtest.Options{}, [2]string{"web", "0.1.0"})
	clustertest.Eventually(t, 30*time.Second, "index", func(ctx context.Context) error { return hasVersion(ctx, "jobs", "web", "0.1.0") })
	useJobExecutor(t,
		[2]string{"addon_setting.helm_operation_base_image", "registry.test/kpanda:one"},
		[2]string{"addon_setting.helm_operation_job_template_resources.requests.memory", "64Mi"},
		[2]string{"addon_setting.helm_operation_job_template_resources.requests.cpu", "50m"},
		[2]string{"addon_setting.helm_operation_job_template_resources.limits.memory", "300Mi"},
		[2]string{"addon_setting.helm_operation_job_template_resources.limits.cpu", "150m"})
	ns := newNamespace(t, "jobs")
	rel := newRelease(ns, "viajob", "jobs", "web", "0.1.0", "")
	if err := remote.Create(t.Context(), rel); err != nil {
		t.Fatal(err)
	}
	op, job := operationJob(t, ns, "viajob", helmv1alpha1.OperationInstall)
	checkJob(t, job, "registry.test/kpanda:one", "150m", "300Mi")
	if args := strings.Join(job.Spec.Template.Spec.Containers[0].Command, " "); args != "kpanda helm-operation run --namespace jobs --name "+op.Name {
		t.Errorf("command %q", args)
	}
	// The simulated kubelet completes the pod without running anything: no report, so failed.
	if c := operationResult(t, op, 30*time.Second); c.Status != metav1.ConditionFalse || c.Reason != "NoReport" {
		t.Fatalf("Complete = %+v", c)
	}

	applySettings(t,
		[2]string{"addon_setting.helm_operation_base_image", "registry.test/kpanda:two"},
		[2]string{"addon_setting.helm_operation_job_template_resources.limits.memory", "500Mi"})
	update(t, client.ObjectKeyFromObject(rel), func(r *helmv1alpha1.HelmRelease) { r.Spec.Values = "replicas: 2\n" })
	_, job = generationJob(t, ns, "viajob", helmv1alpha1.OperationInstall, 2)
	checkJob(t, job, "registry.test/kpanda:two", "150m", "500Mi")
}

func checkJob(t *testing.T, job *batchv1.Job, image, cpu, memory string) {
	t.Helper()
	container := job.Spec.Template.Spec.Containers[0]
	limits := container.Resources.Limits
	if container.Image != image || !limits.Cpu().Equal(resource.MustParse(cpu)) || !limits.Memory().Equal(resource.MustParse(memory)) {
		t.Errorf("job %s: image %s, limits %v; want %s, cpu %s, memory %s", job.Name, container.Image, limits, image, cpu, memory)
	}
	if job.Spec.ActiveDeadlineSeconds == nil || *job.Spec.BackoffLimit != 0 || job.Spec.Template.Spec.ServiceAccountName == "" {
		t.Errorf("job %s: deadline %v, backoffLimit %d, service account %q", job.Name, job.Spec.ActiveDeadlineSeconds, *job.Spec.BackoffLimit, job.Spec.Template.Spec.ServiceAccountName)
	}
}

// TestJobServiceAccountMayImpersonateOnlyTheRequester asks the member's own authorizer.
func TestJobServiceAccountMayImpersonateOnlyTheRequester(t *testing.T) {
	newRepo(t, "sa", helmtest.Options{}, [2]string{"web", "0.1.0"})
	clustertest.Eventually(t, 30*time.Second, "index", func(ctx context.Context) error { return hasVersion(ctx, "sa", "web", "0.1.0") })
	useJobExecutor(t)
	blockScheduling(t)
	ns := newNamespace(t, "sa")
	if err := remote.Create(t.Context(), newRelease(ns, "who", "sa", "web", "0.1.0", "")); err != nil {
		t.Fatal(err)
	}
	op, job := operationJob(t, ns, "who", helmv1alpha1.OperationInstall)
	sa := "system:serviceaccount:" + runner.Namespace + ":" + job.Spec.Template.Spec.ServiceAccountName
	for _, tc := range []struct {
		user    string
		allowed bool
	}{{tester, true}, {"kpanda:someone-else", false}, {"system:admin", false}} {
		if got := mayImpersonate(t, sa, tc.user); got != tc.allowed {
			t.Errorf("%s may impersonate %s: %v, want %v", sa, tc.user, got, tc.allowed)
		}
	}

	// What the Job's pod would do, with exactly the pod's credentials: those rights suffice.
	config := serviceAccountConfig(t, job.Spec.Template.Spec.ServiceAccountName)
	saClient, err := client.New(config, client.Options{Scheme: member.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	if err := (&runner.Runner{Client: saClient, Config: config}).Run(t.Context(), ns, op.Name); err != nil {
		t.Fatal(err)
	}
	if c := operationResult(t, op, 30*time.Second); c.Status != metav1.ConditionTrue {
		t.Fatalf("the runner with the Job's service account: %+v\n%s", c, op.Status.LogTail)
	}
	rel := waitRelease(t, client.ObjectKey{Namespace: ns, Name: "who"}, 30*time.Second)
	if rel.Status.Phase != helmv1alpha1.ReleaseDeployed {
		t.Fatalf("release %+v", rel.Status)
	}
}

func TestPodProblemsAreExplained(t *testing.T) {
	newRepo(t, "pods", helmtest.Options{}, [2]string{"web", "0.1.0"})
	clustertest.Eventually(t, 30*time.Second, "index", func(ctx context.Context) error { return hasVersion(ctx, "pods", "web", "0.1.0") })
	useJobExecutor(t,
		[2]string{"addon_setting.helm_operation_base_image", "registry.test/kpanda:missing"},
		[2]string{"addon_setting.helm_operation_job_template_resources.requests.memory", "64Mi"},
		[2]string{"addon_setting.helm_operation_job_template_resources.requests.cpu", "50m"},
		[2]string{"addon_setting.helm_operation_job_template_resources.limits.memory", "64Mi"},
		[2]string{"addon_setting.helm_operation_job_template_resources.limits.cpu", "50m"})
	blockScheduling(t)
	ns := newNamespace(t, "pods")
	for _, tc := range []struct {
		release string
		state   corev1.ContainerState
		reason  string
		message string
	}{
		{"oom", corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "OOMKilled", ExitCode: 137}}, "OOMKilled",
			"raise addon_setting.helm_operation_job_template_resources in apps-setting (now cpu 50m, memory 64Mi)"},
		{"pull", corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff", Message: "Back-off pulling image"}}, "ImagePullBackOff",
			"set addon_setting.helm_operation_base_image in apps-setting to an image this cluster can pull (now registry.test/kpanda:missing)"},
	} {
		t.Run(tc.release, func(t *testing.T) {
			if err := remote.Create(t.Context(), newRelease(ns, tc.release, "pods", "web", "0.1.0", "")); err != nil {
				t.Fatal(err)
			}
			op, _ := operationJob(t, ns, tc.release, helmv1alpha1.OperationInstall)
			setContainerState(t, op, tc.state)
			c := operationResult(t, op, 30*time.Second)
			if c.Reason != tc.reason || !strings.Contains(c.Message, tc.message) {
				t.Fatalf("Complete = %s: %s; want %s containing %q", c.Reason, c.Message, tc.reason, tc.message)
			}
			rel := waitRelease(t, client.ObjectKey{Namespace: ns, Name: tc.release}, 30*time.Second)
			if ready := findReady(rel); ready == nil || ready.Reason != tc.reason || !strings.Contains(ready.Message, tc.message) {
				t.Fatalf("release Ready = %+v", ready)
			}
		})
	}
}

// setContainerState writes what a kubelet would report for the operation's pod.
func setContainerState(t *testing.T, op *helmv1alpha1.HelmOperation, state corev1.ContainerState) {
	t.Helper()
	var pod corev1.Pod
	clustertest.Eventually(t, 30*time.Second, "pod of "+op.Name, func(ctx context.Context) error {
		var pods corev1.PodList
		if err := remote.List(ctx, &pods, client.InNamespace(runner.Namespace), client.MatchingLabels{helmoperation.OperationNameLabel: op.Name}); err != nil {
			return err
		}
		if len(pods.Items) == 0 {
			return fmt.Errorf("no pod yet")
		}
		pod = pods.Items[0]
		return nil
	})
	pod.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "helm-operation", Image: pod.Spec.Containers[0].Image, State: state}}
	if err := remote.Status().Update(t.Context(), &pod); err != nil {
		t.Fatal(err)
	}
}

func TestDeletingAReleaseWhoseOperationHangsCompletes(t *testing.T) {
	newRepo(t, "hang", helmtest.Options{}, [2]string{"web", "0.1.0"})
	clustertest.Eventually(t, 30*time.Second, "index", func(ctx context.Context) error { return hasVersion(ctx, "hang", "web", "0.1.0") })
	useJobExecutor(t)
	blockScheduling(t) // the operation's pod never starts, so it never reports
	ns := newNamespace(t, "hang")
	rel := newRelease(ns, "stuck", "hang", "web", "0.1.0", "")
	rel.Spec.Timeout = &metav1.Duration{Duration: 5 * time.Second}
	if err := remote.Create(t.Context(), rel); err != nil {
		t.Fatal(err)
	}
	operationJob(t, ns, "stuck", helmv1alpha1.OperationInstall)
	if err := remote.Delete(t.Context(), rel); err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	bound := 5*time.Second + 30*time.Second
	clustertest.Eventually(t, bound+15*time.Second, "release gone", func(ctx context.Context) error {
		err := remote.Get(ctx, client.ObjectKeyFromObject(rel), &helmv1alpha1.HelmRelease{})
		if !apierrors.IsNotFound(err) {
			return fmt.Errorf("still there: %w", err)
		}
		return nil
	})
	t.Logf("deleted after %s (bound %s)", time.Since(started).Round(time.Second), bound)
	var events eventsv1.EventList
	if err := remote.List(t.Context(), &events, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range events.Items {
		if e.Regarding.Name == "stuck" && e.Reason == "UninstallTimedOut" && strings.Contains(e.Note, "helm status stuck -n hang") {
			found = true
		}
	}
	if !found {
		t.Errorf("no UninstallTimedOut event naming what was left; events: %+v", events.Items)
	}

	// Seed FAQ 5: once deleted, the app installs again under the same name.
	setTaint(t, false)
	applySettings(t, [2]string{"addon_setting.helm_operation_executor", "local"})
	again := newRelease(ns, "stuck", "hang", "web", "0.1.0", "")
	if err := remote.Create(t.Context(), again); err != nil {
		t.Fatal(err)
	}
	if rel := waitRelease(t, client.ObjectKeyFromObject(again), time.Minute); rel.Status.Phase != helmv1alpha1.ReleaseDeployed {
		t.Fatalf("reinstall: %+v", rel.Status)
	}
}
