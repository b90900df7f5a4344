package apiclient

import (
	"context"
	"net/http"

	"github.com/kpanda/kpanda/internal/workload"
)

// The VerticalPodAutoscaler and CronHorizontalPodAutoscaler of a workload: add-ons' CRDs,
// one per workload, named as the workload. A cluster without the add-on answers 409 with
// reason AddonNotInstalled.

// VPAList is the VerticalPodAutoscalers of a namespace.
type VPAList struct {
	Items []workload.VPA `json:"items"`
}

// CronHPAList is the CronHorizontalPodAutoscalers of a namespace.
type CronHPAList struct {
	Items []workload.CronHPA `json:"items"`
}

// autoscalerPath is .../namespaces/{namespace}/{kind}/{name}/{autoscaler}.
func autoscalerPath(cluster, namespace, kind, name, autoscaler string) (string, error) {
	path, err := namespacedPath(cluster, namespace, kind, name)
	return path + "/" + autoscaler, err
}

// ListVPAs lists the VerticalPodAutoscalers of namespace.
func (c *Client) ListVPAs(ctx context.Context, cluster, namespace string) (*VPAList, error) {
	out := &VPAList{}
	path, err := namespacedPath(cluster, namespace, "verticalpodautoscalers", "")
	return out, c.get(ctx, path, err, nil, out)
}

// GetVPA reads the VerticalPodAutoscaler of a workload of kind (Deployments, ...).
func (c *Client) GetVPA(ctx context.Context, cluster, namespace, kind, name string) (*workload.VPA, error) {
	out := &workload.VPA{}
	path, err := autoscalerPath(cluster, namespace, kind, name, "vpa")
	return out, c.get(ctx, path, err, nil, out)
}

// PutVPA creates or replaces the VerticalPodAutoscaler of a workload.
func (c *Client) PutVPA(ctx context.Context, cluster, namespace, kind, name string, form workload.VPAForm) (*workload.VPA, error) {
	path, err := autoscalerPath(cluster, namespace, kind, name, "vpa")
	if err != nil {
		return nil, err
	}
	out := &workload.VPA{}
	return out, c.do(ctx, request{method: http.MethodPut, path: path, body: form, out: out})
}

// DeleteVPA deletes the VerticalPodAutoscaler of a workload.
func (c *Client) DeleteVPA(ctx context.Context, cluster, namespace, kind, name string) error {
	path, err := autoscalerPath(cluster, namespace, kind, name, "vpa")
	if err != nil {
		return err
	}
	return c.do(ctx, request{method: http.MethodDelete, path: path})
}

// ListCronHPAs lists the CronHorizontalPodAutoscalers of namespace.
func (c *Client) ListCronHPAs(ctx context.Context, cluster, namespace string) (*CronHPAList, error) {
	out := &CronHPAList{}
	path, err := namespacedPath(cluster, namespace, "cronhorizontalpodautoscalers", "")
	return out, c.get(ctx, path, err, nil, out)
}

// GetCronHPA reads the CronHorizontalPodAutoscaler of a workload of kind.
func (c *Client) GetCronHPA(ctx context.Context, cluster, namespace, kind, name string) (*workload.CronHPA, error) {
	out := &workload.CronHPA{}
	path, err := autoscalerPath(cluster, namespace, kind, name, "cronhpa")
	return out, c.get(ctx, path, err, nil, out)
}

// PutCronHPA creates or replaces the CronHorizontalPodAutoscaler of a workload; it scales the
// workload's HPA when the workload has one.
func (c *Client) PutCronHPA(ctx context.Context, cluster, namespace, kind, name string, form workload.CronHPAForm) (*workload.CronHPA, error) {
	path, err := autoscalerPath(cluster, namespace, kind, name, "cronhpa")
	if err != nil {
		return nil, err
	}
	out := &workload.CronHPA{}
	return out, c.do(ctx, request{method: http.MethodPut, path: path, body: form, out: out})
}

// DeleteCronHPA deletes the CronHorizontalPodAutoscaler of a workload.
func (c *Client) DeleteCronHPA(ctx context.Context, cluster, namespace, kind, name string) error {
	path, err := autoscalerPath(cluster, namespace, kind, name, "cronhpa")
	if err != nil {
		return err
	}
	return c.do(ctx, request{method: http.MethodDelete, path: path})
}
