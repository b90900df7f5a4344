package member_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	clusterv1alpha1 "github.com/kpanda/kpanda/api/cluster/v1alpha1"
	helmv1alpha1 "github.com/kpanda/kpanda/api/helm/v1alpha1"
	"github.com/kpanda/kpanda/internal/clustersetting/settingtest"
	"github.com/kpanda/kpanda/internal/controller"
	"github.com/kpanda/kpanda/internal/controller/member"
	"github.com/kpanda/kpanda/internal/integration"
	"github.com/kpanda/kpanda/internal/localcluster/clustertest"
)

// clusterName is the member's name in kpanda; tester is the member-side user the tests' apps
// act as (a cluster-admin there).
const (
	clusterName = "apps"
	tester      = "kpanda:tester"
)

var (
	env    clustertest.Env
	global client.Client
	remote client.Client // the member, as its admin
)

func TestMain(m *testing.M) {
	os.Exit(env.Run(m, clustertest.Options{Members: 1, Setup: setup}))
}

// setup runs the controller-manager, integrates the member and makes tester its admin.
func setup(ctx context.Context) error {
	config := env.Global.RESTConfig()
	go func() {
		_ = controller.Run(ctx, config, controller.Options{MetricsAddr: "0", HealthAddr: "0", ProbeInterval: 2 * time.Second})
	}()
	// The global client can be built once the controller-manager installed the CRDs.
	var err error
	if err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, time.Minute, true, func(context.Context) (bool, error) {
		global, err = client.New(config, client.Options{Scheme: controller.Scheme()})
		return err == nil, nil
	}); err != nil {
		return fmt.Errorf("global client: %w", err)
	}
	if err := waitRunning(ctx, clusterv1alpha1.GlobalClusterName); err != nil {
		return err
	}
	kubeconfig, err := os.ReadFile(env.Members[0].KubeconfigPath())
	if err != nil {
		return err
	}
	if _, err := (&integration.Service{Client: global}).Integrate(ctx, integration.Request{Name: clusterName, Kubeconfig: string(kubeconfig)}); err != nil {
		return err
	}
	if err := waitRunning(ctx, clusterName); err != nil {
		return err
	}
	// The member controllers install the helm CRDs in the member once it is Running.
	if err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		remote, err = client.New(env.Members[0].RESTConfig(), client.Options{Scheme: member.Scheme()})
		return err == nil && remote.List(ctx, &helmv1alpha1.HelmRepoList{}) == nil, nil
	}); err != nil {
		return fmt.Errorf("helm CRDs in the member: %w", err)
	}
	admin := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "tester-admin"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: tester}},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"},
	}
	if err := remote.Create(ctx, admin); err != nil {
		return err
	}
	return setSetting(ctx, "addon_setting.helm_operation_executor", "local")
}

func waitRunning(ctx context.Context, name string) error {
	return wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		var cluster clusterv1alpha1.Cluster
		if err := global.Get(ctx, client.ObjectKey{Name: name}, &cluster); err != nil {
			return false, nil //nolint:nilerr // not yet, or the CRD is still being established
		}
		return cluster.Status.Phase == clusterv1alpha1.ClusterRunning, nil
	})
}

// setSetting changes one field of the member's <cluster>-setting, as an operator would. The
// controller-manager reads it asynchronously: callers wait for the behaviour they need.
func setSetting(ctx context.Context, path, value string) error {
	return settingtest.Set(ctx, global, clusterName, path, value)
}
