package apiclient

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// MultiClusterItem is one object of a list across clusters.
type MultiClusterItem struct {
	Cluster   string            `json:"cluster"`
	Namespace string            `json:"namespace"`
	Name      string            `json:"name"`
	Kind      string            `json:"kind"`
	Labels    map[string]string `json:"labels,omitempty"`
	Created   time.Time         `json:"created"`
	Status    string            `json:"status"`
	Ready     string            `json:"ready,omitempty"`
	Node      string            `json:"node,omitempty"`
	Restarts  int32             `json:"restarts,omitempty"`
}

// UnavailableCluster is a cluster a list across clusters lacks, and why.
type UnavailableCluster struct {
	Cluster string `json:"cluster"`
	Message string `json:"message"`
}

// MultiClusterPage is one page of a list across clusters.
type MultiClusterPage struct {
	Items       []MultiClusterItem   `json:"items"`
	Continue    string               `json:"continue,omitempty"`
	Total       int                  `json:"total"`
	Unavailable []UnavailableCluster `json:"unavailable,omitempty"`
}

// MultiClusterQuery filters a list across clusters; empty fields do not filter.
type MultiClusterQuery struct {
	Clusters      []string
	Namespaces    []string
	LabelSelector string
	Name          string
	Limit         int
	Continue      string
}

// ListAcrossClusters lists resource (pods, deployments, ...) in every cluster the caller sees.
func (c *Client) ListAcrossClusters(ctx context.Context, resource string, q MultiClusterQuery) (*MultiClusterPage, error) {
	query := url.Values{}
	setIf := func(key, value string) {
		if value != "" {
			query.Set(key, value)
		}
	}
	setIf("cluster", strings.Join(q.Clusters, ","))
	setIf("namespace", strings.Join(q.Namespaces, ","))
	setIf("labelSelector", q.LabelSelector)
	setIf("name", q.Name)
	setIf("continue", q.Continue)
	if q.Limit > 0 {
		query.Set("limit", strconv.Itoa(q.Limit))
	}
	out := &MultiClusterPage{}
	return out, c.get(ctx, "/multicluster/"+url.PathEscape(resource), nil, query, out)
}
