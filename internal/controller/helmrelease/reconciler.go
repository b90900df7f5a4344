// Package helmrelease turns the HelmReleases of one member cluster into HelmOperations: a new
// spec generation becomes an install, upgrade or rollback; a deletion becomes an uninstall, and
// always completes, uninstalled or not, within a bound (seed FAQ 5).
package helmrelease

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	helmv1alpha1 "github.com/kpanda/kpanda/api/helm/v1alpha1"
	"github.com/kpanda/kpanda/internal/clustersetting"
)

// Finalizer holds a HelmRelease until its uninstall ended or the bound passed.
const Finalizer = helmv1alpha1.UninstallFinalizer

// DefaultTimeout bounds an operation whose release sets no timeout, as Helm's own default.
const DefaultTimeout = 5 * time.Minute

// uninstallGrace is added to the release's timeout to bound how long its deletion may take.
const uninstallGrace = 30 * time.Second

// Reconciler reconciles the HelmReleases of one member.
type Reconciler struct {
	// Client reaches the member as kpanda itself.
	Client   client.Client
	Cluster  string
	Settings *clustersetting.Store
	Events   events.EventRecorder
	Now      func() time.Time
}

// Reconcile moves one release one step.
func (r *Reconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	var rel helmv1alpha1.HelmRelease
	if err := r.Client.Get(ctx, req.NamespacedName, &rel); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	if !rel.DeletionTimestamp.IsZero() {
		return r.finalize(ctx, &rel)
	}
	if controllerutil.AddFinalizer(&rel, Finalizer) {
		if err := r.Client.Update(ctx, &rel); err != nil {
			return reconcile.Result{}, fmt.Errorf("adding finalizer to helm release %s/%s: %w", rel.Namespace, rel.Name, err)
		}
	}
	running, err := r.followCurrent(ctx, &rel)
	if err != nil || running {
		return reconcile.Result{}, err
	}
	if rel.Generation == rel.Status.ObservedGeneration {
		return reconcile.Result{}, nil
	}
	return reconcile.Result{}, r.start(ctx, &rel, r.nextType(&rel))
}

// followCurrent records the result of the release's current operation once it finished; it
// reports whether one is still running.
func (r *Reconciler) followCurrent(ctx context.Context, rel *helmv1alpha1.HelmRelease) (bool, error) {
	if rel.Status.CurrentOperation == "" {
		return false, nil
	}
	var op helmv1alpha1.HelmOperation
	err := r.Client.Get(ctx, client.ObjectKey{Namespace: rel.Namespace, Name: rel.Status.CurrentOperation}, &op)
	if apierrors.IsNotFound(err) {
		return false, r.patchStatus(ctx, rel, func(s *helmv1alpha1.HelmReleaseStatus) {
			s.CurrentOperation = ""
			s.Phase = helmv1alpha1.ReleaseFailed
			meta.SetStatusCondition(&s.Conditions, metav1.Condition{Type: helmv1alpha1.ConditionReady, Status: metav1.ConditionFalse, Reason: "OperationDeleted",
				Message: fmt.Sprintf("Helm operation %s was deleted before it finished; change the release to try again", rel.Status.CurrentOperation)})
		})
	}
	if err != nil {
		return false, err
	}
	if !Finished(&op) {
		return true, nil
	}
	return false, r.patchStatus(ctx, rel, func(s *helmv1alpha1.HelmReleaseStatus) { recordResult(s, &op) })
}

// Finished says whether op ended, with or without success.
func Finished(op *helmv1alpha1.HelmOperation) bool {
	return op.Status.Phase == helmv1alpha1.OperationSucceeded || op.Status.Phase == helmv1alpha1.OperationFailed
}

func recordResult(s *helmv1alpha1.HelmReleaseStatus, op *helmv1alpha1.HelmOperation) {
	s.CurrentOperation, s.LastOperation = "", op.Name
	if op.Spec.ReleaseGeneration > s.ObservedGeneration {
		s.ObservedGeneration = op.Spec.ReleaseGeneration
	}
	ready := metav1.Condition{Type: helmv1alpha1.ConditionReady, ObservedGeneration: op.Spec.ReleaseGeneration, Message: op.Status.Result}
	if op.Status.Phase == helmv1alpha1.OperationSucceeded {
		s.Phase, s.Revision = helmv1alpha1.ReleaseDeployed, op.Status.Revision
		s.ChartVersion, s.AppVersion = op.Status.ChartVersion, op.Status.AppVersion
		ready.Status, ready.Reason = metav1.ConditionTrue, string(op.Spec.Type)+"Succeeded"
	} else {
		s.Phase = helmv1alpha1.ReleaseFailed
		ready.Status, ready.Reason = metav1.ConditionFalse, string(op.Spec.Type)+"Failed"
		if c := meta.FindStatusCondition(op.Status.Conditions, helmv1alpha1.ConditionComplete); c != nil && c.Reason != "" {
			ready.Reason = c.Reason
		}
	}
	meta.SetStatusCondition(&s.Conditions, ready)
}

// nextType is the operation that applies the release's spec: a rollback when asked for, an
// install when nothing was ever deployed, an upgrade otherwise.
func (r *Reconciler) nextType(rel *helmv1alpha1.HelmRelease) helmv1alpha1.OperationType {
	if _, ok := rollbackRevision(rel); ok {
		return helmv1alpha1.OperationRollback
	}
	if rel.Status.Revision == 0 {
		return helmv1alpha1.OperationInstall
	}
	return helmv1alpha1.OperationUpgrade
}

func rollbackRevision(rel *helmv1alpha1.HelmRelease) (int, bool) {
	value, ok := rel.Annotations[helmv1alpha1.RollbackToAnnotation]
	if !ok {
		return 0, false
	}
	revision, err := strconv.Atoi(value)
	return revision, err == nil && revision > 0
}

// start creates the operation of type for rel and records it as current.
func (r *Reconciler) start(ctx context.Context, rel *helmv1alpha1.HelmRelease, opType helmv1alpha1.OperationType) error {
	user := rel.Annotations[helmv1alpha1.RequestedByAnnotation]
	if user == "" {
		return r.patchStatus(ctx, rel, func(s *helmv1alpha1.HelmReleaseStatus) {
			s.ObservedGeneration, s.Phase = rel.Generation, helmv1alpha1.ReleaseFailed
			meta.SetStatusCondition(&s.Conditions, metav1.Condition{Type: helmv1alpha1.ConditionReady, Status: metav1.ConditionFalse, Reason: "NoRequester", ObservedGeneration: rel.Generation,
				Message: "Nobody to act as: install and change apps with `kpanda app`, or set annotation " + helmv1alpha1.RequestedByAnnotation + " to your own user name"})
		})
	}
	op, err := r.createOperation(ctx, r.newOperation(rel, opType, user))
	if err != nil {
		return err
	}
	if err := r.patchStatus(ctx, rel, func(s *helmv1alpha1.HelmReleaseStatus) {
		s.CurrentOperation, s.Phase = op.Name, phaseOf(op.Spec.Type)
		meta.SetStatusCondition(&s.Conditions, metav1.Condition{Type: helmv1alpha1.ConditionReady, Status: metav1.ConditionUnknown, Reason: string(phaseOf(op.Spec.Type)), ObservedGeneration: rel.Generation,
			Message: fmt.Sprintf("Helm operation %s is running", op.Name)})
	}); err != nil {
		return err
	}
	if _, asked := rel.Annotations[helmv1alpha1.RollbackToAnnotation]; asked && op.Spec.Type == helmv1alpha1.OperationRollback {
		// The rollback is asked once; a later change of the spec is an upgrade again. Cleared
		// only now that the operation is current, so no reconcile in between sees a spec
		// change without the request and starts an upgrade.
		patch := client.MergeFrom(rel.DeepCopy())
		delete(rel.Annotations, helmv1alpha1.RollbackToAnnotation)
		if err := r.Client.Patch(ctx, rel, patch); err != nil {
			return fmt.Errorf("clearing the rollback request of helm release %s/%s: %w", rel.Namespace, rel.Name, err)
		}
	}
	return nil
}

// createOperation creates op, or returns the operation already created under its name. Names
// are fixed per release and generation (uninstall: per release), so a reconcile that reads a
// stale release from the cache adopts the operation an earlier one started instead of starting a
// second, whatever type it would have chosen.
func (r *Reconciler) createOperation(ctx context.Context, op *helmv1alpha1.HelmOperation) (*helmv1alpha1.HelmOperation, error) {
	var existing helmv1alpha1.HelmOperation
	// The cache usually knows an operation created a moment ago (its event is often what woke
	// this reconcile up): adopting it from there costs no request.
	err := r.Client.Get(ctx, client.ObjectKeyFromObject(op), &existing)
	if err == nil {
		return &existing, nil
	}
	if !apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("reading helm operation %s/%s: %w", op.Namespace, op.Name, err)
	}
	err = r.Client.Create(ctx, op)
	if apierrors.IsAlreadyExists(err) {
		if err := r.Client.Get(ctx, client.ObjectKeyFromObject(op), &existing); err != nil {
			return nil, fmt.Errorf("reading helm operation %s/%s: %w", op.Namespace, op.Name, err)
		}
		return &existing, nil
	}
	if err != nil {
		return nil, fmt.Errorf("creating the %s operation of helm release %s/%s: %w", op.Spec.Type, op.Namespace, op.Spec.Release, err)
	}
	return op, nil
}

// operationName is fixed per release UID and generation, and per release UID for its uninstall.
func operationName(rel *helmv1alpha1.HelmRelease, opType helmv1alpha1.OperationType) string {
	uid := string(rel.UID)[:5]
	if opType == helmv1alpha1.OperationUninstall {
		return fmt.Sprintf("%s-uninstall-%s", rel.Name, uid)
	}
	return fmt.Sprintf("%s-%d-%s", rel.Name, rel.Generation, uid)
}

func (r *Reconciler) newOperation(rel *helmv1alpha1.HelmRelease, opType helmv1alpha1.OperationType, user string) *helmv1alpha1.HelmOperation {
	revision, _ := rollbackRevision(rel)
	var groups []string
	if g := rel.Annotations[helmv1alpha1.RequestedGroupsAnnotation]; g != "" {
		groups = strings.Split(g, ",")
	}
	return &helmv1alpha1.HelmOperation{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: rel.Namespace,
			Name:      operationName(rel, opType),
			Labels:    map[string]string{helmv1alpha1.ReleaseLabel: rel.Name},
		},
		Spec: helmv1alpha1.HelmOperationSpec{
			Type: opType, Release: rel.Name, ReleaseGeneration: rel.Generation,
			Chart: chartOf(rel, opType), Values: rel.Spec.Values, Wait: rel.Spec.Wait, Atomic: rel.Spec.Atomic,
			Timeout: metav1.Duration{Duration: Timeout(rel)}, Revision: revision,
			User: user, Groups: groups,
			Executor: string(r.Settings.Effective(r.Cluster).AddonSetting.HelmOperationExecutor),
		},
	}
}

// chartOf is the chart an operation of opType needs: an uninstall needs none.
func chartOf(rel *helmv1alpha1.HelmRelease, opType helmv1alpha1.OperationType) *helmv1alpha1.ChartRef {
	if opType == helmv1alpha1.OperationUninstall {
		return nil
	}
	chart := rel.Spec.Chart
	return &chart
}

// Timeout is the bound of each operation of rel.
func Timeout(rel *helmv1alpha1.HelmRelease) time.Duration {
	if rel.Spec.Timeout != nil && rel.Spec.Timeout.Duration > 0 {
		return rel.Spec.Timeout.Duration
	}
	return DefaultTimeout
}

func phaseOf(opType helmv1alpha1.OperationType) helmv1alpha1.HelmReleasePhase {
	switch opType {
	case helmv1alpha1.OperationInstall:
		return helmv1alpha1.ReleaseInstalling
	case helmv1alpha1.OperationUpgrade:
		return helmv1alpha1.ReleaseUpgrading
	case helmv1alpha1.OperationRollback:
		return helmv1alpha1.ReleaseRollingBack
	}
	return helmv1alpha1.ReleaseUninstalling
}

func (r *Reconciler) patchStatus(ctx context.Context, rel *helmv1alpha1.HelmRelease, change func(*helmv1alpha1.HelmReleaseStatus)) error {
	base := rel.DeepCopy()
	change(&rel.Status)
	if err := r.Client.Status().Patch(ctx, rel, client.MergeFrom(base)); err != nil {
		return fmt.Errorf("updating the status of helm release %s/%s: %w", rel.Namespace, rel.Name, err)
	}
	return nil
}

func (r *Reconciler) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}
