// Package devenv runs the whole of kpanda on one machine for a person (`kpanda dev`, `make
// run`): a global cluster and N member clusters from internal/localcluster and, as they exist,
// the kpanda apiserver and controller-manager. It describes what it started in dev.json.
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

	"github.com/kpanda/kpanda/internal/localcluster"
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
	if err := writeInfo(infoPath, info); err != nil {
		return err
	}
	defer func() { _ = os.Remove(infoPath) }()
	printSummary(opts.Out, info, infoPath, time.Since(started))

	<-ctx.Done()
	opts.Log.Info("Stopping clusters")
	return nil
}

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
	if info.URL != "" {
		fmt.Fprintf(out, "  URL       %s\n  login     %s / %s\n\n", info.URL, info.Username, info.Password)
	}
	for _, c := range info.Clusters {
		fmt.Fprintf(out, "  %-22s %s\n", c.Name, c.Kubeconfig)
	}
	fmt.Fprintf(out, "\nkubectl against a cluster:  bin/k8s/kubectl --kubeconfig %s get nodes\n", info.Clusters[0].Kubeconfig)
	fmt.Fprintf(out, "The same, for scripts:      %s\n", infoPath)
}
