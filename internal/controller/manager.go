// Package controller assembles kpanda's controller-manager: one controller-runtime manager
// against the global cluster, leader-elected, running one reconciler per Kind.
package controller

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	clusterv1alpha1 "github.com/kpanda/kpanda/api/cluster/v1alpha1"
	iamv1alpha1 "github.com/kpanda/kpanda/api/iam/v1alpha1"
	crdmanifests "github.com/kpanda/kpanda/config/crd"
	"github.com/kpanda/kpanda/internal/clusters"
	"github.com/kpanda/kpanda/internal/clustersetting"
	"github.com/kpanda/kpanda/internal/controller/binding"
	clustercontroller "github.com/kpanda/kpanda/internal/controller/cluster"
	"github.com/kpanda/kpanda/internal/controller/member"
	"github.com/kpanda/kpanda/internal/controller/roletemplate"
	"github.com/kpanda/kpanda/internal/crd"
	"github.com/kpanda/kpanda/internal/integration"
)

// Options configure the controller-manager.
type Options struct {
	// MetricsAddr serves /metrics ("0" disables); HealthAddr serves /healthz and /readyz.
	MetricsAddr string
	HealthAddr  string
	// LeaderElection makes one replica of several the active one.
	LeaderElection bool
	// DefaultExecutor is the helm_operation_executor written into new clusters' settings; empty
	// means the setting's default, job.
	DefaultExecutor clustersetting.Executor
	// ProbeInterval is how often each member cluster is probed.
	ProbeInterval time.Duration
}

// Scheme knows the types the controller-manager reads and writes in the global cluster.
func Scheme() *runtime.Scheme {
	scheme := runtime.NewScheme()
	must(clientgoscheme.AddToScheme(scheme))
	must(clusterv1alpha1.AddToScheme(scheme))
	must(iamv1alpha1.AddToScheme(scheme))
	return scheme
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// Run installs the CRDs, registers the global cluster, and runs the controllers until ctx ends.
func Run(ctx context.Context, config *rest.Config, opts Options) error {
	config = rest.CopyConfig(config)
	if config.QPS == 0 {
		// client-go's default (5 QPS, burst 10) queues the few writes each newly integrated
		// cluster needs behind one another: ten at once took 2.7 s to Running instead of < 1 s.
		config.QPS, config.Burst = 100, 200
	}
	if err := crd.Install(ctx, config, crdmanifests.Manifests, crdmanifests.Global); err != nil {
		return err
	}
	direct, err := client.New(config, client.Options{Scheme: Scheme()})
	if err != nil {
		return fmt.Errorf("building client: %w", err)
	}
	if err := (&integration.Service{Client: direct}).RegisterGlobal(ctx, config); err != nil {
		return err
	}
	clientset, err := kubernetes.NewForConfig(config)
	if err != nil {
		return fmt.Errorf("building client: %w", err)
	}
	if err := integration.ProtectGlobal(ctx, clientset); err != nil {
		return err
	}
	mgr, err := ctrl.NewManager(config, ctrl.Options{
		Scheme:                  Scheme(),
		Metrics:                 metricsserver.Options{BindAddress: opts.MetricsAddr},
		HealthProbeBindAddress:  opts.HealthAddr,
		LeaderElection:          opts.LeaderElection,
		LeaderElectionID:        "kpanda-controller-manager",
		LeaderElectionNamespace: clusters.Namespace,
		// Only kpanda's own Secrets and ConfigMaps are cached, not every one of the cluster.
		Cache: cache.Options{ByObject: map[client.Object]cache.ByObject{
			&corev1.Secret{}:    {Namespaces: map[string]cache.Config{clusters.Namespace: {}}},
			&corev1.ConfigMap{}: {Namespaces: map[string]cache.Config{clusters.Namespace: {}}},
		}},
	})
	if err != nil {
		return fmt.Errorf("creating controller manager: %w", err)
	}
	if err := mgr.AddHealthzCheck("ping", healthz.Ping); err != nil {
		return fmt.Errorf("adding health check: %w", err)
	}
	if err := mgr.AddReadyzCheck("ping", healthz.Ping); err != nil {
		return fmt.Errorf("adding ready check: %w", err)
	}
	members := clusters.NewCache(mgr.GetClient())
	// One store of settings: the cluster controller fills it, the member controllers read it.
	settings := clustersetting.NewStore()
	reconcilers := map[string]interface{ SetupWithManager(ctrl.Manager) error }{
		"cluster": &clustercontroller.Reconciler{
			Client:                  mgr.GetClient(),
			Members:                 members,
			Settings:                settings,
			DefaultExecutor:         opts.DefaultExecutor,
			ProbeInterval:           opts.ProbeInterval,
			MaxConcurrentReconciles: 10,
		},
		"binding":       &binding.Reconciler{Client: mgr.GetClient(), Members: members, Resync: opts.ProbeInterval},
		"role template": &roletemplate.Reconciler{Client: mgr.GetClient(), Members: members, Resync: opts.ProbeInterval},
		"member":        &member.Reconciler{Client: mgr.GetClient(), Members: members, Settings: settings, Log: ctrl.Log.WithName("member")},
	}
	for name, reconciler := range reconcilers {
		if err := reconciler.SetupWithManager(mgr); err != nil {
			return fmt.Errorf("setting up the %s controller: %w", name, err)
		}
	}
	return mgr.Start(ctx)
}
