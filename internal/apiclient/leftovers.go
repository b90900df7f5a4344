package apiclient

import (
	"context"
	"net/http"
	"net/url"
)

// AutoscalingLeftover is an autoscaling add-on's CRDs left in a cluster after the add-on was
// uninstalled (seed FAQ 9), with the number of objects of each.
type AutoscalingLeftover struct {
	Addon   string         `json:"addon"`
	CRDs    []string       `json:"crds"`
	Objects map[string]int `json:"objects"`
}

// AutoscalingLeftoverList is the leftovers of a cluster.
type AutoscalingLeftoverList struct {
	Items []AutoscalingLeftover `json:"items"`
}

// ListAutoscalingLeftovers lists the CRDs uninstalled autoscaling add-ons left in cluster.
func (c *Client) ListAutoscalingLeftovers(ctx context.Context, cluster string) (*AutoscalingLeftoverList, error) {
	out := &AutoscalingLeftoverList{}
	path, err := clusterPath(cluster)
	return out, c.get(ctx, path+"/autoscaling/leftovers", err, nil, out)
}

// DeleteAutoscalingLeftovers deletes the leftover CRDs of addon, and their objects with them.
func (c *Client) DeleteAutoscalingLeftovers(ctx context.Context, cluster, addon string) (*AutoscalingLeftover, error) {
	path, err := clusterPath(cluster)
	if err != nil {
		return nil, err
	}
	out := &AutoscalingLeftover{}
	// Naming the add-on on the command line is the confirmation the API asks for.
	query := url.Values{"confirm": {addon}}
	return out, c.do(ctx, request{method: http.MethodDelete, path: path + "/autoscaling/leftovers/" + url.PathEscape(addon), query: query, out: out})
}
