// Package e2e runs kpanda as a user does: the built binary against real local clusters.
package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kpanda/kpanda/internal/devenv"
)

// buildKpanda builds the kpanda binary once per test into a temporary directory.
func buildKpanda(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "kpanda")
	build := exec.Command("go", "build", "-o", bin, "github.com/kpanda/kpanda/cmd/kpanda")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building kpanda: %v\n%s", err, out)
	}
	return bin
}

func TestDevStartsClustersAndCtrlCStopsEverything(t *testing.T) {
	kpanda := buildKpanda(t)
	workdir := t.TempDir()
	dev := exec.Command(kpanda, "dev", "--members", "2", "--workdir", workdir, "--listen", "127.0.0.1:0")
	output := &strings.Builder{}
	dev.Stdout, dev.Stderr = output, output
	if err := dev.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dev.Process.Kill() })
	exited := make(chan error, 1)
	go func() { exited <- dev.Wait() }()

	infoPath := filepath.Join(workdir, devenv.InfoFile)
	var info devenv.Info
	err := wait.PollUntilContextTimeout(t.Context(), 200*time.Millisecond, 2*time.Minute, true, func(context.Context) (bool, error) {
		select {
		case err := <-exited:
			return false, errors.Join(errors.New("kpanda dev exited early"), err)
		default:
		}
		data, err := os.ReadFile(infoPath)
		if errors.Is(err, os.ErrNotExist) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		return true, json.Unmarshal(data, &info)
	})
	if err != nil {
		t.Fatalf("waiting for dev.json: %v\noutput:\n%s", err, output)
	}

	wantNames := []string{"kpanda-global-cluster", "member-1", "member-2"}
	if len(info.Clusters) != len(wantNames) {
		t.Fatalf("dev.json lists %d clusters, want %v: %+v", len(info.Clusters), wantNames, info)
	}
	for i, c := range info.Clusters {
		if c.Name != wantNames[i] {
			t.Errorf("cluster %d is %q, want %q", i, c.Name, wantNames[i])
		}
		if !filepath.IsAbs(c.Kubeconfig) {
			t.Errorf("kubeconfig of %s is not an absolute path: %s", c.Name, c.Kubeconfig)
		}
		assertReachable(t, c.Kubeconfig)
	}
	if !strings.Contains(output.String(), info.Clusters[1].Kubeconfig) {
		t.Errorf("the printed summary does not show member-1's kubeconfig:\n%s", output)
	}

	assertCLISeesRunningClusters(t, kpanda, info)
	assertHelmAppLifecycle(t, kpanda, info)

	children := childrenOf(dev.Process.Pid)
	if len(children) < 15 {
		t.Fatalf("want 5 processes for each of 3 clusters, found children %v", children)
	}
	if err := dev.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("kpanda dev exited with %v after Ctrl-C\n%s", err, output)
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("kpanda dev still running 60 s after Ctrl-C")
	}
	for _, pid := range children {
		if processAlive(pid) {
			t.Errorf("process %d left running after Ctrl-C", pid)
		}
	}
	if _, err := os.Stat(infoPath); !os.IsNotExist(err) {
		t.Errorf("dev.json still present after Ctrl-C (stat: %v): scripts would take a stopped system for a running one", err)
	}
}

func TestDevRejectsBadFlags(t *testing.T) {
	kpanda := buildKpanda(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--members", "-1"}, "--members"},
		{[]string{"--listen", "nonsense"}, "--listen"},
		{[]string{"--k8s-bin", "/nonexistent"}, "make k8s-bin"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			args := append([]string{"dev", "--workdir", t.TempDir()}, tc.args...)
			out, err := exec.Command(kpanda, args...).CombinedOutput()
			if err == nil {
				t.Fatalf("want failure, got success:\n%s", out)
			}
			if !strings.Contains(string(out), tc.want) {
				t.Errorf("error does not name %q:\n%s", tc.want, out)
			}
		})
	}
}

func assertReachable(t *testing.T, kubeconfig string) {
	t.Helper()
	config, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		t.Fatalf("loading %s: %v", kubeconfig, err)
	}
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Discovery().ServerVersion(); err != nil {
		t.Errorf("cluster of %s unreachable: %v", kubeconfig, err)
	}
}

// childrenOf lists the live processes whose parent is pid.
func childrenOf(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	var children []int
	for _, entry := range entries {
		child, err := strconv.Atoi(entry.Name())
		if err != nil {
			continue
		}
		if fields := statFields(child); len(fields) > 1 && fields[1] == strconv.Itoa(pid) && fields[0] != "Z" {
			children = append(children, child)
		}
	}
	return children
}

func processAlive(pid int) bool {
	fields := statFields(pid)
	return len(fields) > 0 && fields[0] != "Z" && fields[0] != "X"
}

// statFields are the fields of /proc/PID/stat after the command name: state, ppid, ...
func statFields(pid int) []string {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return nil
	}
	s := string(stat)
	return strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
}

// assertCLISeesRunningClusters logs in with dev.json's credentials, as a person would, and
// lists the clusters: the global one and both members, integrated and Running.
func assertCLISeesRunningClusters(t *testing.T, kpanda string, info devenv.Info) {
	t.Helper()
	if info.URL == "" || info.Username != "admin" || info.Password == "" {
		t.Fatalf("dev.json lacks the API URL or the admin login: %+v", info)
	}
	env := append(os.Environ(), "KPANDA_CONFIG="+filepath.Join(t.TempDir(), "config.json"))
	login := exec.Command(kpanda, "login", "--server", info.URL, "--username", info.Username, "--password-stdin")
	login.Env, login.Stdin = env, strings.NewReader(info.Password+"\n")
	if out, err := login.CombinedOutput(); err != nil {
		t.Fatalf("kpanda login: %v\n%s", err, out)
	}
	list := exec.Command(kpanda, "cluster", "list", "-o", "json")
	list.Env = env
	out, err := list.Output()
	if err != nil {
		t.Fatalf("kpanda cluster list: %v\n%s", err, out)
	}
	var clusters struct {
		Items []struct {
			Metadata struct{ Name string }  `json:"metadata"`
			Status   struct{ Phase string } `json:"status"`
		} `json:"items"`
	}
	if err := json.Unmarshal(out, &clusters); err != nil {
		t.Fatalf("cluster list -o json is not JSON: %v\n%s", err, out)
	}
	running := map[string]bool{}
	for _, c := range clusters.Items {
		running[c.Metadata.Name] = c.Status.Phase == "Running"
	}
	for _, name := range []string{"kpanda-global-cluster", "member-1", "member-2"} {
		if !running[name] {
			t.Errorf("cluster %s not listed as Running: %s", name, out)
		}
	}
}
