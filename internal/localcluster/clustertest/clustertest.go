// Package clustertest gives a test package one global cluster and N member clusters, real
// ones from internal/localcluster, shared by all its tests:
//
//	var env clustertest.Env
//
//	func TestMain(m *testing.M) { os.Exit(env.Run(m, clustertest.Options{Members: 2})) }
//
// Clusters cost ~5 s and hundreds of MB each, so a package starts them once, not per test.
package clustertest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/util/wait"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/kpanda/kpanda/internal/localcluster"
)

// Options choose the clusters of a test package.
type Options struct {
	// Members is the number of member clusters besides the global one.
	Members int
	// Cluster is applied to every cluster (nodes, disabled controllers, ...).
	Cluster localcluster.Options
	// Setup, if set, runs once the clusters are up and before the tests, for example to start
	// kpanda's own servers against them. Its context ends when the tests have run.
	Setup func(ctx context.Context) error
}

// Env is the set of clusters a test package shares; valid inside m.Run.
type Env struct {
	Global  *localcluster.Cluster
	Members []*localcluster.Cluster
}

// Run starts the clusters, runs the tests and stops the clusters, and returns the exit code for
// os.Exit. Missing binaries or a cluster that cannot start fail the package: a test that skips
// for lack of a cluster would pass without testing anything. SIGINT and SIGTERM stop the
// clusters before exiting.
func (e *Env) Run(m *testing.M, opts Options) int {
	handler := slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})
	opts.Cluster.Log = slog.New(handler)
	ctrllog.SetLogger(logr.FromSlogHandler(handler)) // kpanda's controllers under test log warnings too
	starting, stopStarting := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	set, err := localcluster.StartSet(starting, localcluster.SetOptions{Members: opts.Members, Cluster: opts.Cluster})
	stopStarting()
	if err != nil {
		fmt.Fprintf(os.Stderr, "clustertest: %v\n", err)
		return 1
	}
	defer set.Stop()
	stopOnSignal(set)
	e.Global, e.Members = set.Global, set.Members
	if opts.Setup != nil {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		if err := opts.Setup(ctx); err != nil {
			fmt.Fprintf(os.Stderr, "clustertest: setup: %v\n", err)
			return 1
		}
	}
	return m.Run()
}

// stopOnSignal stops the clusters and exits when the test binary is interrupted, so that no
// cluster directory is left behind (the processes themselves die with the binary anyway).
func stopOnSignal(set *localcluster.Set) {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-signals
		fmt.Fprintf(os.Stderr, "clustertest: %v: stopping clusters\n", sig)
		set.Stop()
		os.Exit(1)
	}()
}

// Eventually polls check every 200 ms until it returns nil, and fails the test with check's last
// error when timeout passes: the way tests wait for controllers, which act asynchronously.
func Eventually(t *testing.T, timeout time.Duration, what string, check func(ctx context.Context) error) {
	t.Helper()
	var last error
	err := wait.PollUntilContextTimeout(t.Context(), 200*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		last = check(ctx)
		return last == nil, nil
	})
	if err != nil {
		t.Fatalf("%s: not within %s: %v", what, timeout, last)
	}
}
