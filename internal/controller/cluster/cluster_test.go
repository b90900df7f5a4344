package cluster_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/controller-runtime/pkg/client"

	clusterv1alpha1 "github.com/kpanda/kpanda/api/cluster/v1alpha1"
	"github.com/kpanda/kpanda/internal/controller"
	"github.com/kpanda/kpanda/internal/integration"
	"github.com/kpanda/kpanda/internal/localcluster"
	"github.com/kpanda/kpanda/internal/localcluster/clustertest"
)

var (
	env      clustertest.Env
	global   client.Client
	registry *integration.Service
)

func TestMain(m *testing.M) {
	os.Exit(env.Run(m, clustertest.Options{Members: 3, Setup: startControllerManager}))
}

// startControllerManager runs the controller-manager against the global cluster for the
// whole package, as `kpanda controller-manager` would.
func startControllerManager(ctx context.Context) error {
	config := env.Global.RESTConfig()
	go func() {
		_ = controller.Run(ctx, config, controller.Options{MetricsAddr: "0", HealthAddr: "0", ProbeInterval: 2 * time.Second})
	}()
	var err error
	global, err = client.New(config, client.Options{Scheme: controller.Scheme()})
	if err != nil {
		return err
	}
	registry = &integration.Service{Client: global}
	// The controller-manager installs the CRDs and registers the global cluster first.
	return wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		return phaseOf(ctx, clusterv1alpha1.GlobalClusterName) == clusterv1alpha1.ClusterRunning, nil
	})
}

func phaseOf(ctx context.Context, name string) clusterv1alpha1.ClusterPhase {
	var cluster clusterv1alpha1.Cluster
	if err := global.Get(ctx, client.ObjectKey{Name: name}, &cluster); err != nil {
		return ""
	}
	return cluster.Status.Phase
}

func kubeconfigOf(t *testing.T, c *localcluster.Cluster) string {
	t.Helper()
	data, err := os.ReadFile(c.KubeconfigPath())
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// waitCluster polls the Cluster until ok accepts it.
func waitCluster(t *testing.T, name string, timeout time.Duration, ok func(*clusterv1alpha1.Cluster) bool) *clusterv1alpha1.Cluster {
	t.Helper()
	var cluster clusterv1alpha1.Cluster
	err := wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		if err := global.Get(ctx, client.ObjectKey{Name: name}, &cluster); err != nil {
			return false, client.IgnoreNotFound(err)
		}
		return ok(&cluster), nil
	})
	if err != nil {
		t.Fatalf("cluster %s: %v; last status %+v", name, err, cluster.Status)
	}
	return &cluster
}

func memberClient(t *testing.T, c *localcluster.Cluster) kubernetes.Interface {
	t.Helper()
	clientset, err := kubernetes.NewForConfig(c.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	return clientset
}

func TestIntegratedMemberTurnsRunning(t *testing.T) {
	ctx := t.Context()
	member := env.Members[0]
	started := time.Now()
	if _, err := registry.Integrate(ctx, integration.Request{Name: "alpha", Alias: "Alpha team", Kubeconfig: kubeconfigOf(t, member)}); err != nil {
		t.Fatal(err)
	}
	cluster := waitCluster(t, "alpha", 30*time.Second, func(c *clusterv1alpha1.Cluster) bool { return c.Status.Phase == clusterv1alpha1.ClusterRunning })
	t.Logf("alpha Running %s after integrate", time.Since(started).Round(time.Millisecond))

	kubeSystem, err := memberClient(t, member).CoreV1().Namespaces().Get(ctx, "kube-system", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cluster.Status.KubernetesVersion != "v1.37.2" || cluster.Status.KubeSystemID != string(kubeSystem.UID) || cluster.Status.Nodes.Total != 1 || cluster.Status.Nodes.Ready != 1 {
		t.Errorf("status: version %q, kube-system %q (want %s), nodes %+v", cluster.Status.KubernetesVersion, cluster.Status.KubeSystemID, kubeSystem.UID, cluster.Status.Nodes)
	}
	if cluster.Spec.Mode != clusterv1alpha1.ClusterModePush || cluster.Spec.Provider != clusterv1alpha1.ProviderGeneric || cluster.Spec.Alias != "Alpha team" {
		t.Errorf("spec %+v", cluster.Spec)
	}
	if !meta.IsStatusConditionTrue(cluster.Status.Conditions, clusterv1alpha1.ConditionRunning) {
		t.Errorf("condition Running not True: %+v", cluster.Status.Conditions)
	}
	if _, err := memberClient(t, member).CoreV1().Namespaces().Get(ctx, "kpanda-system", metav1.GetOptions{}); err != nil {
		t.Errorf("kpanda-system in the member: %v", err)
	}
	assertOwned(t, &corev1.Secret{}, "alpha-secret", cluster)
	cm := assertOwned(t, &corev1.ConfigMap{}, "alpha-setting", cluster).(*corev1.ConfigMap)
	if value, ok := cm.Labels["kpanda.io/cluster-plugins"]; !ok || value != "" {
		t.Errorf("setting labels %v, want kpanda.io/cluster-plugins: \"\"", cm.Labels)
	}
	for _, field := range []string{`"plugins"`, `"network"`, `"addon_setting"`, `"helm_operation_history_limit":100`, `"helm_repo_refresh_interval":600`,
		`"helm_operation_base_image"`, `"limits":{"cpu":"100m","memory":"400Mi"}`, `"requests":{"cpu":"100m","memory":"400Mi"}`,
		`"clusterlcm_setting":{"enable_deletion_protection":true}`, `"etcd_backup_restore_setting":{"base_image"`} {
		if !strings.Contains(cm.Data["clusterSetting"], field) {
			t.Errorf("clusterSetting lacks %s:\n%s", field, cm.Data["clusterSetting"])
		}
	}
}

// assertOwned checks that kpanda-system/name exists in the global cluster with a controller
// owner reference to cluster.
func assertOwned(t *testing.T, obj client.Object, name string, cluster *clusterv1alpha1.Cluster) client.Object {
	t.Helper()
	var err error
	_ = wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		err = global.Get(ctx, client.ObjectKey{Namespace: "kpanda-system", Name: name}, obj)
		return err == nil, nil
	})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	owner := metav1.GetControllerOf(obj)
	if owner == nil || owner.Kind != "Cluster" || owner.APIVersion != "cluster.kpanda.io/v1alpha1" || owner.Name != cluster.Name || owner.UID != cluster.UID {
		t.Errorf("%s owner %+v, want controller reference to Cluster %s", name, owner, cluster.Name)
	}
	return obj
}

func TestIntegrateRefusesBadInput(t *testing.T) {
	ctx := t.Context()
	good := kubeconfigOf(t, env.Members[1])
	if _, err := registry.Integrate(ctx, integration.Request{Name: "bravo", Kubeconfig: good}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		request integration.Request
		field   string
		reason  string
	}{
		{"empty name", integration.Request{Kubeconfig: good}, "name", "Invalid"},
		{"upper-case name", integration.Request{Name: "Bad_Name", Kubeconfig: good}, "name", "Invalid"},
		{"name longer than 63", integration.Request{Name: strings.Repeat("a", 64), Kubeconfig: good}, "name", "Invalid"},
		{"the global cluster's name", integration.Request{Name: "kpanda-global-cluster", Kubeconfig: good}, "name", "AlreadyExists"},
		{"alias longer than 60", integration.Request{Name: "charlie", Alias: strings.Repeat("x", 61), Kubeconfig: good}, "alias", "Invalid"},
		{"empty kubeconfig", integration.Request{Name: "charlie"}, "kubeconfig", "Invalid"},
		{"malformed kubeconfig", integration.Request{Name: "charlie", Kubeconfig: "{not yaml"}, "kubeconfig", "Malformed"},
		{"name taken", integration.Request{Name: "bravo", Kubeconfig: kubeconfigOf(t, env.Members[2])}, "name", "AlreadyExists"},
		{"same cluster under another name", integration.Request{Name: "bravo-again", Kubeconfig: good}, "kubeconfig", "AlreadyIntegrated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := countClusters(t)
			_, err := registry.Integrate(ctx, tc.request)
			var refused *integration.Error
			if !errors.As(err, &refused) {
				t.Fatalf("want *integration.Error, got %v", err)
			}
			if refused.Field != tc.field || refused.Reason != tc.reason || !strings.HasPrefix(refused.Message, tc.field+":") {
				t.Errorf("field %q reason %q message %q; want field %q reason %q", refused.Field, refused.Reason, refused.Message, tc.field, tc.reason)
			}
			if after := countClusters(t); after != before {
				t.Errorf("clusters %d before, %d after a refused integrate: something was left behind", before, after)
			}
			if tc.request.Name != "" && tc.request.Name != "bravo" && tc.request.Name != "kpanda-global-cluster" {
				assertAbsent(t, tc.request.Name)
			}
		})
	}
}

func countClusters(t *testing.T) int {
	t.Helper()
	var list clusterv1alpha1.ClusterList
	if err := global.List(t.Context(), &list); err != nil {
		t.Fatal(err)
	}
	return len(list.Items)
}

func assertAbsent(t *testing.T, name string) {
	t.Helper()
	for suffix, obj := range map[string]client.Object{"-secret": &corev1.Secret{}, "-setting": &corev1.ConfigMap{}} {
		err := global.Get(t.Context(), client.ObjectKey{Namespace: "kpanda-system", Name: name + suffix}, obj)
		if !apierrors.IsNotFound(err) {
			t.Errorf("%s%s left behind (get: %v)", name, suffix, err)
		}
	}
}

func TestConcurrentIntegrateOfOneNameHasOneWinner(t *testing.T) {
	ctx := t.Context()
	kubeconfig := kubeconfigOf(t, env.Members[2])
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = registry.Integrate(ctx, integration.Request{Name: "race", Kubeconfig: kubeconfig})
		})
	}
	wg.Wait()
	var won, conflicts int
	for _, err := range errs {
		var refused *integration.Error
		switch {
		case err == nil:
			won++
		case errors.As(err, &refused) && refused.Code == integration.CodeAlreadyExists:
			conflicts++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if won != 1 || conflicts != 1 {
		t.Fatalf("want one winner and one conflict, got %d and %d (%v)", won, conflicts, errs)
	}
	waitCluster(t, "race", 30*time.Second, func(c *clusterv1alpha1.Cluster) bool { return c.Status.Phase == clusterv1alpha1.ClusterRunning })
	detach(t, "race")
}

func detach(t *testing.T, name string) {
	t.Helper()
	if _, err := registry.Detach(t.Context(), name, name); err != nil {
		t.Fatal(err)
	}
	err := wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, 60*time.Second, true, func(ctx context.Context) (bool, error) {
		return apierrors.IsNotFound(global.Get(ctx, client.ObjectKey{Name: name}, &clusterv1alpha1.Cluster{})), nil
	})
	if err != nil {
		t.Fatalf("cluster %s not removed by detach: %v", name, err)
	}
}

func TestUnreachableMemberTurnsUnknownThenRunning(t *testing.T) {
	waitCluster(t, "bravo", 30*time.Second, func(c *clusterv1alpha1.Cluster) bool { return c.Status.Phase == clusterv1alpha1.ClusterRunning })
	member := env.Members[1]
	stopped := time.Now()
	member.StopAPIServer()
	restarted := false
	defer func() {
		if !restarted {
			_ = member.StartAPIServer(context.Background())
		}
	}()
	cluster := waitCluster(t, "bravo", 30*time.Second, func(c *clusterv1alpha1.Cluster) bool { return c.Status.Phase == clusterv1alpha1.ClusterUnknown })
	t.Logf("Unknown %s after the apiserver stopped", time.Since(stopped).Round(time.Millisecond))
	condition := meta.FindStatusCondition(cluster.Status.Conditions, clusterv1alpha1.ConditionRunning)
	if condition == nil || condition.Status != metav1.ConditionUnknown || !strings.Contains(condition.Message, "connection refused") {
		t.Errorf("condition Running %+v, want Unknown naming the refused connection", condition)
	}
	if err := member.StartAPIServer(t.Context()); err != nil {
		t.Fatal(err)
	}
	restarted = true
	waitCluster(t, "bravo", 30*time.Second, func(c *clusterv1alpha1.Cluster) bool { return c.Status.Phase == clusterv1alpha1.ClusterRunning })
}

func TestInvalidSettingKeepsLastGoodAndSaysWhy(t *testing.T) {
	ctx := t.Context()
	waitCluster(t, "bravo", 30*time.Second, func(c *clusterv1alpha1.Cluster) bool { return c.Status.Phase == clusterv1alpha1.ClusterRunning })
	var cm corev1.ConfigMap
	key := client.ObjectKey{Namespace: "kpanda-system", Name: "bravo-setting"}
	if err := global.Get(ctx, key, &cm); err != nil {
		t.Fatal(err)
	}
	good := cm.Data["clusterSetting"]
	cm.Data["clusterSetting"] = `{"addon_setting":{"helm_operation_history_limit":-1}}`
	if err := global.Update(ctx, &cm); err != nil {
		t.Fatal(err)
	}
	cluster := waitCluster(t, "bravo", 15*time.Second, func(c *clusterv1alpha1.Cluster) bool {
		return meta.IsStatusConditionFalse(c.Status.Conditions, clusterv1alpha1.ConditionSettingValid)
	})
	condition := meta.FindStatusCondition(cluster.Status.Conditions, clusterv1alpha1.ConditionSettingValid)
	if !strings.Contains(condition.Message, "addon_setting.helm_operation_history_limit") || !strings.Contains(condition.Message, "last valid settings stay in force") {
		t.Errorf("condition message %q does not name the field and the fallback", condition.Message)
	}
	cm.Data["clusterSetting"] = good
	if err := global.Update(ctx, &cm); err != nil {
		t.Fatal(err)
	}
	waitCluster(t, "bravo", 15*time.Second, func(c *clusterv1alpha1.Cluster) bool {
		return meta.IsStatusConditionTrue(c.Status.Conditions, clusterv1alpha1.ConditionSettingValid)
	})
}

func TestDetachCleansMemberAndNamesBlockingAPIService(t *testing.T) {
	ctx := t.Context()
	member := env.Members[0]
	waitCluster(t, "alpha", 30*time.Second, func(c *clusterv1alpha1.Cluster) bool { return c.Status.Phase == clusterv1alpha1.ClusterRunning })
	if err := member.AddAPIService(ctx, localcluster.APIService{Group: "metrics.example.io", Version: "v1beta1", ServiceNamespace: "default", ServiceName: "missing"}); err != nil {
		t.Fatal(err)
	}
	if _, err := registry.Detach(ctx, "alpha", "alpha-typo"); err == nil {
		t.Fatal("detach with a wrong confirmation: want an error")
	}
	if _, err := registry.Detach(ctx, "alpha", "alpha"); err != nil {
		t.Fatal(err)
	}
	cluster := waitCluster(t, "alpha", 30*time.Second, func(c *clusterv1alpha1.Cluster) bool {
		condition := meta.FindStatusCondition(c.Status.Conditions, clusterv1alpha1.ConditionRemoved)
		return condition != nil && strings.Contains(condition.Message, "v1beta1.metrics.example.io")
	})
	if cluster.Status.Phase != clusterv1alpha1.ClusterRemoving {
		t.Errorf("phase %s while the member's namespace is Terminating, want Removing", cluster.Status.Phase)
	}
	dynamic := memberClient(t, member)
	if err := dynamic.Discovery().RESTClient().Delete().AbsPath("/apis/apiregistration.k8s.io/v1/apiservices/v1beta1.metrics.example.io").Do(ctx).Error(); err != nil {
		t.Fatalf("deleting the APIService: %v", err)
	}
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 60*time.Second, true, func(ctx context.Context) (bool, error) {
		return apierrors.IsNotFound(global.Get(ctx, client.ObjectKey{Name: "alpha"}, &clusterv1alpha1.Cluster{})), nil
	})
	if err != nil {
		t.Fatalf("cluster alpha not removed once the APIService was fixed: %v", err)
	}
	if _, err := dynamic.CoreV1().Namespaces().Get(ctx, "kpanda-system", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("kpanda-system still in the member after detach: %v", err)
	}
	for _, name := range []string{"alpha-secret", "alpha-setting"} {
		obj := client.Object(&corev1.Secret{})
		if strings.HasSuffix(name, "setting") {
			obj = &corev1.ConfigMap{}
		}
		err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
			return apierrors.IsNotFound(global.Get(ctx, client.ObjectKey{Namespace: "kpanda-system", Name: name}, obj)), nil
		})
		if err != nil {
			t.Errorf("%s still in the global cluster after detach", name)
		}
	}
}

func TestGlobalClusterCannotBeDetached(t *testing.T) {
	_, err := registry.Detach(t.Context(), clusterv1alpha1.GlobalClusterName, clusterv1alpha1.GlobalClusterName)
	var refused *integration.Error
	if !errors.As(err, &refused) || refused.Code != integration.CodeFailedPrecondition {
		t.Fatalf("want a FailedPrecondition refusal, got %v", err)
	}
	if phaseOf(t.Context(), clusterv1alpha1.GlobalClusterName) != clusterv1alpha1.ClusterRunning {
		t.Error("the global cluster is no longer Running")
	}

	// kubectl delete goes around the REST API: the admission policy refuses it too. Dry-run
	// deletes pass through admission, so trying is harmless even before the policy is active.
	globalCluster := &clusterv1alpha1.Cluster{ObjectMeta: metav1.ObjectMeta{Name: clusterv1alpha1.GlobalClusterName}}
	var deleteErr error
	_ = wait.PollUntilContextTimeout(t.Context(), 200*time.Millisecond, 15*time.Second, true, func(ctx context.Context) (bool, error) {
		deleteErr = global.Delete(ctx, globalCluster, client.DryRunAll)
		return deleteErr != nil, nil
	})
	if deleteErr == nil || !strings.Contains(deleteErr.Error(), "can never be detached") {
		t.Fatalf("deleting the global Cluster object directly: want a refusal by the admission policy, got %v", deleteErr)
	}
	member := &clusterv1alpha1.Cluster{ObjectMeta: metav1.ObjectMeta{Name: "bravo"}} // integrated by an earlier test
	if err := global.Delete(t.Context(), member, client.DryRunAll); client.IgnoreNotFound(err) != nil {
		t.Errorf("the policy must refuse only the global cluster; dry-run delete of bravo: %v", err)
	}
}
