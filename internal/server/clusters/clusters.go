// Package clusters serves the cluster resource of the REST API: list, get, integrate, verify a
// kubeconfig, detach, and each cluster's settings.
package clusters

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	clusterv1alpha1 "github.com/kpanda/kpanda/api/cluster/v1alpha1"
	memberclusters "github.com/kpanda/kpanda/internal/clusters"
	"github.com/kpanda/kpanda/internal/clustersetting"
	"github.com/kpanda/kpanda/internal/integration"
	"github.com/kpanda/kpanda/internal/server/iam"
	"github.com/kpanda/kpanda/internal/server/rest"
)

// Handler serves /apis/kpanda.io/v1alpha1/clusters and /verify.
type Handler struct {
	// Client reads and writes the global cluster.
	Client   client.Client
	Registry *integration.Service
}

// Register adds the routes under prefix (".../v1alpha1"). Reading a cluster takes seeing it
// (DESIGN §3); integrating, detaching and changing settings take the platform role admin or
// kpanda-owner.
func (h *Handler) Register(mux *http.ServeMux, prefix string) {
	mux.HandleFunc("GET "+prefix+"/clusters", h.list)
	mux.HandleFunc("POST "+prefix+"/clusters", h.owner(h.integrate))
	mux.HandleFunc("POST "+prefix+"/verify", h.owner(h.verify))
	mux.HandleFunc("GET "+prefix+"/clusters/{name}", h.visible(h.get))
	mux.HandleFunc("DELETE "+prefix+"/clusters/{name}", h.owner(h.detach))
	mux.HandleFunc("GET "+prefix+"/clusters/{name}/settings", h.visible(h.getSettings))
	mux.HandleFunc("PUT "+prefix+"/clusters/{name}/settings", h.owner(h.putSettings))
	mux.HandleFunc("PATCH "+prefix+"/clusters/{name}/settings", h.owner(h.patchSettings))
}

// owner admits callers with the platform role admin or kpanda-owner.
func (h *Handler) owner(next http.HandlerFunc) http.HandlerFunc {
	return iam.RequirePlatformAdmin(h.Client, "integrate, detach or configure clusters", next)
}

// visible answers 404 for a cluster the caller cannot see, as for one that does not exist, so
// that cluster names do not leak.
func (h *Handler) visible(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		snapshot, err := iam.CallerSnapshot(r, h.Client)
		if err != nil {
			rest.WriteError(w, err)
			return
		}
		name := r.PathValue("name")
		if !snapshot.CanSee(rest.IdentityFrom(r.Context()).User, name) {
			rest.WriteError(w, notFound(name))
			return
		}
		next(w, r)
	}
}

func notFound(name string) error {
	return rest.Errorf(rest.CodeNotFound, "name", fmt.Sprintf("cluster %s not found; GET /clusters lists the clusters", name))
}

// List is the answer of GET /clusters.
type List struct {
	Items []clusterv1alpha1.Cluster `json:"items"`
}

// list answers the clusters the caller may see (seed FAQ 2).
func (h *Handler) list(w http.ResponseWriter, r *http.Request) {
	var clusters clusterv1alpha1.ClusterList
	if err := h.Client.List(r.Context(), &clusters); err != nil {
		rest.WriteError(w, err)
		return
	}
	snapshot, err := iam.CallerSnapshot(r, h.Client)
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	user := rest.IdentityFrom(r.Context()).User
	items := []clusterv1alpha1.Cluster{}
	for _, c := range clusters.Items {
		if snapshot.CanSee(user, c.Name) {
			items = append(items, c)
		}
	}
	sort.Slice(items, func(i, j int) bool { return items[i].Name < items[j].Name })
	for i := range items {
		withTypeMeta(&items[i])
	}
	rest.WriteJSON(w, http.StatusOK, List{Items: items})
}

func (h *Handler) get(w http.ResponseWriter, r *http.Request) {
	cluster, err := h.cluster(r.Context(), r.PathValue("name"))
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	rest.WriteJSON(w, http.StatusOK, cluster)
}

func (h *Handler) integrate(w http.ResponseWriter, r *http.Request) {
	var req integration.Request
	if err := rest.ReadJSON(r, &req); err != nil {
		rest.WriteError(w, err)
		return
	}
	cluster, err := h.Registry.Integrate(r.Context(), req)
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	rest.WriteJSON(w, http.StatusCreated, withTypeMeta(cluster))
}

// VerifyRequest is the body of POST /verify.
type VerifyRequest struct {
	Kubeconfig string `json:"kubeconfig"`
}

// VerifyResult is what POST /verify learnt of a reachable cluster.
type VerifyResult struct {
	Server       string `json:"server"`
	Version      string `json:"version"`
	KubeSystemID string `json:"kubeSystemID"`
}

func (h *Handler) verify(w http.ResponseWriter, r *http.Request) {
	var req VerifyRequest
	if err := rest.ReadJSON(r, &req); err != nil {
		rest.WriteError(w, err)
		return
	}
	facts, err := memberclusters.Verify(r.Context(), []byte(req.Kubeconfig))
	if err != nil {
		rest.WriteError(w, integration.VerifyFailed(err))
		return
	}
	rest.WriteJSON(w, http.StatusOK, VerifyResult{Server: facts.Server, Version: facts.Version, KubeSystemID: facts.KubeSystemUID})
}

func (h *Handler) detach(w http.ResponseWriter, r *http.Request) {
	cluster, err := h.Registry.Detach(r.Context(), r.PathValue("name"), r.URL.Query().Get("confirm"))
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	rest.WriteJSON(w, http.StatusAccepted, withTypeMeta(cluster))
}

func (h *Handler) cluster(ctx context.Context, name string) (*clusterv1alpha1.Cluster, error) {
	var cluster clusterv1alpha1.Cluster
	if err := h.Client.Get(ctx, client.ObjectKey{Name: name}, &cluster); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, notFound(name)
		}
		return nil, err
	}
	return withTypeMeta(&cluster), nil
}

// withTypeMeta fills apiVersion and kind, which the client leaves empty, so that a cluster
// printed with -o json is a complete object.
func withTypeMeta(cluster *clusterv1alpha1.Cluster) *clusterv1alpha1.Cluster {
	cluster.APIVersion = clusterv1alpha1.GroupVersion.String()
	cluster.Kind = "Cluster"
	return cluster
}

// settingConfigMap reads the setting ConfigMap of a cluster that exists.
func (h *Handler) settingConfigMap(ctx context.Context, name string) (*corev1.ConfigMap, error) {
	if _, err := h.cluster(ctx, name); err != nil {
		return nil, err
	}
	var cm corev1.ConfigMap
	key := client.ObjectKey{Namespace: clustersetting.Namespace, Name: clustersetting.ConfigMapName(name)}
	if err := h.Client.Get(ctx, key, &cm); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, rest.Errorf(rest.CodeUnavailable, "", fmt.Sprintf("cluster %s has no settings yet (ConfigMap %s); the controller-manager creates them: try again in a moment", name, key))
		}
		return nil, err
	}
	return &cm, nil
}

func (h *Handler) getSettings(w http.ResponseWriter, r *http.Request) {
	cm, err := h.settingConfigMap(r.Context(), r.PathValue("name"))
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	// The stored document as it is, even if invalid: the user must see what is there to fix it.
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(cm.Data[clustersetting.DataKey]))
}

func (h *Handler) putSettings(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	setting, err := clustersetting.Parse(body)
	if err != nil {
		rest.WriteError(w, settingRefused(err))
		return
	}
	h.storeSetting(w, r, true, func(clustersetting.Setting) (clustersetting.Setting, error) { return setting, nil })
}

// PatchRequest is the body of PATCH /clusters/{name}/settings: dotted paths and their values.
type PatchRequest struct {
	Set map[string]string `json:"set"`
}

func (h *Handler) patchSettings(w http.ResponseWriter, r *http.Request) {
	var req PatchRequest
	if err := rest.ReadJSON(r, &req); err != nil {
		rest.WriteError(w, err)
		return
	}
	if len(req.Set) == 0 {
		rest.WriteError(w, rest.Errorf(rest.CodeInvalidArgument, "set", `set: give at least one "path": "value", e.g. {"set": {"addon_setting.helm_operation_base_image": "registry.local/kpanda/kpanda-shell:v0.1.0"}}`))
		return
	}
	h.storeSetting(w, r, false, func(current clustersetting.Setting) (clustersetting.Setting, error) {
		return applySets(current, req.Set)
	})
}

// applySets applies the assignments in path order, then checks the rules between fields.
func applySets(setting clustersetting.Setting, sets map[string]string) (clustersetting.Setting, error) {
	paths := make([]string, 0, len(sets))
	for path := range sets {
		paths = append(paths, path)
	}
	sort.Strings(paths)
	var err error
	for _, path := range paths {
		if setting, err = clustersetting.Set(setting, path, sets[path]); err != nil {
			return setting, settingRefused(err)
		}
	}
	if err := setting.Validate(); err != nil {
		return setting, settingRefused(err)
	}
	return setting, nil
}

// storeSetting reads the cluster's setting, changes it with change and writes it back; a
// concurrent edit makes it start over rather than lose that edit. A refused change leaves the
// ConfigMap as it was. Only a change that replaces the whole document (replacesWhole) may
// proceed when the stored one is invalid; editing fields of an invalid document would guess.
func (h *Handler) storeSetting(w http.ResponseWriter, r *http.Request, replacesWhole bool, change func(clustersetting.Setting) (clustersetting.Setting, error)) {
	ctx, name := r.Context(), r.PathValue("name")
	var stored []byte
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		cm, err := h.settingConfigMap(ctx, name)
		if err != nil {
			return err
		}
		current, err := clustersetting.Parse([]byte(cm.Data[clustersetting.DataKey]))
		if err != nil && !replacesWhole {
			return rest.Errorf(rest.CodeFailedPrecondition, "", fmt.Sprintf(
				"the stored settings of cluster %s are invalid (%v); replace the whole document (kpanda cluster settings set %s --file F)", name, err, name))
		}
		next, err := change(current)
		if err != nil {
			return err
		}
		if stored, err = clustersetting.Marshal(next); err != nil {
			return settingRefused(err)
		}
		if cm.Data == nil {
			cm.Data = map[string]string{}
		}
		cm.Data[clustersetting.DataKey] = string(stored)
		return h.Client.Update(ctx, cm)
	})
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(stored)
}

func settingRefused(err error) error {
	var fieldErr *clustersetting.FieldError
	field := ""
	if errors.As(err, &fieldErr) {
		field = fieldErr.Path
	}
	return rest.Errorf(rest.CodeInvalidArgument, field, "settings refused, nothing was changed: "+err.Error())
}

func readBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, 1<<20))
	if err != nil {
		return nil, rest.Errorf(rest.CodeInvalidArgument, "", "request body: "+err.Error())
	}
	return body, nil
}
