// Package helmrepo refreshes the HelmRepos of one member cluster: it fetches each repository's
// index on creation, on demand (annotation helm.kpanda.io/refresh-requested-at) and every
// helm_repo_refresh_interval seconds of the cluster's setting, and keeps the charts it lists in
// the ConfigMap kpanda-system/helmrepo-<name>-index of the member.
package helmrepo

import (
	"context"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	helmv1alpha1 "github.com/kpanda/kpanda/api/helm/v1alpha1"
	"github.com/kpanda/kpanda/internal/clustersetting"
	"github.com/kpanda/kpanda/internal/helm"
	"github.com/kpanda/kpanda/internal/helmoperation"
)

// retryFailedAfter is how soon a failed refresh is tried again, when the interval is longer: a
// credential Secret created after its repo, or a repository that was briefly down, should not
// leave the repo broken for helm_repo_refresh_interval (600 s by default).
const retryFailedAfter = 30 * time.Second

// recheckEvery bounds how long a repo waits between looks at its schedule, so that a shorter
// helm_repo_refresh_interval set in the cluster's setting applies within seconds, not after the
// old interval ran out.
const recheckEvery = 5 * time.Second

// Reconciler refreshes the HelmRepos of cluster Cluster.
type Reconciler struct {
	// Client reaches the member.
	Client   client.Client
	Cluster  string
	Settings *clustersetting.Store
	// Now is the clock (tests may replace it).
	Now func() time.Time
}

// Reconcile refreshes one repo when it is due and says when to look again.
func (r *Reconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	var repo helmv1alpha1.HelmRepo
	if err := r.Client.Get(ctx, req.NamespacedName, &repo); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	if !repo.DeletionTimestamp.IsZero() {
		return reconcile.Result{}, nil
	}
	interval := time.Duration(r.Settings.Effective(r.Cluster).AddonSetting.HelmRepoRefreshInterval) * time.Second
	if wait := r.untilDue(&repo, interval); wait > 0 {
		return reconcile.Result{RequeueAfter: min(wait, recheckEvery)}, nil
	}
	if err := r.refresh(ctx, &repo); err != nil {
		return reconcile.Result{}, err
	}
	return reconcile.Result{RequeueAfter: min(interval, recheckEvery)}, nil
}

// untilDue is how long until repo must be refreshed; zero or less means now.
func (r *Reconciler) untilDue(repo *helmv1alpha1.HelmRepo, interval time.Duration) time.Duration {
	status := repo.Status
	if status.LastRefreshTime == nil || status.ObservedGeneration != repo.Generation ||
		status.LastRefreshRequest != repo.Annotations[helmv1alpha1.RefreshRequestedAnnotation] {
		return 0
	}
	if meta.IsStatusConditionFalse(status.Conditions, helmv1alpha1.ConditionReady) {
		interval = min(interval, retryFailedAfter)
	}
	return status.LastRefreshTime.Add(interval).Sub(r.now())
}

// refresh fetches the index and records the outcome. A failed fetch keeps the last good index:
// apps can still be installed from it, and the Ready condition says what is wrong.
func (r *Reconciler) refresh(ctx context.Context, repo *helmv1alpha1.HelmRepo) error {
	base := repo.DeepCopy()
	count, fetchErr := r.fetchAndStore(ctx, repo)
	status := repo.Status.DeepCopy()
	now := metav1.NewTime(r.now())
	status.LastRefreshTime, status.ObservedGeneration = &now, repo.Generation
	status.LastRefreshRequest = repo.Annotations[helmv1alpha1.RefreshRequestedAnnotation]
	condition := metav1.Condition{Type: helmv1alpha1.ConditionReady, Status: metav1.ConditionTrue, Reason: "Refreshed", ObservedGeneration: repo.Generation}
	if fetchErr != nil {
		condition.Status, condition.Reason, condition.Message = metav1.ConditionFalse, "RefreshFailed", explainFetchError(repo, fetchErr)
	} else {
		status.ChartCount = count
		condition.Message = fmt.Sprintf("Index lists %d charts", status.ChartCount)
	}
	meta.SetStatusCondition(&status.Conditions, condition)
	repo.Status = *status
	if err := r.Client.Status().Patch(ctx, repo, client.MergeFrom(base)); err != nil {
		return fmt.Errorf("recording the refresh of helm repo %s: %w", repo.Name, err)
	}
	return nil
}

// fetchAndStore returns the number of charts of the new index.
func (r *Reconciler) fetchAndStore(ctx context.Context, repo *helmv1alpha1.HelmRepo) (int, error) {
	access, err := helmoperation.AccessOf(ctx, r.Client, repo)
	if err != nil {
		return 0, err
	}
	raw, err := access.FetchIndex(ctx)
	if err != nil {
		return 0, err
	}
	index := helm.NewIndex(raw)
	data, err := index.Encode()
	if err != nil {
		return 0, err
	}
	return index.Count(), r.storeIndex(ctx, repo, data)
}

func (r *Reconciler) storeIndex(ctx context.Context, repo *helmv1alpha1.HelmRepo, data []byte) error {
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: helmoperation.Namespace, Name: helmoperation.IndexConfigMapName(repo.Name)}}
	_, err := controllerutil.CreateOrUpdate(ctx, r.Client, cm, func() error {
		cm.BinaryData = map[string][]byte{helmoperation.IndexKey: data}
		// Owned by the repo, so deleting the repo deletes its index.
		return controllerutil.SetOwnerReference(repo, cm, r.Client.Scheme())
	})
	if err != nil {
		return fmt.Errorf("storing the index of helm repo %s in ConfigMap %s/%s: %w", repo.Name, cm.Namespace, cm.Name, err)
	}
	return nil
}

// explainFetchError adds to err what to change for the failures people meet most.
func explainFetchError(repo *helmv1alpha1.HelmRepo, err error) string {
	message := err.Error()
	switch {
	case strings.Contains(message, "401") || strings.Contains(message, "403"):
		if repo.Spec.AuthSecretName == "" {
			return message + ": the repository wants credentials; set spec.authSecretName to a Secret of kpanda-system with keys username and password"
		}
		return message + ": check the username and password in Secret " + helmoperation.Namespace + "/" + repo.Spec.AuthSecretName
	case strings.Contains(message, "x509") || strings.Contains(message, "certificate"):
		return message + ": set spec.caBundle to the CA that signed the repository's certificate (or spec.insecureSkipTLSVerify)"
	case strings.Contains(message, "404"):
		return message + ": no index.yaml there; check spec.url (the repository's base URL)"
	case strings.Contains(message, "connection refused") || strings.Contains(message, "no such host") || strings.Contains(message, "timeout"):
		return message + ": the repository cannot be reached from the cluster's controller; check spec.url"
	}
	return message
}

func (r *Reconciler) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}
