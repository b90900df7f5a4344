package helm

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	release "helm.sh/helm/v4/pkg/release/v1"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	helmv1alpha1 "github.com/kpanda/kpanda/api/helm/v1alpha1"
	"github.com/kpanda/kpanda/internal/helm"
	"github.com/kpanda/kpanda/internal/server/rest"
)

// RollbackRequest is the body of POST .../helmreleases/{name}/rollback.
type RollbackRequest struct {
	Revision int `json:"revision"`
}

// Operation is one HelmOperation of a release as the API shows it.
type Operation struct {
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

// OperationList is the answer of GET .../operations, newest first.
type OperationList struct {
	Items []Operation `json:"items"`
}

// Revision is one revision of Helm's history of a release.
type Revision struct {
	Revision     int       `json:"revision"`
	Status       string    `json:"status"`
	Chart        string    `json:"chart"`
	ChartVersion string    `json:"chartVersion"`
	AppVersion   string    `json:"appVersion,omitempty"`
	Updated      time.Time `json:"updated,omitzero"`
	Description  string    `json:"description,omitempty"`
}

// RevisionList is the answer of GET .../revisions, oldest first as `helm history`.
type RevisionList struct {
	Items []Revision `json:"items"`
}

func (h *Handler) operations(w http.ResponseWriter, r *http.Request, c *call) {
	cl, ok := c.callerClient(w)
	if !ok {
		return
	}
	var ops helmv1alpha1.HelmOperationList
	err := cl.List(r.Context(), &ops, client.InNamespace(r.PathValue("namespace")),
		client.MatchingLabels{helmv1alpha1.ReleaseLabel: r.PathValue("name")})
	if err != nil {
		rest.WriteError(w, c.MemberError(err))
		return
	}
	items := make([]Operation, 0, len(ops.Items))
	for i := range ops.Items {
		items = append(items, operationView(&ops.Items[i]))
	}
	sort.SliceStable(items, func(i, j int) bool {
		if !items[i].Created.Equal(items[j].Created) {
			return items[i].Created.After(items[j].Created)
		}
		return items[i].Name > items[j].Name
	})
	rest.WriteJSON(w, http.StatusOK, OperationList{Items: items})
}

func operationView(op *helmv1alpha1.HelmOperation) Operation {
	view := Operation{
		Name: op.Name, Type: op.Spec.Type, User: op.Spec.User, Phase: op.Status.Phase,
		Result: op.Status.Result, Revision: op.Status.Revision, ChartVersion: op.Status.ChartVersion,
		LogTail: op.Status.LogTail, Created: op.CreationTimestamp.Time, Chart: op.Spec.Chart, Executor: op.Spec.Executor,
	}
	if op.Status.StartTime != nil {
		view.Start = &op.Status.StartTime.Time
	}
	if op.Status.CompletionTime != nil {
		view.End = &op.Status.CompletionTime.Time
	}
	return view
}

// history reads Helm's own history of the release as the caller (Helm keeps it in Secrets of
// the namespace, which the caller's role must let them read).
func (c *call) history(namespace, name string) ([]*release.Release, error) {
	releases, err := helm.NewReleases(c.callerConfig(), namespace, io.Discard, nil)
	if err != nil {
		return nil, err
	}
	history, err := releases.History(name)
	if err != nil {
		return nil, c.MemberError(fmt.Errorf("reading the history of %s/%s: %w", namespace, name, err))
	}
	return history, nil
}

func (h *Handler) revisions(w http.ResponseWriter, r *http.Request, c *call) {
	cl, ok := c.callerClient(w)
	if !ok {
		return
	}
	// The release must exist as an app: Helm's history alone could be of a release kpanda
	// does not manage.
	rel, err := c.readRelease(r.Context(), cl, r)
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	history, err := c.history(rel.Namespace, rel.Name)
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	items := make([]Revision, 0, len(history))
	for _, one := range history {
		items = append(items, revisionView(one))
	}
	rest.WriteJSON(w, http.StatusOK, RevisionList{Items: items})
}

func revisionView(rel *release.Release) Revision {
	view := Revision{Revision: rel.Version}
	if rel.Info != nil {
		view.Status, view.Updated, view.Description = string(rel.Info.Status), rel.Info.LastDeployed, rel.Info.Description
	}
	if rel.Chart != nil && rel.Chart.Metadata != nil {
		md := rel.Chart.Metadata
		view.Chart, view.ChartVersion, view.AppVersion = md.Name+"-"+md.Version, md.Version, md.AppVersion
	}
	return view
}

// rollback sets the release's spec to what revision deployed (its chart version and values)
// and asks for a rollback to it, in one update: the controller turns the new generation into a
// Helm rollback, and the spec then says what runs.
func (h *Handler) rollback(w http.ResponseWriter, r *http.Request, c *call) {
	var req RollbackRequest
	if err := rest.ReadJSON(r, &req); err != nil {
		rest.WriteError(w, err)
		return
	}
	if req.Revision <= 0 {
		rest.WriteError(w, invalid("revision", "revision must be a positive Helm revision number; GET .../revisions lists them"))
		return
	}
	cl, ok := c.callerClient(w)
	if !ok {
		return
	}
	var updated *helmv1alpha1.HelmRelease
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		rel, err := c.readRelease(r.Context(), cl, r)
		if err != nil {
			return err
		}
		target, err := c.revision(rel, req.Revision)
		if err != nil {
			return err
		}
		if err := rollbackSpec(rel, target); err != nil {
			return err
		}
		c.requester(rel)
		updated = rel
		return cl.Update(r.Context(), rel)
	})
	if err != nil {
		rest.WriteError(w, c.MemberError(err))
		return
	}
	rest.WriteJSON(w, http.StatusOK, withTypeMeta(updated))
}

// revision finds revision in Helm's history of rel.
func (c *call) revision(rel *helmv1alpha1.HelmRelease, revision int) (*release.Release, error) {
	history, err := c.history(rel.Namespace, rel.Name)
	if err != nil {
		return nil, err
	}
	known := make([]string, 0, len(history))
	for _, one := range history {
		if one.Version == revision {
			return one, nil
		}
		known = append(known, strconv.Itoa(one.Version))
	}
	return nil, rest.Errorf(rest.CodeNotFound, "revision", fmt.Sprintf("app %s has no revision %d; its revisions are [%s] (kpanda app history %s)", rel.Name, revision, strings.Join(known, ", "), rel.Name))
}

// rollbackSpec makes rel's spec the one target deployed, with the rollback annotation.
func rollbackSpec(rel *helmv1alpha1.HelmRelease, target *release.Release) error {
	values := ""
	if len(target.Config) > 0 {
		data, err := yaml.Marshal(target.Config)
		if err != nil {
			return fmt.Errorf("writing the values of revision %d: %w", target.Version, err)
		}
		values = string(data)
	}
	version := rel.Spec.Chart.Version
	if target.Chart != nil && target.Chart.Metadata != nil {
		version = target.Chart.Metadata.Version
	}
	// The controller acts on a new generation only, and annotations do not make one: when the
	// spec is already what the revision deployed, a comment in the values (which Helm ignores)
	// makes the change that carries the rollback.
	if rel.Spec.Values == values && rel.Spec.Chart.Version == version {
		values = fmt.Sprintf("# rollback to revision %d\n", target.Version) + values
	}
	rel.Spec.Chart.Version, rel.Spec.Values = version, values
	if rel.Annotations == nil {
		rel.Annotations = map[string]string{}
	}
	rel.Annotations[helmv1alpha1.RollbackToAnnotation] = strconv.Itoa(target.Version)
	return nil
}
