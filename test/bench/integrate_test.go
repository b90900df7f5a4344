package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	clusterv1alpha1 "github.com/kpanda/kpanda/api/cluster/v1alpha1"
	crdmanifests "github.com/kpanda/kpanda/config/crd"
	"github.com/kpanda/kpanda/internal/controller"
	"github.com/kpanda/kpanda/internal/crd"
	"github.com/kpanda/kpanda/internal/integration"
	"github.com/kpanda/kpanda/internal/localcluster"
)

const integratedClusters = 10

// BenchmarkIntegrateTenClusters: ten member clusters integrated at once into a global cluster
// whose controller-manager runs as its own process (`kpanda controller-manager`). Prints the
// time from the integrate call to phase Running (target ≤ 2 s) and the controller-manager's
// resident memory per managed cluster once idle (target ≤ 10 MB).
func BenchmarkIntegrateTenClusters(b *testing.B) {
	for b.Loop() {
		ctx := context.Background()
		set, err := localcluster.StartSet(ctx, localcluster.SetOptions{Members: integratedClusters})
		if err != nil {
			b.Fatal(err)
		}
		manager := startControllerManager(b, set.Global)
		global, err := client.New(set.Global.RESTConfig(), client.Options{Scheme: controller.Scheme()})
		if err != nil {
			b.Fatal(err)
		}
		waitRunning(b, global, clusterv1alpha1.GlobalClusterName)
		time.Sleep(10 * time.Second) // let the controller-manager settle before the baseline
		before := processRSSMB(b, manager.Process.Pid)

		took := integrateAll(b, global, set.Members)
		time.Sleep(30 * time.Second) // idle: several probe rounds
		after := processRSSMB(b, manager.Process.Pid)
		stopProcess(manager)
		set.Stop()

		report(b, fmt.Sprintf("%d clusters from integrate to Running", integratedClusters), took, "s-to-running-p50")
		perCluster := (after - before) / integratedClusters
		fmt.Printf("controller-manager resident memory: %.1f MB managing the global cluster, %.1f MB with %d more idle clusters: %.2f MB per cluster\n",
			before, after, integratedClusters, perCluster)
		b.ReportMetric(perCluster, "MB-per-cluster")
	}
}

// startControllerManager builds kpanda and runs `kpanda controller-manager` against global.
func startControllerManager(b *testing.B, global *localcluster.Cluster) *exec.Cmd {
	if err := crd.Install(context.Background(), global.RESTConfig(), crdmanifests.Manifests, crdmanifests.Global); err != nil {
		b.Fatal(err)
	}
	kpanda := filepath.Join(b.TempDir(), "kpanda")
	if out, err := exec.Command("go", "build", "-o", kpanda, "github.com/kpanda/kpanda/cmd/kpanda").CombinedOutput(); err != nil {
		b.Fatalf("building kpanda: %v\n%s", err, out)
	}
	manager := exec.Command(kpanda, "controller-manager", "--kubeconfig", global.KubeconfigPath(), "--leader-elect=false",
		"--metrics-bind-address=0", "--health-probe-bind-address=0", "--log-level=warn")
	manager.Stderr = os.Stderr
	if err := manager.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { stopProcess(manager) })
	return manager
}

func stopProcess(cmd *exec.Cmd) {
	if cmd.ProcessState == nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
}

// integrateAll integrates every member at once and returns each one's time to Running.
func integrateAll(b *testing.B, global client.Client, members []*localcluster.Cluster) []time.Duration {
	registry := &integration.Service{Client: global}
	took := make([]time.Duration, len(members))
	var wg sync.WaitGroup
	for i, member := range members {
		wg.Go(func() {
			kubeconfig, err := os.ReadFile(member.KubeconfigPath())
			if err != nil {
				b.Error(err)
				return
			}
			started := time.Now()
			if _, err := registry.Integrate(context.Background(), integration.Request{Name: member.Name(), Kubeconfig: string(kubeconfig)}); err != nil {
				b.Error(err)
				return
			}
			waitRunning(b, global, member.Name())
			took[i] = time.Since(started)
		})
	}
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}
	return slices.Clone(took)
}

func waitRunning(b *testing.B, global client.Client, name string) {
	err := wait.PollUntilContextTimeout(context.Background(), 20*time.Millisecond, 60*time.Second, true, func(ctx context.Context) (bool, error) {
		var cluster clusterv1alpha1.Cluster
		if err := global.Get(ctx, client.ObjectKey{Name: name}, &cluster); err != nil {
			return false, client.IgnoreNotFound(err)
		}
		return cluster.Status.Phase == clusterv1alpha1.ClusterRunning, nil
	})
	if err != nil {
		b.Errorf("cluster %s not Running: %v", name, err)
	}
}

func processRSSMB(b *testing.B, pid int) float64 {
	return residentMB(b, map[string]int{"controller-manager": pid}, "VmRSS:")["controller-manager"]
}
