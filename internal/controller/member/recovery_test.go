package member_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"helm.sh/helm/v4/pkg/action"
	releasecommon "helm.sh/helm/v4/pkg/release/common"
	release "helm.sh/helm/v4/pkg/release/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv1alpha1 "github.com/kpanda/kpanda/api/helm/v1alpha1"
	"github.com/kpanda/kpanda/internal/clustersetting"
	"github.com/kpanda/kpanda/internal/controller/helmoperation"
	"github.com/kpanda/kpanda/internal/helm/helmtest"
	"github.com/kpanda/kpanda/internal/localcluster/clustertest"
)

// helmStorage is Helm's own release storage of namespace in the member, as the helm CLI opens it.
func helmStorage(t *testing.T, namespace string) *action.Configuration {
	t.Helper()
	flags := genericclioptions.NewConfigFlags(false)
	kubeconfig := env.Members[0].KubeconfigPath()
	flags.KubeConfig, flags.Namespace = &kubeconfig, &namespace
	cfg := action.NewConfiguration()
	if err := cfg.Init(flags, namespace, "secret"); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestReleaseLeftPendingInstallIsRecovered(t *testing.T) {
	newRepo(t, "pending", helmtest.Options{}, [2]string{"web", "0.1.0"})
	clustertest.Eventually(t, 30*time.Second, "index", func(ctx context.Context) error { return hasVersion(ctx, "pending", "web", "0.1.0") })
	ns := newNamespace(t, "pending")
	// What a runner killed mid-install leaves: revision 1 in pending-install.
	stuck := &release.Release{
		Name: "halfway", Namespace: ns, Version: 1,
		Chart: helmtest.DeploymentChart("web", "0.1.0"),
		Info:  &release.Info{Status: releasecommon.StatusPendingInstall, Description: "Install in progress"},
	}
	if err := helmStorage(t, ns).Releases.Create(stuck); err != nil {
		t.Fatal(err)
	}
	rel := newRelease(ns, "halfway", "pending", "web", "0.1.0", "")
	if err := remote.Create(t.Context(), rel); err != nil {
		t.Fatal(err)
	}
	rel = waitRelease(t, client.ObjectKeyFromObject(rel), time.Minute)
	if rel.Status.Phase != helmv1alpha1.ReleaseDeployed {
		t.Fatalf("status %+v", rel.Status)
	}
	var op helmv1alpha1.HelmOperation
	if err := remote.Get(t.Context(), client.ObjectKey{Namespace: ns, Name: rel.Status.LastOperation}, &op); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(op.Status.LogTail, "stuck in a pending state") {
		t.Errorf("the log does not say the release was unlocked: %s", op.Status.LogTail)
	}
	last, err := helmStorage(t, ns).Releases.Last("halfway")
	if err != nil {
		t.Fatal(err)
	}
	if r := last.(*release.Release); r.Info.Status != releasecommon.StatusDeployed {
		t.Errorf("helm says %s", r.Info.Status)
	}
}

// TestLocalRunCutOffByRestartFails: an operation marked Running that no process runs (the
// controller-manager that ran it restarted) ends failed, with the reason, instead of hanging.
func TestLocalRunCutOffByRestartFails(t *testing.T) {
	ns := newNamespace(t, "restart")
	op := &helmv1alpha1.HelmOperation{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "orphan"},
		Spec: helmv1alpha1.HelmOperationSpec{
			Type: helmv1alpha1.OperationInstall, Release: "orphan", User: tester, Executor: "local",
			Timeout: metav1.Duration{Duration: time.Minute}, Chart: &helmv1alpha1.ChartRef{Repo: "none", Name: "none"},
		},
	}
	if err := remote.Create(t.Context(), op); err != nil {
		t.Fatal(err)
	}
	// Mark it Running as a runner that then died would have, unless this package's own
	// controller-manager got to it first (then it runs, and fails on its missing repo).
	err := retry.RetryOnConflict(retry.DefaultBackoff, func() error {
		if err := remote.Get(t.Context(), client.ObjectKeyFromObject(op), op); err != nil {
			return err
		}
		if op.Status.Phase != "" {
			return nil
		}
		op.Status.Phase = helmv1alpha1.OperationRunning
		return remote.Status().Update(t.Context(), op)
	})
	if err != nil {
		t.Fatal(err)
	}
	// A fresh reconciler is a restarted controller-manager: its executor runs nothing.
	fresh := &helmoperation.Reconciler{
		Client: remote, Cluster: clusterName, Settings: clustersetting.NewStore(),
		Local: &helmoperation.LocalExecutor{Context: t.Context()}, Config: env.Members[0].RESTConfig(),
	}
	if _, err := fresh.Reconcile(t.Context(), requestFor(op)); err != nil {
		t.Fatal(err)
	}
	// The package's own controller-manager may have started it before the status update; either
	// way it must end, and never as a success.
	c := operationResult(t, op, 30*time.Second)
	if c.Status != metav1.ConditionFalse {
		t.Fatalf("Complete = %+v", c)
	}
	t.Logf("%s: %s", c.Reason, c.Message)
}

func TestHistoryIsPrunedToTheLimit(t *testing.T) {
	newRepo(t, "history", helmtest.Options{}, [2]string{"web", "0.1.0"})
	clustertest.Eventually(t, 30*time.Second, "index", func(ctx context.Context) error { return hasVersion(ctx, "history", "web", "0.1.0") })
	applySettings(t, [2]string{"addon_setting.helm_operation_history_limit", "3"})
	t.Cleanup(func() { _ = setSetting(context.Background(), "addon_setting.helm_operation_history_limit", "100") })
	ns := newNamespace(t, "history")
	rel := newRelease(ns, "many", "history", "web", "0.1.0", "")
	if err := remote.Create(t.Context(), rel); err != nil {
		t.Fatal(err)
	}
	waitRelease(t, client.ObjectKeyFromObject(rel), time.Minute)
	for i := 2; i <= 5; i++ {
		update(t, client.ObjectKeyFromObject(rel), func(r *helmv1alpha1.HelmRelease) { r.Spec.Values = fmt.Sprintf("message: v%d\n", i) })
		waitRelease(t, client.ObjectKeyFromObject(rel), time.Minute)
	}
	clustertest.Eventually(t, 30*time.Second, "history pruned to 3", func(ctx context.Context) error {
		var ops helmv1alpha1.HelmOperationList
		if err := remote.List(ctx, &ops); err != nil {
			return err
		}
		if len(ops.Items) > 3 {
			return fmt.Errorf("%d operations in the cluster", len(ops.Items))
		}
		return nil
	})
	var ops helmv1alpha1.HelmOperationList
	if err := remote.List(t.Context(), &ops, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	newest := false
	for _, op := range ops.Items {
		newest = newest || op.Spec.ReleaseGeneration == 5
	}
	if !newest {
		t.Errorf("the newest operation was pruned: %d left", len(ops.Items))
	}
}
