package apiclient

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	helmv1alpha1 "github.com/kpanda/kpanda/api/helm/v1alpha1"
)

// The Helm endpoints of one cluster: chart repositories, charts, and apps (Helm releases) with
// their operations and revisions. The server checks names, URLs, values and chart versions;
// the client only sends.

// HelmRepoRequest is the body of POST /clusters/{cluster}/helmrepos. Username and Password
// are stored in a Secret of the member and never sent back.
type HelmRepoRequest struct {
	Name                  string `json:"name"`
	URL                   string `json:"url"`
	Username              string `json:"username,omitempty"`
	Password              string `json:"password,omitempty"`
	CABundle              string `json:"caBundle,omitempty"`
	InsecureSkipTLSVerify bool   `json:"insecureSkipTLSVerify,omitempty"`
}

// HelmRepo is a chart repository of a cluster and how its last refresh went.
type HelmRepo struct {
	Name                  string     `json:"name"`
	URL                   string     `json:"url"`
	Authenticated         bool       `json:"authenticated"`
	CABundle              string     `json:"caBundle,omitempty"`
	InsecureSkipTLSVerify bool       `json:"insecureSkipTLSVerify,omitempty"`
	ChartCount            int        `json:"chartCount"`
	LastRefreshTime       *time.Time `json:"lastRefreshTime,omitempty"`
	LastRefreshRequest    string     `json:"lastRefreshRequest,omitempty"`
	Ready                 bool       `json:"ready"`
	Message               string     `json:"message,omitempty"`
	CreationTimestamp     time.Time  `json:"creationTimestamp"`
}

// HelmRepoList is the answer of GET /clusters/{cluster}/helmrepos.
type HelmRepoList struct {
	Items []HelmRepo `json:"items"`
}

// ChartVersion is one version of a chart in one repo.
type ChartVersion struct {
	Repo        string    `json:"repo"`
	Name        string    `json:"name"`
	Version     string    `json:"version"`
	AppVersion  string    `json:"appVersion,omitempty"`
	Description string    `json:"description,omitempty"`
	Icon        string    `json:"icon,omitempty"`
	Keywords    []string  `json:"keywords,omitempty"`
	Deprecated  bool      `json:"deprecated,omitempty"`
	Created     time.Time `json:"created,omitzero"`
}

// ChartList is a list of chart versions; Unindexed names repos whose index could not be read.
type ChartList struct {
	Items     []ChartVersion `json:"items"`
	Unindexed []string       `json:"unindexed,omitempty"`
}

// ChartDetail is one chart version with its metadata (Chart.yaml), README and default values.
type ChartDetail struct {
	ChartVersion `json:",inline"`
	Metadata     json.RawMessage `json:"metadata"`
	Readme       string          `json:"readme"`
	Values       string          `json:"values"`
}

// InstallRequest is the body of POST .../namespaces/{ns}/helmreleases.
type InstallRequest struct {
	Name    string                `json:"name"`
	Chart   helmv1alpha1.ChartRef `json:"chart"`
	Values  string                `json:"values,omitempty"`
	Wait    bool                  `json:"wait,omitempty"`
	Atomic  bool                  `json:"atomic,omitempty"`
	Timeout string                `json:"timeout,omitempty"`
}

// UpgradeRequest is the body of PUT .../helmreleases/{name}; nil or empty fields keep the
// release's current setting.
type UpgradeRequest struct {
	Version string  `json:"version,omitempty"`
	Values  *string `json:"values,omitempty"`
	Wait    *bool   `json:"wait,omitempty"`
	Atomic  *bool   `json:"atomic,omitempty"`
	Timeout string  `json:"timeout,omitempty"`
}

// UpgradeResult is the answer of an upgrade: the release and the unified diff of its values.
type UpgradeResult struct {
	Release    *helmv1alpha1.HelmRelease `json:"release"`
	ValuesDiff string                    `json:"valuesDiff"`
}

// HelmOperation is one install, upgrade, rollback or uninstall of an app.
type HelmOperation struct {
	Name         string                      `json:"name"`
	Type         helmv1alpha1.OperationType  `json:"type"`
	User         string                      `json:"user"`
	Phase        helmv1alpha1.OperationPhase `json:"phase,omitempty"`
	Start        *time.Time                  `json:"start,omitempty"`
	End          *time.Time                  `json:"end,omitempty"`
	Result       string                      `json:"result,omitempty"`
	Revision     int                         `json:"revision,omitempty"`
	ChartVersion string                      `json:"chartVersion,omitempty"`
	LogTail      string                      `json:"logTail,omitempty"`
	Created      time.Time                   `json:"created"`
	Chart        *helmv1alpha1.ChartRef      `json:"chart,omitempty"`
	Executor     string                      `json:"executor,omitempty"`
}

// HelmOperationList is a release's operations, newest first.
type HelmOperationList struct {
	Items []HelmOperation `json:"items"`
}

// HelmRevision is one revision of Helm's history of a release.
type HelmRevision struct {
	Revision     int       `json:"revision"`
	Status       string    `json:"status"`
	Chart        string    `json:"chart"`
	ChartVersion string    `json:"chartVersion"`
	AppVersion   string    `json:"appVersion,omitempty"`
	Updated      time.Time `json:"updated,omitzero"`
	Description  string    `json:"description,omitempty"`
}

// HelmRevisionList is a release's revisions, oldest first.
type HelmRevisionList struct {
	Items []HelmRevision `json:"items"`
}

// repoPath is the path of cluster's repos, or of one of them.
func repoPath(cluster, name string) (string, error) {
	base, err := clusterPath(cluster)
	if err != nil {
		return "", err
	}
	if name == "" {
		return base + "/helmrepos", nil
	}
	return base + "/helmrepos/" + url.PathEscape(name), nil
}

// releasePath is the path of the apps of namespace (all namespaces when empty), or of one app.
func releasePath(cluster, namespace, name string) (string, error) {
	base, err := clusterPath(cluster)
	if err != nil {
		return "", err
	}
	if namespace == "" {
		if name != "" {
			return "", errors.New("the namespace is empty")
		}
		return base + "/helmreleases", nil
	}
	path := base + "/namespaces/" + url.PathEscape(namespace) + "/helmreleases"
	if name != "" {
		path += "/" + url.PathEscape(name)
	}
	return path, nil
}

// get is a GET of path into out, after the path was built without error.
func (c *Client) get(ctx context.Context, path string, pathErr error, query url.Values, out any) error {
	if pathErr != nil {
		return pathErr
	}
	return c.do(ctx, request{method: http.MethodGet, path: path, query: query, out: out})
}

// AddHelmRepo adds a chart repository to cluster.
func (c *Client) AddHelmRepo(ctx context.Context, cluster string, in HelmRepoRequest) (*HelmRepo, error) {
	path, err := repoPath(cluster, "")
	if err != nil {
		return nil, err
	}
	out := &HelmRepo{}
	return out, c.do(ctx, request{method: http.MethodPost, path: path, body: in, out: out})
}

// ListHelmRepos lists cluster's chart repositories.
func (c *Client) ListHelmRepos(ctx context.Context, cluster string) (*HelmRepoList, error) {
	out := &HelmRepoList{}
	path, err := repoPath(cluster, "")
	return out, c.get(ctx, path, err, nil, out)
}

// GetHelmRepo reads one repository.
func (c *Client) GetHelmRepo(ctx context.Context, cluster, name string) (*HelmRepo, error) {
	out := &HelmRepo{}
	path, err := repoPath(cluster, name)
	return out, c.get(ctx, path, err, nil, out)
}

// DeleteHelmRepo removes a repository and its stored credentials.
func (c *Client) DeleteHelmRepo(ctx context.Context, cluster, name string) error {
	path, err := repoPath(cluster, name)
	if err != nil {
		return err
	}
	return c.do(ctx, request{method: http.MethodDelete, path: path})
}

// RefreshHelmRepo asks for a refresh of the repository's index; with wait, the server waits
// (up to 30 s) for it and the answer is its outcome.
func (c *Client) RefreshHelmRepo(ctx context.Context, cluster, name string, wait bool) (*HelmRepo, error) {
	path, err := repoPath(cluster, name)
	if err != nil {
		return nil, err
	}
	out := &HelmRepo{}
	query := url.Values{"wait": {strconv.FormatBool(wait)}}
	return out, c.do(ctx, request{method: http.MethodPost, path: path + "/refresh", query: query, out: out})
}

// SearchCharts lists the newest version of each chart of cluster's repos (or of repo only)
// whose name, description or keywords contain query.
func (c *Client) SearchCharts(ctx context.Context, cluster, repo, query string) (*ChartList, error) {
	out := &ChartList{}
	base, err := clusterPath(cluster)
	params := url.Values{}
	if repo != "" {
		params.Set("repo", repo)
	}
	if query != "" {
		params.Set("q", query)
	}
	return out, c.get(ctx, base+"/charts", err, params, out)
}

// ChartVersions lists every version of chart in repo, newest first.
func (c *Client) ChartVersions(ctx context.Context, cluster, repo, chart string) (*ChartList, error) {
	out := &ChartList{}
	path, err := repoPath(cluster, repo)
	if err == nil && (repo == "" || chart == "") {
		err = errors.New("give the chart as REPO/CHART")
	}
	return out, c.get(ctx, path+"/charts/"+url.PathEscape(chart), err, nil, out)
}

// ShowChart reads one chart version's metadata, README and default values.
func (c *Client) ShowChart(ctx context.Context, cluster, repo, chart, version string) (*ChartDetail, error) {
	out := &ChartDetail{}
	path, err := repoPath(cluster, repo)
	if err == nil && (repo == "" || chart == "" || version == "") {
		err = errors.New("give the chart as REPO/CHART and its version")
	}
	return out, c.get(ctx, path+"/charts/"+url.PathEscape(chart)+"/versions/"+url.PathEscape(version), err, nil, out)
}

// InstallApp creates an app; the controller-manager then installs it.
func (c *Client) InstallApp(ctx context.Context, cluster, namespace string, in InstallRequest) (*helmv1alpha1.HelmRelease, error) {
	path, err := releasePath(cluster, namespace, "")
	if err == nil && namespace == "" {
		err = errors.New("the namespace is empty")
	}
	if err != nil {
		return nil, err
	}
	out := &helmv1alpha1.HelmRelease{}
	return out, c.do(ctx, request{method: http.MethodPost, path: path, body: in, out: out})
}

// ListApps lists the apps of namespace, or of every namespace when it is empty.
func (c *Client) ListApps(ctx context.Context, cluster, namespace string) (*helmv1alpha1.HelmReleaseList, error) {
	out := &helmv1alpha1.HelmReleaseList{}
	path, err := releasePath(cluster, namespace, "")
	return out, c.get(ctx, path, err, nil, out)
}

// GetApp reads one app, spec and status.
func (c *Client) GetApp(ctx context.Context, cluster, namespace, name string) (*helmv1alpha1.HelmRelease, error) {
	out := &helmv1alpha1.HelmRelease{}
	path, err := appPath(cluster, namespace, name)
	return out, c.get(ctx, path, err, nil, out)
}

func appPath(cluster, namespace, name string) (string, error) {
	if name == "" {
		return "", errors.New("the app name is empty")
	}
	return releasePath(cluster, namespace, name)
}

// UpgradeApp changes an app's chart version, values or options.
func (c *Client) UpgradeApp(ctx context.Context, cluster, namespace, name string, in UpgradeRequest) (*UpgradeResult, error) {
	path, err := appPath(cluster, namespace, name)
	if err != nil {
		return nil, err
	}
	out := &UpgradeResult{}
	return out, c.do(ctx, request{method: http.MethodPut, path: path, body: in, out: out})
}

// RollbackApp returns an app to a Helm revision.
func (c *Client) RollbackApp(ctx context.Context, cluster, namespace, name string, revision int) (*helmv1alpha1.HelmRelease, error) {
	path, err := appPath(cluster, namespace, name)
	if err != nil {
		return nil, err
	}
	out := &helmv1alpha1.HelmRelease{}
	body := map[string]int{"revision": revision}
	return out, c.do(ctx, request{method: http.MethodPost, path: path + "/rollback", body: body, out: out})
}

// UninstallApp deletes an app; the controller-manager uninstalls it.
func (c *Client) UninstallApp(ctx context.Context, cluster, namespace, name string) error {
	path, err := appPath(cluster, namespace, name)
	if err != nil {
		return err
	}
	return c.do(ctx, request{method: http.MethodDelete, path: path})
}

// AppOperations lists an app's operations, newest first.
func (c *Client) AppOperations(ctx context.Context, cluster, namespace, name string) (*HelmOperationList, error) {
	out := &HelmOperationList{}
	path, err := appPath(cluster, namespace, name)
	return out, c.get(ctx, path+"/operations", err, nil, out)
}

// AppRevisions lists Helm's revisions of an app, oldest first.
func (c *Client) AppRevisions(ctx context.Context, cluster, namespace, name string) (*HelmRevisionList, error) {
	out := &HelmRevisionList{}
	path, err := appPath(cluster, namespace, name)
	return out, c.get(ctx, path+"/revisions", err, nil, out)
}
