// Package helmoperation runs the HelmOperations of one member cluster with the executor each
// names (DESIGN §4): `local` runs the runner in this process, `job` runs it in a Job in the
// member's kpanda-system. It fails operations that can no longer report (a Job that ended
// without a report, a pod OOMKilled or unable to pull its image, a local run cut off by a
// restart), explaining what to change, and prunes the history to the cluster's limit.
package helmoperation

import (
	"context"
	"fmt"
	"sort"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	helmv1alpha1 "github.com/kpanda/kpanda/api/helm/v1alpha1"
	"github.com/kpanda/kpanda/internal/clustersetting"
	"github.com/kpanda/kpanda/internal/controller/helmrelease"
	"github.com/kpanda/kpanda/internal/helm"
)

// Reconciler reconciles the HelmOperations of one member.
type Reconciler struct {
	// Client reaches the member as kpanda itself.
	Client   client.Client
	Cluster  string
	Settings *clustersetting.Store
	// Local runs operations of the local executor.
	Local *LocalExecutor
	// Config reaches the member; the Job executor needs nothing of it, the local one runs Helm
	// with it (impersonating the operation's user).
	Config *rest.Config
	// Discovery is the member's discovery cache for the local executor's runs.
	Discovery *helm.Discovery
}

// Reconcile moves one operation one step.
func (r *Reconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	var op helmv1alpha1.HelmOperation
	if err := r.Client.Get(ctx, req.NamespacedName, &op); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	if helmrelease.Finished(&op) {
		return reconcile.Result{}, r.pruneHistory(ctx)
	}
	switch clustersetting.Executor(op.Spec.Executor) {
	case clustersetting.ExecutorLocal:
		return reconcile.Result{}, r.reconcileLocal(ctx, &op)
	case clustersetting.ExecutorJob:
		return r.reconcileJob(ctx, &op)
	}
	return reconcile.Result{}, r.fail(ctx, &op, "UnknownExecutor", fmt.Sprintf("executor %q is neither job nor local", op.Spec.Executor))
}

// reconcileLocal starts the run in this process, or fails a run that a previous process started
// and could not finish.
func (r *Reconciler) reconcileLocal(ctx context.Context, op *helmv1alpha1.HelmOperation) error {
	if r.Local.Running(op) {
		if op.Annotations[helmrelease.AbortAnnotation] != "" {
			r.Local.Abort(op)
		}
		return nil
	}
	if op.Annotations[helmrelease.AbortAnnotation] != "" {
		return r.fail(ctx, op, "Aborted", "Stopped because its release is being deleted")
	}
	if op.Status.Phase == helmv1alpha1.OperationRunning {
		return r.fail(ctx, op, "ExecutorRestarted",
			"The controller-manager restarted while this operation ran, so it never reported; the release's next operation unlocks it if Helm left it pending")
	}
	r.Local.Start(op, r.Client, r.Config, r.Discovery)
	return nil
}

// fail ends op as failed with reason and message, unless its runner reported first: the
// runner's report always wins.
func (r *Reconciler) fail(ctx context.Context, op *helmv1alpha1.HelmOperation, reason, message string) error {
	return retry.RetryOnConflict(retry.DefaultBackoff, func() error {
		if err := r.Client.Get(ctx, client.ObjectKeyFromObject(op), op); err != nil {
			return client.IgnoreNotFound(err)
		}
		if op.Status.Reported || helmrelease.Finished(op) {
			return nil
		}
		now := metav1.Now()
		op.Status.Phase, op.Status.Result, op.Status.CompletionTime = helmv1alpha1.OperationFailed, message, &now
		meta.SetStatusCondition(&op.Status.Conditions, metav1.Condition{Type: helmv1alpha1.ConditionComplete, Status: metav1.ConditionFalse, Reason: reason, Message: message})
		return r.Client.Status().Update(ctx, op)
	})
}

// pruneHistory deletes the oldest finished operations of the cluster beyond
// helm_operation_history_limit, never one a release has yet to read.
func (r *Reconciler) pruneHistory(ctx context.Context) error {
	limit := r.Settings.Effective(r.Cluster).AddonSetting.HelmOperationHistoryLimit
	var list helmv1alpha1.HelmOperationList
	if err := r.Client.List(ctx, &list); err != nil {
		return fmt.Errorf("listing helm operations: %w", err)
	}
	finished := make([]helmv1alpha1.HelmOperation, 0, len(list.Items))
	for _, op := range list.Items {
		if helmrelease.Finished(&op) && op.DeletionTimestamp.IsZero() {
			finished = append(finished, op)
		}
	}
	if len(finished) <= limit {
		return nil
	}
	sort.Slice(finished, func(i, j int) bool { return completedAt(&finished[i]).Before(completedAt(&finished[j])) })
	for i := range finished[:len(finished)-limit] {
		if err := r.deleteIfRead(ctx, &finished[i]); err != nil {
			return err
		}
	}
	return nil
}

func completedAt(op *helmv1alpha1.HelmOperation) time.Time {
	if op.Status.CompletionTime != nil {
		return op.Status.CompletionTime.Time
	}
	return op.CreationTimestamp.Time
}

// deleteIfRead deletes op unless its release still has to record its result.
func (r *Reconciler) deleteIfRead(ctx context.Context, op *helmv1alpha1.HelmOperation) error {
	var rel helmv1alpha1.HelmRelease
	err := r.Client.Get(ctx, client.ObjectKey{Namespace: op.Namespace, Name: op.Spec.Release}, &rel)
	if err == nil && rel.Status.CurrentOperation == op.Name {
		return nil
	}
	if err := r.Client.Delete(ctx, op); client.IgnoreNotFound(err) != nil {
		return fmt.Errorf("pruning helm operation %s/%s: %w", op.Namespace, op.Name, err)
	}
	return nil
}
