package helm_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv1alpha1 "github.com/kpanda/kpanda/api/helm/v1alpha1"
	"github.com/kpanda/kpanda/internal/apiclient"
	"github.com/kpanda/kpanda/internal/apiclient/apiclienttest"
	"github.com/kpanda/kpanda/internal/helm/helmtest"
	"github.com/kpanda/kpanda/internal/helmoperation"
	"github.com/kpanda/kpanda/internal/localcluster/clustertest"
)

// serveRepo serves a chart repository holding charts ({name, version} pairs).
func serveRepo(t *testing.T, opts helmtest.Options, charts ...[2]string) *helmtest.Repo {
	t.Helper()
	repo, err := helmtest.NewRepo(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(repo.Close)
	for _, c := range charts {
		if err := repo.AddChart(helmtest.DeploymentChart(c[0], c[1])); err != nil {
			t.Fatal(err)
		}
	}
	return repo
}

// addRepo adds a repo through the API and waits for its first good refresh.
func addRepo(t *testing.T, req apiclient.HelmRepoRequest) *apiclient.HelmRepo {
	t.Helper()
	if _, err := admin.AddHelmRepo(t.Context(), cluster, req); err != nil {
		t.Fatalf("adding repo %s: %v", req.Name, err)
	}
	var repo *apiclient.HelmRepo
	clustertest.Eventually(t, 30*time.Second, "first refresh of "+req.Name, func(ctx context.Context) error {
		var err error
		if repo, err = admin.GetHelmRepo(ctx, cluster, req.Name); err != nil {
			return err
		}
		if !repo.Ready {
			return fmt.Errorf("not ready: %s", repo.Message)
		}
		return nil
	})
	return repo
}

func TestReposAndCharts(t *testing.T) {
	public := serveRepo(t, helmtest.Options{}, [2]string{"web", "0.1.0"}, [2]string{"web", "0.2.0"})
	private := serveRepo(t, helmtest.Options{Username: "reader", Password: "s3cret"}, [2]string{"api", "1.0.0"})
	addRepo(t, apiclient.HelmRepoRequest{Name: "public", URL: public.URL()})
	repo := addRepo(t, apiclient.HelmRepoRequest{Name: "private", URL: private.URL(), Username: "reader", Password: "s3cret"})
	if !repo.Authenticated || repo.ChartCount != 1 {
		t.Errorf("private repo as listed: %+v", repo)
	}

	t.Run("credentials are in a Secret owned by the repo", func(t *testing.T) {
		var secret corev1.Secret
		if err := remote.Get(t.Context(), client.ObjectKey{Namespace: helmoperation.Namespace, Name: "helmrepo-private-auth"}, &secret); err != nil {
			t.Fatal(err)
		}
		if string(secret.Data["password"]) != "s3cret" || len(secret.OwnerReferences) != 1 || secret.OwnerReferences[0].Name != "private" {
			t.Errorf("secret: owners %+v, keys %d", secret.OwnerReferences, len(secret.Data))
		}
	})

	t.Run("list", func(t *testing.T) {
		list, err := admin.ListHelmRepos(t.Context(), cluster)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, r := range list.Items {
			names = append(names, r.Name)
			if r.LastRefreshTime == nil {
				t.Errorf("%s has no lastRefreshTime", r.Name)
			}
		}
		if !slices.Contains(names, "public") || !slices.Contains(names, "private") {
			t.Errorf("repos %v", names)
		}
	})

	t.Run("charts of every repo, newest versions", func(t *testing.T) {
		charts, err := admin.SearchCharts(t.Context(), cluster, "", "")
		if err != nil {
			t.Fatal(err)
		}
		found := map[string]string{}
		for _, c := range charts.Items {
			found[c.Repo+"/"+c.Name] = c.Version
		}
		if found["public/web"] != "0.2.0" || found["private/api"] != "1.0.0" {
			t.Errorf("charts %v", found)
		}
		only, err := admin.SearchCharts(t.Context(), cluster, "private", "")
		if err != nil || len(only.Items) != 1 || only.Items[0].Name != "api" {
			t.Errorf("charts of private: %+v %v", only, err)
		}
	})

	t.Run("refresh with wait sees a pushed chart", func(t *testing.T) {
		if err := public.AddChart(helmtest.DeploymentChart("web", "0.3.0")); err != nil {
			t.Fatal(err)
		}
		repo, err := admin.RefreshHelmRepo(t.Context(), cluster, "public", true)
		if err != nil || !repo.Ready {
			t.Fatalf("refresh: %+v %v", repo, err)
		}
		versions, err := admin.ChartVersions(t.Context(), cluster, "public", "web")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, v := range versions.Items {
			got = append(got, v.Version)
		}
		if !slices.Equal(got, []string{"0.3.0", "0.2.0", "0.1.0"}) {
			t.Errorf("versions %v", got)
		}
	})

	t.Run("show a chart behind basic auth", func(t *testing.T) {
		detail, err := admin.ShowChart(t.Context(), cluster, "private", "api", "1.0.0")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(detail.Readme, "# api") || !strings.Contains(detail.Values, "replicas: 1") || !strings.Contains(string(detail.Metadata), `"appVersion":"1.0.1.0.0"`) {
			t.Errorf("detail: readme %q values %q metadata %s", detail.Readme, detail.Values, detail.Metadata)
		}
	})

	t.Run("bad input names the field", func(t *testing.T) {
		ctx := t.Context()
		_, err := admin.AddHelmRepo(ctx, cluster, apiclient.HelmRepoRequest{Name: "Bad_Name", URL: public.URL()})
		apiclienttest.ExpectError(t, err, http.StatusBadRequest, "name", "DNS-1123")
		_, err = admin.AddHelmRepo(ctx, cluster, apiclient.HelmRepoRequest{Name: "ftp", URL: "ftp://charts.example.com"})
		apiclienttest.ExpectError(t, err, http.StatusBadRequest, "url", "")
		_, err = admin.AddHelmRepo(ctx, cluster, apiclient.HelmRepoRequest{Name: "public", URL: public.URL()})
		apiclienttest.ExpectError(t, err, http.StatusConflict, "name", "")
		_, err = admin.ChartVersions(ctx, cluster, "nope", "web")
		apiclienttest.ExpectError(t, err, http.StatusNotFound, "repo", "")
		_, err = admin.ChartVersions(ctx, cluster, "public", "nope")
		apiclienttest.ExpectError(t, err, http.StatusNotFound, "chart", "")
		_, err = admin.ShowChart(ctx, cluster, "public", "web", "9.9.9")
		apiclienttest.ExpectError(t, err, http.StatusNotFound, "version", "refresh")
	})

	t.Run("delete removes the repo and its credentials", func(t *testing.T) {
		if err := admin.DeleteHelmRepo(t.Context(), cluster, "private"); err != nil {
			t.Fatal(err)
		}
		clustertest.Eventually(t, 30*time.Second, "credentials Secret deleted", func(ctx context.Context) error {
			var secret corev1.Secret
			err := remote.Get(ctx, client.ObjectKey{Namespace: helmoperation.Namespace, Name: "helmrepo-private-auth"}, &secret)
			if apierrors.IsNotFound(err) {
				return nil
			}
			return fmt.Errorf("still there (%w)", err)
		})
		_, err := admin.GetHelmRepo(t.Context(), cluster, "private")
		apiclienttest.ExpectError(t, err, http.StatusNotFound, "name", "")
	})
}

// waitSettled waits until the app's operation for generation ended and returns the app; a
// failed operation fails the test unless wantFailed.
func waitSettled(t *testing.T, c *apiclient.Client, name string, generation int64) *helmv1alpha1.HelmRelease {
	t.Helper()
	var rel *helmv1alpha1.HelmRelease
	clustertest.Eventually(t, 2*time.Minute, "app "+name+" settled", func(ctx context.Context) error {
		var err error
		if rel, err = c.GetApp(ctx, cluster, namespace, name); err != nil {
			return err
		}
		if rel.Status.ObservedGeneration < generation || rel.Status.CurrentOperation != "" {
			return fmt.Errorf("phase %s, observed generation %d of %d", rel.Status.Phase, rel.Status.ObservedGeneration, generation)
		}
		return nil
	})
	if rel.Status.Phase != helmv1alpha1.ReleaseDeployed {
		t.Fatalf("app %s ended %s: %+v", name, rel.Status.Phase, rel.Status.Conditions)
	}
	return rel
}

func deployment(t *testing.T, name string) *appsv1.Deployment {
	t.Helper()
	var d appsv1.Deployment
	if err := remote.Get(t.Context(), client.ObjectKey{Namespace: namespace, Name: name}, &d); err != nil {
		t.Fatalf("deployment %s: %v", name, err)
	}
	return &d
}

func replicas(t *testing.T, name string) int32 {
	t.Helper()
	d := deployment(t, name)
	if d.Spec.Replicas == nil {
		return 1
	}
	return *d.Spec.Replicas
}

func TestAppLifecycle(t *testing.T) {
	store := serveRepo(t, helmtest.Options{}, [2]string{"shopfront", "0.1.0"}, [2]string{"shopfront", "0.2.0"})
	addRepo(t, apiclient.HelmRepoRequest{Name: "store", URL: store.URL()})
	ctx := t.Context()

	rel, err := admin.InstallApp(ctx, cluster, namespace, apiclient.InstallRequest{
		Name: "front", Chart: helmv1alpha1.ChartRef{Repo: "store", Name: "shopfront", Version: "0.1.0"},
		Values: "replicas: 1\nmessage: first\n", Atomic: true, Timeout: "2m",
	})
	if err != nil {
		t.Fatalf("install: %v", err)
	}
	if rel.Annotations[helmv1alpha1.RequestedByAnnotation] != "kpanda:admin" || !rel.Spec.Wait {
		t.Errorf("installed app: annotations %v, wait %v (atomic implies wait)", rel.Annotations, rel.Spec.Wait)
	}
	rel = waitSettled(t, admin, "front", rel.Generation)
	if rel.Status.Revision != 1 || rel.Status.ChartVersion != "0.1.0" {
		t.Errorf("after install: %+v", rel.Status)
	}
	if got := replicas(t, "front"); got != 1 {
		t.Errorf("replicas %d after install", got)
	}

	t.Run("upgrade shows the values diff and changes the Deployment", func(t *testing.T) {
		values := "replicas: 3\nmessage: first\n"
		result, err := admin.UpgradeApp(ctx, cluster, namespace, "front", apiclient.UpgradeRequest{Version: "0.2.0", Values: &values})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(result.ValuesDiff, "-replicas: 1\n+replicas: 3\n") || !strings.Contains(result.ValuesDiff, " message: first") {
			t.Errorf("diff:\n%s", result.ValuesDiff)
		}
		rel := waitSettled(t, admin, "front", result.Release.Generation)
		if rel.Status.Revision != 2 || rel.Status.ChartVersion != "0.2.0" {
			t.Errorf("after upgrade: %+v", rel.Status)
		}
		if got := replicas(t, "front"); got != 3 {
			t.Errorf("replicas %d after upgrade, want 3", got)
		}
	})

	t.Run("bad upgrade and rollback input names the field", func(t *testing.T) {
		bad := "replicas: [1"
		_, err := admin.UpgradeApp(ctx, cluster, namespace, "front", apiclient.UpgradeRequest{Values: &bad})
		apiclienttest.ExpectError(t, err, http.StatusBadRequest, "values", "")
		_, err = admin.UpgradeApp(ctx, cluster, namespace, "front", apiclient.UpgradeRequest{Version: "7.0.0"})
		apiclienttest.ExpectError(t, err, http.StatusBadRequest, "version", "")
		_, err = admin.RollbackApp(ctx, cluster, namespace, "front", 99)
		apiclienttest.ExpectError(t, err, http.StatusNotFound, "revision", "[1, 2]")
		_, err = admin.RollbackApp(ctx, cluster, namespace, "front", 0)
		apiclienttest.ExpectError(t, err, http.StatusBadRequest, "revision", "")
		_, err = admin.GetApp(ctx, cluster, namespace, "nope")
		apiclienttest.ExpectError(t, err, http.StatusNotFound, "name", "")
	})

	t.Run("rollback returns to revision 1", func(t *testing.T) {
		back, err := admin.RollbackApp(ctx, cluster, namespace, "front", 1)
		if err != nil {
			t.Fatal(err)
		}
		if back.Spec.Chart.Version != "0.1.0" || !strings.Contains(back.Spec.Values, "replicas: 1") {
			t.Errorf("spec after rollback: %+v", back.Spec)
		}
		rel := waitSettled(t, admin, "front", back.Generation)
		if rel.Status.Revision != 3 || rel.Status.ChartVersion != "0.1.0" {
			t.Errorf("after rollback: %+v", rel.Status)
		}
		if got := replicas(t, "front"); got != 1 {
			t.Errorf("replicas %d after rollback, want 1", got)
		}
	})

	t.Run("history", func(t *testing.T) {
		ops, err := admin.AppOperations(ctx, cluster, namespace, "front")
		if err != nil {
			t.Fatal(err)
		}
		var types []string
		for _, op := range ops.Items {
			types = append(types, string(op.Type))
			if op.User != "kpanda:admin" || op.Phase != helmv1alpha1.OperationSucceeded || op.Start == nil || op.End == nil || op.LogTail == "" {
				t.Errorf("operation %+v", op)
			}
		}
		if !slices.Equal(types, []string{"Rollback", "Upgrade", "Install"}) {
			t.Errorf("operations newest first: %v", types)
		}
		revisions, err := admin.AppRevisions(ctx, cluster, namespace, "front")
		if err != nil {
			t.Fatal(err)
		}
		var charts []string
		for _, r := range revisions.Items {
			charts = append(charts, fmt.Sprintf("%d:%s:%s", r.Revision, r.Chart, r.Status))
		}
		want := []string{"1:shopfront-0.1.0:superseded", "2:shopfront-0.2.0:superseded", "3:shopfront-0.1.0:deployed"}
		if !slices.Equal(charts, want) {
			t.Errorf("revisions %v, want %v", charts, want)
		}
	})

	t.Run("list", func(t *testing.T) {
		for _, ns := range []string{namespace, ""} {
			list, err := admin.ListApps(ctx, cluster, ns)
			if err != nil || len(list.Items) == 0 || list.Items[0].Name != "front" {
				t.Errorf("apps of %q: %+v %v", ns, list, err)
			}
		}
	})

	t.Run("uninstall removes the release", func(t *testing.T) {
		if err := admin.UninstallApp(ctx, cluster, namespace, "front"); err != nil {
			t.Fatal(err)
		}
		clustertest.Eventually(t, time.Minute, "app gone", func(ctx context.Context) error {
			_, err := admin.GetApp(ctx, cluster, namespace, "front")
			if err == nil {
				return fmt.Errorf("still there")
			}
			return nil
		})
		var d appsv1.Deployment
		if err := remote.Get(ctx, client.ObjectKey{Namespace: namespace, Name: "front"}, &d); !apierrors.IsNotFound(err) {
			t.Errorf("the Deployment is still there: %v", err)
		}
		var secrets corev1.SecretList
		if err := remote.List(ctx, &secrets, client.InNamespace(namespace), client.MatchingLabels{"owner": "helm", "name": "front"}); err != nil || len(secrets.Items) != 0 {
			t.Errorf("Helm's release Secrets remain: %d %v", len(secrets.Items), err)
		}
	})
}

func TestInstallInputs(t *testing.T) {
	catalog := serveRepo(t, helmtest.Options{}, [2]string{"shelf", "1.0.0"})
	addRepo(t, apiclient.HelmRepoRequest{Name: "catalog", URL: catalog.URL()})
	good := apiclient.InstallRequest{Name: "shelf", Chart: helmv1alpha1.ChartRef{Repo: "catalog", Name: "shelf", Version: "1.0.0"}}
	for _, tc := range []struct {
		name   string
		change func(*apiclient.InstallRequest)
		status int
		field  string
		phrase string
	}{
		{"invalid name", func(r *apiclient.InstallRequest) { r.Name = "Shelf_1" }, 400, "name", "DNS-1123"},
		{"name too long", func(r *apiclient.InstallRequest) { r.Name = strings.Repeat("a", 54) }, 400, "name", "53"},
		{"values not YAML", func(r *apiclient.InstallRequest) { r.Values = "replicas: [1" }, 400, "values", "YAML"},
		{"values not a map", func(r *apiclient.InstallRequest) { r.Values = "- a\n- b\n" }, 400, "values", "YAML map"},
		{"bad timeout", func(r *apiclient.InstallRequest) { r.Timeout = "soon" }, 400, "timeout", "duration"},
		{"unknown version", func(r *apiclient.InstallRequest) { r.Chart.Version = "2.0.0" }, 400, "chart.version", "refresh"},
		{"unknown chart", func(r *apiclient.InstallRequest) { r.Chart.Name = "table" }, 400, "chart.name", "refresh"},
		{"unknown repo", func(r *apiclient.InstallRequest) { r.Chart.Repo = "nope" }, 404, "chart.repo", "not found"},
		{"missing namespace", nil, 404, "namespace", "does not exist"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, ns := good, namespace
			if tc.change != nil {
				tc.change(&req)
			} else {
				ns = "no-such-namespace"
			}
			_, err := admin.InstallApp(t.Context(), cluster, ns, req)
			apiclienttest.ExpectError(t, err, tc.status, tc.field, tc.phrase)
			var rel helmv1alpha1.HelmRelease
			if err := remote.Get(t.Context(), client.ObjectKey{Namespace: namespace, Name: req.Name}, &rel); !apierrors.IsNotFound(err) {
				t.Errorf("a refused install left a HelmRelease: %v", err)
			}
		})
	}
}

func TestNamespaceViewerCannotInstall(t *testing.T) {
	ctx := t.Context()
	shelf := serveRepo(t, helmtest.Options{}, [2]string{"viewed", "1.0.0"})
	addRepo(t, apiclient.HelmRepoRequest{Name: "viewers", URL: shelf.URL()})
	for _, user := range []string{"vera", "nobody"} {
		if _, err := admin.CreateUser(ctx, user, "pw-"+user); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := admin.Grant(ctx, apiclient.GrantRequest{Role: "ns-viewer", User: "vera", Cluster: cluster, Namespace: namespace}); err != nil {
		t.Fatal(err)
	}
	vera, err := login(ctx, "vera", "pw-vera")
	if err != nil {
		t.Fatal(err)
	}
	nobody, err := login(ctx, "nobody", "pw-nobody")
	if err != nil {
		t.Fatal(err)
	}

	// Charts are open to whoever sees the cluster.
	clustertest.Eventually(t, 30*time.Second, "vera sees the charts", func(ctx context.Context) error {
		charts, err := vera.SearchCharts(ctx, cluster, "viewers", "")
		if err == nil && len(charts.Items) != 1 {
			return fmt.Errorf("charts %+v", charts.Items)
		}
		return err
	})
	// Reading apps is the member's decision too: an NS Viewer may list them.
	clustertest.Eventually(t, 30*time.Second, "vera lists the apps of "+namespace, func(ctx context.Context) error {
		_, err := vera.ListApps(ctx, cluster, namespace)
		return err
	})
	_, err = vera.ListApps(ctx, cluster, "")
	apiclienttest.ExpectError(t, err, http.StatusForbidden, "", "[RBAC] list helmreleases is forbidden for user(vera) in cluster(apps)")
	_, err = vera.InstallApp(ctx, cluster, namespace, apiclient.InstallRequest{Name: "peek", Chart: helmv1alpha1.ChartRef{Repo: "viewers", Name: "viewed", Version: "1.0.0"}})
	apiclienttest.ExpectError(t, err, http.StatusForbidden, "", "[RBAC] create helmreleases is forbidden for user(vera) in cluster(apps)")
	_, err = vera.AddHelmRepo(ctx, cluster, apiclient.HelmRepoRequest{Name: "mine", URL: shelf.URL()})
	apiclienttest.ExpectError(t, err, http.StatusForbidden, "", "")

	// A user who does not see the cluster learns nothing of it.
	_, err = nobody.SearchCharts(ctx, cluster, "", "")
	apiclienttest.ExpectError(t, err, http.StatusNotFound, "cluster", "")
}
