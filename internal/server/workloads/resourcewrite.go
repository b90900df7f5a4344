package workloads

import (
	"bytes"
	"encoding/json"
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

// ResourceRequest is the body of a create or an update of a resource kind: exactly one of Form
// and YAML.
type ResourceRequest struct {
	// Form is the form of the route's kind (workload.ServiceForm, ConfigMapForm, SecretForm,
	// PVCForm). On update it replaces what it describes and keeps the rest of the object.
	Form json.RawMessage `json:"form,omitempty"`
	// YAML is the whole object as kubectl would apply it.
	YAML string `json:"yaml,omitempty"`
}

func (req *ResourceRequest) hasForm() bool {
	return len(req.Form) > 0 && !bytes.Equal(bytes.TrimSpace(req.Form), []byte("null"))
}

// formReader decodes a kind's form from raw and checks its rules and, on an update, that it
// names the object of the path (name; "" on a create). What it returns applies the form to an
// object.
type formReader func(raw json.RawMessage, name string) (formApplier, error)

// formApplier makes u, a new object or the stored one, what the form describes, or refuses
// by field a change that Kubernetes does not allow.
type formApplier func(u *unstructured.Unstructured) error

// objectForm is what the forms of internal/workload have in common, for objects of type T.
type objectForm[T any] interface {
	FormName() string
	Validate() []*workload.FieldError
	ApplyTo(*T) []*workload.FieldError
}

// readForm is the formReader of form type F for objects of type T.
func readForm[T any, F any, PF interface {
	*F
	objectForm[T]
}](raw json.RawMessage, name string) (formApplier, error) {
	form := PF(new(F))
	decoder := json.NewDecoder(bytes.NewReader(raw))
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(form); err != nil {
		return nil, rest.Errorf(rest.CodeInvalidArgument, "form", "is not the form of this kind: "+err.Error())
	}
	if name != "" && form.FormName() != name {
		return nil, rest.Errorf(rest.CodeInvalidArgument, "name", fmt.Sprintf("is %q but the path names %q; an object cannot be renamed", form.FormName(), name))
	}
	if errs := form.Validate(); len(errs) > 0 {
		return nil, formError(errs)
	}
	return func(u *unstructured.Unstructured) error {
		var typed T
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &typed); err != nil {
			return fmt.Errorf("reading %s %s: %w", u.GetKind(), u.GetName(), err)
		}
		if errs := form.ApplyTo(&typed); len(errs) > 0 {
			return formError(errs)
		}
		object, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&typed)
		if err != nil {
			return fmt.Errorf("converting the form's %s: %w", u.GetKind(), err)
		}
		created := u.GetCreationTimestamp()
		isNew := created.IsZero()
		u.Object = object
		if isNew {
			// The typed object carries an empty status and creationTimestamp: not for the apiserver.
			unstructured.RemoveNestedField(u.Object, "status")
			unstructured.RemoveNestedField(u.Object, "metadata", "creationTimestamp")
		}
		return nil
	}, nil
}

// writePlan is what a create or an update asks for, checked against the route.
type writePlan struct {
	// desired is the object to write, made from the stored one (an empty one on a create).
	desired func(stored *unstructured.Unstructured) (*unstructured.Unstructured, error)
	// pinned: the manifest carries a resourceVersion, which asks for optimistic concurrency;
	// its conflict is the caller's to see.
	pinned bool
}

// plan checks req against the route of k in namespace (and name on an update) before anything
// is read or written, so that a refused request changes nothing.
func (k *resourceKind) plan(req *ResourceRequest, namespace, name string) (*writePlan, error) {
	switch {
	case req.hasForm() == (req.YAML != ""):
		return nil, rest.Errorf(rest.CodeInvalidArgument, "", "send exactly one of form and yaml")
	case req.hasForm() && k.form == nil:
		return nil, rest.Errorf(rest.CodeInvalidArgument, "form", fmt.Sprintf("%s have no form; send the object as yaml", k.plural))
	case req.hasForm():
		apply, err := k.form(req.Form, name)
		if err != nil {
			return nil, err
		}
		return &writePlan{desired: func(stored *unstructured.Unstructured) (*unstructured.Unstructured, error) {
			next := stored.DeepCopy()
			return next, apply(next)
		}}, nil
	}
	manifest, err := k.fromYAML(req.YAML, namespace, name)
	if err != nil {
		return nil, err
	}
	pinned := manifest.GetResourceVersion() != ""
	return &writePlan{pinned: pinned, desired: func(stored *unstructured.Unstructured) (*unstructured.Unstructured, error) {
		next := manifest.DeepCopy()
		if !pinned {
			next.SetResourceVersion(stored.GetResourceVersion())
		}
		return next, nil
	}}, nil
}

// fromYAML reads a manifest and checks it against the route: its kind, its namespace (or
// none) and, on an update, its name. The rest is the apiserver's to check, as for kubectl
// apply.
func (k *resourceKind) fromYAML(text, namespace, name string) (*unstructured.Unstructured, error) {
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(text), &u.Object); err != nil {
		return nil, rest.Errorf(rest.CodeInvalidArgument, "yaml", "is not one YAML object: "+err.Error())
	}
	switch {
	case u.Object == nil:
		return nil, rest.Errorf(rest.CodeInvalidArgument, "yaml", "is empty")
	case u.GetKind() != k.name || u.GroupVersionKind().GroupVersion() != k.gvr.GroupVersion():
		return nil, rest.Errorf(rest.CodeInvalidArgument, "yaml", fmt.Sprintf("is a %s %s; this route takes %s %s", u.GetAPIVersion(), u.GetKind(), k.gvr.GroupVersion(), k.name))
	case u.GetNamespace() != "" && u.GetNamespace() != namespace:
		return nil, rest.Errorf(rest.CodeInvalidArgument, "yaml", fmt.Sprintf("metadata.namespace is %q but the path names namespace %q", u.GetNamespace(), namespace))
	case name != "" && u.GetName() != name:
		return nil, rest.Errorf(rest.CodeInvalidArgument, "yaml", fmt.Sprintf("metadata.name is %q but the path names %q; an object cannot be renamed", u.GetName(), name))
	}
	u.SetNamespace(namespace)
	return u, nil
}

// emptyObject is the stored object of a create: nothing but its kind and namespace.
func (k *resourceKind) emptyObject(namespace string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(k.gvr.GroupVersion().WithKind(k.name))
	u.SetNamespace(namespace)
	return u
}

func (h *Handler) createResource(w http.ResponseWriter, r *http.Request, c *caller.Call, k *resourceKind) {
	var req ResourceRequest
	if err := rest.ReadJSON(r, &req); err != nil {
		rest.WriteError(w, err)
		return
	}
	namespace := r.PathValue("namespace")
	plan, err := k.plan(&req, namespace, "")
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	desired, err := plan.desired(k.emptyObject(namespace))
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
	answerResource(w, http.StatusCreated, k, created)
}

// updateResource replaces the object. A form changes what it describes on the latest stored
// object, reading it again when someone else wrote in between; so does a manifest without a
// resourceVersion.
func (h *Handler) updateResource(w http.ResponseWriter, r *http.Request, c *caller.Call, k *resourceKind) {
	var req ResourceRequest
	if err := rest.ReadJSON(r, &req); err != nil {
		rest.WriteError(w, err)
		return
	}
	namespace, name := r.PathValue("namespace"), r.PathValue("name")
	plan, err := k.plan(&req, namespace, name)
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	dyn, err := c.Dynamic()
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	resource := dyn.Resource(k.gvr).Namespace(namespace)
	var updated *unstructured.Unstructured
	err = retry.OnError(retry.DefaultBackoff, func(err error) bool { return !plan.pinned && apierrors.IsConflict(err) }, func() error {
		stored, err := resource.Get(r.Context(), name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		next, err := plan.desired(stored)
		if err != nil {
			return err
		}
		updated, err = resource.Update(r.Context(), next, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		fail(w, c, err)
		return
	}
	answerResource(w, http.StatusOK, k, updated)
}
