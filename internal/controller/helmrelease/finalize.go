package helmrelease

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	helmv1alpha1 "github.com/kpanda/kpanda/api/helm/v1alpha1"
)

// AbortAnnotation on a running HelmOperation asks its executor to stop it: its release is being
// deleted and the uninstall must not wait for a hung install.
const AbortAnnotation = "helm.kpanda.io/abort"

// finalize uninstalls a deleted release. Whatever happens, the finalizer goes once the
// uninstall ended or DeletionBound passed since the deletion, with an event saying what, if
// anything, was left behind: a HelmRelease is never stuck deleting.
func (r *Reconciler) finalize(ctx context.Context, rel *helmv1alpha1.HelmRelease) (reconcile.Result, error) {
	if !controllerutil.ContainsFinalizer(rel, Finalizer) {
		return reconcile.Result{}, nil
	}
	deadline := rel.DeletionTimestamp.Add(DeletionBound(rel))
	current, err := r.currentOperation(ctx, rel)
	if err != nil {
		return reconcile.Result{}, err
	}
	switch {
	case current != nil && current.Spec.Type == helmv1alpha1.OperationUninstall && Finished(current):
		if current.Status.Phase == helmv1alpha1.OperationFailed {
			r.Events.Eventf(rel, current, corev1.EventTypeWarning, "UninstallFailed", "Delete",
				"Uninstall failed (%s); the HelmRelease is removed anyway. Left behind: Helm release %s and its resources in namespace %s; remove them with `helm uninstall %s -n %s`",
				current.Status.Result, rel.Name, rel.Namespace, rel.Name, rel.Namespace)
		}
		return reconcile.Result{}, r.removeFinalizer(ctx, rel)
	case !r.now().Before(deadline):
		r.Events.Eventf(rel, current, corev1.EventTypeWarning, "UninstallTimedOut", "Delete",
			"Uninstall did not finish within %s; the HelmRelease is removed anyway. Left behind (possibly): Helm release %s and its resources in namespace %s; check with `helm status %s -n %s`",
			DeletionBound(rel), rel.Name, rel.Namespace, rel.Name, rel.Namespace)
		return reconcile.Result{}, r.removeFinalizer(ctx, rel)
	case current != nil && current.Spec.Type == helmv1alpha1.OperationUninstall:
		return reconcile.Result{RequeueAfter: deadline.Sub(r.now())}, nil
	case current != nil && !Finished(current):
		// An install or upgrade still runs: stop it, then uninstall.
		return reconcile.Result{RequeueAfter: time.Second}, r.abort(ctx, current)
	case rel.Status.Revision == 0 && rel.Status.LastOperation == "" && current == nil:
		// Nothing was ever installed.
		return reconcile.Result{}, r.removeFinalizer(ctx, rel)
	}
	if err := r.start(ctx, rel, helmv1alpha1.OperationUninstall); err != nil {
		return reconcile.Result{}, err
	}
	return reconcile.Result{RequeueAfter: deadline.Sub(r.now())}, nil
}

// DeletionBound is how long deleting rel may take at most.
func DeletionBound(rel *helmv1alpha1.HelmRelease) time.Duration {
	return Timeout(rel) + uninstallGrace
}

func (r *Reconciler) currentOperation(ctx context.Context, rel *helmv1alpha1.HelmRelease) (*helmv1alpha1.HelmOperation, error) {
	if rel.Status.CurrentOperation == "" {
		return nil, nil
	}
	var op helmv1alpha1.HelmOperation
	err := r.Client.Get(ctx, client.ObjectKey{Namespace: rel.Namespace, Name: rel.Status.CurrentOperation}, &op)
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if Finished(&op) && op.Spec.Type != helmv1alpha1.OperationUninstall {
		// The install or upgrade before the deletion; an uninstall still has to run.
		return nil, r.patchStatus(ctx, rel, func(s *helmv1alpha1.HelmReleaseStatus) { recordResult(s, &op) })
	}
	return &op, nil
}

func (r *Reconciler) abort(ctx context.Context, op *helmv1alpha1.HelmOperation) error {
	if op.Annotations[AbortAnnotation] != "" {
		return nil
	}
	patch := client.MergeFrom(op.DeepCopy())
	if op.Annotations == nil {
		op.Annotations = map[string]string{}
	}
	op.Annotations[AbortAnnotation] = metav1.Now().UTC().Format(time.RFC3339)
	if err := r.Client.Patch(ctx, op, patch); err != nil {
		return fmt.Errorf("aborting helm operation %s/%s: %w", op.Namespace, op.Name, err)
	}
	return nil
}

func (r *Reconciler) removeFinalizer(ctx context.Context, rel *helmv1alpha1.HelmRelease) error {
	patch := client.MergeFrom(rel.DeepCopy())
	controllerutil.RemoveFinalizer(rel, Finalizer)
	if err := r.Client.Patch(ctx, rel, patch); err != nil {
		return client.IgnoreNotFound(fmt.Errorf("removing the finalizer of helm release %s/%s: %w", rel.Namespace, rel.Name, err))
	}
	return nil
}
