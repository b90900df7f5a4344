// Package devenv runs the whole of kpanda on one machine for a person (`kpanda dev`, `make
// run`): a global cluster and N member clusters from internal/localcluster, with the kpanda
// apiserver and controller-manager in this process. It describes what it started in dev.json.
package devenv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	clusterv1alpha1 "github.com/kpanda/kpanda/api/cluster/v1alpha1"
	helmv1alpha1 "github.com/kpanda/kpanda/api/helm/v1alpha1"
	"github.com/kpanda/kpanda/internal/auth"
	"github.com/kpanda/kpanda/internal/clustersetting"
	"github.com/kpanda/kpanda/internal/controller"
	"github.com/kpanda/kpanda/internal/integration"
	"github.com/kpanda/kpanda/internal/localcluster"
	"github.com/kpanda/kpanda/internal/server"
)

// InfoFile is the name of the description written into the work directory.
const InfoFile = "dev.json"

// Options configure a dev system.
type Options struct {
	// Members is the number of member clusters.
	Members int
	// Workdir holds each cluster's directory (data, kubeconfig, logs) and dev.json.
	Workdir string
	// Listen is the address the kpanda apiserver serves on.
	Listen string
	// Integrate makes the members kpanda clusters member-1 ... member-N; without it they are
	// left for a person to integrate.
	Integrate bool
	// BinDir holds the Kubernetes binaries; default localcluster.DefaultBinDir().
	BinDir string
	// Out receives the summary for a person; Log the progress.
	Out io.Writer
	Log *slog.Logger
}

// Info is the content of dev.json: how to reach what `kpanda dev` started. Clusters lists the
// global cluster first, then member-1 ... member-N.
type Info struct {
	URL      string        `json:"url"`
	Username string        `json:"username"`
	Password string        `json:"password"`
	Clusters []ClusterInfo `json:"clusters"`
}

// ClusterInfo names one cluster and its admin kubeconfig (an absolute path).
type ClusterInfo struct {
	Name       string `json:"name"`
	Kubeconfig string `json:"kubeconfig"`
}

func (o Options) validate() error {
	if o.Members < 0 {
		return fmt.Errorf("--members: must be 0 or more, got %d", o.Members)
	}
	if o.Workdir == "" {
		return errors.New("--workdir: must not be empty")
	}
	if _, _, err := net.SplitHostPort(o.Listen); err != nil {
		return fmt.Errorf("--listen: want HOST:PORT, for example 127.0.0.1:8443: %w", err)
	}
	return nil
}

// Run starts the dev system, writes dev.json, and keeps everything running until ctx ends;
// then it stops every process and removes dev.json, so a dev.json present means a running system.
func Run(ctx context.Context, opts Options) error {
	if err := opts.validate(); err != nil {
		return err
	}
	workdir, err := filepath.Abs(opts.Workdir)
	if err != nil {
		return fmt.Errorf("--workdir: %w", err)
	}
	infoPath := filepath.Join(workdir, InfoFile)
	if err := prepareWorkdir(workdir, infoPath); err != nil {
		return err
	}

	opts.Log.Info("Starting clusters", "global", 1, "members", opts.Members, "workdir", workdir)
	started := time.Now()
	set, err := localcluster.StartSet(ctx, localcluster.SetOptions{
		Members: opts.Members,
		Dir:     workdir,
		Cluster: localcluster.Options{BinDir: opts.BinDir, Nodes: 2, Log: opts.Log},
	})
	if err != nil {
		return err
	}
	defer set.Stop()

	info := describe(set)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	failed := make(chan error, 2)
	if err := startKpanda(ctx, set, opts, &info, failed); err != nil {
		return err
	}
	if err := writeInfo(infoPath, info); err != nil {
		return err
	}
	defer func() { _ = os.Remove(infoPath) }()
	printSummary(opts.Out, info, infoPath, time.Since(started))

	select {
	case <-ctx.Done():
		opts.Log.Info("Stopping kpanda and the clusters")
		return nil
	case err := <-failed:
		return err
	}
}

// startKpanda runs the controller-manager and the apiserver in this process against the global
// cluster, integrates the members unless told not to, and records the login in info.
func startKpanda(ctx context.Context, set *localcluster.Set, opts Options, info *Info, failed chan<- error) error {
	config := set.Global.RESTConfig()
	go func() {
		failed <- controller.Run(ctx, config, controller.Options{
			MetricsAddr: "0", HealthAddr: "0", ProbeInterval: 5 * time.Second,
			// The simulated nodes run no containers, so Helm operations run in-process.
			DefaultExecutor: clustersetting.ExecutorLocal,
		})
	}()
	// server.New installs the CRDs before it returns, so integrating below does not race the
	// controller-manager's start.
	apiserver, err := server.New(ctx, config, server.Options{Listen: opts.Listen, Log: opts.Log})
	if err != nil {
		return err
	}
	go func() { failed <- apiserver.Serve(ctx) }()
	info.URL, info.Username, info.Password = apiserver.URL(), auth.AdminUser, apiserver.AdminPassword
	if !opts.Integrate {
		return nil
	}
	return integrateMembers(ctx, config, set.Members, opts.Log)
}

// integrateMembers integrates each member under its own name and waits until all are Running.
func integrateMembers(ctx context.Context, config *rest.Config, members []*localcluster.Cluster, log *slog.Logger) error {
	global, err := client.New(config, client.Options{Scheme: controller.Scheme()})
	if err != nil {
		return fmt.Errorf("building client: %w", err)
	}
	registry := &integration.Service{Client: global}
	for _, member := range members {
		kubeconfig, err := os.ReadFile(member.KubeconfigPath())
		if err != nil {
			return fmt.Errorf("reading kubeconfig of %s: %w", member.Name(), err)
		}
		if _, err := registry.Integrate(ctx, integration.Request{Name: member.Name(), Kubeconfig: string(kubeconfig)}); err != nil {
			return fmt.Errorf("integrating %s: %w", member.Name(), err)
		}
		log.Info("Integrated member", "cluster", member.Name())
	}
	if err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		var clusters clusterv1alpha1.ClusterList
		if err := global.List(ctx, &clusters); err != nil {
			return false, nil //nolint:nilerr // the next poll retries
		}
		running := 0
		for _, c := range clusters.Items {
			if c.Status.Phase == clusterv1alpha1.ClusterRunning {
				running++
			}
		}
		return running == len(members)+1, nil
	}); err != nil {
		return err
	}
	return waitMembersPrepared(ctx, members)
}

// waitMembersPrepared waits until the controller-manager has installed the helm.kpanda.io CRDs
// in every member (it does so once a cluster is Running), so that the system dev.json announces
// can install apps at once.
func waitMembersPrepared(ctx context.Context, members []*localcluster.Cluster) error {
	for _, member := range members {
		err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
			c, err := client.New(member.RESTConfig(), client.Options{Scheme: memberScheme})
			return err == nil && c.List(ctx, &helmv1alpha1.HelmRepoList{}) == nil, nil
		})
		if err != nil {
			return fmt.Errorf("waiting for kpanda's CRDs in %s: %w", member.Name(), err)
		}
	}
	return nil
}

var memberScheme = func() *runtime.Scheme {
	scheme := runtime.NewScheme()
	if err := helmv1alpha1.AddToScheme(scheme); err != nil {
		panic(err)
	}
	return scheme
}()

// prepareWorkdir gives every run fresh clusters: an earlier run's data would carry credentials
// that no longer match the new ones.
func prepareWorkdir(workdir, infoPath string) error {
	if err := os.MkdirAll(workdir, 0o755); err != nil {
		return fmt.Errorf("--workdir: %w", err)
	}
	if err := os.Remove(infoPath); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing stale %s: %w", infoPath, err)
	}
	entries, err := os.ReadDir(workdir)
	if err != nil {
		return fmt.Errorf("--workdir: %w", err)
	}
	for _, entry := range entries {
		if entry.IsDir() && isClusterDir(entry.Name()) {
			if err := os.RemoveAll(filepath.Join(workdir, entry.Name())); err != nil {
				return fmt.Errorf("removing the previous run's %s: %w", entry.Name(), err)
			}
		}
	}
	return nil
}

func isClusterDir(name string) bool {
	var n int
	_, err := fmt.Sscanf(name, "member-%d", &n)
	return name == localcluster.GlobalClusterName || (err == nil && localcluster.MemberName(n) == name)
}

func describe(set *localcluster.Set) Info {
	info := Info{Clusters: []ClusterInfo{}}
	for _, c := range set.All() {
		info.Clusters = append(info.Clusters, ClusterInfo{Name: c.Name(), Kubeconfig: c.KubeconfigPath()})
	}
	return info
}

// writeInfo writes dev.json atomically: a script polling for it never reads half a file.
func writeInfo(path string, info Info) error {
	data, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding %s: %w", InfoFile, err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

func printSummary(out io.Writer, info Info, infoPath string, took time.Duration) {
	fmt.Fprintf(out, "\nkpanda dev is running: %d clusters ready in %s. Stop it with Ctrl-C.\n\n",
		len(info.Clusters), took.Round(100*time.Millisecond))
	fmt.Fprintf(out, "  kpanda API  %s\n  log in      echo '%s' | bin/kpanda login --server %s --username %s --password-stdin\n\n",
		info.URL, info.Password, info.URL, info.Username)
	for _, c := range info.Clusters {
		fmt.Fprintf(out, "  %-22s %s\n", c.Name, c.Kubeconfig)
	}
	fmt.Fprintf(out, "\nkubectl against a cluster:  bin/k8s/kubectl --kubeconfig %s get nodes\n", info.Clusters[0].Kubeconfig)
	fmt.Fprintf(out, "The same, for scripts:      %s\n", infoPath)
}
