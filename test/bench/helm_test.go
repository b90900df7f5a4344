package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	clusterv1alpha1 "github.com/kpanda/kpanda/api/cluster/v1alpha1"
	helmv1alpha1 "github.com/kpanda/kpanda/api/helm/v1alpha1"
	"github.com/kpanda/kpanda/internal/clustersetting"
	"github.com/kpanda/kpanda/internal/controller"
	"github.com/kpanda/kpanda/internal/controller/member"
	"github.com/kpanda/kpanda/internal/helm"
	"github.com/kpanda/kpanda/internal/helm/helmtest"
	"github.com/kpanda/kpanda/internal/helmoperation"
	"github.com/kpanda/kpanda/internal/integration"
	"github.com/kpanda/kpanda/internal/localcluster"
)

const helmInstalls = 20

// BenchmarkHelmInstall installs the same chart helmInstalls times through kpanda (a HelmRelease,
// local executor: controller, operation, runner, report) and as many times straight with the
// Helm SDK (download the chart, install), alternating the two. Prints each path's median time
// to a deployed release, their ratio (target ≤ 1.3) and kpanda's median install-to-Running
// (HelmRelease created to the app's pod Running).
func BenchmarkHelmInstall(b *testing.B) {
	for b.Loop() {
		ctx, cancel := context.WithCancel(context.Background())
		set, err := localcluster.StartSet(ctx, localcluster.SetOptions{Members: 1})
		if err != nil {
			b.Fatal(err)
		}
		remote := prepareHelmMember(ctx, b, set)
		repo, err := helmtest.NewRepo(helmtest.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if err := repo.AddChart(helmtest.DeploymentChart("web", "1.0.0")); err != nil {
			b.Fatal(err)
		}
		waitIndexed(ctx, b, remote, repo.URL())

		var viaKpanda, viaSDK, toRunning []time.Duration
		for i := range helmInstalls {
			deployed, running := installWithKpanda(ctx, b, remote, fmt.Sprintf("kp-%d", i))
			viaKpanda, toRunning = append(viaKpanda, deployed), append(toRunning, running)
			viaSDK = append(viaSDK, installWithSDK(ctx, b, set.Members[0], repo.URL(), fmt.Sprintf("sdk-%d", i)))
			// Each install starts on a quiet cluster: the SDK's app settles before the next
			// kpanda install, as kpanda's did before the SDK's.
			waitPodRunning(ctx, b, remote, "via-sdk", fmt.Sprintf("sdk-%d", i))
		}
		repo.Close()
		cancel()
		set.Stop()

		report(b, "kpanda install to Deployed", viaKpanda, "s-kpanda-p50")
		report(b, "Helm SDK install", viaSDK, "s-sdk-p50")
		report(b, "kpanda install to Running pod", toRunning, "s-to-running-p50")
		ratio := median(viaKpanda).Seconds() / median(viaSDK).Seconds()
		fmt.Printf("median ratio kpanda / Helm SDK: %.2f (target <= 1.3)\n", ratio)
		b.ReportMetric(ratio, "ratio")
	}
}

func median(d []time.Duration) time.Duration {
	sorted := slices.Clone(d)
	slices.Sort(sorted)
	return sorted[len(sorted)/2]
}

// prepareHelmMember runs the controller-manager in this process (local executor), integrates
// the member and returns a client of it with the bench namespaces and an admin "kpanda:bench".
func prepareHelmMember(ctx context.Context, b *testing.B, set *localcluster.Set) client.Client {
	config := set.Global.RESTConfig()
	go func() {
		_ = controller.Run(ctx, config, controller.Options{MetricsAddr: "0", HealthAddr: "0", ProbeInterval: 5 * time.Second, DefaultExecutor: clustersetting.ExecutorLocal})
	}()
	var global client.Client
	poll(ctx, b, "global client", func(ctx context.Context) bool {
		var err error
		global, err = client.New(config, client.Options{Scheme: controller.Scheme()})
		return err == nil && global.Get(ctx, client.ObjectKey{Name: clusterv1alpha1.GlobalClusterName}, &clusterv1alpha1.Cluster{}) == nil
	})
	kubeconfig, err := os.ReadFile(set.Members[0].KubeconfigPath())
	if err != nil {
		b.Fatal(err)
	}
	if _, err := (&integration.Service{Client: global}).Integrate(ctx, integration.Request{Name: "bench", Kubeconfig: string(kubeconfig)}); err != nil {
		b.Fatal(err)
	}
	var remote client.Client
	poll(ctx, b, "helm CRDs in the member", func(ctx context.Context) bool {
		remote, err = client.New(set.Members[0].RESTConfig(), client.Options{Scheme: member.Scheme()})
		return err == nil && remote.List(ctx, &helmv1alpha1.HelmRepoList{}) == nil
	})
	objects := []client.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "via-kpanda"}},
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "via-sdk"}},
		&rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: "bench-admin"},
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "kpanda:bench"}},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"},
		},
	}
	for _, obj := range objects {
		if err := remote.Create(ctx, obj); err != nil {
			b.Fatal(err)
		}
	}
	return remote
}

func waitIndexed(ctx context.Context, b *testing.B, remote client.Client, url string) {
	repo := &helmv1alpha1.HelmRepo{ObjectMeta: metav1.ObjectMeta{Name: "bench"}, Spec: helmv1alpha1.HelmRepoSpec{URL: url}}
	if err := remote.Create(ctx, repo); err != nil {
		b.Fatal(err)
	}
	poll(ctx, b, "repo index", func(ctx context.Context) bool {
		_, err := helmoperation.ReadIndex(ctx, remote, "bench")
		return err == nil
	})
}

// installWithKpanda returns the time from creating the HelmRelease to Deployed and to its pod
// Running.
func installWithKpanda(ctx context.Context, b *testing.B, remote client.Client, name string) (deployed, running time.Duration) {
	// The release as kpanda's REST API creates it: requester and finalizer set.
	rel := &helmv1alpha1.HelmRelease{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: "via-kpanda", Name: name,
			Annotations: map[string]string{helmv1alpha1.RequestedByAnnotation: "kpanda:bench"},
			Finalizers:  []string{helmv1alpha1.UninstallFinalizer},
		},
		Spec: helmv1alpha1.HelmReleaseSpec{Chart: helmv1alpha1.ChartRef{Repo: "bench", Name: "web", Version: "1.0.0"}},
	}
	start := time.Now()
	if err := remote.Create(ctx, rel); err != nil {
		b.Fatal(err)
	}
	pollFast(ctx, b, "release "+name, func(ctx context.Context) bool {
		if err := remote.Get(ctx, client.ObjectKeyFromObject(rel), rel); err != nil {
			return false
		}
		if rel.Status.Phase == helmv1alpha1.ReleaseFailed {
			b.Fatalf("release %s failed: %+v", name, rel.Status.Conditions)
		}
		return rel.Status.Phase == helmv1alpha1.ReleaseDeployed
	})
	deployed = time.Since(start)
	waitPodRunning(ctx, b, remote, "via-kpanda", name)
	return deployed, time.Since(start)
}

func waitPodRunning(ctx context.Context, b *testing.B, remote client.Client, namespace, app string) {
	pollFast(ctx, b, "pod of "+app, func(ctx context.Context) bool {
		var pods corev1.PodList
		if err := remote.List(ctx, &pods, client.InNamespace(namespace), client.MatchingLabels{"app": app}); err != nil || len(pods.Items) == 0 {
			return false
		}
		return pods.Items[0].Status.Phase == corev1.PodRunning
	})
}

// sdkDiscovery is the SDK path's discovery cache, shared between its installs as kpanda's is
// (and as the helm CLI's disk cache is), so the comparison measures kpanda's own overhead.
var sdkDiscovery *helm.Discovery

// installWithSDK does what `helm install NAME repo/web` does: download the chart, install it.
func installWithSDK(ctx context.Context, b *testing.B, cluster *localcluster.Cluster, url, name string) time.Duration {
	if sdkDiscovery == nil {
		var err error
		if sdkDiscovery, err = helm.NewDiscovery(cluster.RESTConfig()); err != nil {
			b.Fatal(err)
		}
	}
	start := time.Now()
	repo := helm.Repo{Name: "bench", URL: url}
	ch, err := repo.DownloadChart(ctx, &helm.ChartVersion{Name: "web", Version: "1.0.0", URLs: []string{"web-1.0.0.tgz"}})
	if err != nil {
		b.Fatal(err)
	}
	cfg := cluster.RESTConfig()
	releases, err := helm.NewReleases(cfg, "via-sdk", io.Discard, sdkDiscovery)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := releases.Install(ctx, name, ch, map[string]any{}, helm.Options{Timeout: 5 * time.Minute}); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

func poll(ctx context.Context, b *testing.B, what string, done func(context.Context) bool) {
	if err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 2*time.Minute, true, func(ctx context.Context) (bool, error) { return done(ctx), nil }); err != nil {
		b.Fatalf("%s: %v", what, err)
	}
}

func pollFast(ctx context.Context, b *testing.B, what string, done func(context.Context) bool) {
	if err := wait.PollUntilContextTimeout(ctx, 10*time.Millisecond, 2*time.Minute, true, func(ctx context.Context) (bool, error) { return done(ctx), nil }); err != nil {
		b.Fatalf("%s: %v", what, err)
	}
}
