package workloads

import (
	"net/http"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kpanda/kpanda/internal/server/caller"
	"github.com/kpanda/kpanda/internal/server/rest"
	"github.com/kpanda/kpanda/internal/workload"
)

var vpaAPI = addonAPI{addon: "vpa", product: "the Vertical Pod Autoscaler of kubernetes/autoscaler", kind: workload.VPAKind, gvr: workload.VPAResource}

// vpaOwnership: a VPA is the workload's when its targetRef names the workload.
func vpaOwnership(k *kind, name string) ownership {
	return ownership{api: vpaAPI, workload: k.name + " " + name,
		owns: func(u *unstructured.Unstructured) bool { return workload.VPATargets(u, k.name, name) }}
}

func (h *Handler) getVPA(w http.ResponseWriter, r *http.Request, c *caller.Call, k *kind) {
	objects, err := vpaAPI.objects(c, r.PathValue("namespace"))
	if err != nil {
		fail(w, c, err)
		return
	}
	u, err := vpaOwnership(k, r.PathValue("name")).get(r.Context(), objects, r.PathValue("name"))
	if err != nil {
		fail(w, c, err)
		return
	}
	answerVPA(w, http.StatusOK, u)
}

func answerVPA(w http.ResponseWriter, status int, u *unstructured.Unstructured) {
	v, err := workload.VPAOf(u)
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	rest.WriteJSON(w, status, v)
}

func (h *Handler) deleteVPA(w http.ResponseWriter, r *http.Request, c *caller.Call, k *kind) {
	objects, err := vpaAPI.objects(c, r.PathValue("namespace"))
	if err != nil {
		fail(w, c, err)
		return
	}
	if err := vpaOwnership(k, r.PathValue("name")).delete(r.Context(), objects, r.PathValue("name")); err != nil {
		fail(w, c, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// putVPA creates or replaces the workload's VPA from the form, all as the caller.
func (h *Handler) putVPA(w http.ResponseWriter, r *http.Request, c *caller.Call, k *kind) {
	var form workload.VPAForm
	if err := rest.ReadJSON(r, &form); err != nil {
		rest.WriteError(w, err)
		return
	}
	objects, err := vpaAPI.objects(c, r.PathValue("namespace"))
	if err != nil {
		fail(w, c, err)
		return
	}
	target, err := vpaTarget(r, c, k)
	if err != nil {
		fail(w, c, err)
		return
	}
	if errs := form.Validate(target); len(errs) > 0 {
		rest.WriteError(w, formError(errs))
		return
	}
	owned := vpaOwnership(k, target.Name)
	if err := owned.onlyOne(r.Context(), objects, target.Name); err != nil {
		fail(w, c, err)
		return
	}
	status, saved, err := owned.save(r.Context(), objects, form.BuildVPA(r.PathValue("namespace"), target))
	if err != nil {
		fail(w, c, err)
		return
	}
	answerVPA(w, status, saved)
}

// vpaTarget reads the workload of the route for the names of its containers, which the form's
// policies name. A kind a VPA does not size is not read: the form names it.
func vpaTarget(r *http.Request, c *caller.Call, k *kind) (workload.VPATarget, error) {
	target := workload.VPATarget{Kind: k.name, Name: r.PathValue("name")}
	switch k.name {
	case workload.KindDeployment, workload.KindStatefulSet, workload.KindDaemonSet:
	default:
		return target, nil
	}
	u, err := readWorkload(r, c, k)
	if err != nil {
		return target, err
	}
	template, err := podTemplateOf(u, k)
	if err != nil {
		return target, err
	}
	target.Containers = workload.ContainerNames(template)
	return target, nil
}
