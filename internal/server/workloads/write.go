package workloads

import (
	"fmt"
	"net/http"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/yaml"

	"github.com/kpanda/kpanda/internal/server/caller"
	"github.com/kpanda/kpanda/internal/server/rest"
	"github.com/kpanda/kpanda/internal/workload"
)

// WriteRequest is the body of a create or an update: exactly one of Form and YAML.
type WriteRequest struct {
	// Form describes the workload; on update it replaces the spec, scheduling policies
	// included (a policy left out is removed).
	Form *workload.Form `json:"form,omitempty"`
	// YAML is the whole object as kubectl would apply it.
	YAML string `json:"yaml,omitempty"`
}

// desiredObject is the object a request asks for in namespace, checked against the route: the
// form's rules, or the YAML's kind, and on update its name.
func desiredObject(req *WriteRequest, k *kind, namespace, name string) (*unstructured.Unstructured, error) {
	switch {
	case (req.Form == nil) == (req.YAML == ""):
		return nil, rest.Errorf(rest.CodeInvalidArgument, "", "send exactly one of form and yaml")
	case req.Form != nil:
		return fromForm(req.Form, k, namespace, name)
	}
	return fromYAML(req.YAML, k, namespace, name)
}

func fromForm(form *workload.Form, k *kind, namespace, name string) (*unstructured.Unstructured, error) {
	if form.Kind == "" {
		form.Kind = k.name
	}
	if form.Kind != k.name {
		return nil, rest.Errorf(rest.CodeInvalidArgument, "kind", fmt.Sprintf("is %s but this is the route of %s", form.Kind, k.plural))
	}
	if name != "" && form.Name != name {
		return nil, rest.Errorf(rest.CodeInvalidArgument, "name", fmt.Sprintf("is %q but the path names %q; a workload cannot be renamed", form.Name, name))
	}
	if errs := form.Validate(); len(errs) > 0 {
		return nil, formError(errs)
	}
	object, err := runtime.DefaultUnstructuredConverter.ToUnstructured(form.Build(namespace))
	if err != nil {
		return nil, fmt.Errorf("converting the form's %s: %w", k.name, err)
	}
	u := &unstructured.Unstructured{Object: object}
	// The typed objects carry an empty status and creationTimestamp: not for the apiserver.
	unstructured.RemoveNestedField(u.Object, "status")
	unstructured.RemoveNestedField(u.Object, "metadata", "creationTimestamp")
	return u, nil
}

func fromYAML(text string, k *kind, namespace, name string) (*unstructured.Unstructured, error) {
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(text), &u.Object); err != nil {
		return nil, rest.Errorf(rest.CodeInvalidArgument, "yaml", "is not one YAML object: "+err.Error())
	}
	if u.Object == nil {
		return nil, rest.Errorf(rest.CodeInvalidArgument, "yaml", "is empty")
	}
	if u.GetKind() != k.name || u.GroupVersionKind().GroupVersion() != k.gvr.GroupVersion() {
		return nil, rest.Errorf(rest.CodeInvalidArgument, "yaml", fmt.Sprintf("is a %s %s; this route takes %s %s", u.GetAPIVersion(), u.GetKind(), k.gvr.GroupVersion(), k.name))
	}
	if ns := u.GetNamespace(); ns != "" && ns != namespace {
		return nil, rest.Errorf(rest.CodeInvalidArgument, "yaml", fmt.Sprintf("metadata.namespace is %q but the path names namespace %q", ns, namespace))
	}
	if name != "" && u.GetName() != name {
		return nil, rest.Errorf(rest.CodeInvalidArgument, "yaml", fmt.Sprintf("metadata.name is %q but the path names %q; a workload cannot be renamed", u.GetName(), name))
	}
	// The rest is the apiserver's to check, as for kubectl apply: a manifest may use what the
	// form does not offer.
	u.SetNamespace(namespace)
	return u, nil
}

func (h *Handler) create(w http.ResponseWriter, r *http.Request, c *caller.Call, k *kind) {
	var req WriteRequest
	if err := rest.ReadJSON(r, &req); err != nil {
		rest.WriteError(w, err)
		return
	}
	namespace := r.PathValue("namespace")
	desired, err := desiredObject(&req, k, namespace, "")
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	dyn, err := c.Dynamic()
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	created, err := dyn.Resource(k.gvr).Namespace(namespace).Create(r.Context(), desired, metav1.CreateOptions{})
	if err != nil {
		fail(w, c, err)
		return
	}
	answer(w, http.StatusCreated, k, created)
}

// update replaces the workload. From a form, what the form does not describe is kept: the
// object's annotations (the controllers' revision among them) and the pod template's
// annotations (a restart's timestamp), so that an edit starts no rollout of its own.
func (h *Handler) update(w http.ResponseWriter, r *http.Request, c *caller.Call, k *kind) {
	var req WriteRequest
	if err := rest.ReadJSON(r, &req); err != nil {
		rest.WriteError(w, err)
		return
	}
	namespace, name := r.PathValue("namespace"), r.PathValue("name")
	desired, err := desiredObject(&req, k, namespace, name)
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	dyn, err := c.Dynamic()
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	// A manifest with a resourceVersion asks for optimistic concurrency: its conflict is the
	// caller's to see. Otherwise kpanda writes over the latest version, reading again when the
	// controllers wrote the status in between.
	pinned := desired.GetResourceVersion() != ""
	resource := dyn.Resource(k.gvr).Namespace(namespace)
	var updated *unstructured.Unstructured
	err = retry.OnError(retry.DefaultBackoff, func(err error) bool { return !pinned && apierrors.IsConflict(err) }, func() error {
		existing, err := resource.Get(r.Context(), name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		next := desired.DeepCopy()
		if req.Form != nil {
			keepUnformed(next, existing, req.Form, k)
		}
		if !pinned {
			next.SetResourceVersion(existing.GetResourceVersion())
		}
		updated, err = resource.Update(r.Context(), next, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		fail(w, c, err)
		return
	}
	answer(w, http.StatusOK, k, updated)
}

// keepUnformed carries over from existing what a form does not describe.
func keepUnformed(desired, existing *unstructured.Unstructured, form *workload.Form, k *kind) {
	annotations := existing.GetAnnotations()
	if annotations == nil {
		annotations = map[string]string{}
	}
	delete(annotations, workload.DescriptionAnnotation)
	if form.Description != "" {
		annotations[workload.DescriptionAnnotation] = form.Description
	}
	desired.SetAnnotations(annotations)
	path := k.templatePath("metadata", "annotations")
	if kept, found, _ := unstructured.NestedStringMap(existing.Object, path...); found && len(kept) > 0 {
		_ = unstructured.SetNestedStringMap(desired.Object, kept, path...)
	}
}
