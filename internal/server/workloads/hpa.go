package workloads

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/util/retry"

	"github.com/kpanda/kpanda/internal/server/caller"
	"github.com/kpanda/kpanda/internal/server/rest"
	"github.com/kpanda/kpanda/internal/workload"
)

// hpaRoutes are the routes of a kind's HorizontalPodAutoscaler: .../{name}/hpa. Every kind
// has them so that a kind that cannot be autoscaled is told so by name.
func hpaRoutes(h *Handler, k *kind, item string) map[string]serveFunc {
	return map[string]serveFunc{
		"GET " + item + "/hpa":    h.forKind(k, h.getHPA),
		"PUT " + item + "/hpa":    h.forKind(k, h.putHPA),
		"DELETE " + item + "/hpa": h.forKind(k, h.deleteHPA),
	}
}

// HPAList is the answer of a list of HPAs.
type HPAList struct {
	Items []workload.HPA `json:"items"`
}

func (h *Handler) listHPAs(w http.ResponseWriter, r *http.Request, c *caller.Call) {
	kube, err := c.Kubernetes()
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	list, err := kube.AutoscalingV2().HorizontalPodAutoscalers(r.PathValue("namespace")).List(r.Context(), metav1.ListOptions{})
	if err != nil {
		fail(w, c, err)
		return
	}
	out := HPAList{Items: make([]workload.HPA, 0, len(list.Items))}
	for i := range list.Items {
		out.Items = append(out.Items, workload.HPAOf(&list.Items[i]))
	}
	rest.WriteJSON(w, http.StatusOK, out)
}

// getHPA answers the workload's HPA: the one of its name, as PUT makes it.
func (h *Handler) getHPA(w http.ResponseWriter, r *http.Request, c *caller.Call, k *kind) {
	kube, err := c.Kubernetes()
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	hpa, err := kube.AutoscalingV2().HorizontalPodAutoscalers(r.PathValue("namespace")).Get(r.Context(), r.PathValue("name"), metav1.GetOptions{})
	if err != nil {
		fail(w, c, err)
		return
	}
	if !workload.Targets(hpa, k.name, hpa.Name) {
		rest.WriteError(w, rest.Errorf(rest.CodeNotFound, "", fmt.Sprintf("%s %s has no HorizontalPodAutoscaler", k.name, hpa.Name)))
		return
	}
	rest.WriteJSON(w, http.StatusOK, workload.HPAOf(hpa))
}

func (h *Handler) deleteHPA(w http.ResponseWriter, r *http.Request, c *caller.Call, k *kind) {
	kube, err := c.Kubernetes()
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	hpas := kube.AutoscalingV2().HorizontalPodAutoscalers(r.PathValue("namespace"))
	hpa, err := hpas.Get(r.Context(), r.PathValue("name"), metav1.GetOptions{})
	if err != nil {
		fail(w, c, err)
		return
	}
	// An HPA of the same name may scale another workload: that one is not this workload's to delete.
	if !workload.Targets(hpa, k.name, hpa.Name) {
		rest.WriteError(w, rest.Errorf(rest.CodeNotFound, "", fmt.Sprintf("%s %s has no HorizontalPodAutoscaler", k.name, hpa.Name)))
		return
	}
	err = hpas.Delete(r.Context(), hpa.Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &hpa.UID}})
	if err != nil {
		fail(w, c, err)
		return
	}
	// A CronHPA that scaled through the HPA scales the workload again.
	if err := repointCronHPAs(r.Context(), c, r.PathValue("namespace"), k, r.PathValue("name"), r.PathValue("name"), false); err != nil {
		fail(w, c, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// putHPA creates or replaces the workload's HPA from the form, all as the caller.
func (h *Handler) putHPA(w http.ResponseWriter, r *http.Request, c *caller.Call, k *kind) {
	var form workload.HPAForm
	if err := rest.ReadJSON(r, &form); err != nil {
		rest.WriteError(w, err)
		return
	}
	target, err := h.hpaTarget(r, c, k)
	if err != nil {
		fail(w, c, err)
		return
	}
	if errs := form.Validate(target); len(errs) > 0 {
		rest.WriteError(w, formError(errs))
		return
	}
	kube, err := c.Kubernetes()
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	hpas := kube.AutoscalingV2().HorizontalPodAutoscalers(r.PathValue("namespace"))
	if err := onlyHPA(r.Context(), hpas, k.name, target.Name); err != nil {
		fail(w, c, err)
		return
	}
	status, saved, err := saveHPA(r.Context(), hpas, form.BuildHPA(r.PathValue("namespace"), target))
	if err != nil {
		fail(w, c, err)
		return
	}
	// A CronHPA of the workload now scales through the HPA, which would undo its replicas.
	if err := repointCronHPAs(r.Context(), c, r.PathValue("namespace"), k, target.Name, saved.Name, true); err != nil {
		fail(w, c, err)
		return
	}
	rest.WriteJSON(w, status, workload.HPAOf(saved))
}

// hpaTarget reads the workload of the route and its pod template, whose requests the form's
// targets need. A kind that cannot be autoscaled is not read: the form names it.
func (h *Handler) hpaTarget(r *http.Request, c *caller.Call, k *kind) (workload.HPATarget, error) {
	target := workload.HPATarget{Kind: k.name, Name: r.PathValue("name")}
	if k.name != workload.KindDeployment && k.name != workload.KindStatefulSet {
		return target, nil
	}
	dyn, err := c.Dynamic()
	if err != nil {
		return target, err
	}
	u, err := dyn.Resource(k.gvr).Namespace(r.PathValue("namespace")).Get(r.Context(), target.Name, metav1.GetOptions{})
	if err != nil {
		return target, err
	}
	target.Template, err = podTemplateOf(u, k)
	return target, err
}

func podTemplateOf(u *unstructured.Unstructured, k *kind) (*corev1.PodTemplateSpec, error) {
	fields, _, err := unstructured.NestedMap(u.Object, k.template...)
	if err != nil {
		return nil, fmt.Errorf("reading the pod template of %s %s: %w", k.name, u.GetName(), err)
	}
	var template corev1.PodTemplateSpec
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(fields, &template); err != nil {
		return nil, fmt.Errorf("reading the pod template of %s %s: %w", k.name, u.GetName(), err)
	}
	return &template, nil
}

// hpaClient is the part of the typed HPA client kpanda uses.
type hpaClient interface {
	List(context.Context, metav1.ListOptions) (*autoscalingv2.HorizontalPodAutoscalerList, error)
	Get(context.Context, string, metav1.GetOptions) (*autoscalingv2.HorizontalPodAutoscaler, error)
	Create(context.Context, *autoscalingv2.HorizontalPodAutoscaler, metav1.CreateOptions) (*autoscalingv2.HorizontalPodAutoscaler, error)
	Update(context.Context, *autoscalingv2.HorizontalPodAutoscaler, metav1.UpdateOptions) (*autoscalingv2.HorizontalPodAutoscaler, error)
}

// onlyHPA refuses a second HPA for a workload: two would fight over its replicas. One made
// elsewhere under another name is the 409 of the name PUT would use.
func onlyHPA(ctx context.Context, hpas hpaClient, kind, name string) error {
	list, err := hpas.List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for i := range list.Items {
		other := &list.Items[i]
		if other.Name != name && workload.Targets(other, kind, name) {
			e := rest.Errorf(rest.CodeAlreadyExists, "name",
				fmt.Sprintf("%s %s is already autoscaled by HorizontalPodAutoscaler %s; delete that one first", kind, name, other.Name))
			e.Reason = "AlreadyExists"
			return e
		}
	}
	return nil
}

// saveHPA creates desired, or replaces the HPA of its name; the status is 201 or 200.
func saveHPA(ctx context.Context, hpas hpaClient, desired *autoscalingv2.HorizontalPodAutoscaler) (int, *autoscalingv2.HorizontalPodAutoscaler, error) {
	status := http.StatusOK
	var saved *autoscalingv2.HorizontalPodAutoscaler
	// The controller writes the status all the time: read again on a conflict.
	err := retry.RetryOnConflict(retry.DefaultBackoff, func() error {
		existing, err := hpas.Get(ctx, desired.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			status = http.StatusCreated
			saved, err = hpas.Create(ctx, desired, metav1.CreateOptions{})
			return err
		}
		if err != nil {
			return err
		}
		if target := desired.Spec.ScaleTargetRef; !workload.Targets(existing, target.Kind, target.Name) {
			e := rest.Errorf(rest.CodeAlreadyExists, "name", fmt.Sprintf("HorizontalPodAutoscaler %s already scales %s %s; a %s's HPA takes its name, so delete that one first",
				existing.Name, existing.Spec.ScaleTargetRef.Kind, existing.Spec.ScaleTargetRef.Name, target.Kind))
			e.Reason = "AlreadyExists"
			return e
		}
		next := desired.DeepCopy()
		next.ResourceVersion = existing.ResourceVersion
		next.Labels, next.Annotations = existing.Labels, existing.Annotations
		saved, err = hpas.Update(ctx, next, metav1.UpdateOptions{})
		return err
	})
	return status, saved, err
}

// Autoscaling says which autoscalers a member cluster offers.
type Autoscaling struct {
	// HPA: the HorizontalPodAutoscaler of autoscaling/v2, part of Kubernetes.
	HPA bool `json:"hpa"`
	// VPA: the VerticalPodAutoscaler of autoscaling.k8s.io, an add-on.
	VPA bool `json:"vpa"`
	// CronHPA: the CronHorizontalPodAutoscaler of autoscaling.alibabacloud.com, an add-on.
	CronHPA bool `json:"cronhpa"`
}

// autoscaling answers from the member's discovery, which every authenticated user may read:
// the CRD list would need a cluster-wide right that a namespace's users lack.
func (h *Handler) autoscaling(w http.ResponseWriter, r *http.Request, c *caller.Call) {
	kube, err := c.Kubernetes()
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	out, err := offered(kube.Discovery())
	if err != nil {
		fail(w, c, err)
		return
	}
	rest.WriteJSON(w, http.StatusOK, out)
}

func offered(d discovery.DiscoveryInterface) (Autoscaling, error) {
	groups, err := d.ServerGroups()
	if err != nil {
		return Autoscaling{}, fmt.Errorf("discovering the API groups: %w", err)
	}
	var out Autoscaling
	out.HPA = hasVersion(groups, "autoscaling", "v2")
	if out.VPA, err = hasResource(d, groups, "autoscaling.k8s.io", "verticalpodautoscalers"); err != nil {
		return out, err
	}
	out.CronHPA, err = hasResource(d, groups, "autoscaling.alibabacloud.com", "cronhorizontalpodautoscalers")
	return out, err
}

func hasVersion(groups *metav1.APIGroupList, group, version string) bool {
	for _, g := range groups.Groups {
		if g.Name == group {
			return slices.ContainsFunc(g.Versions, func(v metav1.GroupVersionForDiscovery) bool { return v.Version == version })
		}
	}
	return false
}

// hasResource reports whether the preferred version of group serves resource.
func hasResource(d discovery.DiscoveryInterface, groups *metav1.APIGroupList, group, resource string) (bool, error) {
	for _, g := range groups.Groups {
		if g.Name != group {
			continue
		}
		resources, err := d.ServerResourcesForGroupVersion(g.PreferredVersion.GroupVersion)
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("discovering %s: %w", g.PreferredVersion.GroupVersion, err)
		}
		return slices.ContainsFunc(resources.APIResources, func(r metav1.APIResource) bool { return r.Name == resource }), nil
	}
	return false, nil
}
