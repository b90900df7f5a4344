package auth

import (
	"context"
	"os"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"

	"github.com/kpanda/kpanda/internal/localcluster/clustertest"
)

// All tests share one global cluster and, since Namespace is a constant, the same namespace.
// They do not run in parallel, and each one first removes what it depends on not existing.
var env clustertest.Env

func TestMain(m *testing.M) { os.Exit(env.Run(m, clustertest.Options{Members: 0})) }

func globalClient(t *testing.T) kubernetes.Interface {
	t.Helper()
	client, err := kubernetes.NewForConfig(env.Global.RESTConfig())
	if err != nil {
		t.Fatalf("client for the global cluster: %v", err)
	}
	return client
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// deleteSecret removes Secret Namespace/name if it exists.
func deleteSecret(t *testing.T, client kubernetes.Interface, name string) {
	t.Helper()
	err := client.CoreV1().Secrets(Namespace).Delete(context.Background(), name, metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		t.Fatalf("delete Secret %s/%s: %v", Namespace, name, err)
	}
}

// deleteNamespace removes Namespace and waits until it is gone, its contents with it.
func deleteNamespace(t *testing.T, client kubernetes.Interface) {
	t.Helper()
	ctx := testContext(t)
	err := client.CoreV1().Namespaces().Delete(ctx, Namespace, metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		t.Fatalf("delete namespace %s: %v", Namespace, err)
	}
	err = wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		_, err := client.CoreV1().Namespaces().Get(ctx, Namespace, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		return false, err
	})
	if err != nil {
		t.Fatalf("wait for namespace %s to be deleted: %v", Namespace, err)
	}
}

func getSecret(t *testing.T, client kubernetes.Interface, name string) *corev1.Secret {
	t.Helper()
	secret, err := client.CoreV1().Secrets(Namespace).Get(testContext(t), name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get Secret %s/%s: %v", Namespace, name, err)
	}
	return secret
}
