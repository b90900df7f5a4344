package apiclient

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"time"

	clusterv1alpha1 "github.com/kpanda/kpanda/api/cluster/v1alpha1"
)

// LoginResult is the answer to POST /login.
type LoginResult struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expiresAt"`
	// User and Groups say whom the token is for; older servers leave them out.
	User   string   `json:"user,omitempty"`
	Groups []string `json:"groups,omitempty"`
}

// IntegrateRequest is the body of POST /clusters.
type IntegrateRequest struct {
	Name  string `json:"name"`
	Alias string `json:"alias"`
	// Kubeconfig is the contents of a kubeconfig file, not its path.
	Kubeconfig string `json:"kubeconfig"`
}

// VerifyResult is what POST /verify learnt about the cluster of a kubeconfig.
type VerifyResult struct {
	Server       string `json:"server"`
	Version      string `json:"version"`
	KubeSystemID string `json:"kubeSystemID"`
}

// Login exchanges a username and password for a token. It needs no token itself, and its 401
// means a wrong username or password rather than an expired login.
func (c *Client) Login(ctx context.Context, username, password string) (*LoginResult, error) {
	out := &LoginResult{}
	body := map[string]string{"username": username, "password": password}
	err := c.do(ctx, request{method: http.MethodPost, path: "/login", body: body, out: out, anonymous: true})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListClusters returns the clusters the caller may see.
func (c *Client) ListClusters(ctx context.Context) (*clusterv1alpha1.ClusterList, error) {
	out := &clusterv1alpha1.ClusterList{}
	if err := c.do(ctx, request{method: http.MethodGet, path: "/clusters", out: out}); err != nil {
		return nil, err
	}
	return out, nil
}

// IntegrateCluster adds an existing cluster from its kubeconfig; it starts in phase Joining.
func (c *Client) IntegrateCluster(ctx context.Context, in IntegrateRequest) (*clusterv1alpha1.Cluster, error) {
	out := &clusterv1alpha1.Cluster{}
	if err := c.do(ctx, request{method: http.MethodPost, path: "/clusters", body: in, out: out}); err != nil {
		return nil, err
	}
	return out, nil
}

// VerifyKubeconfig asks the server whether it can manage the cluster of kubeconfig (file
// contents), without integrating it. A refusal is an *APIError whose Reason says which check
// failed.
func (c *Client) VerifyKubeconfig(ctx context.Context, kubeconfig string) (*VerifyResult, error) {
	out := &VerifyResult{}
	body := map[string]string{"kubeconfig": kubeconfig}
	if err := c.do(ctx, request{method: http.MethodPost, path: "/verify", body: body, out: out}); err != nil {
		return nil, err
	}
	return out, nil
}

// GetCluster returns one cluster.
func (c *Client) GetCluster(ctx context.Context, name string) (*clusterv1alpha1.Cluster, error) {
	path, err := clusterPath(name)
	if err != nil {
		return nil, err
	}
	out := &clusterv1alpha1.Cluster{}
	if err := c.do(ctx, request{method: http.MethodGet, path: path, out: out}); err != nil {
		return nil, err
	}
	return out, nil
}

// DetachCluster starts removing a cluster from kpanda (the member itself is not deleted).
// confirm must repeat the name; the server checks it too, so that a request built by mistake
// cannot detach a cluster. The answer is the cluster in phase Removing.
func (c *Client) DetachCluster(ctx context.Context, name, confirm string) (*clusterv1alpha1.Cluster, error) {
	path, err := clusterPath(name)
	if err != nil {
		return nil, err
	}
	out := &clusterv1alpha1.Cluster{}
	query := url.Values{"confirm": {confirm}}
	if err := c.do(ctx, request{method: http.MethodDelete, path: path, query: query, out: out}); err != nil {
		return nil, err
	}
	return out, nil
}

// GetClusterSettings returns the settings document of a cluster (internal/clustersetting) as
// the server sent it. It stays raw JSON so that fields this client does not know survive.
func (c *Client) GetClusterSettings(ctx context.Context, name string) (json.RawMessage, error) {
	return c.settings(ctx, http.MethodGet, name, nil)
}

// ReplaceClusterSettings stores document as the whole settings of a cluster and returns what
// was stored (defaults filled in). document is sent as is; the server reports what is wrong
// in it with the JSON path of each field.
func (c *Client) ReplaceClusterSettings(ctx context.Context, name string, document []byte) (json.RawMessage, error) {
	return c.settings(ctx, http.MethodPut, name, document)
}

// SetClusterSettings changes single settings, given as dotted paths (e.g.
// "addon_setting.helm_operation_base_image") to values written as strings, and returns the
// stored document.
func (c *Client) SetClusterSettings(ctx context.Context, name string, set map[string]string) (json.RawMessage, error) {
	return c.settings(ctx, http.MethodPatch, name, map[string]map[string]string{"set": set})
}

func (c *Client) settings(ctx context.Context, method, name string, body any) (json.RawMessage, error) {
	path, err := clusterPath(name)
	if err != nil {
		return nil, err
	}
	var out json.RawMessage
	if err := c.do(ctx, request{method: method, path: path + "/settings", body: body, out: &out}); err != nil {
		return nil, err
	}
	return out, nil
}

// clusterPath is the path of one cluster. An empty name would silently address the list.
func clusterPath(name string) (string, error) {
	if name == "" {
		return "", errors.New("the cluster name is empty")
	}
	return "/clusters/" + url.PathEscape(name), nil
}
