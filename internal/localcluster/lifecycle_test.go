package localcluster_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/kpanda/kpanda/internal/localcluster"
)

// ownerHelperEnv turns the test binary into the owner of one cluster (see runOwnerHelper); its
// value is the cluster's directory.
const ownerHelperEnv = "LOCALCLUSTER_OWNER_HELPER_DIR"

// runOwnerHelper starts a cluster, prints its component PIDs as one JSON line and waits to be
// killed: the test then checks that killing the owner took every component with it.
func runOwnerHelper() {
	c, err := localcluster.Start(context.Background(), localcluster.Options{Name: "owned", Dir: os.Getenv(ownerHelperEnv)})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	_ = json.NewEncoder(os.Stdout).Encode(c.PIDs())
	select {}
}

func TestKilledOwnerLeavesNoProcess(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	owner := exec.Command(exe)
	owner.Env = append(os.Environ(), ownerHelperEnv+"="+t.TempDir())
	owner.Stderr = os.Stderr
	stdout, err := owner.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = owner.Process.Kill(); _ = owner.Wait() })

	var pids map[string]int
	if err := json.NewDecoder(bufio.NewReader(stdout)).Decode(&pids); err != nil {
		t.Fatalf("reading the owner's component PIDs: %v", err)
	}
	if len(pids) != 5 {
		t.Fatalf("want 5 components (etcd, apiserver, controller-manager, scheduler, kwok), got %v", pids)
	}
	for name, pid := range pids {
		if !alive(pid) {
			t.Fatalf("%s (pid %d) is not running before the owner is killed", name, pid)
		}
	}

	if err := owner.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = owner.Wait()
	err = wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, 10*time.Second, true, func(context.Context) (bool, error) {
		return len(running(pids)) == 0, nil
	})
	if err != nil {
		t.Fatalf("after SIGKILL of the owner these are still running: %v", running(pids))
	}
}

func TestStopLeavesNothing(t *testing.T) {
	c, err := localcluster.Start(t.Context(), localcluster.Options{Name: "stopped"})
	if err != nil {
		t.Fatal(err)
	}
	pids, dir := c.PIDs(), c.Dir()
	c.Stop()
	if still := running(pids); len(still) > 0 {
		t.Errorf("still running after Stop: %v", still)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("temporary directory %s not removed by Stop (stat: %v)", dir, err)
	}
	c.Stop() // a second Stop is harmless
}

// running lists the components of pids whose process still exists.
func running(pids map[string]int) map[string]int {
	still := map[string]int{}
	for name, pid := range pids {
		if alive(pid) {
			still[name] = pid
		}
	}
	return still
}

// alive reports whether pid is a live process: present in /proc and not a zombie.
func alive(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state is the first field after the command name, which is in parentheses.
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return len(fields) > 0 && fields[0] != "Z" && fields[0] != "X"
}
