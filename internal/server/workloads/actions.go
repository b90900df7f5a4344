package workloads

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/kpanda/kpanda/internal/server/caller"
	"github.com/kpanda/kpanda/internal/server/rest"
)

// Annotations the Kubernetes controllers and kubectl use.
const (
	// restartedAtAnnotation is what `kubectl rollout restart` sets on the pod template.
	restartedAtAnnotation = "kubectl.kubernetes.io/restartedAt"
	// revisionAnnotation numbers a Deployment's ReplicaSets: its revisions.
	revisionAnnotation = "deployment.kubernetes.io/revision"
)

func deploymentActions(h *Handler, k *kind) map[string]serveFunc {
	return map[string]serveFunc{
		"scale":    h.forKind(k, h.scale),
		"restart":  h.forKind(k, h.restart),
		"rollback": h.forKind(k, h.rollback),
		"pause":    h.forKind(k, h.setField(true, "spec", "paused")),
		"resume":   h.forKind(k, h.setField(false, "spec", "paused")),
	}
}

func statefulSetActions(h *Handler, k *kind) map[string]serveFunc {
	return map[string]serveFunc{"scale": h.forKind(k, h.scale), "restart": h.forKind(k, h.restart)}
}

func daemonSetActions(h *Handler, k *kind) map[string]serveFunc {
	return map[string]serveFunc{"restart": h.forKind(k, h.restart)}
}

// cronJobActions stop and start the schedule: a suspended CronJob is Stopped.
func cronJobActions(h *Handler, k *kind) map[string]serveFunc {
	return map[string]serveFunc{
		"pause":  h.forKind(k, h.setField(true, "spec", "suspend")),
		"resume": h.forKind(k, h.setField(false, "spec", "suspend")),
	}
}

// nested builds {"a": {"b": value}} from path a, b.
func nested(value any, path ...string) map[string]any {
	out := map[string]any{path[len(path)-1]: value}
	for i := len(path) - 2; i >= 0; i-- {
		out = map[string]any{path[i]: out}
	}
	return out
}

// patch merge-patches the workload of the route as the caller (subresource optional) and
// answers the result.
func (h *Handler) patch(w http.ResponseWriter, r *http.Request, c *caller.Call, k *kind, body map[string]any, subresource ...string) {
	data, err := json.Marshal(body)
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	dyn, err := c.Dynamic()
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	resource := dyn.Resource(k.gvr).Namespace(r.PathValue("namespace"))
	if _, err := resource.Patch(r.Context(), r.PathValue("name"), types.MergePatchType, data, metav1.PatchOptions{}, subresource...); err != nil {
		fail(w, c, err)
		return
	}
	// The answer is the workload, also after a patch of its scale.
	u, err := resource.Get(r.Context(), r.PathValue("name"), metav1.GetOptions{})
	if err != nil {
		fail(w, c, err)
		return
	}
	answer(w, http.StatusOK, k, u)
}

// setField sets one boolean of the spec (pause, resume).
func (h *Handler) setField(value bool, path ...string) func(http.ResponseWriter, *http.Request, *caller.Call, *kind) {
	return func(w http.ResponseWriter, r *http.Request, c *caller.Call, k *kind) {
		h.patch(w, r, c, k, nested(value, path...))
	}
}

// ScaleRequest is the body of .../scale.
type ScaleRequest struct {
	Replicas *int32 `json:"replicas"`
}

// scale sets the replicas through the scale subresource, as kubectl scale does, so that a role
// allowed only to scale may.
func (h *Handler) scale(w http.ResponseWriter, r *http.Request, c *caller.Call, k *kind) {
	var req ScaleRequest
	if err := rest.ReadJSON(r, &req); err != nil {
		rest.WriteError(w, err)
		return
	}
	if req.Replicas == nil || *req.Replicas < 0 {
		rest.WriteError(w, rest.Errorf(rest.CodeInvalidArgument, "replicas", "is required and must be 0 or more"))
		return
	}
	h.patch(w, r, c, k, nested(*req.Replicas, "spec", "replicas"), "scale")
}

// restart changes the pod template's restartedAt annotation, as kubectl rollout restart does:
// the controller replaces every pod.
func (h *Handler) restart(w http.ResponseWriter, r *http.Request, c *caller.Call, k *kind) {
	now := time.Now().UTC().Format(time.RFC3339)
	h.patch(w, r, c, k, nested(map[string]string{restartedAtAnnotation: now}, k.templatePath("metadata", "annotations")...))
}

// RollbackRequest is the body of .../rollback.
type RollbackRequest struct {
	// Revision to go back to; 0 is the one before the current, as kubectl rollout undo.
	Revision int64 `json:"revision"`
}

// rollback puts the pod template of an earlier revision back, as kubectl rollout undo: the
// revisions are the Deployment's ReplicaSets, numbered by their revision annotation.
func (h *Handler) rollback(w http.ResponseWriter, r *http.Request, c *caller.Call, k *kind) {
	var req RollbackRequest
	if err := rest.ReadJSON(r, &req); err != nil {
		rest.WriteError(w, err)
		return
	}
	kube, err := c.Kubernetes()
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	namespace, name := r.PathValue("namespace"), r.PathValue("name")
	deployment, err := kube.AppsV1().Deployments(namespace).Get(r.Context(), name, metav1.GetOptions{})
	if err != nil {
		fail(w, c, err)
		return
	}
	if deployment.Spec.Paused {
		rest.WriteError(w, rest.Errorf(rest.CodeFailedPrecondition, "", fmt.Sprintf("deployment %s is paused; resume it before rolling back", name)))
		return
	}
	target, err := revisionTemplate(r.Context(), kube, deployment, req.Revision)
	if err != nil {
		fail(w, c, err)
		return
	}
	// A JSON patch replacing the template, as kubectl rollout undo sends: unlike an update it
	// does not conflict with the controllers, which write the Deployment's status all the time.
	patch, err := json.Marshal([]map[string]any{{"op": "replace", "path": "/spec/template", "value": target}})
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	if _, err := kube.AppsV1().Deployments(namespace).Patch(r.Context(), name, types.JSONPatchType, patch, metav1.PatchOptions{}); err != nil {
		fail(w, c, err)
		return
	}
	h.get(w, r, c, k)
}

// revisionTemplate is the pod template of revision of d (0: the previous one).
func revisionTemplate(ctx context.Context, kube kubernetes.Interface, d *appsv1.Deployment, revision int64) (*corev1.PodTemplateSpec, error) {
	selector, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil {
		return nil, fmt.Errorf("selector of deployment %s: %w", d.Name, err)
	}
	sets, err := kube.AppsV1().ReplicaSets(d.Namespace).List(ctx, metav1.ListOptions{LabelSelector: selector.String()})
	if err != nil {
		return nil, err
	}
	revisions := ownedRevisions(d, sets.Items)
	if len(revisions) == 0 {
		return nil, rest.Errorf(rest.CodeFailedPrecondition, "revision", fmt.Sprintf("deployment %s has no revisions yet", d.Name))
	}
	current := revisions[len(revisions)-1]
	if revision == 0 {
		if len(revisions) < 2 {
			return nil, rest.Errorf(rest.CodeFailedPrecondition, "revision", fmt.Sprintf("deployment %s has no revision before %d to go back to", d.Name, current.number))
		}
		revision = revisions[len(revisions)-2].number
	}
	for _, rev := range revisions {
		if rev.number == revision {
			template := rev.set.Spec.Template.DeepCopy()
			// The ReplicaSet's own hash label is the controller's, not part of the template.
			delete(template.Labels, appsv1.DefaultDeploymentUniqueLabelKey)
			return template, nil
		}
	}
	known := make([]string, 0, len(revisions))
	for _, rev := range revisions {
		known = append(known, strconv.FormatInt(rev.number, 10))
	}
	return nil, rest.Errorf(rest.CodeNotFound, "revision", fmt.Sprintf("deployment %s has no revision %d; it has %v", d.Name, revision, known))
}

type revision struct {
	number int64
	set    *appsv1.ReplicaSet
}

// ownedRevisions are the ReplicaSets d controls, oldest revision first.
func ownedRevisions(d *appsv1.Deployment, sets []appsv1.ReplicaSet) []revision {
	var out []revision
	for i := range sets {
		owner := metav1.GetControllerOf(&sets[i])
		if owner == nil || owner.UID != d.UID {
			continue
		}
		number, err := strconv.ParseInt(sets[i].Annotations[revisionAnnotation], 10, 64)
		if err != nil {
			continue
		}
		out = append(out, revision{number: number, set: &sets[i]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].number < out[j].number })
	return out
}
