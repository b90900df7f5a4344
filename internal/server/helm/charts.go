package helm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path"
	"sort"
	"strings"
	"time"

	"helm.sh/helm/v4/pkg/chart/common"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv1alpha1 "github.com/kpanda/kpanda/api/helm/v1alpha1"
	"github.com/kpanda/kpanda/internal/helm"
	"github.com/kpanda/kpanda/internal/helmoperation"
	"github.com/kpanda/kpanda/internal/server/rest"
)

// Chart reading is open to every caller who may see the cluster and is done with kpanda's own
// identity: the repos and their indexes are cluster-scoped (kpanda-system), which a user with
// only namespace roles cannot read in the member, yet that user must choose a chart to install.
// Nothing here is secret: credentials stay in their Secret.

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

// ChartList is the answer of GET /charts (newest version of each chart) and of
// GET /helmrepos/{repo}/charts/{chart} (every version, newest first). Unindexed names the repos
// whose index could not be read (not refreshed yet), which the list therefore lacks.
type ChartList struct {
	Items     []ChartVersion `json:"items"`
	Unindexed []string       `json:"unindexed,omitempty"`
}

// ChartDetail is the answer of GET .../versions/{version}: the chart's metadata, README and
// default values as the chart's author wrote them.
type ChartDetail struct {
	ChartVersion `json:",inline"`
	Metadata     *chart.Metadata `json:"metadata"`
	Readme       string          `json:"readme"`
	Values       string          `json:"values"`
}

func chartVersionOf(repo string, v *helm.ChartVersion) ChartVersion {
	return ChartVersion{
		Repo: repo, Name: v.Name, Version: v.Version, AppVersion: v.AppVersion, Description: v.Description,
		Icon: v.Icon, Keywords: v.Keywords, Deprecated: v.Deprecated, Created: v.Created,
	}
}

func (h *Handler) searchCharts(w http.ResponseWriter, r *http.Request, c *call) {
	own, err := h.asKpanda(c)
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	ctx, query := r.Context(), r.URL.Query()
	repos, err := reposToSearch(ctx, own, query.Get("repo"))
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	list := ChartList{Items: []ChartVersion{}}
	for _, repo := range repos {
		index, err := helmoperation.ReadIndex(ctx, own, repo)
		if err != nil {
			list.Unindexed = append(list.Unindexed, repo)
			continue
		}
		for _, v := range index.Search(query.Get("q")) {
			list.Items = append(list.Items, chartVersionOf(repo, &v))
		}
	}
	sort.SliceStable(list.Items, func(i, j int) bool { return list.Items[i].Name < list.Items[j].Name })
	rest.WriteJSON(w, http.StatusOK, list)
}

// reposToSearch is the one repo asked for, or every repo of the cluster, by name.
func reposToSearch(ctx context.Context, own client.Reader, only string) ([]string, error) {
	if only != "" {
		if _, err := readRepo(ctx, own, only); err != nil {
			return nil, fieldError(err, "repo")
		}
		return []string{only}, nil
	}
	var repos helmv1alpha1.HelmRepoList
	if err := own.List(ctx, &repos); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(repos.Items))
	for _, repo := range repos.Items {
		names = append(names, repo.Name)
	}
	sort.Strings(names)
	return names, nil
}

// fieldError names field in an API error made for another field.
func fieldError(err error, field string) error {
	return reshape(err, func(e *rest.Error) { e.Field = field })
}

// reshape returns a copy of err, an API error, changed by change; other errors pass as they are.
func reshape(err error, change func(*rest.Error)) error {
	var apiErr *rest.Error
	if !errors.As(err, &apiErr) {
		return err
	}
	copied := *apiErr
	change(&copied)
	return &copied
}

// readIndex reads repo's stored index; a repo that does not exist or was never indexed is
// named as field.
func readIndex(ctx context.Context, own client.Reader, repo, field string) (*helm.Index, error) {
	if _, err := readRepo(ctx, own, repo); err != nil {
		return nil, fieldError(err, field)
	}
	index, err := helmoperation.ReadIndex(ctx, own, repo)
	if apierrors.IsNotFound(err) {
		return nil, rest.Errorf(rest.CodeFailedPrecondition, field, fmt.Sprintf("helm repo %s has no chart index yet; refresh it (kpanda helm repo refresh %s) and see its status", repo, repo))
	}
	return index, err
}

func (h *Handler) chartVersions(w http.ResponseWriter, r *http.Request, c *call) {
	own, err := h.asKpanda(c)
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	repo, name := r.PathValue("repo"), r.PathValue("chart")
	index, err := readIndex(r.Context(), own, repo, "repo")
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	versions := index.Charts[name]
	if len(versions) == 0 {
		rest.WriteError(w, chartNotFound(repo, name, "chart"))
		return
	}
	list := ChartList{Items: make([]ChartVersion, 0, len(versions))}
	for i := range versions {
		list.Items = append(list.Items, chartVersionOf(repo, &versions[i]))
	}
	rest.WriteJSON(w, http.StatusOK, list)
}

func chartNotFound(repo, name, field string) error {
	return rest.Errorf(rest.CodeNotFound, field, fmt.Sprintf("chart %s is not in the index of helm repo %s; if it was just pushed, refresh the repo (kpanda helm repo refresh %s)", name, repo, repo))
}

func versionNotFound(repo, name, version, field string) error {
	return rest.Errorf(rest.CodeNotFound, field, fmt.Sprintf("chart %s/%s has no version %s in the stored index; list the versions (kpanda helm chart show %s/%s), or if it was just pushed, refresh the repo (kpanda helm repo refresh %s)", repo, name, version, repo, name, repo))
}

// findVersion looks up chart name at version (empty: the newest release) in repo's index.
func findVersion(index *helm.Index, repo, name, version, chartField, versionField string) (*helm.ChartVersion, error) {
	if len(index.Charts[name]) == 0 {
		return nil, chartNotFound(repo, name, chartField)
	}
	found, err := index.Find(name, version)
	if err != nil {
		return nil, versionNotFound(repo, name, version, versionField)
	}
	return found, nil
}

func (h *Handler) chartVersion(w http.ResponseWriter, r *http.Request, c *call) {
	own, err := h.asKpanda(c)
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	ctx, repo, name := r.Context(), r.PathValue("repo"), r.PathValue("chart")
	index, err := readIndex(ctx, own, repo, "repo")
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	version, err := findVersion(index, repo, name, r.PathValue("version"), "chart", "version")
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	access, err := helmoperation.RepoAccess(ctx, own, repo)
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	loaded, err := access.DownloadChart(ctx, version)
	if err != nil {
		rest.WriteError(w, rest.Errorf(rest.CodeUnavailable, "", err.Error()+"; check the repository (kpanda helm repo list shows its last refresh)"))
		return
	}
	rest.WriteJSON(w, http.StatusOK, ChartDetail{
		ChartVersion: chartVersionOf(repo, version), Metadata: loaded.Metadata,
		Readme: readme(loaded), Values: rawFile(loaded.Raw, "values.yaml"),
	})
}

// readme is the chart's top-level README, whatever its extension or case.
func readme(ch *chart.Chart) string {
	for _, f := range ch.Files {
		if path.Dir(f.Name) == "." && strings.HasPrefix(strings.ToUpper(f.Name), "README") {
			return string(f.Data)
		}
	}
	return ""
}

func rawFile(files []*common.File, name string) string {
	for _, f := range files {
		if f.Name == name {
			return string(f.Data)
		}
	}
	return ""
}
