package auth

import (
	"context"
	"os"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"

	iamv1alpha1 "github.com/kpanda/kpanda/api/iam/v1alpha1"
	crdmanifests "github.com/kpanda/kpanda/config/crd"
	"github.com/kpanda/kpanda/internal/crd"
	"github.com/kpanda/kpanda/internal/localcluster/clustertest"
)

// All tests share one global cluster and, since Namespace is a constant, the same namespace.
// They do not run in parallel, and each one first removes what it depends on not existing.
var env clustertest.Env

func TestMain(m *testing.M) {
	os.Exit(env.Run(m, clustertest.Options{Members: 0, Setup: func(ctx context.Context) error {
		return crd.Install(ctx, env.Global.RESTConfig(), crdmanifests.Manifests, crdmanifests.Global) // the User kind
	}}))
}

var scheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		panic(err)
	}
	if err := iamv1alpha1.AddToScheme(s); err != nil {
		panic(err)
	}
	return s
}()

func globalClient(t *testing.T) client.Client {
	t.Helper()
	c, err := client.New(env.Global.RESTConfig(), client.Options{Scheme: scheme})
	if err != nil {
		t.Fatalf("client for the global cluster: %v", err)
	}
	return c
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// deleteSecret removes Secret Namespace/name if it exists.
func deleteSecret(t *testing.T, c client.Client, name string) {
	t.Helper()
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: Namespace, Name: name}}
	if err := c.Delete(context.Background(), secret); client.IgnoreNotFound(err) != nil {
		t.Fatalf("delete Secret %s/%s: %v", Namespace, name, err)
	}
}

// deleteUser removes the User of name, its Secret with it, and waits until both are gone.
func deleteUser(t *testing.T, c client.Client, name string) {
	t.Helper()
	u := &iamv1alpha1.User{ObjectMeta: metav1.ObjectMeta{Name: UserObjectName(name)}}
	if err := c.Delete(context.Background(), u); client.IgnoreNotFound(err) != nil {
		t.Fatalf("delete User %s: %v", name, err)
	}
	deleteSecret(t, c, userSecretName(name))
	waitGone(t, c, client.ObjectKey{Name: u.Name}, &iamv1alpha1.User{})
}

// waitGone waits until the object of key does not exist.
func waitGone(t *testing.T, c client.Client, key client.ObjectKey, obj client.Object) {
	t.Helper()
	// Not the test's context: cleanups call this after it ended.
	err := wait.PollUntilContextTimeout(context.Background(), 100*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		err := c.Get(ctx, key, obj)
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		return false, err
	})
	if err != nil {
		t.Fatalf("wait for %T %s to be deleted: %v", obj, key, err)
	}
}

// deleteNamespace removes Namespace and waits until it is gone, its contents with it.
func deleteNamespace(t *testing.T, c client.Client) {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: Namespace}}
	if err := c.Delete(testContext(t), ns); client.IgnoreNotFound(err) != nil {
		t.Fatalf("delete namespace %s: %v", Namespace, err)
	}
	waitGone(t, c, client.ObjectKey{Name: Namespace}, &corev1.Namespace{})
}

func getSecret(t *testing.T, c client.Client, name string) *corev1.Secret {
	t.Helper()
	secret := &corev1.Secret{}
	if err := c.Get(testContext(t), client.ObjectKey{Namespace: Namespace, Name: name}, secret); err != nil {
		t.Fatalf("get Secret %s/%s: %v", Namespace, name, err)
	}
	return secret
}

func getUserObject(t *testing.T, c client.Client, name string) *iamv1alpha1.User {
	t.Helper()
	u := &iamv1alpha1.User{}
	if err := c.Get(testContext(t), client.ObjectKey{Name: UserObjectName(name)}, u); err != nil {
		t.Fatalf("get User %s: %v", name, err)
	}
	return u
}
