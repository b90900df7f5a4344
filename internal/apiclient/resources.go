package apiclient

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/kpanda/kpanda/internal/workload"
)

// The kinds of object that go with workloads, by their path segment.
const (
	Services               = "services"
	Ingresses              = "ingresses"
	ConfigMaps             = "configmaps"
	Secrets                = "secrets"
	PersistentVolumeClaims = "persistentvolumeclaims"
)

// ResourceRequest creates or replaces a Service, Ingress, ConfigMap, Secret or
// PersistentVolumeClaim: exactly one of Form and YAML. Form is the form of the kind
// (*workload.ServiceForm, *workload.ConfigMapForm, *workload.SecretForm, *workload.PVCForm);
// Ingresses have none.
type ResourceRequest struct {
	Form any    `json:"form,omitempty"`
	YAML string `json:"yaml,omitempty"`
}

// Resource is one such object with the summary of its kind; a Secret's values only when
// asked for (GetSecretValues).
type Resource struct {
	Kind      string    `json:"kind"`
	Name      string    `json:"name"`
	Namespace string    `json:"namespace"`
	Created   time.Time `json:"created"`

	Service               *workload.ServiceSummary   `json:"service,omitempty"`
	Ingress               *workload.IngressSummary   `json:"ingress,omitempty"`
	ConfigMap             *workload.ConfigMapSummary `json:"configMap,omitempty"`
	Secret                *workload.SecretSummary    `json:"secret,omitempty"`
	PersistentVolumeClaim *workload.PVCSummary       `json:"persistentVolumeClaim,omitempty"`
	Values                *workload.SecretValues     `json:"values,omitempty"`

	Object map[string]any `json:"object"`
}

// ResourceList is the objects of one kind in a namespace.
type ResourceList struct {
	Items []Resource `json:"items"`
}

// ListResources lists the objects of kind (Services, Secrets, ...) in namespace.
func (c *Client) ListResources(ctx context.Context, cluster, namespace, kind string) (*ResourceList, error) {
	out := &ResourceList{}
	path, err := namespacedPath(cluster, namespace, kind, "")
	return out, c.get(ctx, path, err, nil, out)
}

// GetResource reads one object; a Secret without its values.
func (c *Client) GetResource(ctx context.Context, cluster, namespace, kind, name string) (*Resource, error) {
	out := &Resource{}
	path, err := namespacedPath(cluster, namespace, kind, name)
	return out, c.get(ctx, path, err, nil, out)
}

// GetSecretValues reads a Secret with its values decoded, which needs the right to get
// Secrets in the member cluster.
func (c *Client) GetSecretValues(ctx context.Context, cluster, namespace, name string) (*Resource, error) {
	out := &Resource{}
	path, err := namespacedPath(cluster, namespace, Secrets, name)
	return out, c.get(ctx, path, err, url.Values{"values": {"true"}}, out)
}

// CreateResource creates an object from a form or YAML.
func (c *Client) CreateResource(ctx context.Context, cluster, namespace, kind string, in ResourceRequest) (*Resource, error) {
	return c.writeResource(ctx, http.MethodPost, cluster, namespace, kind, "", in)
}

// UpdateResource replaces an object from a form or YAML.
func (c *Client) UpdateResource(ctx context.Context, cluster, namespace, kind, name string, in ResourceRequest) (*Resource, error) {
	return c.writeResource(ctx, http.MethodPut, cluster, namespace, kind, name, in)
}

func (c *Client) writeResource(ctx context.Context, method, cluster, namespace, kind, name string, in ResourceRequest) (*Resource, error) {
	path, err := namespacedPath(cluster, namespace, kind, name)
	if err != nil {
		return nil, err
	}
	out := &Resource{}
	return out, c.do(ctx, request{method: method, path: path, body: in, out: out})
}

// DeleteResource deletes an object.
func (c *Client) DeleteResource(ctx context.Context, cluster, namespace, kind, name string) error {
	path, err := namespacedPath(cluster, namespace, kind, name)
	if err != nil {
		return err
	}
	return c.do(ctx, request{method: http.MethodDelete, path: path})
}
