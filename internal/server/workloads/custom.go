package workloads

import (
	"fmt"
	"net/http"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/yaml"

	"github.com/kpanda/kpanda/internal/server/caller"
	"github.com/kpanda/kpanda/internal/server/rest"
)

// coreGroup names the core API group ("") in paths, where a segment cannot be empty.
const coreGroup = "core"

var crdResource = apiextensionsv1.SchemeGroupVersion.WithResource("customresourcedefinitions")

// CRD is a custom resource definition as the API lists it.
type CRD struct {
	Name     string   `json:"name"`
	Group    string   `json:"group"`
	Kind     string   `json:"kind"`
	Plural   string   `json:"plural"`
	Scope    string   `json:"scope"`    // Namespaced or Cluster
	Versions []string `json:"versions"` // served versions, the storage version first
}

// CRDList is the answer of GET .../customresourcedefinitions.
type CRDList struct {
	Items []CRD `json:"items"`
}

// CustomResourceList is the answer of a list of custom resources.
type CustomResourceList struct {
	Items []map[string]any `json:"items"`
}

// CustomResourceRequest is the body of a create: the object as YAML (or JSON, which is YAML).
type CustomResourceRequest struct {
	YAML string `json:"yaml"`
}

func crdView(crd *apiextensionsv1.CustomResourceDefinition) CRD {
	out := CRD{Name: crd.Name, Group: crd.Spec.Group, Kind: crd.Spec.Names.Kind, Plural: crd.Spec.Names.Plural, Scope: string(crd.Spec.Scope)}
	for _, v := range crd.Spec.Versions {
		if !v.Served {
			continue
		}
		if v.Storage {
			out.Versions = append([]string{v.Name}, out.Versions...)
		} else {
			out.Versions = append(out.Versions, v.Name)
		}
	}
	return out
}

func (h *Handler) listCRDs(w http.ResponseWriter, r *http.Request, c *caller.Call) {
	dyn, err := c.Dynamic()
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	list, err := dyn.Resource(crdResource).List(r.Context(), metav1.ListOptions{})
	if err != nil {
		fail(w, c, err)
		return
	}
	out := CRDList{Items: make([]CRD, 0, len(list.Items))}
	for _, u := range list.Items {
		var crd apiextensionsv1.CustomResourceDefinition
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &crd); err != nil {
			rest.WriteError(w, fmt.Errorf("reading CRD %s: %w", u.GetName(), err))
			return
		}
		out.Items = append(out.Items, crdView(&crd))
	}
	rest.WriteJSON(w, http.StatusOK, out)
}

// customResource is the resource of the route: {group}/{version}/{plural}, in {namespace}
// when the route has one.
func customResource(r *http.Request, c *caller.Call) (dynamic.ResourceInterface, error) {
	group := r.PathValue("group")
	if group == coreGroup {
		group = ""
	}
	dyn, err := c.Dynamic()
	if err != nil {
		return nil, err
	}
	resource := dyn.Resource(schema.GroupVersionResource{Group: group, Version: r.PathValue("version"), Resource: r.PathValue("plural")})
	if ns := r.PathValue("namespace"); ns != "" {
		return resource.Namespace(ns), nil
	}
	return resource, nil
}

func (h *Handler) listCustom(w http.ResponseWriter, r *http.Request, c *caller.Call) {
	resource, err := customResource(r, c)
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	list, err := resource.List(r.Context(), metav1.ListOptions{LabelSelector: r.URL.Query().Get("labelSelector")})
	if err != nil {
		fail(w, c, err)
		return
	}
	out := CustomResourceList{Items: make([]map[string]any, 0, len(list.Items))}
	for _, u := range list.Items {
		out.Items = append(out.Items, u.Object)
	}
	rest.WriteJSON(w, http.StatusOK, out)
}

func (h *Handler) getCustom(w http.ResponseWriter, r *http.Request, c *caller.Call) {
	resource, err := customResource(r, c)
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	u, err := resource.Get(r.Context(), r.PathValue("name"), metav1.GetOptions{})
	if err != nil {
		fail(w, c, err)
		return
	}
	rest.WriteJSON(w, http.StatusOK, u.Object)
}

func (h *Handler) createCustom(w http.ResponseWriter, r *http.Request, c *caller.Call) {
	var req CustomResourceRequest
	if err := rest.ReadJSON(r, &req); err != nil {
		rest.WriteError(w, err)
		return
	}
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(req.YAML), &u.Object); err != nil || u.Object == nil {
		rest.WriteError(w, rest.Errorf(rest.CodeInvalidArgument, "yaml", fmt.Sprintf("is not one YAML object: %v", err)))
		return
	}
	if ns := r.PathValue("namespace"); ns != "" {
		if u.GetNamespace() != "" && u.GetNamespace() != ns {
			rest.WriteError(w, rest.Errorf(rest.CodeInvalidArgument, "yaml", fmt.Sprintf("metadata.namespace is %q but the path names namespace %q", u.GetNamespace(), ns)))
			return
		}
		u.SetNamespace(ns)
	}
	resource, err := customResource(r, c)
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	created, err := resource.Create(r.Context(), u, metav1.CreateOptions{})
	if err != nil {
		fail(w, c, err)
		return
	}
	rest.WriteJSON(w, http.StatusCreated, created.Object)
}

func (h *Handler) deleteCustom(w http.ResponseWriter, r *http.Request, c *caller.Call) {
	resource, err := customResource(r, c)
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	policy := metav1.DeletePropagationBackground
	if err := resource.Delete(r.Context(), r.PathValue("name"), metav1.DeleteOptions{PropagationPolicy: &policy}); err != nil {
		fail(w, c, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
