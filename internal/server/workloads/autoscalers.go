package workloads

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/util/retry"

	"github.com/kpanda/kpanda/internal/server/caller"
	"github.com/kpanda/kpanda/internal/server/rest"
	"github.com/kpanda/kpanda/internal/workload"
)

// The VerticalPodAutoscaler and the CronHorizontalPodAutoscaler are add-ons' CRDs, served per
// workload as the HPA is: one object per workload, named as the workload, through the dynamic
// client of the caller. This file holds what the two share.

// addonAutoscalerRoutes are the routes of the add-ons' autoscalers: a list per namespace, and
// .../{kind}/{name}/vpa and .../cronhpa for every kind, so that a kind that cannot be
// autoscaled is told so by name.
func (h *Handler) addonAutoscalerRoutes() map[string]serveFunc {
	routes := map[string]serveFunc{
		"GET /namespaces/{namespace}/verticalpodautoscalers":       listAddonObjects(vpaAPI, workload.VPAOf),
		"GET /namespaces/{namespace}/cronhorizontalpodautoscalers": listAddonObjects(cronHPAAPI, workload.CronHPAOf),
	}
	for _, k := range kinds {
		item := "/namespaces/{namespace}/" + k.plural + "/{name}"
		routes["GET "+item+"/vpa"] = h.forKind(k, h.getVPA)
		routes["PUT "+item+"/vpa"] = h.forKind(k, h.putVPA)
		routes["DELETE "+item+"/vpa"] = h.forKind(k, h.deleteVPA)
		routes["GET "+item+"/cronhpa"] = h.forKind(k, h.getCronHPA)
		routes["PUT "+item+"/cronhpa"] = h.forKind(k, h.putCronHPA)
		routes["DELETE "+item+"/cronhpa"] = h.forKind(k, h.deleteCronHPA)
	}
	return routes
}

// AddonObjectList is the answer of a namespace's list of an add-on's objects.
type AddonObjectList[T any] struct {
	Items []T `json:"items"`
}

// listAddonObjects answers the namespace's objects of api, each seen through view.
func listAddonObjects[T any](api addonAPI, view func(*unstructured.Unstructured) (T, error)) serveFunc {
	return func(w http.ResponseWriter, r *http.Request, c *caller.Call) {
		objects, err := api.objects(c, r.PathValue("namespace"))
		if err != nil {
			fail(w, c, err)
			return
		}
		list, err := objects.List(r.Context(), metav1.ListOptions{})
		if err != nil {
			fail(w, c, err)
			return
		}
		out := AddonObjectList[T]{Items: make([]T, 0, len(list.Items))}
		for i := range list.Items {
			item, err := view(&list.Items[i])
			if err != nil {
				rest.WriteError(w, err)
				return
			}
			out.Items = append(out.Items, item)
		}
		rest.WriteJSON(w, http.StatusOK, out)
	}
}

// addonAPI is the resource of an autoscaling add-on.
type addonAPI struct {
	// addon is the add-on's name, as in workload.Addons and GET .../autoscaling.
	addon string
	// product names what to install.
	product string
	kind    string
	gvr     schema.GroupVersionResource
}

// objects is the caller's client of a's objects in namespace, or the error that names the
// add-on when the cluster does not serve them.
func (a addonAPI) objects(c *caller.Call, namespace string) (dynamic.ResourceInterface, error) {
	kube, err := c.Kubernetes()
	if err != nil {
		return nil, err
	}
	ok, err := serves(kube.Discovery(), a.gvr)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, a.notInstalled(c.Cluster)
	}
	dyn, err := c.Dynamic()
	if err != nil {
		return nil, err
	}
	return dyn.Resource(a.gvr).Namespace(namespace), nil
}

// notInstalled is the 409 of a cluster without the add-on: the request may succeed once the
// add-on is installed, which is what the message says to do.
func (a addonAPI) notInstalled(cluster string) error {
	e := rest.Errorf(rest.CodeAborted, "", fmt.Sprintf(
		"cluster %s does not serve %s (%s): install the %s add-on (%s) in the cluster first; GET .../clusters/%s/autoscaling tells which autoscalers it offers",
		cluster, a.gvr.Resource, a.gvr.GroupVersion(), a.addon, a.product, cluster))
	e.Reason = "AddonNotInstalled"
	return e
}

// serves reports whether the member serves gvr. Discovery is read, which every authenticated
// user may; a CRD's resource appears there once it is served, a moment after it is stored.
func serves(d discovery.DiscoveryInterface, gvr schema.GroupVersionResource) (bool, error) {
	resources, err := d.ServerResourcesForGroupVersion(gvr.GroupVersion().String())
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("discovering %s: %w", gvr.GroupVersion(), err)
	}
	return slices.ContainsFunc(resources.APIResources, func(r metav1.APIResource) bool { return r.Name == gvr.Resource }), nil
}

// ownership tells which objects of an add-on are a workload's.
type ownership struct {
	api addonAPI
	// workload is "Deployment web", for messages.
	workload string
	// owns reports whether u, an object of api, autoscales the workload.
	owns func(u *unstructured.Unstructured) bool
}

// get reads the workload's object, named as the workload: one of that name that autoscales
// something else is not the workload's.
func (o ownership) get(ctx context.Context, objects dynamic.ResourceInterface, name string) (*unstructured.Unstructured, error) {
	u, err := objects.Get(ctx, name, metav1.GetOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return nil, err
	}
	if err != nil || !o.owns(u) {
		return nil, rest.Errorf(rest.CodeNotFound, "", fmt.Sprintf("%s has no %s", o.workload, o.api.kind))
	}
	return u, nil
}

// delete deletes the workload's object; the UID precondition keeps a replacement made
// meanwhile by someone else.
func (o ownership) delete(ctx context.Context, objects dynamic.ResourceInterface, name string) error {
	u, err := o.get(ctx, objects, name)
	if err != nil {
		return err
	}
	uid := u.GetUID()
	return objects.Delete(ctx, name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid}})
}

// onlyOne refuses a second object for the workload under another name: two autoscalers of one
// kind would fight over the same pods.
func (o ownership) onlyOne(ctx context.Context, objects dynamic.ResourceInterface, name string) error {
	list, err := objects.List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for i := range list.Items {
		other := &list.Items[i]
		if other.GetName() != name && o.owns(other) {
			e := rest.Errorf(rest.CodeAlreadyExists, "name",
				fmt.Sprintf("%s is already autoscaled by %s %s; delete that one first", o.workload, o.api.kind, other.GetName()))
			e.Reason = "AlreadyExists"
			return e
		}
	}
	return nil
}

// save creates desired, or replaces the spec of the object of its name when that one is the
// workload's; the status is 201 or 200. Labels, annotations and status stay as they are.
func (o ownership) save(ctx context.Context, objects dynamic.ResourceInterface, desired *unstructured.Unstructured) (int, *unstructured.Unstructured, error) {
	status := http.StatusOK
	var saved *unstructured.Unstructured
	// The add-on's controller writes its objects too: read again on a conflict.
	err := retry.RetryOnConflict(retry.DefaultBackoff, func() error {
		existing, err := objects.Get(ctx, desired.GetName(), metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			status = http.StatusCreated
			saved, err = objects.Create(ctx, desired, metav1.CreateOptions{})
			return err
		}
		if err != nil {
			return err
		}
		if !o.owns(existing) {
			e := rest.Errorf(rest.CodeAlreadyExists, "name", fmt.Sprintf(
				"%s %s exists and autoscales something other than %s; delete it or rename it first", o.api.kind, desired.GetName(), o.workload))
			e.Reason = "AlreadyExists"
			return e
		}
		existing.Object["spec"] = desired.Object["spec"]
		saved, err = objects.Update(ctx, existing, metav1.UpdateOptions{})
		return err
	})
	return status, saved, err
}

// readWorkload reads the workload of the route as the caller.
func readWorkload(r *http.Request, c *caller.Call, k *kind) (*unstructured.Unstructured, error) {
	dyn, err := c.Dynamic()
	if err != nil {
		return nil, err
	}
	return dyn.Resource(k.gvr).Namespace(r.PathValue("namespace")).Get(r.Context(), r.PathValue("name"), metav1.GetOptions{})
}
