package helm

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv1alpha1 "github.com/kpanda/kpanda/api/helm/v1alpha1"
	"github.com/kpanda/kpanda/internal/clusters"
	"github.com/kpanda/kpanda/internal/server/rest"
)

// InstallRequest is the body of POST .../helmreleases. Values is a YAML document; Timeout a
// duration such as "5m" (empty: Helm's default). Atomic implies Wait.
type InstallRequest struct {
	Name    string                `json:"name"`
	Chart   helmv1alpha1.ChartRef `json:"chart"`
	Values  string                `json:"values,omitempty"`
	Wait    bool                  `json:"wait,omitempty"`
	Atomic  bool                  `json:"atomic,omitempty"`
	Timeout string                `json:"timeout,omitempty"`
}

// UpgradeRequest is the body of PUT .../helmreleases/{name}: what to change; a field left out
// keeps the release's current setting.
type UpgradeRequest struct {
	// Version is the chart version to upgrade to.
	Version string  `json:"version,omitempty"`
	Values  *string `json:"values,omitempty"`
	Wait    *bool   `json:"wait,omitempty"`
	Atomic  *bool   `json:"atomic,omitempty"`
	Timeout string  `json:"timeout,omitempty"`
}

// UpgradeResult is the answer of PUT: the release and how its values changed (a unified diff,
// empty when they did not).
type UpgradeResult struct {
	Release    *helmv1alpha1.HelmRelease `json:"release"`
	ValuesDiff string                    `json:"valuesDiff"`
}

// ReleaseList is the answer of GET .../helmreleases.
type ReleaseList struct {
	Items []helmv1alpha1.HelmRelease `json:"items"`
}

// withTypeMeta fills apiVersion and kind, which the client leaves empty.
func withTypeMeta(rel *helmv1alpha1.HelmRelease) *helmv1alpha1.HelmRelease {
	rel.APIVersion, rel.Kind = helmv1alpha1.GroupVersion.String(), "HelmRelease"
	return rel
}

func releaseNotFound(namespace, name string) error {
	return rest.Errorf(rest.CodeNotFound, "name", fmt.Sprintf("app %s not found in namespace %s; GET .../namespaces/%s/helmreleases lists the apps there", name, namespace, namespace))
}

// requester stamps rel with the caller as the user whose rights its next operation uses: the
// last one to change an app is the one it acts for.
func (c *call) requester(rel *helmv1alpha1.HelmRelease) {
	if rel.Annotations == nil {
		rel.Annotations = map[string]string{}
	}
	rel.Annotations[helmv1alpha1.RequestedByAnnotation] = clusters.UserPrefix + c.User
	if len(c.Groups) == 0 {
		delete(rel.Annotations, helmv1alpha1.RequestedGroupsAnnotation)
		return
	}
	rel.Annotations[helmv1alpha1.RequestedGroupsAnnotation] = strings.Join(prefixed(c.Groups), ",")
}

func checkInstall(req *InstallRequest) error {
	if err := checkReleaseName(req.Name); err != nil {
		return err
	}
	if req.Chart.Repo == "" {
		return invalid("chart.repo", "chart.repo is required: the name of one of the cluster's helm repos")
	}
	if req.Chart.Name == "" {
		return invalid("chart.name", "chart.name is required: the chart's name in its repo")
	}
	return checkValues(req.Values)
}

func (h *Handler) install(w http.ResponseWriter, r *http.Request, c *call) {
	var req InstallRequest
	if err := rest.ReadJSON(r, &req); err != nil {
		rest.WriteError(w, err)
		return
	}
	rel, err := h.newRelease(r.Context(), c, r.PathValue("namespace"), &req)
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	cl, ok := c.callerClient(w)
	if !ok {
		return
	}
	// With the finalizer already there, the controller's first step is the install itself.
	rel.Finalizers = append(rel.Finalizers, helmv1alpha1.UninstallFinalizer)
	if err := cl.Create(r.Context(), rel); err != nil {
		rest.WriteError(w, createError(c, rel, err))
		return
	}
	rest.WriteJSON(w, http.StatusCreated, withTypeMeta(rel))
}

// newRelease checks req and builds its HelmRelease, the chart version pinned to what the index
// lists now so that a later push does not change what an upgrade of other settings installs.
func (h *Handler) newRelease(ctx context.Context, c *call, namespace string, req *InstallRequest) (*helmv1alpha1.HelmRelease, error) {
	if err := checkInstall(req); err != nil {
		return nil, err
	}
	timeout, err := parseTimeout(req.Timeout)
	if err != nil {
		return nil, err
	}
	version, err := h.resolveVersion(ctx, c, req.Chart)
	if err != nil {
		return nil, err
	}
	rel := &helmv1alpha1.HelmRelease{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: req.Name},
		Spec: helmv1alpha1.HelmReleaseSpec{
			Chart:  helmv1alpha1.ChartRef{Repo: req.Chart.Repo, Name: req.Chart.Name, Version: version},
			Values: req.Values, Wait: req.Wait || req.Atomic, Atomic: req.Atomic,
		},
	}
	if timeout != nil {
		rel.Spec.Timeout = &metav1.Duration{Duration: *timeout}
	}
	c.requester(rel)
	return rel, nil
}

// resolveVersion checks that ref is in the stored index and returns its exact version.
func (h *Handler) resolveVersion(ctx context.Context, c *call, ref helmv1alpha1.ChartRef) (string, error) {
	own, err := h.asKpanda(c)
	if err != nil {
		return "", err
	}
	index, err := readIndex(ctx, own, ref.Repo, "chart.repo")
	if err != nil {
		return "", err
	}
	found, err := findVersion(index, ref.Repo, ref.Name, ref.Version, "chart.name", "chart.version")
	if err != nil {
		return "", fieldCode(err, rest.CodeInvalidArgument)
	}
	return found.Version, nil
}

// fieldCode changes the code of an API error: a missing chart is a 404 when it is the path's
// resource, but a bad field of a request body otherwise.
func fieldCode(err error, code int) error {
	return reshape(err, func(e *rest.Error) { e.Code = code })
}

func createError(c *call, rel *helmv1alpha1.HelmRelease, err error) error {
	switch {
	case apierrors.IsAlreadyExists(err):
		return rest.Errorf(rest.CodeAlreadyExists, "name", fmt.Sprintf("app %s already exists in namespace %s; upgrade it, or uninstall it first", rel.Name, rel.Namespace))
	case apierrors.IsNotFound(err):
		return rest.Errorf(rest.CodeNotFound, "namespace", fmt.Sprintf("namespace %s does not exist in cluster %s", rel.Namespace, c.Cluster))
	}
	return c.MemberError(err)
}

func (h *Handler) listReleases(w http.ResponseWriter, r *http.Request, c *call) {
	h.writeReleases(w, r, c, client.InNamespace(r.PathValue("namespace")))
}

// listAllReleases lists the apps of every namespace; only callers who may list them
// cluster-wide can.
func (h *Handler) listAllReleases(w http.ResponseWriter, r *http.Request, c *call) {
	h.writeReleases(w, r, c)
}

func (h *Handler) writeReleases(w http.ResponseWriter, r *http.Request, c *call, opts ...client.ListOption) {
	cl, ok := c.callerClient(w)
	if !ok {
		return
	}
	var list helmv1alpha1.HelmReleaseList
	if err := cl.List(r.Context(), &list, opts...); err != nil {
		rest.WriteError(w, c.MemberError(err))
		return
	}
	items := list.Items
	if items == nil {
		items = []helmv1alpha1.HelmRelease{}
	}
	sort.Slice(items, func(i, j int) bool {
		if items[i].Namespace != items[j].Namespace {
			return items[i].Namespace < items[j].Namespace
		}
		return items[i].Name < items[j].Name
	})
	for i := range items {
		withTypeMeta(&items[i])
	}
	rest.WriteJSON(w, http.StatusOK, ReleaseList{Items: items})
}

// readRelease reads the release of the path as the caller.
func (c *call) readRelease(ctx context.Context, cl client.Reader, r *http.Request) (*helmv1alpha1.HelmRelease, error) {
	namespace, name := r.PathValue("namespace"), r.PathValue("name")
	var rel helmv1alpha1.HelmRelease
	if err := cl.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, &rel); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, releaseNotFound(namespace, name)
		}
		return nil, c.MemberError(err)
	}
	return withTypeMeta(&rel), nil
}

func (h *Handler) getRelease(w http.ResponseWriter, r *http.Request, c *call) {
	cl, ok := c.callerClient(w)
	if !ok {
		return
	}
	rel, err := c.readRelease(r.Context(), cl, r)
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	rest.WriteJSON(w, http.StatusOK, rel)
}

func (h *Handler) upgrade(w http.ResponseWriter, r *http.Request, c *call) {
	var req UpgradeRequest
	if err := rest.ReadJSON(r, &req); err != nil {
		rest.WriteError(w, err)
		return
	}
	if err := checkUpgrade(&req); err != nil {
		rest.WriteError(w, err)
		return
	}
	cl, ok := c.callerClient(w)
	if !ok {
		return
	}
	var result UpgradeResult
	// A concurrent change (the controller's finalizer or rollback bookkeeping) makes it start
	// over from the newest object rather than lose that change.
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		rel, err := c.readRelease(r.Context(), cl, r)
		if err != nil {
			return err
		}
		oldValues := rel.Spec.Values
		if err := h.applyUpgrade(r.Context(), c, rel, &req); err != nil {
			return err
		}
		c.requester(rel)
		if err := cl.Update(r.Context(), rel); err != nil {
			return err
		}
		result = UpgradeResult{Release: withTypeMeta(rel), ValuesDiff: unifiedDiff("values (before)", "values (after)", oldValues, rel.Spec.Values)}
		return nil
	})
	if err != nil {
		rest.WriteError(w, c.MemberError(err))
		return
	}
	rest.WriteJSON(w, http.StatusOK, result)
}

func checkUpgrade(req *UpgradeRequest) error {
	if req.Values != nil {
		if err := checkValues(*req.Values); err != nil {
			return err
		}
	}
	_, err := parseTimeout(req.Timeout)
	return err
}

// applyUpgrade changes rel's spec as req asks.
func (h *Handler) applyUpgrade(ctx context.Context, c *call, rel *helmv1alpha1.HelmRelease, req *UpgradeRequest) error {
	if req.Version != "" {
		ref := rel.Spec.Chart
		ref.Version = req.Version
		version, err := h.resolveVersion(ctx, c, ref)
		if err != nil {
			return fieldRename(err, "chart.version", "version")
		}
		rel.Spec.Chart.Version = version
	}
	if req.Values != nil {
		rel.Spec.Values = *req.Values
	}
	if req.Wait != nil {
		rel.Spec.Wait = *req.Wait
	}
	if req.Atomic != nil {
		rel.Spec.Atomic = *req.Atomic
	}
	rel.Spec.Wait = rel.Spec.Wait || rel.Spec.Atomic
	if timeout, _ := parseTimeout(req.Timeout); timeout != nil {
		rel.Spec.Timeout = &metav1.Duration{Duration: *timeout}
	}
	return nil
}

// fieldRename renames field from to to in an API error: the upgrade body calls the chart
// version "version".
func fieldRename(err error, from, to string) error {
	return reshape(err, func(e *rest.Error) {
		if e.Field == from {
			e.Field = to
		}
	})
}

// uninstall deletes the HelmRelease: its controller uninstalls the Helm release, and the
// deletion completes within a bound whatever happens (seed FAQ 5).
func (h *Handler) uninstall(w http.ResponseWriter, r *http.Request, c *call) {
	cl, ok := c.callerClient(w)
	if !ok {
		return
	}
	rel, err := c.readRelease(r.Context(), cl, r)
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	// The controller uninstalls as the user named on the release: the one who asks it now.
	base := rel.DeepCopy()
	c.requester(rel)
	if err := cl.Patch(r.Context(), rel, client.MergeFrom(base)); err != nil {
		rest.WriteError(w, c.MemberError(err))
		return
	}
	if err := cl.Delete(r.Context(), rel); err != nil {
		if apierrors.IsNotFound(err) {
			rest.WriteError(w, releaseNotFound(rel.Namespace, rel.Name))
			return
		}
		rest.WriteError(w, c.MemberError(err))
		return
	}
	rest.WriteJSON(w, http.StatusAccepted, withTypeMeta(rel))
}
