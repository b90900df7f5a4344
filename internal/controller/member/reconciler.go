// Package member runs the controllers that live in member clusters — HelmRepos, HelmReleases,
// HelmOperations — for every cluster that kpanda manages: it follows the Cluster objects of the
// global cluster, prepares each member (CRDs, kpanda-system, the runner's ClusterRole) when it
// becomes Running, and starts one set of controllers on an informer cache of that member; it
// stops them when the cluster is detached or its kubeconfig changes. This is the pattern of
// Cluster API's ClusterCache: one place owns every watch on members.
package member

import (
	"context"
	"fmt"
	"sync"

	"github.com/go-logr/logr"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	clusterv1alpha1 "github.com/kpanda/kpanda/api/cluster/v1alpha1"
	"github.com/kpanda/kpanda/internal/clusters"
	"github.com/kpanda/kpanda/internal/clustersetting"
	"github.com/kpanda/kpanda/internal/controller/helmoperation"
)

// Reconciler starts and stops the member-side controllers of each cluster.
type Reconciler struct {
	// Client reads Cluster objects in the global cluster.
	Client   client.Client
	Members  *clusters.Cache
	Settings *clustersetting.Store
	Log      logr.Logger

	mu      sync.Mutex
	ctx     context.Context
	local   *helmoperation.LocalExecutor
	running map[string]*run
}

// SetupWithManager registers the reconciler; member controllers live as long as the manager's
// context, and only while this replica leads.
func (r *Reconciler) SetupWithManager(mgr ctrl.Manager) error {
	if err := mgr.Add(r); err != nil {
		return err
	}
	return ctrl.NewControllerManagedBy(mgr).Named("member").For(&clusterv1alpha1.Cluster{}).Complete(r)
}

// Start remembers the manager's context for the member controllers and stops them all when it
// ends.
func (r *Reconciler) Start(ctx context.Context) error {
	r.mu.Lock()
	r.ctx = ctx
	r.local = &helmoperation.LocalExecutor{Context: ctx, Log: r.Log.WithName("local-executor")}
	r.mu.Unlock()
	<-ctx.Done()
	r.mu.Lock()
	defer r.mu.Unlock()
	for name, run := range r.running {
		run.stop()
		delete(r.running, name)
	}
	return nil
}

// NeedLeaderElection: member controllers must run in one replica only.
func (r *Reconciler) NeedLeaderElection() bool { return true }

// Reconcile makes the controllers of one cluster run exactly when the cluster is usable.
func (r *Reconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	var cluster clusterv1alpha1.Cluster
	err := r.Client.Get(ctx, req.NamespacedName, &cluster)
	if apierrors.IsNotFound(err) || (err == nil && (!cluster.DeletionTimestamp.IsZero() || cluster.Status.Phase == clusterv1alpha1.ClusterRemoving)) {
		r.stop(req.Name)
		return reconcile.Result{}, nil
	}
	if err != nil {
		return reconcile.Result{}, err
	}
	if cluster.Status.Phase != clusterv1alpha1.ClusterRunning {
		// Joining: wait. Unknown: keep what runs; its informers reconnect by themselves.
		return reconcile.Result{}, nil
	}
	member, err := r.Members.Get(ctx, cluster.Name)
	if err != nil {
		return reconcile.Result{}, err
	}
	return reconcile.Result{}, r.ensure(cluster.Name, member)
}

func (r *Reconciler) ensure(name string, member *clusters.Member) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ctx == nil {
		return fmt.Errorf("member controllers of %s: the manager has not started", name)
	}
	if current, ok := r.running[name]; ok {
		if current.member == member {
			return nil
		}
		// The kubeconfig changed: start over with the new one.
		current.stop()
		delete(r.running, name)
	}
	started, err := startControllers(r.ctx, name, member, r.Settings, r.local, r.Log.WithValues("cluster", name))
	if err != nil {
		return err
	}
	if r.running == nil {
		r.running = map[string]*run{}
	}
	r.running[name] = started
	return nil
}

func (r *Reconciler) stop(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if current, ok := r.running[name]; ok {
		current.stop()
		delete(r.running, name)
	}
}
