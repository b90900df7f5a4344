package apiclient

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/kpanda/kpanda/internal/workload"
)

// Workload kinds by their path segment.
const (
	Deployments  = "deployments"
	StatefulSets = "statefulsets"
	DaemonSets   = "daemonsets"
	Jobs         = "jobs"
	CronJobs     = "cronjobs"
)

// Namespace is a namespace of a member cluster.
type Namespace struct {
	Name    string            `json:"name"`
	Status  string            `json:"status"`
	Labels  map[string]string `json:"labels,omitempty"`
	Created time.Time         `json:"created"`
}

// NamespaceList is the namespaces of a cluster the caller may see.
type NamespaceList struct {
	Items []Namespace `json:"items"`
}

// NamespaceRequest creates a namespace, with a ResourceQuota when Quota is set.
type NamespaceRequest struct {
	Name   string            `json:"name"`
	Labels map[string]string `json:"labels,omitempty"`
	Quota  map[string]string `json:"quota,omitempty"`
}

// WorkloadRequest creates or replaces a workload: exactly one of Form and YAML.
type WorkloadRequest struct {
	Form *workload.Form `json:"form,omitempty"`
	YAML string         `json:"yaml,omitempty"`
}

// Workload is a workload with its status word (Running, Waiting, Completed, ...).
type Workload struct {
	Kind        string    `json:"kind"`
	Name        string    `json:"name"`
	Namespace   string    `json:"namespace"`
	Status      string    `json:"status"`
	Description string    `json:"description,omitempty"`
	Created     time.Time `json:"created"`
	// Scheduling is the pod template's scheduling policies, nil when it has none.
	Scheduling *workload.Scheduling `json:"scheduling,omitempty"`
	Object     map[string]any       `json:"object"`
}

// WorkloadList is the workloads of one kind in a namespace.
type WorkloadList struct {
	Items []Workload `json:"items"`
}

// Pod is a pod with kubectl's status word.
type Pod struct {
	Name     string          `json:"name"`
	Status   string          `json:"status"`
	Ready    string          `json:"ready"`
	Restarts int32           `json:"restarts"`
	Node     string          `json:"node,omitempty"`
	Created  time.Time       `json:"created"`
	Object   json.RawMessage `json:"object"`
}

// PodList is the pods of a namespace.
type PodList struct {
	Items []Pod `json:"items"`
}

// Event is one event of a pod.
type Event struct {
	Type    string    `json:"type"`
	Reason  string    `json:"reason"`
	Message string    `json:"message"`
	Count   int32     `json:"count"`
	Last    time.Time `json:"last"`
}

// EventList is the events of a pod, oldest first.
type EventList struct {
	Items []Event `json:"items"`
}

// CRD is a custom resource definition of a cluster.
type CRD struct {
	Name     string   `json:"name"`
	Group    string   `json:"group"`
	Kind     string   `json:"kind"`
	Plural   string   `json:"plural"`
	Scope    string   `json:"scope"`
	Versions []string `json:"versions"`
}

// CRDList is the CRDs of a cluster.
type CRDList struct {
	Items []CRD `json:"items"`
}

// CustomResourceList is custom resources as Kubernetes objects.
type CustomResourceList struct {
	Items []map[string]any `json:"items"`
}

// ListNamespaces lists the namespaces of cluster the caller may see.
func (c *Client) ListNamespaces(ctx context.Context, cluster string) (*NamespaceList, error) {
	out := &NamespaceList{}
	base, err := clusterPath(cluster)
	return out, c.get(ctx, base+"/namespaces", err, nil, out)
}

// CreateNamespace creates a namespace in cluster.
func (c *Client) CreateNamespace(ctx context.Context, cluster string, in NamespaceRequest) (*Namespace, error) {
	base, err := clusterPath(cluster)
	if err != nil {
		return nil, err
	}
	out := &Namespace{}
	return out, c.do(ctx, request{method: http.MethodPost, path: base + "/namespaces", body: in, out: out})
}

// namespacedPath is .../clusters/{cluster}/namespaces/{namespace}/{collection}[/{name}].
func namespacedPath(cluster, namespace, collection, name string) (string, error) {
	base, err := clusterPath(cluster)
	if err != nil {
		return "", err
	}
	if namespace == "" {
		return "", errors.New("the namespace is empty")
	}
	path := base + "/namespaces/" + url.PathEscape(namespace) + "/" + collection
	if name != "" {
		path += "/" + url.PathEscape(name)
	}
	return path, nil
}

// ListWorkloads lists the workloads of kind (Deployments, Jobs, ...) in namespace.
func (c *Client) ListWorkloads(ctx context.Context, cluster, namespace, kind string) (*WorkloadList, error) {
	out := &WorkloadList{}
	path, err := namespacedPath(cluster, namespace, kind, "")
	return out, c.get(ctx, path, err, nil, out)
}

// GetWorkload reads one workload.
func (c *Client) GetWorkload(ctx context.Context, cluster, namespace, kind, name string) (*Workload, error) {
	out := &Workload{}
	path, err := namespacedPath(cluster, namespace, kind, name)
	return out, c.get(ctx, path, err, nil, out)
}

// CreateWorkload creates a workload from a form or YAML.
func (c *Client) CreateWorkload(ctx context.Context, cluster, namespace, kind string, in WorkloadRequest) (*Workload, error) {
	return c.writeWorkload(ctx, http.MethodPost, cluster, namespace, kind, "", in)
}

// UpdateWorkload replaces a workload from a form or YAML.
func (c *Client) UpdateWorkload(ctx context.Context, cluster, namespace, kind, name string, in WorkloadRequest) (*Workload, error) {
	return c.writeWorkload(ctx, http.MethodPut, cluster, namespace, kind, name, in)
}

func (c *Client) writeWorkload(ctx context.Context, method, cluster, namespace, kind, name string, in WorkloadRequest) (*Workload, error) {
	path, err := namespacedPath(cluster, namespace, kind, name)
	if err != nil {
		return nil, err
	}
	out := &Workload{}
	return out, c.do(ctx, request{method: method, path: path, body: in, out: out})
}

// DeleteWorkload deletes a workload and, in the background, its pods.
func (c *Client) DeleteWorkload(ctx context.Context, cluster, namespace, kind, name string) error {
	path, err := namespacedPath(cluster, namespace, kind, name)
	if err != nil {
		return err
	}
	return c.do(ctx, request{method: http.MethodDelete, path: path})
}

// WorkloadAction runs action (scale, restart, rollback, pause, resume) on a workload; body is
// the action's request ({"replicas": n}, {"revision": n}) or nil.
func (c *Client) WorkloadAction(ctx context.Context, cluster, namespace, kind, name, action string, body any) (*Workload, error) {
	path, err := namespacedPath(cluster, namespace, kind, name)
	if err != nil {
		return nil, err
	}
	if body == nil {
		body = map[string]any{}
	}
	out := &Workload{}
	return out, c.do(ctx, request{method: http.MethodPost, path: path + "/" + action, body: body, out: out})
}

// ListPods lists the pods of namespace, those matching labelSelector when it is not empty.
func (c *Client) ListPods(ctx context.Context, cluster, namespace, labelSelector string) (*PodList, error) {
	out := &PodList{}
	path, err := namespacedPath(cluster, namespace, "pods", "")
	var query url.Values
	if labelSelector != "" {
		query = url.Values{"labelSelector": {labelSelector}}
	}
	return out, c.get(ctx, path, err, query, out)
}

// GetPod reads one pod.
func (c *Client) GetPod(ctx context.Context, cluster, namespace, name string) (*Pod, error) {
	out := &Pod{}
	path, err := namespacedPath(cluster, namespace, "pods", name)
	return out, c.get(ctx, path, err, nil, out)
}

// PodEvents lists the events of a pod.
func (c *Client) PodEvents(ctx context.Context, cluster, namespace, name string) (*EventList, error) {
	out := &EventList{}
	path, err := namespacedPath(cluster, namespace, "pods", name)
	return out, c.get(ctx, path+"/events", err, nil, out)
}

// PodLog reads the log of container (may be empty for a pod of one container), its last
// tailLines lines when tailLines > 0.
func (c *Client) PodLog(ctx context.Context, cluster, namespace, name, container string, tailLines int) (string, error) {
	path, err := namespacedPath(cluster, namespace, "pods", name)
	if err != nil {
		return "", err
	}
	query := url.Values{}
	if container != "" {
		query.Set("container", container)
	}
	if tailLines > 0 {
		query.Set("tailLines", strconv.Itoa(tailLines))
	}
	return c.text(ctx, request{method: http.MethodGet, path: path + "/log", query: query})
}

// text sends r and returns a 2xx body as text.
func (c *Client) text(ctx context.Context, r request) (string, error) {
	if c.setupErr != nil {
		return "", c.setupErr
	}
	req, err := c.newRequest(ctx, r)
	if err != nil {
		return "", err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return "", transportError(ctx, c.server, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return "", transportError(ctx, c.server, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		apiErr := decodeAPIError(c.server, resp.StatusCode, body)
		if resp.StatusCode == http.StatusUnauthorized {
			return "", wrapUnauthenticated(apiErr)
		}
		return "", apiErr
	}
	return string(body), nil
}

// ListCRDs lists the custom resource definitions of cluster.
func (c *Client) ListCRDs(ctx context.Context, cluster string) (*CRDList, error) {
	out := &CRDList{}
	base, err := clusterPath(cluster)
	return out, c.get(ctx, base+"/customresourcedefinitions", err, nil, out)
}

// customPath is .../customresources/{group}/{version}/{plural}[/namespaces/{ns}][/{name}];
// group "" is the core group.
func customPath(cluster, group, version, plural, namespace, name string) (string, error) {
	base, err := clusterPath(cluster)
	if err != nil {
		return "", err
	}
	if group == "" {
		group = "core"
	}
	path := base + "/customresources/" + url.PathEscape(group) + "/" + url.PathEscape(version) + "/" + url.PathEscape(plural)
	if namespace != "" {
		path += "/namespaces/" + url.PathEscape(namespace)
	}
	if name != "" {
		path += "/" + url.PathEscape(name)
	}
	return path, nil
}

// ListCustomResources lists the objects of group/version/plural (in namespace, or cluster-wide
// when it is empty).
func (c *Client) ListCustomResources(ctx context.Context, cluster, group, version, plural, namespace string) (*CustomResourceList, error) {
	out := &CustomResourceList{}
	path, err := customPath(cluster, group, version, plural, namespace, "")
	return out, c.get(ctx, path, err, nil, out)
}

// GetCustomResource reads one object.
func (c *Client) GetCustomResource(ctx context.Context, cluster, group, version, plural, namespace, name string) (map[string]any, error) {
	out := map[string]any{}
	path, err := customPath(cluster, group, version, plural, namespace, name)
	return out, c.get(ctx, path, err, nil, &out)
}

// CreateCustomResource creates an object from its YAML.
func (c *Client) CreateCustomResource(ctx context.Context, cluster, group, version, plural, namespace, yaml string) (map[string]any, error) {
	path, err := customPath(cluster, group, version, plural, namespace, "")
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	return out, c.do(ctx, request{method: http.MethodPost, path: path, body: map[string]string{"yaml": yaml}, out: &out})
}

// DeleteCustomResource deletes one object.
func (c *Client) DeleteCustomResource(ctx context.Context, cluster, group, version, plural, namespace, name string) error {
	path, err := customPath(cluster, group, version, plural, namespace, name)
	if err != nil {
		return err
	}
	return c.do(ctx, request{method: http.MethodDelete, path: path})
}
