package workloads

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/util/retry"

	"github.com/kpanda/kpanda/internal/server/caller"
	"github.com/kpanda/kpanda/internal/server/rest"
	"github.com/kpanda/kpanda/internal/workload"
)

var cronHPAAPI = addonAPI{addon: "cronhpa", product: "kubernetes-cronhpa-controller of AliyunContainerService",
	kind: workload.CronHPAKind, gvr: workload.CronHPAResource}

func cronHPAOwnership(target workload.CronHPATarget) ownership {
	return ownership{api: cronHPAAPI, workload: target.Kind + " " + target.Name,
		owns: func(u *unstructured.Unstructured) bool {
			return workload.CronHPAScales(u, target.Kind, target.Name, target.HPA)
		}}
}

func (h *Handler) getCronHPA(w http.ResponseWriter, r *http.Request, c *caller.Call, k *kind) {
	objects, target, err := cronHPARequest(r, c, k)
	if err != nil {
		fail(w, c, err)
		return
	}
	u, err := cronHPAOwnership(target).get(r.Context(), objects, target.Name)
	if err != nil {
		fail(w, c, err)
		return
	}
	answerCronHPA(w, http.StatusOK, u)
}

func answerCronHPA(w http.ResponseWriter, status int, u *unstructured.Unstructured) {
	v, err := workload.CronHPAOf(u)
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	rest.WriteJSON(w, status, v)
}

func (h *Handler) deleteCronHPA(w http.ResponseWriter, r *http.Request, c *caller.Call, k *kind) {
	objects, target, err := cronHPARequest(r, c, k)
	if err != nil {
		fail(w, c, err)
		return
	}
	if err := cronHPAOwnership(target).delete(r.Context(), objects, target.Name); err != nil {
		fail(w, c, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// putCronHPA creates or replaces the workload's CronHPA from the form, all as the caller. It
// scales the workload's HPA when there is one, as the controller requires: the HPA would undo
// a replica count set behind its back.
func (h *Handler) putCronHPA(w http.ResponseWriter, r *http.Request, c *caller.Call, k *kind) {
	var form workload.CronHPAForm
	if err := rest.ReadJSON(r, &form); err != nil {
		rest.WriteError(w, err)
		return
	}
	objects, target, err := cronHPARequest(r, c, k)
	if err != nil {
		fail(w, c, err)
		return
	}
	if errs := form.Validate(target); len(errs) > 0 {
		rest.WriteError(w, formError(errs))
		return
	}
	if _, err := readWorkload(r, c, k); err != nil {
		fail(w, c, err)
		return
	}
	owned := cronHPAOwnership(target)
	if err := owned.onlyOne(r.Context(), objects, target.Name); err != nil {
		fail(w, c, err)
		return
	}
	status, saved, err := owned.save(r.Context(), objects, form.BuildCronHPA(r.PathValue("namespace"), target))
	if err != nil {
		fail(w, c, err)
		return
	}
	answerCronHPA(w, status, saved)
}

// cronHPARequest is the caller's client of the CronHPAs of the route's namespace and the
// workload of the route with its HPA.
func cronHPARequest(r *http.Request, c *caller.Call, k *kind) (dynamic.ResourceInterface, workload.CronHPATarget, error) {
	objects, err := cronHPAAPI.objects(c, r.PathValue("namespace"))
	if err != nil {
		return nil, workload.CronHPATarget{}, err
	}
	target, err := cronHPATarget(r.Context(), c, r.PathValue("namespace"), k.name, r.PathValue("name"))
	return objects, target, err
}

// cronHPATarget is the workload kind/name with the name of its HPA, if it has one.
func cronHPATarget(ctx context.Context, c *caller.Call, namespace, kind, name string) (workload.CronHPATarget, error) {
	target := workload.CronHPATarget{Kind: kind, Name: name}
	kube, err := c.Kubernetes()
	if err != nil {
		return target, err
	}
	hpas, err := kube.AutoscalingV2().HorizontalPodAutoscalers(namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return target, fmt.Errorf("looking for the HorizontalPodAutoscaler of %s %s: %w", kind, name, err)
	}
	for i := range hpas.Items {
		if workload.Targets(&hpas.Items[i], kind, name) {
			target.HPA = hpas.Items[i].Name
			break
		}
	}
	return target, nil
}

// repointCronHPAs keeps the controller's rule when hpa, the HPA of the workload k/name, was
// saved (exists) or deleted: the workload's CronHPAs scale through the HPA while it exists,
// else the workload itself. A cluster without CronHPA has nothing to re-point, and a caller who may not
// read CronHPAs cannot be shown any: the member's RBAC decides, kpanda does not widen it.
func repointCronHPAs(ctx context.Context, c *caller.Call, namespace string, k *kind, name, hpa string, exists bool) error {
	if k.name != workload.KindDeployment && k.name != workload.KindStatefulSet {
		return nil
	}
	objects, err := cronHPAAPI.objects(c, namespace)
	if isAddonNotInstalled(err) {
		return nil
	}
	if err != nil {
		return err
	}
	list, err := objects.List(ctx, metav1.ListOptions{})
	if apierrors.IsForbidden(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("listing the CronHorizontalPodAutoscalers to re-point: %w", err)
	}
	target := workload.CronHPATarget{Kind: k.name, Name: name}
	if exists {
		target.HPA = hpa
	}
	done := "deleted"
	if exists {
		done = "saved"
	}
	for i := range list.Items {
		if !workload.CronHPAScales(&list.Items[i], target.Kind, target.Name, hpa) {
			continue
		}
		if err := repoint(ctx, objects, list.Items[i].GetName(), target); err != nil {
			return fmt.Errorf("HorizontalPodAutoscaler %s was %s, but CronHorizontalPodAutoscaler %s could not be re-pointed to %s %s: %w",
				hpa, done, list.Items[i].GetName(), target.Ref().Kind, target.Ref().Name, err)
		}
	}
	return nil
}

// repoint points the CronHPA name at what target's CronHPA must scale, reading it again on a
// conflict: the controller writes the CronHPA's status.
func repoint(ctx context.Context, objects dynamic.ResourceInterface, name string, target workload.CronHPATarget) error {
	return retry.RetryOnConflict(retry.DefaultBackoff, func() error {
		u, err := objects.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		changed, err := workload.Repoint(u, target)
		if err != nil || !changed {
			return err
		}
		_, err = objects.Update(ctx, u, metav1.UpdateOptions{})
		return err
	})
}

func isAddonNotInstalled(err error) bool {
	var e *rest.Error
	return errors.As(err, &e) && e.Reason == "AddonNotInstalled"
}
