// Package localcluster starts real Kubernetes clusters on this machine from the binaries that
// `make k8s-bin` builds into bin/k8s: etcd, kube-apiserver (RBAC on), kube-controller-manager
// (CSR signing on), kube-scheduler and kwok, whose simulated nodes make Deployment pods Running
// and Job pods complete. Tests and `kpanda dev` use it; see DESIGN §5.
package localcluster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// Options configure one local cluster. The zero value is usable: one node, binaries found by
// DefaultBinDir, a temporary directory removed on Stop.
type Options struct {
	// Name names the cluster in its kubeconfig and its log lines; default "local".
	Name string
	// BinDir holds the binaries; default DefaultBinDir().
	BinDir string
	// Dir holds the cluster's data, credentials, kubeconfig and logs. Default: a new temporary
	// directory, removed on Stop. A given Dir is kept, so its logs can be read afterwards.
	Dir string
	// Nodes is the number of simulated nodes; default 1.
	Nodes int
	// DisableControllers names kube-controller-manager controllers not to run, for example
	// "csrsigning" for a cluster whose console certificates cannot be issued (seed FAQ 10).
	DisableControllers []string
	// ReadyTimeout bounds Start; default 90 s, room for several clusters starting at once on a
	// two-core machine.
	ReadyTimeout time.Duration
	// Log receives progress; default: discarded.
	Log *slog.Logger
}

func (o Options) withDefaults() (Options, error) {
	if o.Name == "" {
		o.Name = "local"
	}
	if o.Nodes == 0 {
		o.Nodes = 1
	}
	if o.Nodes < 0 {
		return o, fmt.Errorf("nodes: must be 0 (default 1) or more, got %d", o.Nodes)
	}
	if o.ReadyTimeout == 0 {
		o.ReadyTimeout = 90 * time.Second
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.BinDir == "" {
		dir, err := DefaultBinDir()
		if err != nil {
			return o, err
		}
		o.BinDir = dir
	}
	return o, nil
}

// Cluster is one running local cluster. Its methods are safe for concurrent use.
type Cluster struct {
	name    string
	dir     string
	ownsDir bool
	opts    Options
	log     *slog.Logger
	pki     *pki
	ports   ports
	config  *rest.Config

	mu    sync.Mutex
	procs map[string]*process
}

type ports struct{ etcdClient, etcdPeer, apiServer int }

// Start starts a cluster and returns once it is ready: the apiserver answers /readyz, every
// node is Ready and the default ServiceAccount exists (so pods can be created). On error
// nothing started is left running.
func Start(ctx context.Context, opts Options) (_ *Cluster, err error) {
	opts, err = opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := checkBinaries(opts.BinDir); err != nil {
		return nil, err
	}
	c := &Cluster{name: opts.Name, dir: opts.Dir, opts: opts, procs: map[string]*process{},
		log: opts.Log.With("cluster", opts.Name)}
	if c.dir == "" {
		if c.dir, err = os.MkdirTemp("", "kpanda-"+opts.Name+"-"); err != nil {
			return nil, fmt.Errorf("creating cluster directory: %w", err)
		}
		c.ownsDir = true
	} else if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating cluster directory %s: %w", c.dir, err)
	}
	defer func() {
		if err != nil {
			c.Stop()
			err = fmt.Errorf("starting local cluster %q (logs in %s): %w", c.name, c.dir, err)
		}
	}()

	ctx, cancel := context.WithTimeout(ctx, opts.ReadyTimeout)
	defer cancel()
	started := time.Now()
	if err := c.prepare(); err != nil {
		return nil, err
	}
	if err := c.startStore(ctx); err != nil {
		return nil, err
	}
	if err := c.startAPIServer(ctx); err != nil {
		return nil, err
	}
	if err := c.startControllers(); err != nil {
		return nil, err
	}
	if err := c.waitWorkloadReady(ctx); err != nil {
		return nil, err
	}
	c.log.Info("Local cluster ready", "apiserver", c.config.Host, "kubeconfig", c.KubeconfigPath(),
		"nodes", opts.Nodes, "took", time.Since(started).Round(time.Millisecond))
	return c, nil
}

// prepare allocates ports, generates credentials and writes kubeconfigs.
func (c *Cluster) prepare() error {
	allocated, err := freePorts(3)
	if err != nil {
		return err
	}
	c.ports = ports{etcdClient: allocated[0], etcdPeer: allocated[1], apiServer: allocated[2]}
	if c.pki, err = newPKI(c.path("pki"), c.name); err != nil {
		return err
	}
	return c.writeKubeconfigs()
}

func (c *Cluster) startStore(ctx context.Context) error {
	p, err := c.run(etcd, c.etcdArgs())
	if err != nil {
		return err
	}
	return c.waitFor(ctx, p, "etcd to be healthy", func(ctx context.Context) bool {
		return etcdHealthy(ctx, c.etcdURL())
	})
}

func (c *Cluster) startAPIServer(ctx context.Context) error {
	p, err := c.run(kubeAPIServer, c.apiServerArgs())
	if err != nil {
		return err
	}
	client, err := kubernetes.NewForConfig(c.config)
	if err != nil {
		return fmt.Errorf("building client: %w", err)
	}
	return c.waitFor(ctx, p, "kube-apiserver /readyz", func(ctx context.Context) bool {
		return client.Discovery().RESTClient().Get().AbsPath("/readyz").Do(ctx).Error() == nil
	})
}

func (c *Cluster) startControllers() error {
	for _, component := range []struct {
		name string
		args []string
	}{
		{kubeControllerManager, c.controllerManagerArgs()},
		{kubeScheduler, c.schedulerArgs()},
		{kwok, c.kwokArgs()},
	} {
		if _, err := c.run(component.name, component.args); err != nil {
			return err
		}
	}
	return nil
}

// run starts a component from the bin dir and records it for Stop.
func (c *Cluster) run(name string, args []string) (*process, error) {
	p, err := startProcess(name, c.binary(name), args, c.path(name+".log"))
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.procs[name] = p
	c.mu.Unlock()
	c.log.Debug("Started component", "component", name, "pid", p.pid())
	return p, nil
}

// Stop stops every component, newest first, and removes the directory if Start created it.
// It is safe to call more than once.
func (c *Cluster) Stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, name := range []string{kwok, kubeScheduler, kubeControllerManager, kubeAPIServer, etcd} {
		if p, ok := c.procs[name]; ok {
			p.stop()
			delete(c.procs, name)
		}
	}
	if c.ownsDir {
		_ = os.RemoveAll(c.dir)
	}
}

// StopAPIServer stops only the kube-apiserver, so the cluster looks unreachable to its clients;
// StartAPIServer brings it back on the same address with the same credentials.
func (c *Cluster) StopAPIServer() {
	c.mu.Lock()
	p := c.procs[kubeAPIServer]
	delete(c.procs, kubeAPIServer)
	c.mu.Unlock()
	if p != nil {
		p.stop()
	}
}

// StartAPIServer restarts a kube-apiserver stopped by StopAPIServer and waits for /readyz.
func (c *Cluster) StartAPIServer(ctx context.Context) error {
	c.mu.Lock()
	_, running := c.procs[kubeAPIServer]
	c.mu.Unlock()
	if running {
		return errors.New("kube-apiserver is already running")
	}
	return c.startAPIServer(ctx)
}

// Name is the cluster's name as given in Options.
func (c *Cluster) Name() string { return c.name }

// Dir is the directory holding the cluster's data, kubeconfigs and component logs.
func (c *Cluster) Dir() string { return c.dir }

// KubeconfigPath is a self-contained admin (system:masters) kubeconfig of the cluster.
func (c *Cluster) KubeconfigPath() string { return c.path("kubeconfig") }

// RESTConfig returns a copy of the admin client configuration.
func (c *Cluster) RESTConfig() *rest.Config { return rest.CopyConfig(c.config) }

// PIDs maps each running component to its process id.
func (c *Cluster) PIDs() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	pids := make(map[string]int, len(c.procs))
	for name, p := range c.procs {
		if !p.exited() {
			pids[name] = p.pid()
		}
	}
	return pids
}

func (c *Cluster) path(name string) string { return filepath.Join(c.dir, name) }

func (c *Cluster) binary(name string) string { return filepath.Join(c.opts.BinDir, name) }
