package member

import (
	"context"
	"fmt"
	"time"

	"github.com/go-logr/logr"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/cluster"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	helmv1alpha1 "github.com/kpanda/kpanda/api/helm/v1alpha1"
	crdmanifests "github.com/kpanda/kpanda/config/crd"
	"github.com/kpanda/kpanda/internal/clusters"
	"github.com/kpanda/kpanda/internal/clustersetting"
	"github.com/kpanda/kpanda/internal/controller/helmoperation"
	"github.com/kpanda/kpanda/internal/controller/helmrelease"
	"github.com/kpanda/kpanda/internal/controller/helmrepo"
	"github.com/kpanda/kpanda/internal/crd"
	"github.com/kpanda/kpanda/internal/helm"
	runner "github.com/kpanda/kpanda/internal/helmoperation"
)

// Scheme knows the types the member controllers read and write.
func Scheme() *runtime.Scheme {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, helmv1alpha1.AddToScheme} {
		if err := add(scheme); err != nil {
			panic(err)
		}
	}
	return scheme
}

// run is one member's running controllers.
type run struct {
	member *clusters.Member
	cancel context.CancelFunc
}

func (r *run) stop() { r.cancel() }

// startControllers prepares the member and starts its controllers until ctx ends or stop.
func startControllers(parent context.Context, name string, member *clusters.Member, settings *clustersetting.Store, local *helmoperation.LocalExecutor, log logr.Logger) (*run, error) {
	ctx, cancel := context.WithCancel(parent)
	if err := Prepare(ctx, member); err != nil {
		cancel()
		return nil, err
	}
	memberCluster, err := newCluster(member)
	if err != nil {
		cancel()
		return nil, err
	}
	if err := addControllers(ctx, name, member, memberCluster, settings, local, log); err != nil {
		cancel()
		return nil, err
	}
	go func() {
		if err := memberCluster.Start(ctx); err != nil && ctx.Err() == nil {
			log.Error(err, "Member cache stopped")
		}
	}()
	log.Info("Started member controllers")
	return &run{member: member, cancel: cancel}, nil
}

// Prepare installs what the member controllers need in a member: the helm.kpanda.io CRDs,
// kpanda-system, the runner's ClusterRole and the requester admission policies. It is idempotent.
func Prepare(ctx context.Context, member *clusters.Member) error {
	if err := crd.Install(ctx, member.Config, crdmanifests.Manifests, crdmanifests.Member); err != nil {
		return fmt.Errorf("installing the helm CRDs in cluster %s: %w", member.Name, err)
	}
	c, err := client.New(member.Config, client.Options{Scheme: Scheme()})
	if err != nil {
		return fmt.Errorf("client of cluster %s: %w", member.Name, err)
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: runner.Namespace}}
	if err := c.Create(ctx, ns); client.IgnoreAlreadyExists(err) != nil {
		return fmt.Errorf("creating namespace %s in cluster %s: %w", runner.Namespace, member.Name, err)
	}
	role := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: helmoperation.RunnerClusterRole}}
	if _, err := controllerutil.CreateOrUpdate(ctx, c, role, func() error {
		role.Rules = helmoperation.RunnerRules()
		return nil
	}); err != nil {
		return fmt.Errorf("creating ClusterRole %s in cluster %s: %w", role.Name, member.Name, err)
	}
	return ensureRequesterPolicies(ctx, member)
}

// newCluster builds an informer cache of the member, limited to kpanda-system for the kinds
// kpanda only needs there.
func newCluster(member *clusters.Member) (cluster.Cluster, error) {
	kpandaSystem := cache.ByObject{Namespaces: map[string]cache.Config{runner.Namespace: {}}}
	return cluster.New(member.Config, func(o *cluster.Options) {
		o.Scheme = Scheme()
		o.Cache.ByObject = map[client.Object]cache.ByObject{
			&corev1.Secret{}: kpandaSystem, &corev1.ConfigMap{}: kpandaSystem,
			&batchv1.Job{}: kpandaSystem, &corev1.Pod{}: kpandaSystem,
		}
	})
}

func addControllers(ctx context.Context, name string, member *clusters.Member, c cluster.Cluster, settings *clustersetting.Store, local *helmoperation.LocalExecutor, log logr.Logger) error {
	repos := &helmrepo.Reconciler{Client: c.GetClient(), Cluster: name, Settings: settings}
	releases := &helmrelease.Reconciler{Client: c.GetClient(), Cluster: name, Settings: settings, Events: c.GetEventRecorder("kpanda-helm")}
	discovery, err := helm.NewDiscovery(member.Config)
	if err != nil {
		return fmt.Errorf("discovery of cluster %s: %w", name, err)
	}
	operations := &helmoperation.Reconciler{Client: c.GetClient(), Cluster: name, Settings: settings, Local: local, Config: member.Config, Discovery: discovery}

	toRelease := handler.TypedEnqueueRequestsFromMapFunc(func(_ context.Context, op *helmv1alpha1.HelmOperation) []reconcile.Request {
		return []reconcile.Request{{NamespacedName: client.ObjectKey{Namespace: op.Namespace, Name: op.Spec.Release}}}
	})
	jobToOperation := handler.TypedEnqueueRequestsFromMapFunc(func(_ context.Context, job *batchv1.Job) []reconcile.Request {
		return operationOf(job.Labels)
	})
	podToOperation := handler.TypedEnqueueRequestsFromMapFunc(func(_ context.Context, pod *corev1.Pod) []reconcile.Request {
		return operationOf(pod.Labels)
	})
	watches := []struct {
		name       string
		reconciler reconcile.Reconciler
		sources    []source.TypedSource[reconcile.Request]
	}{
		{"helmrepo", repos, []source.TypedSource[reconcile.Request]{
			source.Kind(c.GetCache(), &helmv1alpha1.HelmRepo{}, &handler.TypedEnqueueRequestForObject[*helmv1alpha1.HelmRepo]{}),
		}},
		{"helmrelease", releases, []source.TypedSource[reconcile.Request]{
			source.Kind(c.GetCache(), &helmv1alpha1.HelmRelease{}, &handler.TypedEnqueueRequestForObject[*helmv1alpha1.HelmRelease]{}),
			source.Kind(c.GetCache(), &helmv1alpha1.HelmOperation{}, toRelease),
		}},
		{"helmoperation", operations, []source.TypedSource[reconcile.Request]{
			source.Kind(c.GetCache(), &helmv1alpha1.HelmOperation{}, &handler.TypedEnqueueRequestForObject[*helmv1alpha1.HelmOperation]{}),
			source.Kind(c.GetCache(), &batchv1.Job{}, jobToOperation),
			source.Kind(c.GetCache(), &corev1.Pod{}, podToOperation),
		}},
	}
	for _, w := range watches {
		ctl, err := controller.NewUnmanaged(w.name+"-"+name, controller.Options{
			Reconciler:              w.reconciler,
			MaxConcurrentReconciles: 4,
			SkipNameValidation:      ptr.To(true),
			LogConstructor: func(*reconcile.Request) logr.Logger {
				return log.WithValues("controller", w.name)
			},
			CacheSyncTimeout: time.Minute,
		})
		if err != nil {
			return fmt.Errorf("%s controller of cluster %s: %w", w.name, name, err)
		}
		for _, src := range w.sources {
			if err := ctl.Watch(src); err != nil {
				return fmt.Errorf("%s controller of cluster %s: %w", w.name, name, err)
			}
		}
		go func() {
			// Stopping (detach, shutdown) interrupts the cache sync: not an error then.
			if err := ctl.Start(ctx); err != nil && ctx.Err() == nil {
				log.Error(err, "Member controller stopped", "controller", w.name)
			}
		}()
	}
	return nil
}

func operationOf(labels map[string]string) []reconcile.Request {
	namespace, name := labels[helmoperation.OperationNamespaceLabel], labels[helmoperation.OperationNameLabel]
	if name == "" {
		return nil
	}
	return []reconcile.Request{{NamespacedName: client.ObjectKey{Namespace: namespace, Name: name}}}
}
