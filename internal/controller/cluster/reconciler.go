// Package cluster reconciles cluster.kpanda.io Clusters: it keeps each cluster's setting
// ConfigMap, probes the member for its status, prepares kpanda's namespace in it, and on
// deletion cleans the member up before letting the Cluster go (detach).
package cluster

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/log"

	clusterv1alpha1 "github.com/kpanda/kpanda/api/cluster/v1alpha1"
	"github.com/kpanda/kpanda/internal/clusters"
	"github.com/kpanda/kpanda/internal/clustersetting"
)

// Finalizer holds a Cluster until detach has cleaned its member up.
const Finalizer = "cluster.kpanda.io/detach"

// probeTimeout bounds one probe of a member, so an unreachable member is noticed in seconds.
const probeTimeout = 8 * time.Second

// Reconciler reconciles Clusters in the global cluster.
type Reconciler struct {
	// Client reads and writes the global cluster.
	Client client.Client
	// Members reaches member clusters.
	Members *clusters.Cache
	// Settings receives each cluster's valid settings.
	Settings *clustersetting.Store
	// DefaultExecutor, when set, replaces the job executor in the settings written for new
	// clusters (kpanda dev: simulated nodes cannot run the Job's container).
	DefaultExecutor clustersetting.Executor
	// ProbeInterval is how often a member is probed; a member that stops answering turns
	// Unknown within ProbeInterval + probeTimeout.
	ProbeInterval time.Duration
	// MaxConcurrentReconciles bounds how many clusters are probed at once.
	MaxConcurrentReconciles int
}

// SetupWithManager registers the reconciler: Clusters, and the Secrets and setting ConfigMaps
// they own, so that an edited setting or kubeconfig takes effect at once.
func (r *Reconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&clusterv1alpha1.Cluster{}).
		Owns(&corev1.ConfigMap{}).
		Owns(&corev1.Secret{}).
		WithOptions(controller.Options{MaxConcurrentReconciles: r.MaxConcurrentReconciles}).
		Complete(r)
}

// Reconcile brings one Cluster's status and objects up to date.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (_ ctrl.Result, err error) {
	var cluster clusterv1alpha1.Cluster
	if err := r.Client.Get(ctx, req.NamespacedName, &cluster); err != nil {
		if apierrors.IsNotFound(err) {
			r.Members.Forget(req.Name)
			r.Settings.Forget(req.Name)
			return ctrl.Result{}, nil
		}
		return ctrl.Result{}, fmt.Errorf("reading cluster: %w", err)
	}
	before := cluster.DeepCopy()
	defer func() {
		if patchErr := r.patchStatus(ctx, before, &cluster); patchErr != nil {
			err = errors.Join(err, patchErr)
		}
	}()
	if !cluster.DeletionTimestamp.IsZero() {
		cluster.Status.ObservedGeneration = cluster.Generation
		return r.detach(ctx, &cluster)
	}
	if controllerutil.AddFinalizer(&cluster, Finalizer) {
		// Update returns the stored object, so status edits are made only after it.
		if err := r.Client.Update(ctx, &cluster); err != nil {
			return ctrl.Result{}, fmt.Errorf("adding finalizer: %w", err)
		}
	}
	cluster.Status.ObservedGeneration = cluster.Generation
	if err := r.reconcileSetting(ctx, &cluster); err != nil {
		return ctrl.Result{}, err
	}
	r.probe(ctx, &cluster)
	return ctrl.Result{RequeueAfter: r.ProbeInterval}, nil
}

// probe reads the member's state into the status and prepares kpanda's namespace in it.
func (r *Reconciler) probe(ctx context.Context, cluster *clusterv1alpha1.Cluster) {
	now := metav1.Now()
	cluster.Status.LastProbeTime = &now
	member, err := r.Members.Get(ctx, cluster.Name)
	if err != nil {
		r.unreachable(cluster, "KubeconfigInvalid", err)
		return
	}
	cluster.Status.APIEndpoint = member.Config.Host
	probeCtx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	observation, err := member.Probe(probeCtx)
	if err != nil {
		r.unreachable(cluster, "ProbeFailed", err)
		return
	}
	recordObservation(cluster, observation)
	setCondition(cluster, clusterv1alpha1.ConditionRunning, metav1.ConditionTrue, "Probed", "the cluster answered "+now.UTC().Format(time.RFC3339))
	cluster.Status.Phase = clusterv1alpha1.ClusterRunning
	if err := ensureNamespace(probeCtx, member); err != nil {
		setCondition(cluster, clusterv1alpha1.ConditionMemberPrepared, metav1.ConditionFalse, "NamespaceFailed", err.Error())
		return
	}
	setCondition(cluster, clusterv1alpha1.ConditionMemberPrepared, metav1.ConditionTrue, "NamespaceReady", "namespace "+clusters.Namespace+" exists in the cluster")
}

// unreachable records a failed probe: a cluster never reached stays Joining, one that was
// reached before turns Unknown.
func (r *Reconciler) unreachable(cluster *clusterv1alpha1.Cluster, reason string, err error) {
	log.Log.V(1).Info("Probe failed", "cluster", cluster.Name, "error", err.Error())
	if cluster.Status.KubernetesVersion == "" {
		cluster.Status.Phase = clusterv1alpha1.ClusterJoining
		setCondition(cluster, clusterv1alpha1.ConditionRunning, metav1.ConditionFalse, reason, err.Error())
		return
	}
	cluster.Status.Phase = clusterv1alpha1.ClusterUnknown
	setCondition(cluster, clusterv1alpha1.ConditionRunning, metav1.ConditionUnknown, reason, err.Error())
}

func recordObservation(cluster *clusterv1alpha1.Cluster, o *clusters.Observation) {
	cluster.Status.KubernetesVersion = o.Version
	cluster.Status.KubeSystemID = o.KubeSystemUID
	cluster.Status.Nodes = clusterv1alpha1.NodeSummary{Total: o.NodesTotal, Ready: o.NodesReady}
	cluster.Status.Resources = clusterv1alpha1.ResourceSummary{Capacity: o.Capacity, Allocatable: o.Allocatable}
	cluster.Status.PodCount = o.Pods
}

func ensureNamespace(ctx context.Context, member *clusters.Member) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: clusters.Namespace}}
	_, err := member.Client.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating namespace %s in the cluster: %w", clusters.Namespace, err)
	}
	return nil
}

func setCondition(cluster *clusterv1alpha1.Cluster, conditionType string, status metav1.ConditionStatus, reason, message string) {
	meta.SetStatusCondition(&cluster.Status.Conditions, metav1.Condition{
		Type: conditionType, Status: status, Reason: reason, Message: message, ObservedGeneration: cluster.Generation,
	})
}

// patchStatus writes the status if it changed. LastProbeTime alone changing is still written:
// it is how users see the cluster is being watched.
func (r *Reconciler) patchStatus(ctx context.Context, before, after *clusterv1alpha1.Cluster) error {
	if equality.Semantic.DeepEqual(before.Status, after.Status) {
		return nil
	}
	err := r.Client.Status().Patch(ctx, after, client.MergeFrom(before))
	if apierrors.IsNotFound(err) {
		return nil // detached meanwhile
	}
	if err != nil {
		return fmt.Errorf("writing status of cluster %s: %w", after.Name, err)
	}
	return nil
}
