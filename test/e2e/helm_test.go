package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/kpanda/kpanda/internal/devenv"
	"github.com/kpanda/kpanda/internal/helm/helmtest"
)

// kubectl is the kubectl of bin/k8s, the one the FAQ commands are run with.
func kubectl(t *testing.T, kubeconfig string, args ...string) (string, error) {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	bin := filepath.Join(filepath.Dir(file), "..", "..", "bin", "k8s", "kubectl")
	cmd := exec.Command(bin, append([]string{"--kubeconfig", kubeconfig}, args...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// assertHelmAppLifecycle runs, with the built binary and kubectl, what an operator does with a
// Helm app on the dev system, including the FAQ's commands: read the cluster setting (FAQ 1), add
// a repo, install, and delete the HelmRelease object directly (FAQ 5).
func assertHelmAppLifecycle(t *testing.T, kpanda string, info devenv.Info) {
	t.Helper()
	env := append(os.Environ(), "KPANDA_CONFIG="+filepath.Join(t.TempDir(), "config.json"))
	run := func(stdin string, args ...string) string {
		t.Helper()
		cmd := exec.Command(kpanda, args...)
		cmd.Env, cmd.Stdin = env, strings.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("kpanda %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	run(info.Password+"\n", "login", "--server", info.URL, "--username", info.Username, "--password-stdin")
	global, member := info.Clusters[0].Kubeconfig, info.Clusters[1].Kubeconfig

	// Seed FAQ 1, as written; kpanda dev runs Helm operations in-process.
	setting, err := kubectl(t, global, "get", "cm", "-n", "kpanda-system", "member-1-setting", "-o", "yaml")
	if err != nil || !strings.Contains(setting, `"helm_operation_executor":"local"`) || !strings.Contains(setting, "kpanda.io/cluster-plugins") {
		t.Fatalf("kubectl get cm -n kpanda-system member-1-setting: %v\n%s", err, setting)
	}

	repo, err := helmtest.NewRepo(helmtest.Options{Username: "reader", Password: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	if err := repo.AddChart(helmtest.DeploymentChart("web", "0.1.0")); err != nil {
		t.Fatal(err)
	}
	run("s3cret\n", "helm", "repo", "add", "charts", "--url", repo.URL(), "--cluster", "member-1", "--username", "reader", "--password-stdin")
	if out := run("", "helm", "chart", "list", "--cluster", "member-1"); !strings.Contains(out, "web") {
		t.Fatalf("chart list does not show web:\n%s", out)
	}
	started := time.Now()
	run("", "app", "install", "shop", "--cluster", "member-1", "-n", "default", "--chart", "charts/web", "--version", "0.1.0")
	t.Logf("kpanda app install returned after %s", time.Since(started).Round(time.Millisecond))
	if out, err := kubectl(t, member, "get", "deployment", "shop", "-n", "default"); err != nil {
		t.Fatalf("the app's Deployment is not in member-1: %v\n%s", err, out)
	}
	if out, err := kubectl(t, member, "get", "secrets", "-n", "default", "-l", "owner=helm,name=shop", "-o", "name"); err != nil || !strings.Contains(out, "sh.helm.release.v1.shop.v1") {
		t.Fatalf("Helm's storage does not hold the release: %v\n%s", err, out)
	}

	// Seed FAQ 5, as written: deleting the HelmRelease object uninstalls the app.
	if out, err := kubectl(t, member, "delete", "helmreleases.helm.kpanda.io", "shop", "-n", "default", "--timeout", "60s"); err != nil {
		t.Fatalf("kubectl delete helmreleases.helm.kpanda.io shop: %v\n%s", err, out)
	}
	if out, _ := kubectl(t, member, "get", "deployment", "shop", "-n", "default"); !strings.Contains(out, "NotFound") {
		t.Errorf("the app's Deployment survived the deletion of its HelmRelease:\n%s", out)
	}
}
