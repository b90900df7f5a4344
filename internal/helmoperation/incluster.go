package helmoperation

import (
	"context"
	"fmt"
	"io"

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv1alpha1 "github.com/kpanda/kpanda/api/helm/v1alpha1"
)

// RunInCluster is what the Job of the job executor runs: the Runner with the pod's service
// account, which may read repos and report on operations, and impersonate only the operation's
// user (DESIGN §4).
func RunInCluster(ctx context.Context, namespace, name string, log io.Writer) error {
	config, err := rest.InClusterConfig()
	if err != nil {
		return fmt.Errorf("kpanda helm-operation run works only inside a pod of the member cluster: %w", err)
	}
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return err
	}
	if err := helmv1alpha1.AddToScheme(scheme); err != nil {
		return err
	}
	c, err := client.New(config, client.Options{Scheme: scheme})
	if err != nil {
		return fmt.Errorf("client of the member cluster: %w", err)
	}
	return (&Runner{Client: c, Config: config, Log: log}).Run(ctx, namespace, name)
}
