package member_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv1alpha1 "github.com/kpanda/kpanda/api/helm/v1alpha1"
	"github.com/kpanda/kpanda/internal/helm/helmtest"
	"github.com/kpanda/kpanda/internal/localcluster/clustertest"
)

// newNamespace creates a namespace for one test.
func newNamespace(t *testing.T, name string) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if err := remote.Create(t.Context(), ns); err != nil {
		t.Fatal(err)
	}
	return name
}

func newRelease(namespace, name, repo, chart, version, values string) *helmv1alpha1.HelmRelease {
	return &helmv1alpha1.HelmRelease{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name, Annotations: map[string]string{helmv1alpha1.RequestedByAnnotation: tester}},
		Spec: helmv1alpha1.HelmReleaseSpec{
			Chart:  helmv1alpha1.ChartRef{Repo: repo, Name: chart, Version: version},
			Values: values,
		},
	}
}

// waitRelease waits until the release applied its current generation and returns it.
func waitRelease(t *testing.T, key client.ObjectKey, timeout time.Duration) *helmv1alpha1.HelmRelease {
	t.Helper()
	var rel helmv1alpha1.HelmRelease
	clustertest.Eventually(t, timeout, "release "+key.String()+" settled", func(ctx context.Context) error {
		if err := remote.Get(ctx, key, &rel); err != nil {
			return err
		}
		if rel.Status.ObservedGeneration != rel.Generation || rel.Status.CurrentOperation != "" {
			return fmt.Errorf("generation %d, status %+v", rel.Generation, rel.Status)
		}
		return nil
	})
	return &rel
}

func deploymentReplicas(ctx context.Context, namespace, name string) (int32, error) {
	var d appsv1.Deployment
	if err := remote.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, &d); err != nil {
		return 0, err
	}
	return *d.Spec.Replicas, nil
}

// helmRevisions lists the revisions Helm's own storage holds for release: Secrets
// sh.helm.release.v1.<release>.v<N>, what `helm list` reads.
func helmRevisions(ctx context.Context, namespace, release string) ([]string, error) {
	var secrets corev1.SecretList
	if err := remote.List(ctx, &secrets, client.InNamespace(namespace), client.MatchingLabels{"owner": "helm", "name": release}); err != nil {
		return nil, err
	}
	var out []string
	for _, s := range secrets.Items {
		out = append(out, s.Labels["version"]+":"+s.Labels["status"])
	}
	return out, nil
}

func TestInstallUpgradeRollbackUninstall(t *testing.T) {
	newRepo(t, "lifecycle", helmtest.Options{Username: "u", Password: "p"}, [2]string{"web", "0.1.0"}, [2]string{"web", "0.2.0"})
	clustertest.Eventually(t, 30*time.Second, "index", func(ctx context.Context) error { return hasVersion(ctx, "lifecycle", "web", "0.2.0") })
	ns := newNamespace(t, "lifecycle")
	key := client.ObjectKey{Namespace: ns, Name: "shop"}

	// Install.
	if err := remote.Create(t.Context(), newRelease(ns, "shop", "lifecycle", "web", "0.1.0", "replicas: 1\n")); err != nil {
		t.Fatal(err)
	}
	rel := waitRelease(t, key, time.Minute)
	if rel.Status.Phase != helmv1alpha1.ReleaseDeployed || rel.Status.Revision != 1 || rel.Status.ChartVersion != "0.1.0" {
		t.Fatalf("after install: %+v", rel.Status)
	}
	clustertest.Eventually(t, 30*time.Second, "pods running", func(ctx context.Context) error {
		var pods corev1.PodList
		if err := remote.List(ctx, &pods, client.InNamespace(ns), client.MatchingLabels{"app": "shop"}); err != nil {
			return err
		}
		if len(pods.Items) != 1 || pods.Items[0].Status.Phase != corev1.PodRunning {
			return fmt.Errorf("%d pods", len(pods.Items))
		}
		return nil
	})

	// Upgrade with new values and a new chart version.
	update(t, key, func(r *helmv1alpha1.HelmRelease) {
		r.Spec.Chart.Version, r.Spec.Values = "0.2.0", "replicas: 3\nmessage: upgraded\n"
	})
	rel = waitRelease(t, key, time.Minute)
	if rel.Status.Phase != helmv1alpha1.ReleaseDeployed || rel.Status.Revision != 2 || rel.Status.ChartVersion != "0.2.0" {
		t.Fatalf("after upgrade: %+v", rel.Status)
	}
	if n, err := deploymentReplicas(t.Context(), ns, "shop"); err != nil || n != 3 {
		t.Fatalf("replicas after upgrade = %d, %v", n, err)
	}

	// Rollback to revision 1: the spec goes back to what revision 1 was, and the annotation asks
	// for a rollback instead of an upgrade.
	update(t, key, func(r *helmv1alpha1.HelmRelease) {
		r.Spec.Chart.Version, r.Spec.Values = "0.1.0", "replicas: 1\n"
		r.Annotations[helmv1alpha1.RollbackToAnnotation] = "1"
	})
	rel = waitRelease(t, key, time.Minute)
	if rel.Status.Phase != helmv1alpha1.ReleaseDeployed || rel.Status.Revision != 3 || rel.Status.ChartVersion != "0.1.0" {
		t.Fatalf("after rollback: %+v", rel.Status)
	}
	if _, still := rel.Annotations[helmv1alpha1.RollbackToAnnotation]; still {
		t.Error("the rollback request was not cleared")
	}
	if n, err := deploymentReplicas(t.Context(), ns, "shop"); err != nil || n != 1 {
		t.Fatalf("replicas after rollback = %d, %v", n, err)
	}
	var ops helmv1alpha1.HelmOperationList
	if err := remote.List(t.Context(), &ops, client.InNamespace(ns), client.MatchingLabels{helmv1alpha1.ReleaseLabel: "shop"}); err != nil {
		t.Fatal(err)
	}
	types := map[helmv1alpha1.OperationType]bool{}
	for _, op := range ops.Items {
		types[op.Spec.Type] = true
		if op.Spec.User != tester || op.Status.StartTime == nil || op.Status.CompletionTime == nil || !op.Status.Reported || op.Status.LogTail == "" {
			t.Errorf("operation %s: user %q, status %+v", op.Name, op.Spec.User, op.Status)
		}
	}
	if !types[helmv1alpha1.OperationInstall] || !types[helmv1alpha1.OperationUpgrade] || !types[helmv1alpha1.OperationRollback] {
		t.Errorf("operation types %v", types)
	}
	revisions, err := helmRevisions(t.Context(), ns, "shop")
	if err != nil || len(revisions) != 3 {
		t.Fatalf("helm storage holds %v, %v; want 3 revisions", revisions, err)
	}

	// Uninstall.
	if err := remote.Delete(t.Context(), rel); err != nil {
		t.Fatal(err)
	}
	clustertest.Eventually(t, time.Minute, "uninstalled", func(ctx context.Context) error {
		if err := remote.Get(ctx, key, &helmv1alpha1.HelmRelease{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("release still there: %w", err)
		}
		if _, err := deploymentReplicas(ctx, ns, "shop"); !apierrors.IsNotFound(err) {
			return fmt.Errorf("deployment still there: %w", err)
		}
		if revisions, err := helmRevisions(ctx, ns, "shop"); err != nil || len(revisions) != 0 {
			return fmt.Errorf("helm storage still holds %v: %w", revisions, err)
		}
		return nil
	})
}

func TestBadValuesFailWithHelmMessage(t *testing.T) {
	newRepo(t, "badvalues", helmtest.Options{}, [2]string{"web", "0.1.0"})
	clustertest.Eventually(t, 30*time.Second, "index", func(ctx context.Context) error { return hasVersion(ctx, "badvalues", "web", "0.1.0") })
	ns := newNamespace(t, "badvalues")
	rel := newRelease(ns, "broken", "badvalues", "web", "0.1.0", "replicas: [not, a, number]\n")
	if err := remote.Create(t.Context(), rel); err != nil {
		t.Fatal(err)
	}
	rel = waitRelease(t, client.ObjectKeyFromObject(rel), time.Minute)
	ready := findReady(rel)
	if rel.Status.Phase != helmv1alpha1.ReleaseFailed || ready == nil || ready.Status != metav1.ConditionFalse || !strings.Contains(ready.Message, "replicas") {
		t.Fatalf("status %+v", rel.Status)
	}
	t.Logf("Ready: %s: %s", ready.Reason, ready.Message)
}

func findReady(rel *helmv1alpha1.HelmRelease) *metav1.Condition {
	for i := range rel.Status.Conditions {
		if rel.Status.Conditions[i].Type == helmv1alpha1.ConditionReady {
			return &rel.Status.Conditions[i]
		}
	}
	return nil
}

// update applies change to the latest release, retrying on conflicts with the controller.
func update(t *testing.T, key client.ObjectKey, change func(*helmv1alpha1.HelmRelease)) {
	t.Helper()
	for range 10 {
		var rel helmv1alpha1.HelmRelease
		if err := remote.Get(t.Context(), key, &rel); err != nil {
			t.Fatal(err)
		}
		if rel.Annotations == nil {
			rel.Annotations = map[string]string{}
		}
		change(&rel)
		err := remote.Update(t.Context(), &rel)
		if err == nil {
			return
		}
		if !apierrors.IsConflict(err) {
			t.Fatal(err)
		}
	}
	t.Fatalf("updating %s: conflicts", key)
}
