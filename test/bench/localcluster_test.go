// Package bench holds kpanda's benchmarks. Each prints its figures; `make bench` runs them.
// Targets are checked by reading the figures, never asserted (timing depends on the machine).
package bench

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kpanda/kpanda/internal/localcluster"
)

const rounds = 3

// BenchmarkLocalClusterStart: one cluster from nothing to ready (apiserver ready, nodes Ready,
// default ServiceAccount present). Target ≤ 6 s.
func BenchmarkLocalClusterStart(b *testing.B) {
	var took []time.Duration
	for b.Loop() {
		for range rounds {
			started := time.Now()
			c, err := localcluster.Start(context.Background(), localcluster.Options{Name: "bench"})
			if err != nil {
				b.Fatal(err)
			}
			took = append(took, time.Since(started))
			c.Stop()
		}
	}
	report(b, "one cluster ready", took, "s-ready")
}

// BenchmarkLocalClusterStartThreeInParallel: a global and two members, as `kpanda dev` and the
// test packages start them.
func BenchmarkLocalClusterStartThreeInParallel(b *testing.B) {
	var took []time.Duration
	for b.Loop() {
		for range rounds {
			started := time.Now()
			set, err := localcluster.StartSet(context.Background(), localcluster.SetOptions{Members: 2})
			if err != nil {
				b.Fatal(err)
			}
			took = append(took, time.Since(started))
			set.Stop()
		}
	}
	report(b, "three clusters ready (in parallel)", took, "s-ready")
}

// BenchmarkLocalClusterMemory: resident memory of all processes of one ready cluster, right
// after start and after it has settled for 10 s. Target ≤ 400 MB.
func BenchmarkLocalClusterMemory(b *testing.B) {
	for b.Loop() {
		c, err := localcluster.Start(context.Background(), localcluster.Options{Name: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		atReady := residentMB(b, c.PIDs(), "VmRSS:")
		time.Sleep(10 * time.Second)
		settled := residentMB(b, c.PIDs(), "VmRSS:")
		anonymous := residentMB(b, c.PIDs(), "RssAnon:")
		c.Stop()
		fmt.Printf("resident memory of one cluster: at ready %s\n", formatRSS(atReady))
		fmt.Printf("resident memory of one cluster: settled %s\n", formatRSS(settled))
		fmt.Printf("  of which private (RssAnon; the rest is binary text shared by every cluster): %s\n", formatRSS(anonymous))
		b.ReportMetric(total(settled), "MB-resident")
		b.ReportMetric(total(anonymous), "MB-private")
	}
}

func report(b *testing.B, what string, took []time.Duration, unit string) {
	slices.Sort(took)
	fmt.Printf("%s over %d runs: min %.2f s, median %.2f s, max %.2f s\n",
		what, len(took), took[0].Seconds(), took[len(took)/2].Seconds(), took[len(took)-1].Seconds())
	b.ReportMetric(took[len(took)/2].Seconds(), unit)
}

// residentMB reads a memory figure of /proc/PID/status (VmRSS:, RssAnon:) of each component.
func residentMB(b *testing.B, pids map[string]int, field string) map[string]float64 {
	rss := map[string]float64{}
	for name, pid := range pids {
		status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			b.Fatalf("reading memory of %s: %v", name, err)
		}
		for line := range strings.SplitSeq(string(status), "\n") {
			if value, ok := strings.CutPrefix(line, field); ok {
				kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(value), " kB"))
				if err != nil {
					b.Fatalf("parsing %s %q: %v", field, value, err)
				}
				rss[name] = float64(kb) / 1024
			}
		}
	}
	return rss
}

func total(rss map[string]float64) float64 {
	sum := 0.0
	for _, mb := range rss {
		sum += mb
	}
	return sum
}

func formatRSS(rss map[string]float64) string {
	names := make([]string, 0, len(rss))
	for name := range rss {
		names = append(names, name)
	}
	slices.Sort(names)
	parts := make([]string, 0, len(names))
	for _, name := range names {
		parts = append(parts, fmt.Sprintf("%s %.0f", name, rss[name]))
	}
	return fmt.Sprintf("%.0f MB (%s)", total(rss), strings.Join(parts, ", "))
}
