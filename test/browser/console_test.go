// Package browser tests the web console in a real Chromium: the built kpanda binary runs
// `kpanda dev`, and web/e2e/console.mjs (playwright-core) drives the console against it.
package browser

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kpanda/kpanda/internal/clustersetting"
	"github.com/kpanda/kpanda/internal/devenv"
	"github.com/kpanda/kpanda/internal/helm/helmtest"
)

const (
	member = "member-1"
	// baseImage is what the script sets in Settings → Advanced; the test reads it back.
	baseImage = "registry.local/kpanda/kpanda-shell:v0.1.0-browser"
	// navigationBudget is the longest a click may take to show the next page.
	navigationBudget = time.Second
)

// repoRoot is the checkout this test file belongs to (go test runs in test/browser).
var repoRoot = filepath.Join("..", "..")

func TestConsoleInChromium(t *testing.T) {
	chromium, node := requirements(t)
	kpanda := buildKpanda(t)
	info := startDev(t, kpanda)
	assertConsoleIsPublicAndAPIIsNot(t, info.URL)

	repo, err := helmtest.NewRepo(helmtest.Options{Username: "reader", Password: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(repo.Close)
	if err := repo.AddChart(helmtest.DeploymentChart("web", "0.1.0")); err != nil {
		t.Fatal(err)
	}

	globalKubeconfig := info.Clusters[0].Kubeconfig
	output := runConsoleScript(t, node, []string{
		"CHROMIUM=" + chromium,
		"KPANDA_URL=" + info.URL,
		"KPANDA_USERNAME=" + info.Username,
		"KPANDA_PASSWORD=" + info.Password,
		"KPANDA_CLUSTER=" + member,
		"KPANDA_REPO_URL=" + repo.URL(),
		"KPANDA_REPO_USERNAME=reader",
		"KPANDA_REPO_PASSWORD=s3cret",
		"KPANDA_CHART=web",
		"KPANDA_BASE_IMAGE=" + baseImage,
		"KPANDA_ARTIFACTS=" + artifactsDir(t),
	}, map[string]func() error{
		// Checked while the script waits: it detaches the member later, which deletes the
		// setting with it.
		"settings-saved": func() error { return checkStoredBaseImage(t.Context(), globalKubeconfig) },
	})
	assertNavigationTimes(t, output)
}

// requirements finds Chromium, Node and the built console. Missing ones skip the test, or
// fail it when KPANDA_BROWSER_TEST=required (make test), naming what to install.
func requirements(t *testing.T) (chromium, node string) {
	t.Helper()
	chromium = os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	var missing []string
	if _, err := os.Stat(chromium); err != nil {
		missing = append(missing, fmt.Sprintf("Chromium at %s (apt-get install -y chromium)", chromium))
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing = append(missing, "Node.js (node on PATH)")
	}
	if _, err := os.Stat(filepath.Join(repoRoot, "web", "node_modules", "playwright-core")); err != nil {
		missing = append(missing, "web/node_modules (make ui, or cd web && npm ci)")
	}
	if _, err := os.Stat(filepath.Join(repoRoot, "web", "dist", "app", "index.html")); err != nil {
		missing = append(missing, "the built console web/dist/app (make ui)")
	}
	if len(missing) > 0 {
		message := "browser test needs: " + strings.Join(missing, "; ")
		if os.Getenv("KPANDA_BROWSER_TEST") == "required" {
			t.Fatal(message)
		}
		t.Skip(message)
	}
	return chromium, node
}

// buildKpanda builds the binary, which embeds web/dist/app as it is now.
func buildKpanda(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "kpanda")
	build := exec.Command("go", "build", "-o", bin, "github.com/kpanda/kpanda/cmd/kpanda")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building kpanda: %v\n%s", err, out)
	}
	return bin
}

// startDev runs `kpanda dev` with one member until the test ends and returns its dev.json.
func startDev(t *testing.T, kpanda string) devenv.Info {
	t.Helper()
	workdir := t.TempDir()
	dev := exec.Command(kpanda, "dev", "--members", "1", "--workdir", workdir, "--listen", "127.0.0.1:0")
	output := &syncBuffer{}
	dev.Stdout, dev.Stderr = output, output
	if err := dev.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- dev.Wait() }()
	t.Cleanup(func() { stopDev(t, dev, exited) })

	var info devenv.Info
	err := wait.PollUntilContextTimeout(t.Context(), 200*time.Millisecond, 2*time.Minute, true, func(context.Context) (bool, error) {
		select {
		case err := <-exited:
			return false, errors.Join(errors.New("kpanda dev exited early"), err)
		default:
		}
		data, err := os.ReadFile(filepath.Join(workdir, devenv.InfoFile))
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
	return info
}

// stopDev interrupts kpanda dev as Ctrl-C does, so it stops the clusters it started.
func stopDev(t *testing.T, dev *exec.Cmd, exited <-chan error) {
	_ = dev.Process.Signal(syscall.SIGINT)
	select {
	case err := <-exited:
		if err != nil {
			t.Logf("kpanda dev ended: %v", err) // an interrupted process exits non-zero
		}
	case <-time.After(60 * time.Second):
		t.Errorf("kpanda dev still running 60 s after SIGINT; killing it")
		_ = dev.Process.Kill()
	}
}

// assertConsoleIsPublicAndAPIIsNot checks the wiring of internal/server: the console loads
// without a token, while the API still refuses a request without one.
func assertConsoleIsPublicAndAPIIsNot(t *testing.T, url string) {
	t.Helper()
	for _, tc := range []struct {
		path, wantType string
		wantStatus     int
	}{
		{"/clusters/" + member, "text/html; charset=utf-8", http.StatusOK},
		{"/apis/kpanda.io/v1alpha1/clusters", "application/json", http.StatusUnauthorized},
		{"/healthz", "", http.StatusOK},
	} {
		res, err := http.Get(url + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		_ = res.Body.Close()
		if res.StatusCode != tc.wantStatus || (tc.wantType != "" && res.Header.Get("Content-Type") != tc.wantType) {
			t.Errorf("GET %s: %d %q, want %d %q", tc.path, res.StatusCode, res.Header.Get("Content-Type"), tc.wantStatus, tc.wantType)
		}
	}
}

func artifactsDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join(repoRoot, "test", "artifacts", "browser"))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// runConsoleScript runs web/e2e/console.mjs and fails the test with its output if it fails.
// When the script prints "checkpoint NAME" it waits; the test runs checkpoints[NAME] and
// answers "ok", or why not, on the script's stdin.
func runConsoleScript(t *testing.T, node string, env []string, checkpoints map[string]func() error) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	script := exec.CommandContext(ctx, node, filepath.Join("e2e", "console.mjs"))
	script.Dir = filepath.Join(repoRoot, "web")
	script.Env = append(os.Environ(), env...)
	stdin, err := script.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	outputReader, outputWriter := io.Pipe()
	script.Stdout, script.Stderr = outputWriter, outputWriter
	started := time.Now()
	if err := script.Start(); err != nil {
		t.Fatalf("starting node: %v", err)
	}
	output := &syncBuffer{}
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		scanner := bufio.NewScanner(outputReader)
		scanner.Buffer(make([]byte, 64*1024), 1<<20)
		for scanner.Scan() {
			line := scanner.Text()
			_, _ = output.Write([]byte(line + "\n"))
			if name, found := strings.CutPrefix(line, "checkpoint "); found {
				_, _ = fmt.Fprintln(stdin, answerCheckpoint(checkpoints, name))
			}
		}
		_, _ = io.Copy(io.Discard, outputReader) // a line too long for the scanner
	}()
	err = script.Wait()
	_ = outputWriter.Close()
	<-scanned
	if err != nil {
		t.Fatalf("web/e2e/console.mjs failed after %s: %v\n%s", time.Since(started).Round(time.Second), err, output)
	}
	t.Logf("web/e2e/console.mjs passed in %s:\n%s", time.Since(started).Round(time.Second), output)
	return output.String()
}

func answerCheckpoint(checkpoints map[string]func() error, name string) string {
	check, known := checkpoints[name]
	if !known {
		return "failed: the test knows no checkpoint " + name
	}
	if err := check(); err != nil {
		return "failed: " + strings.ReplaceAll(err.Error(), "\n", " ")
	}
	return "ok"
}

var navigationLine = regexp.MustCompile(`(?m)^navigation (\S+): (\d+) ms$`)

// assertNavigationTimes holds every page navigation the script timed to the budget.
func assertNavigationTimes(t *testing.T, output string) {
	t.Helper()
	lines := navigationLine.FindAllStringSubmatch(output, -1)
	if len(lines) == 0 {
		t.Fatalf("the script printed no navigation times:\n%s", output)
	}
	for _, line := range lines {
		ms, _ := strconv.Atoi(line[2])
		if took := time.Duration(ms) * time.Millisecond; took > navigationBudget {
			t.Errorf("navigation to %s took %s, over the budget of %s", line[1], took, navigationBudget)
		}
	}
}

// checkStoredBaseImage reads the member's setting where seed FAQ 1 says it is: ConfigMap
// kpanda-system/<cluster>-setting of the global cluster.
func checkStoredBaseImage(ctx context.Context, globalKubeconfig string) error {
	config, err := clientcmd.BuildConfigFromFlags("", globalKubeconfig)
	if err != nil {
		return err
	}
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		return err
	}
	cm, err := client.CoreV1().ConfigMaps(clustersetting.Namespace).Get(ctx, clustersetting.ConfigMapName(member), metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("reading the setting of %s: %w", member, err)
	}
	setting, err := clustersetting.Parse([]byte(cm.Data[clustersetting.DataKey]))
	if err != nil {
		return fmt.Errorf("the stored setting of %s does not parse: %w", member, err)
	}
	if got := setting.AddonSetting.HelmOperationBaseImage; got != baseImage {
		return fmt.Errorf("addon_setting.helm_operation_base_image in ConfigMap %s/%s is %q, want %q (set in Settings → Advanced)",
			clustersetting.Namespace, clustersetting.ConfigMapName(member), got, baseImage)
	}
	return nil
}

// syncBuffer collects the output of kpanda dev, written from its own goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
