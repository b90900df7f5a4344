package workloads_test

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
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/controller-runtime/pkg/client"

	clusterv1alpha1 "github.com/kpanda/kpanda/api/cluster/v1alpha1"
	"github.com/kpanda/kpanda/internal/apiclient"
	"github.com/kpanda/kpanda/internal/controller"
	"github.com/kpanda/kpanda/internal/localcluster/clustertest"
	"github.com/kpanda/kpanda/internal/server"
)

// cluster is the member's name in kpanda; namespace is where the tests run workloads.
const (
	cluster   = "work"
	namespace = "shop"
)

var (
	env     clustertest.Env
	baseURL string
	admin   *apiclient.Client
	// adminToken is admin's bearer token, for requests the typed client does not send.
	adminToken string
	kube       kubernetes.Interface // the member, as its own admin: to check the world
	dyn        dynamic.Interface    // the same, untyped: to see which fields are stored
)

func TestMain(m *testing.M) {
	os.Exit(env.Run(m, clustertest.Options{Members: 1, Setup: setup}))
}

// setup runs the controller-manager and the apiserver, integrates the member through the REST
// API and waits until the bootstrap admin's platform role reached the member's RBAC.
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
	global, err := client.New(config, client.Options{Scheme: controller.Scheme()})
	if err != nil {
		return err
	}
	result, err := apiclient.New(apiclient.Config{Server: baseURL}).Login(ctx, "admin", s.AdminPassword)
	if err != nil {
		return fmt.Errorf("login admin: %w", err)
	}
	adminToken = result.Token
	admin = apiclient.New(apiclient.Config{Server: baseURL, Token: adminToken})
	kubeconfig, err := os.ReadFile(env.Members[0].KubeconfigPath())
	if err != nil {
		return err
	}
	if _, err := admin.IntegrateCluster(ctx, apiclient.IntegrateRequest{Name: cluster, Kubeconfig: string(kubeconfig)}); err != nil {
		return fmt.Errorf("integrating: %w", err)
	}
	if kube, err = kubernetes.NewForConfig(env.Members[0].RESTConfig()); err != nil {
		return err
	}
	if dyn, err = dynamic.NewForConfig(env.Members[0].RESTConfig()); err != nil {
		return err
	}
	if err := waitRunning(ctx, global); err != nil {
		return err
	}
	if _, err := kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}, metav1.CreateOptions{}); err != nil {
		return err
	}
	return waitAllowed(ctx, "kpanda:admin", "create", "apps", "deployments", namespace)
}

func login(ctx context.Context, user, password string) (*apiclient.Client, error) {
	result, err := apiclient.New(apiclient.Config{Server: baseURL}).Login(ctx, user, password)
	if err != nil {
		return nil, fmt.Errorf("login %s: %w", user, err)
	}
	return apiclient.New(apiclient.Config{Server: baseURL, Token: result.Token}), nil
}

func waitRunning(ctx context.Context, global client.Client) error {
	return wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
		var c clusterv1alpha1.Cluster
		return global.Get(ctx, client.ObjectKey{Name: cluster}, &c) == nil && c.Status.Phase == clusterv1alpha1.ClusterRunning, nil
	})
}

// waitAllowed waits until the member lets user do verb on group/resource in ns.
func waitAllowed(ctx context.Context, user, verb, group, resource, ns string) error {
	return wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		review := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
			User:               user,
			ResourceAttributes: &authorizationv1.ResourceAttributes{Namespace: ns, Verb: verb, Group: group, Resource: resource},
		}}
		result, err := kube.AuthorizationV1().SubjectAccessReviews().Create(ctx, review, metav1.CreateOptions{})
		return err == nil && result.Status.Allowed, nil
	})
}
