package member_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv1alpha1 "github.com/kpanda/kpanda/api/helm/v1alpha1"
	"github.com/kpanda/kpanda/internal/helm/helmtest"
	"github.com/kpanda/kpanda/internal/helmoperation"
	"github.com/kpanda/kpanda/internal/localcluster/clustertest"
)

// newRepo serves a chart repository holding charts and registers it in the member as name.
func newRepo(t *testing.T, name string, opts helmtest.Options, charts ...[2]string) *helmtest.Repo {
	t.Helper()
	server, err := helmtest.NewRepo(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(server.Close)
	for _, c := range charts {
		if err := server.AddChart(helmtest.DeploymentChart(c[0], c[1])); err != nil {
			t.Fatal(err)
		}
	}
	repo := &helmv1alpha1.HelmRepo{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: helmv1alpha1.HelmRepoSpec{URL: server.URL()}}
	if opts.Username != "" {
		secret := &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: helmoperation.Namespace, Name: name + "-auth"},
			StringData: map[string]string{helmoperation.UsernameKey: opts.Username, helmoperation.PasswordKey: opts.Password},
		}
		if err := remote.Create(t.Context(), secret); err != nil {
			t.Fatal(err)
		}
		repo.Spec.AuthSecretName = secret.Name
	}
	if err := remote.Create(t.Context(), repo); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = remote.Delete(context.Background(), repo) })
	return server
}

// hasVersion checks that the stored index of repo lists chart at version.
func hasVersion(ctx context.Context, repo, chart, version string) error {
	index, err := helmoperation.ReadIndex(ctx, remote, repo)
	if err != nil {
		return err
	}
	_, err = index.Find(chart, version)
	return err
}

func TestRepoBehindBasicAuthIsIndexed(t *testing.T) {
	newRepo(t, "private", helmtest.Options{Username: "reader", Password: "s3cret"}, [2]string{"web", "0.1.0"})
	clustertest.Eventually(t, 30*time.Second, "index of private", func(ctx context.Context) error {
		var repo helmv1alpha1.HelmRepo
		if err := remote.Get(ctx, client.ObjectKey{Name: "private"}, &repo); err != nil {
			return err
		}
		if !meta.IsStatusConditionTrue(repo.Status.Conditions, helmv1alpha1.ConditionReady) || repo.Status.ChartCount != 1 {
			return fmt.Errorf("status %+v", repo.Status)
		}
		return hasVersion(ctx, "private", "web", "0.1.0")
	})
}

func TestRepoWithWrongPasswordSaysWhy(t *testing.T) {
	server, err := helmtest.NewRepo(helmtest.Options{Username: "reader", Password: "right"})
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: helmoperation.Namespace, Name: "wrongpass-auth"},
		StringData: map[string]string{helmoperation.UsernameKey: "reader", helmoperation.PasswordKey: "wrong"},
	}
	if err := remote.Create(t.Context(), secret); err != nil {
		t.Fatal(err)
	}
	repo := &helmv1alpha1.HelmRepo{ObjectMeta: metav1.ObjectMeta{Name: "wrongpass"}, Spec: helmv1alpha1.HelmRepoSpec{URL: server.URL(), AuthSecretName: secret.Name}}
	if err := remote.Create(t.Context(), repo); err != nil {
		t.Fatal(err)
	}
	clustertest.Eventually(t, 30*time.Second, "refresh failure", func(ctx context.Context) error {
		if err := remote.Get(ctx, client.ObjectKeyFromObject(repo), repo); err != nil {
			return err
		}
		ready := meta.FindStatusCondition(repo.Status.Conditions, helmv1alpha1.ConditionReady)
		if ready == nil || ready.Status != metav1.ConditionFalse || ready.Reason != "RefreshFailed" {
			return fmt.Errorf("Ready = %+v", ready)
		}
		if !strings.Contains(ready.Message, "check the username and password in Secret kpanda-system/wrongpass-auth") {
			return fmt.Errorf("Ready message does not say what to fix: %s", ready.Message)
		}
		return nil
	})

	// Fixing the credentials heals the repo at the next retry, well before the 600 s interval.
	patch := client.MergeFrom(secret.DeepCopy())
	secret.StringData = map[string]string{helmoperation.PasswordKey: "right"}
	if err := remote.Patch(t.Context(), secret, patch); err != nil {
		t.Fatal(err)
	}
	clustertest.Eventually(t, 45*time.Second, "refresh after the fix", func(ctx context.Context) error {
		if err := remote.Get(ctx, client.ObjectKeyFromObject(repo), repo); err != nil {
			return err
		}
		if !meta.IsStatusConditionTrue(repo.Status.Conditions, helmv1alpha1.ConditionReady) {
			return fmt.Errorf("status %+v", repo.Status.Conditions)
		}
		return nil
	})
}

func TestPushedChartAppearsAfterRefreshAndInterval(t *testing.T) {
	server := newRepo(t, "team", helmtest.Options{}, [2]string{"web", "0.1.0"})
	clustertest.Eventually(t, 30*time.Second, "first index", func(ctx context.Context) error { return hasVersion(ctx, "team", "web", "0.1.0") })

	if err := server.AddChart(helmtest.DeploymentChart("web", "0.2.0")); err != nil {
		t.Fatal(err)
	}
	// The default interval is 600 s: nothing changes without a refresh.
	time.Sleep(3 * time.Second)
	if err := hasVersion(t.Context(), "team", "web", "0.2.0"); err == nil {
		t.Fatal("0.2.0 listed before any refresh")
	}
	var repo helmv1alpha1.HelmRepo
	if err := remote.Get(t.Context(), client.ObjectKey{Name: "team"}, &repo); err != nil {
		t.Fatal(err)
	}
	patch := client.MergeFrom(repo.DeepCopy())
	repo.Annotations = map[string]string{helmv1alpha1.RefreshRequestedAnnotation: time.Now().Format(time.RFC3339Nano)}
	if err := remote.Patch(t.Context(), &repo, patch); err != nil {
		t.Fatal(err)
	}
	clustertest.Eventually(t, 15*time.Second, "0.2.0 after refresh", func(ctx context.Context) error { return hasVersion(ctx, "team", "web", "0.2.0") })

	// A short interval in the setting applies without a restart.
	if err := setSetting(t.Context(), "addon_setting.helm_repo_refresh_interval", "10"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = setSetting(context.Background(), "addon_setting.helm_repo_refresh_interval", "600") })
	if err := server.AddChart(helmtest.DeploymentChart("web", "0.3.0")); err != nil {
		t.Fatal(err)
	}
	clustertest.Eventually(t, 40*time.Second, "0.3.0 after the interval", func(ctx context.Context) error { return hasVersion(ctx, "team", "web", "0.3.0") })
}
