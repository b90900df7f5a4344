package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	helmv1alpha1 "github.com/kpanda/kpanda/api/helm/v1alpha1"
	"github.com/kpanda/kpanda/internal/apiclient"
)

const helmPrefix = "/apis/kpanda.io/v1alpha1/clusters/c1"

func TestHelmRepoAddSendsCredentialsAndReportsTheRefresh(t *testing.T) {
	f := newFakeHelm(t)
	f.loggedIn(t)
	now := time.Now()
	// The fake's repo is already refreshed: add waits for exactly that.
	f.repos["private"] = apiclient.HelmRepo{Name: "private", Ready: true, ChartCount: 2, LastRefreshTime: &now}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, []byte("-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, _, err := runKpanda(t, "s3cret\n", "helm", "repo", "add", "private", "--cluster", "c1", "--url", "https://charts.example.com",
		"--username", "reader", "--password-stdin", "--ca-file", ca)
	if err != nil {
		t.Fatalf("repo add: %v", err)
	}
	if !strings.Contains(stdout, "helm repo private refreshed: 2 charts") {
		t.Errorf("stdout %q", stdout)
	}
	sent := f.seen()[0]
	var body apiclient.HelmRepoRequest
	if err := json.Unmarshal([]byte(sent.Body), &body); err != nil {
		t.Fatal(err)
	}
	want := apiclient.HelmRepoRequest{Name: "private", URL: "https://charts.example.com", Username: "reader", Password: "s3cret",
		CABundle: "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n"}
	if sent.Method != http.MethodPost || sent.Path != helmPrefix+"/helmrepos" || !reflect.DeepEqual(body, want) {
		t.Errorf("sent %s %s %+v", sent.Method, sent.Path, body)
	}
}

func TestHelmRepoAddFailedRefreshIsAnError(t *testing.T) {
	f := newFakeHelm(t)
	f.loggedIn(t)
	now := time.Now()
	f.repos["private"] = apiclient.HelmRepo{Name: "private", Message: "fetching index.yaml: 401 Unauthorized", LastRefreshTime: &now}
	_, _, err := runKpanda(t, "", "helm", "repo", "add", "private", "--cluster", "c1", "--url", "https://charts.example.com")
	if err == nil || !strings.Contains(err.Error(), "401 Unauthorized") {
		t.Errorf("err = %v, want the refresh failure", err)
	}
}

func TestHelmRepoPasswordStdinNeedsUsername(t *testing.T) {
	f := newFakeHelm(t)
	f.loggedIn(t)
	_, _, err := runKpanda(t, "pw", "helm", "repo", "add", "r", "--cluster", "c1", "--url", "https://x", "--password-stdin")
	if err == nil || !strings.Contains(err.Error(), "--username") || len(f.seen()) != 0 {
		t.Errorf("err = %v, requests %d", err, len(f.seen()))
	}
}

func TestHelmChartListWarnsOfUnindexedRepos(t *testing.T) {
	f := newFakeHelm(t)
	f.loggedIn(t)
	stdout, stderr, err := runKpanda(t, "", "helm", "chart", "list", "--cluster", "c1", "--search", "web", "--repo", "public")
	if err != nil {
		t.Fatal(err)
	}
	if rows := tableRows(stdout); len(rows) != 3 || !reflect.DeepEqual(rows[1][:3], []string{"public/web", "0.2.0", "1.2"}) {
		t.Errorf("table:\n%s", stdout)
	}
	if !strings.Contains(stderr, "helm repo late has no index yet") {
		t.Errorf("stderr %q", stderr)
	}
	if q := f.only(t).Query; q != "q=web&repo=public" {
		t.Errorf("query %q", q)
	}
}

func TestHelmChartShowPicksTheNewestVersion(t *testing.T) {
	f := newFakeHelm(t)
	f.loggedIn(t)
	stdout, _, err := runKpanda(t, "", "helm", "chart", "show", "public/web", "--cluster", "c1")
	if err != nil {
		t.Fatal(err)
	}
	reqs := f.seen()
	if len(reqs) != 2 || reqs[1].Path != helmPrefix+"/helmrepos/public/charts/web/versions/0.2.0" {
		t.Fatalf("requests %+v", reqs)
	}
	for _, want := range []string{"version:     0.2.0", "--- README\n# web\n", "--- values.yaml\nreplicas: 1\n"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	_, _, err = runKpanda(t, "", "helm", "chart", "show", "web", "--cluster", "c1")
	if err == nil || !strings.Contains(err.Error(), "REPO/CHART") {
		t.Errorf("a chart without its repo: %v", err)
	}
}

func TestAppInstallFollowsThePhases(t *testing.T) {
	f := newFakeHelm(t)
	f.loggedIn(t)
	f.phases = []helmv1alpha1.HelmReleasePhase{"", helmv1alpha1.ReleaseInstalling, helmv1alpha1.ReleaseInstalling, helmv1alpha1.ReleaseDeployed}
	values := filepath.Join(t.TempDir(), "values.yaml")
	if err := os.WriteFile(values, []byte("replicas: 2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, _, err := runKpanda(t, "", "app", "install", "web", "--cluster", "c1", "-n", "shop", "--chart", "public/web", "--version", "0.1.0",
		"--values", values, "--atomic", "--timeout", "10m")
	if err != nil {
		t.Fatalf("install: %v", err)
	}
	if want := "app web: Installing\napp web: Deployed\n"; !strings.Contains(stdout, want) {
		t.Errorf("stdout %q lacks %q", stdout, want)
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(f.seen()[0].Body), &body); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"name": "web", "chart": map[string]any{"repo": "public", "name": "web", "version": "0.1.0"},
		"values": "replicas: 2\n", "atomic": true, "timeout": "10m0s"}
	if !reflect.DeepEqual(body, want) {
		t.Errorf("body %v, want %v", body, want)
	}
}

func TestAppInstallFailureExitsWithTheOperationsMessage(t *testing.T) {
	f := newFakeHelm(t)
	f.loggedIn(t)
	f.phases = []helmv1alpha1.HelmReleasePhase{helmv1alpha1.ReleaseInstalling, helmv1alpha1.ReleaseFailed}
	f.failure = "context deadline exceeded while waiting for Deployment shop/web"
	_, _, err := runKpanda(t, "", "app", "install", "web", "--cluster", "c1", "-n", "shop", "--chart", "public/web")
	if err == nil || !strings.Contains(err.Error(), f.failure) {
		t.Errorf("err = %v", err)
	}
}

func TestAppUpgradeSendsOnlyWhatWasGivenAndPrintsTheDiff(t *testing.T) {
	f := newFakeHelm(t)
	f.loggedIn(t)
	f.phases = []helmv1alpha1.HelmReleasePhase{helmv1alpha1.ReleaseDeployed}
	if _, _, err := runKpanda(t, "", "app", "install", "web", "--cluster", "c1", "-n", "shop", "--chart", "public/web", "--no-wait-for-result"); err != nil {
		t.Fatal(err)
	}
	stdout, _, err := runKpanda(t, "replicas: 2\n", "app", "upgrade", "web", "--cluster", "c1", "-n", "shop", "--version", "0.2.0", "--values", "-")
	if err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	if !strings.Contains(stdout, "-replicas: 1\n+replicas: 2\n") || !strings.Contains(stdout, "app web: Deployed") {
		t.Errorf("stdout:\n%s", stdout)
	}
	reqs := f.seen()
	if put := reqs[1]; put.Method != http.MethodPut || put.Body != `{"version":"0.2.0","values":"replicas: 2\n"}` {
		t.Errorf("sent %s %s", put.Method, put.Body)
	}
}

func TestAppUninstallWaitsUntilGone(t *testing.T) {
	f := newFakeHelm(t)
	f.loggedIn(t)
	f.phases = []helmv1alpha1.HelmReleasePhase{helmv1alpha1.ReleaseDeployed}
	if _, _, err := runKpanda(t, "", "app", "install", "web", "--cluster", "c1", "--chart", "public/web", "--no-wait-for-result"); err != nil {
		t.Fatal(err)
	}
	stdout, _, err := runKpanda(t, "", "app", "uninstall", "web", "--cluster", "c1")
	if err != nil || !strings.Contains(stdout, "app web uninstalled") || strings.Contains(stdout, "CRDs") {
		t.Errorf("uninstall: %v %q", err, stdout)
	}
	if !slices.ContainsFunc(f.seen(), func(r fakeRequest) bool {
		return r.Method == http.MethodDelete && r.Path == helmPrefix+"/namespaces/default/helmreleases/web"
	}) {
		t.Errorf("no DELETE of the release among %+v", f.seen())
	}
}

// TestAppUninstallOffersTheAddonsLeftovers: seed FAQ 9 through kpanda — the CRDs an add-on's
// uninstall leaves are named with the command that removes them, or removed with --remove-crds.
func TestAppUninstallOffersTheAddonsLeftovers(t *testing.T) {
	left := &apiclient.AutoscalingLeftover{Addon: "vpa", CRDs: []string{"verticalpodautoscalers.autoscaling.k8s.io"},
		Objects: map[string]int{"verticalpodautoscalers.autoscaling.k8s.io": 3}}
	for _, tc := range []struct {
		name     string
		flags    []string
		stdout   string
		removeTo string // the query of the leftovers DELETE, "" when none is sent
	}{
		{"offered", nil, "The uninstall left the vpa add-on's CRDs behind (Helm never deletes CRDs): verticalpodautoscalers.autoscaling.k8s.io, with 3 objects.\n" +
			"Remove them with: kpanda workload leftovers delete vpa --cluster c1", ""},
		{"removed", []string{"--remove-crds"}, "removed the vpa add-on's CRDs verticalpodautoscalers.autoscaling.k8s.io (3 objects)", "confirm=vpa"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeHelm(t)
			f.loggedIn(t)
			f.phases = []helmv1alpha1.HelmReleasePhase{helmv1alpha1.ReleaseDeployed}
			f.leftAfterUninstall = left
			if _, _, err := runKpanda(t, "", "app", "install", "vpa", "--cluster", "c1", "--chart", "public/vpa", "--no-wait-for-result"); err != nil {
				t.Fatal(err)
			}
			stdout, _, err := runKpanda(t, "", append([]string{"app", "uninstall", "vpa", "--cluster", "c1"}, tc.flags...)...)
			if err != nil || !strings.Contains(stdout, tc.stdout) {
				t.Errorf("uninstall: %v\n%s\nwant %q", err, stdout, tc.stdout)
			}
			i := slices.IndexFunc(f.seen(), func(r fakeRequest) bool {
				return r.Method == http.MethodDelete && strings.HasSuffix(r.Path, "/autoscaling/leftovers/vpa")
			})
			if tc.removeTo == "" && i >= 0 || tc.removeTo != "" && (i < 0 || f.seen()[i].Query != tc.removeTo) {
				t.Errorf("leftovers DELETE at %d of %+v, want query %q", i, f.seen(), tc.removeTo)
			}
		})
	}
	t.Run("--remove-crds needs the wait", func(t *testing.T) {
		f := newFakeHelm(t)
		f.loggedIn(t)
		_, _, err := runKpanda(t, "", "app", "uninstall", "vpa", "--cluster", "c1", "--remove-crds", "--no-wait-for-result")
		if err == nil || !strings.Contains(err.Error(), "drop --no-wait-for-result") || len(f.seen()) != 0 {
			t.Errorf("err %v after %d requests", err, len(f.seen()))
		}
	})
}

func TestAppHistoryJSON(t *testing.T) {
	f := newFakeHelm(t)
	f.loggedIn(t)
	stdout, _, err := runKpanda(t, "", "app", "history", "web", "--cluster", "c1", "-n", "shop", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Operations []apiclient.HelmOperation `json:"operations"`
		Revisions  []apiclient.HelmRevision  `json:"revisions"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("%v:\n%s", err, stdout)
	}
	if len(doc.Operations) != 1 || doc.Operations[0].User != "kpanda:admin" || len(doc.Revisions) != 1 || doc.Revisions[0].Chart != "web-0.1.0" {
		t.Errorf("history %+v", doc)
	}
	table, _, err := runKpanda(t, "", "app", "history", "web", "--cluster", "c1", "-n", "shop")
	if err != nil || !strings.Contains(table, "Install complete") || !strings.Contains(table, "web-install-1-abcde") {
		t.Errorf("table: %v\n%s", err, table)
	}
}

func TestWorkloadLeftoversVerbs(t *testing.T) {
	f := newFakeHelm(t)
	f.loggedIn(t)
	f.gone = true
	f.leftAfterUninstall = &apiclient.AutoscalingLeftover{Addon: "cronhpa", CRDs: []string{"cronhorizontalpodautoscalers.autoscaling.alibabacloud.com"},
		Objects: map[string]int{"cronhorizontalpodautoscalers.autoscaling.alibabacloud.com": 1}}
	stdout, _, err := runKpanda(t, "", "workload", "leftovers", "list", "--cluster", "c1")
	if err != nil || !strings.Contains(stdout, "cronhpa   cronhorizontalpodautoscalers.autoscaling.alibabacloud.com   1") {
		t.Errorf("list: %v\n%s", err, stdout)
	}
	stdout, _, err = runKpanda(t, "", "workload", "leftovers", "delete", "cronhpa", "--cluster", "c1")
	if err != nil || !strings.Contains(stdout, "removed the cronhpa add-on's CRDs cronhorizontalpodautoscalers.autoscaling.alibabacloud.com (1 object)") {
		t.Errorf("delete: %v\n%s", err, stdout)
	}
	if last := f.seen()[len(f.seen())-1]; last.Method != http.MethodDelete || last.Query != "confirm=cronhpa" {
		t.Errorf("sent %s %s?%s", last.Method, last.Path, last.Query)
	}
}
