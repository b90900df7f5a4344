package workloads

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/kpanda/kpanda/internal/server/caller"
	"github.com/kpanda/kpanda/internal/server/rest"
	"github.com/kpanda/kpanda/internal/workload"
)

// Leftover is an autoscaling add-on whose controller is gone but whose CRDs remain (seed FAQ 9).
type Leftover struct {
	Addon string `json:"addon"`
	// CRDs are the names of the add-on's CRDs still in the cluster.
	CRDs []string `json:"crds"`
	// Objects counts the objects of each CRD, which go with it when it is deleted.
	Objects map[string]int `json:"objects"`
}

// LeftoverList is the answer of GET .../autoscaling/leftovers.
type LeftoverList struct {
	Items []Leftover `json:"items"`
}

// listLeftovers reads CRDs and Deployments of the whole cluster as the caller: only a caller
// with cluster rights may learn of them, others get the RBAC error.
func (h *Handler) listLeftovers(w http.ResponseWriter, r *http.Request, c *caller.Call) {
	out := LeftoverList{Items: []Leftover{}}
	for _, addon := range workload.Addons {
		left, err := leftoverOf(r.Context(), c, addon)
		if err != nil {
			fail(w, c, err)
			return
		}
		if left != nil {
			out.Items = append(out.Items, *left)
		}
	}
	rest.WriteJSON(w, http.StatusOK, out)
}

// deleteLeftovers deletes the CRDs of an uninstalled add-on, and with them its objects. The
// confirmation must name the add-on, as the deletion cannot be undone.
func (h *Handler) deleteLeftovers(w http.ResponseWriter, r *http.Request, c *caller.Call) {
	name := r.PathValue("addon")
	addon, ok := workload.AddonNamed(name)
	if !ok {
		rest.WriteError(w, rest.Errorf(rest.CodeNotFound, "addon", fmt.Sprintf("unknown autoscaling add-on %q; known: %s", name, strings.Join(workload.AddonNames(), ", "))))
		return
	}
	if confirm := r.URL.Query().Get("confirm"); confirm != name {
		rest.WriteError(w, rest.Errorf(rest.CodeInvalidArgument, "confirm",
			fmt.Sprintf("must equal the add-on's name %q to delete its CRDs and all their objects; got %q", name, confirm)))
		return
	}
	removed, err := removeLeftover(r.Context(), c, addon)
	if err != nil {
		fail(w, c, err)
		return
	}
	rest.WriteJSON(w, http.StatusOK, removed)
}

// removeLeftover deletes addon's CRDs unless its controller is installed, which would recreate
// or need them; the answer is what was deleted.
func removeLeftover(ctx context.Context, c *caller.Call, addon workload.Addon) (Leftover, error) {
	kube, err := c.Kubernetes()
	if err != nil {
		return Leftover{}, err
	}
	installed, err := controllerOf(ctx, kube, addon)
	if err != nil {
		return Leftover{}, err
	}
	if installed != "" {
		e := rest.Errorf(rest.CodeAborted, "addon", fmt.Sprintf(
			"add-on %s is still installed (Deployment %s); uninstall it first, then delete its CRDs", addon.Name, installed))
		e.Reason = "AddonInstalled"
		return Leftover{}, e
	}
	left, err := crdsOf(ctx, c, addon)
	if err != nil {
		return Leftover{}, err
	}
	dyn, err := c.Dynamic()
	if err != nil {
		return Leftover{}, err
	}
	for _, crd := range left.CRDs {
		// The default policy of a CRD deletes its objects with it; a NotFound was deleted meanwhile.
		if err := dyn.Resource(crdResource).Delete(ctx, crd, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			return Leftover{}, fmt.Errorf("deleting CRD %s: %w", crd, err)
		}
	}
	return left, nil
}

// leftoverOf is addon's leftover, or nil when none of its CRDs exists or its controller runs.
func leftoverOf(ctx context.Context, c *caller.Call, addon workload.Addon) (*Leftover, error) {
	left, err := crdsOf(ctx, c, addon)
	if err != nil || len(left.CRDs) == 0 {
		return nil, err
	}
	kube, err := c.Kubernetes()
	if err != nil {
		return nil, err
	}
	installed, err := controllerOf(ctx, kube, addon)
	if err != nil || installed != "" {
		return nil, err
	}
	return &left, nil
}

// crdsOf reads addon's CRDs that exist and counts their objects. A CRD is read by name rather
// than listed: a cluster may hold hundreds.
func crdsOf(ctx context.Context, c *caller.Call, addon workload.Addon) (Leftover, error) {
	out := Leftover{Addon: addon.Name, CRDs: []string{}, Objects: map[string]int{}}
	dyn, err := c.Dynamic()
	if err != nil {
		return out, err
	}
	for _, name := range addon.CRDs {
		u, err := dyn.Resource(crdResource).Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			return out, fmt.Errorf("reading CRD %s: %w", name, err)
		}
		var crd apiextensionsv1.CustomResourceDefinition
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &crd); err != nil {
			return out, fmt.Errorf("reading CRD %s: %w", name, err)
		}
		count, err := countObjects(ctx, dyn, &crd)
		if err != nil {
			return out, err
		}
		out.CRDs = append(out.CRDs, name)
		out.Objects[name] = count
	}
	return out, nil
}

// countObjects counts crd's objects in all namespaces through its first served version.
func countObjects(ctx context.Context, dyn dynamic.Interface, crd *apiextensionsv1.CustomResourceDefinition) (int, error) {
	version := ""
	for _, v := range crd.Spec.Versions {
		if v.Served {
			version = v.Name
			break
		}
	}
	if version == "" {
		// No version is served: its objects cannot be read, though they are stored.
		return 0, nil
	}
	gvr := schema.GroupVersionResource{Group: crd.Spec.Group, Version: version, Resource: crd.Spec.Names.Plural}
	list, err := dyn.Resource(gvr).List(ctx, metav1.ListOptions{})
	if apierrors.IsNotFound(err) {
		// A CRD created a moment ago is stored before its resource is served; it holds no
		// objects yet.
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("counting the objects of CRD %s: %w", crd.Name, err)
	}
	return len(list.Items), nil
}

// controllerOf is "namespace/name" of a Deployment of addon's controller, or "" when none runs.
func controllerOf(ctx context.Context, kube kubernetes.Interface, addon workload.Addon) (string, error) {
	list, err := kube.AppsV1().Deployments(metav1.NamespaceAll).List(ctx, metav1.ListOptions{})
	if err != nil {
		return "", fmt.Errorf("looking for the controller of add-on %s: %w", addon.Name, err)
	}
	for i := range list.Items {
		d := &list.Items[i]
		if addon.IsController(d.Name, d.Labels) {
			return d.Namespace + "/" + d.Name, nil
		}
	}
	return "", nil
}
