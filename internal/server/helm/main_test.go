package helm_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/controller-runtime/pkg/client"

	clusterv1alpha1 "github.com/kpanda/kpanda/api/cluster/v1alpha1"
	helmv1alpha1 "github.com/kpanda/kpanda/api/helm/v1alpha1"
	"github.com/kpanda/kpanda/internal/apiclient"
	"github.com/kpanda/kpanda/internal/clustersetting"
	"github.com/kpanda/kpanda/internal/clustersetting/settingtest"
	"github.com/kpanda/kpanda/internal/controller"
	"github.com/kpanda/kpanda/internal/controller/member"
	"github.com/kpanda/kpanda/internal/localcluster/clustertest"
	"github.com/kpanda/kpanda/internal/server"
)

// cluster is the member's name in kpanda; namespace is where the tests install apps.
const (
	cluster   = "apps"
	namespace = "shop"
)

var (
	env     clustertest.Env
	baseURL string
	admin   *apiclient.Client
	global  client.Client
	remote  client.Client        // the member, as its own admin: to check the world
	kube    kubernetes.Interface // the same, typed
)

func TestMain(m *testing.M) {
	os.Exit(env.Run(m, clustertest.Options{Members: 1, Setup: setup}))
}

// setup runs the controller-manager and the apiserver, integrates the member through the REST
// API, switches it to the local executor (its simulated nodes run no Job containers) and waits
// until the bootstrap admin's platform role reached the member's RBAC.
func setup(ctx context.Context) error {
	config := env.Global.RESTConfig()
	go func() {
		_ = controller.Run(ctx, config, controller.Options{MetricsAddr: "0", HealthAddr: "0", ProbeInterval: 2 * time.Second})
	}()
	s, err := server.New(ctx, config, server.Options{Listen: "127.0.0.1:0"})
	if err != nil {
		return err
	}
	go func() { _ = s.Serve(ctx) }()
	baseURL = s.URL()
	if global, err = client.New(config, client.Options{Scheme: controller.Scheme()}); err != nil {
		return err
	}
	if admin, err = login(ctx, "admin", s.AdminPassword); err != nil {
		return err
	}
	kubeconfig, err := os.ReadFile(env.Members[0].KubeconfigPath())
	if err != nil {
		return err
	}
	if _, err := admin.IntegrateCluster(ctx, apiclient.IntegrateRequest{Name: cluster, Kubeconfig: string(kubeconfig)}); err != nil {
		return fmt.Errorf("integrating: %w", err)
	}
	if err := connectMember(ctx); err != nil {
		return err
	}
	if err := setSetting(ctx, "addon_setting.helm_operation_executor", "local"); err != nil {
		return err
	}
	if _, err := kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}, metav1.CreateOptions{}); err != nil {
		return err
	}
	return waitAllowed(ctx, "kpanda:admin", "create", "helmrepos", "")
}

func login(ctx context.Context, user, password string) (*apiclient.Client, error) {
	anonymous := apiclient.New(apiclient.Config{Server: baseURL})
	result, err := anonymous.Login(ctx, user, password)
	if err != nil {
		return nil, fmt.Errorf("login %s: %w", user, err)
	}
	return apiclient.New(apiclient.Config{Server: baseURL, Token: result.Token}), nil
}

// connectMember waits for the member to be Running with the helm CRDs installed and its
// settings written.
func connectMember(ctx context.Context) error {
	var err error
	if kube, err = kubernetes.NewForConfig(env.Members[0].RESTConfig()); err != nil {
		return err
	}
	return wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
		return memberReady(ctx), nil
	})
}

// memberReady says whether the member is Running, serves the helm CRDs (the member controllers
// install them once it is Running) and has its settings.
func memberReady(ctx context.Context) bool {
	var c clusterv1alpha1.Cluster
	if global.Get(ctx, client.ObjectKey{Name: cluster}, &c) != nil || c.Status.Phase != clusterv1alpha1.ClusterRunning {
		return false
	}
	var err error
	if remote, err = client.New(env.Members[0].RESTConfig(), client.Options{Scheme: member.Scheme()}); err != nil {
		return false
	}
	var cm corev1.ConfigMap
	return remote.List(ctx, &helmv1alpha1.HelmRepoList{}) == nil &&
		global.Get(ctx, client.ObjectKey{Namespace: clustersetting.Namespace, Name: clustersetting.ConfigMapName(cluster)}, &cm) == nil
}

// waitAllowed waits until the member lets user do verb on resource (in namespace).
func waitAllowed(ctx context.Context, user, verb, resource, ns string) error {
	return wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		review := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
			User:               user,
			ResourceAttributes: &authorizationv1.ResourceAttributes{Namespace: ns, Verb: verb, Group: "helm.kpanda.io", Resource: resource},
		}}
		result, err := kube.AuthorizationV1().SubjectAccessReviews().Create(ctx, review, metav1.CreateOptions{})
		return err == nil && result.Status.Allowed, nil
	})
}

// setSetting changes one field of the member's <cluster>-setting, as an operator would.
func setSetting(ctx context.Context, path, value string) error {
	return settingtest.Set(ctx, global, cluster, path, value)
}
