package localcluster

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

// APIService describes an aggregated API to register. Pointing it at a Service that does not
// exist reproduces seed FAQ 15: the APIService turns Available=False and namespace deletion
// stalls on discovery.
type APIService struct {
	Group            string
	Version          string
	ServiceNamespace string
	ServiceName      string
}

var apiServiceResource = schema.GroupVersionResource{Group: "apiregistration.k8s.io", Version: "v1", Resource: "apiservices"}

// AddAPIService registers the aggregated API s in the cluster.
func (c *Cluster) AddAPIService(ctx context.Context, s APIService) error {
	client, err := dynamic.NewForConfig(c.config)
	if err != nil {
		return fmt.Errorf("building client: %w", err)
	}
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiregistration.k8s.io/v1",
		"kind":       "APIService",
		"metadata":   map[string]any{"name": s.Version + "." + s.Group},
		"spec": map[string]any{
			"group":                 s.Group,
			"version":               s.Version,
			"service":               map[string]any{"namespace": s.ServiceNamespace, "name": s.ServiceName},
			"insecureSkipTLSVerify": true,
			"groupPriorityMinimum":  int64(1000),
			"versionPriority":       int64(15),
		},
	}}
	if _, err := client.Resource(apiServiceResource).Create(ctx, obj, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("creating APIService %s.%s: %w", s.Version, s.Group, err)
	}
	return nil
}
