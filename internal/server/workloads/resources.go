package workloads

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kpanda/kpanda/internal/server/caller"
	"github.com/kpanda/kpanda/internal/server/rest"
	"github.com/kpanda/kpanda/internal/workload"
)

// The objects that go with workloads: how they are reached (Services, Ingresses), configured
// (ConfigMaps, Secrets) and where they keep data (PersistentVolumeClaims). Each kind has the
// five routes of a collection; all but Ingresses are also written from a form of
// internal/workload.

// lastAppliedAnnotation is where kubectl apply keeps the whole manifest it applied: for a
// Secret, its values.
const lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

// resourceKind is one kind of these objects.
type resourceKind struct {
	name   string // Service
	plural string // services
	gvr    schema.GroupVersionResource
	// summarize fills in the kind's summary of out from the object.
	summarize func(*unstructured.Unstructured, *Resource) error
	// form reads the kind's form and checks its rules; nil for a kind written as YAML only.
	form formReader
	// secret marks the kind whose values are shown only when asked for.
	secret bool
}

var resourceKinds = []*resourceKind{
	{name: "Service", plural: "services", gvr: corev1.SchemeGroupVersion.WithResource("services"),
		summarize: typedSummary(func(s *corev1.Service, out *Resource) { out.Service = ptrTo(workload.ServiceSummaryOf(s)) }),
		form:      readForm[corev1.Service, workload.ServiceForm]},
	{name: "Ingress", plural: "ingresses", gvr: networkingv1.SchemeGroupVersion.WithResource("ingresses"),
		summarize: typedSummary(func(i *networkingv1.Ingress, out *Resource) { out.Ingress = ptrTo(workload.IngressSummaryOf(i)) })},
	{name: "ConfigMap", plural: "configmaps", gvr: corev1.SchemeGroupVersion.WithResource("configmaps"),
		summarize: typedSummary(func(c *corev1.ConfigMap, out *Resource) { out.ConfigMap = ptrTo(workload.ConfigMapSummaryOf(c)) }),
		form:      readForm[corev1.ConfigMap, workload.ConfigMapForm]},
	{name: "Secret", plural: "secrets", gvr: corev1.SchemeGroupVersion.WithResource("secrets"), secret: true,
		summarize: typedSummary(func(s *corev1.Secret, out *Resource) { out.Secret = ptrTo(workload.SecretSummaryOf(s)) }),
		form:      readForm[corev1.Secret, workload.SecretForm]},
	{name: "PersistentVolumeClaim", plural: "persistentvolumeclaims", gvr: corev1.SchemeGroupVersion.WithResource("persistentvolumeclaims"),
		summarize: typedSummary(func(c *corev1.PersistentVolumeClaim, out *Resource) {
			out.PersistentVolumeClaim = ptrTo(workload.PVCSummaryOf(c))
		}),
		form: readForm[corev1.PersistentVolumeClaim, workload.PVCForm]},
}

// resourceRoutes are the routes of every resource kind, under /namespaces/{namespace}/.
func resourceRoutes(h *Handler) map[string]serveFunc {
	routes := map[string]serveFunc{}
	for _, k := range resourceKinds {
		collection := "/namespaces/{namespace}/" + k.plural
		routes["GET "+collection] = h.forResource(k, h.listResources)
		routes["POST "+collection] = h.forResource(k, h.createResource)
		routes["GET "+collection+"/{name}"] = h.forResource(k, h.getResource)
		routes["PUT "+collection+"/{name}"] = h.forResource(k, h.updateResource)
		routes["DELETE "+collection+"/{name}"] = h.forResource(k, h.deleteResource)
	}
	return routes
}

// Resource is a Service, an Ingress, a ConfigMap, a Secret or a PersistentVolumeClaim as the
// API shows it: what a list needs at a glance in the summary of its kind, and the object.
type Resource struct {
	Kind      string    `json:"kind"`
	Name      string    `json:"name"`
	Namespace string    `json:"namespace"`
	Created   time.Time `json:"created"`

	Service               *workload.ServiceSummary   `json:"service,omitempty"`
	Ingress               *workload.IngressSummary   `json:"ingress,omitempty"`
	ConfigMap             *workload.ConfigMapSummary `json:"configMap,omitempty"`
	Secret                *workload.SecretSummary    `json:"secret,omitempty"`
	PersistentVolumeClaim *workload.PVCSummary       `json:"persistentVolumeClaim,omitempty"`
	// Values are a Secret's values, only in the answer to GET .../secrets/{name}?values=true.
	Values *workload.SecretValues `json:"values,omitempty"`

	// Object is the object; a Secret's without its values.
	Object map[string]any `json:"object"`
}

// ResourceList is the answer of a list.
type ResourceList struct {
	Items []Resource `json:"items"`
}

// typedSummary adapts a summary of a typed object to unstructured objects.
func typedSummary[T any](fill func(*T, *Resource)) func(*unstructured.Unstructured, *Resource) error {
	return func(u *unstructured.Unstructured, out *Resource) error {
		var typed T
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &typed); err != nil {
			return fmt.Errorf("reading %s %s: %w", u.GetKind(), u.GetName(), err)
		}
		fill(&typed, out)
		return nil
	}
}

func (k *resourceKind) view(u *unstructured.Unstructured) (Resource, error) {
	out := Resource{Kind: k.name, Name: u.GetName(), Namespace: u.GetNamespace(), Created: u.GetCreationTimestamp().UTC(), Object: u.Object}
	if err := k.summarize(u, &out); err != nil {
		return Resource{}, err
	}
	if k.secret {
		out.Object = withoutValues(u).Object
	}
	return out, nil
}

// withoutValues is a copy of the Secret u without its values: its data, its stringData, and
// the manifest kubectl apply keeps in an annotation, which holds them too.
func withoutValues(u *unstructured.Unstructured) *unstructured.Unstructured {
	out := u.DeepCopy()
	unstructured.RemoveNestedField(out.Object, "data")
	unstructured.RemoveNestedField(out.Object, "stringData")
	if annotations := out.GetAnnotations(); annotations[lastAppliedAnnotation] != "" {
		delete(annotations, lastAppliedAnnotation)
		out.SetAnnotations(annotations)
	}
	return out
}

// forResource binds a resource kind to a handler.
func (h *Handler) forResource(k *resourceKind, serve func(http.ResponseWriter, *http.Request, *caller.Call, *resourceKind)) serveFunc {
	return func(w http.ResponseWriter, r *http.Request, c *caller.Call) { serve(w, r, c, k) }
}

func (h *Handler) listResources(w http.ResponseWriter, r *http.Request, c *caller.Call, k *resourceKind) {
	dyn, err := c.Dynamic()
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	list, err := dyn.Resource(k.gvr).Namespace(r.PathValue("namespace")).List(r.Context(), metav1.ListOptions{LabelSelector: r.URL.Query().Get("labelSelector")})
	if err != nil {
		fail(w, c, err)
		return
	}
	out := ResourceList{Items: make([]Resource, 0, len(list.Items))}
	for i := range list.Items {
		v, err := k.view(&list.Items[i])
		if err != nil {
			rest.WriteError(w, err)
			return
		}
		out.Items = append(out.Items, v)
	}
	rest.WriteJSON(w, http.StatusOK, out)
}

// getResource answers one object; ?values=true adds a Secret's values. The object is read as
// the caller, so the member's RBAC decides whether they may get Secrets at all.
func (h *Handler) getResource(w http.ResponseWriter, r *http.Request, c *caller.Call, k *resourceKind) {
	withValues, err := valuesAsked(r, k)
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	dyn, err := c.Dynamic()
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	u, err := dyn.Resource(k.gvr).Namespace(r.PathValue("namespace")).Get(r.Context(), r.PathValue("name"), metav1.GetOptions{})
	if err != nil {
		fail(w, c, err)
		return
	}
	v, err := k.view(u)
	if err == nil && withValues {
		v.Values, err = secretValues(u)
	}
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	rest.WriteJSON(w, http.StatusOK, v)
}

// valuesAsked reads ?values=, which only a Secret's route takes.
func valuesAsked(r *http.Request, k *resourceKind) (bool, error) {
	raw := r.URL.Query().Get("values")
	if raw == "" {
		return false, nil
	}
	asked, err := strconv.ParseBool(raw)
	if err != nil {
		return false, rest.Errorf(rest.CodeInvalidArgument, "values", fmt.Sprintf("values must be true or false, got %q", raw))
	}
	if asked && !k.secret {
		return false, rest.Errorf(rest.CodeInvalidArgument, "values", fmt.Sprintf("only Secrets hide values; a %s is shown whole", k.name))
	}
	return asked, nil
}

func secretValues(u *unstructured.Unstructured) (*workload.SecretValues, error) {
	var secret corev1.Secret
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &secret); err != nil {
		return nil, fmt.Errorf("reading Secret %s: %w", u.GetName(), err)
	}
	return ptrTo(workload.SecretValuesOf(&secret)), nil
}

func (h *Handler) deleteResource(w http.ResponseWriter, r *http.Request, c *caller.Call, k *resourceKind) {
	dyn, err := c.Dynamic()
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	err = dyn.Resource(k.gvr).Namespace(r.PathValue("namespace")).Delete(r.Context(), r.PathValue("name"), metav1.DeleteOptions{})
	if err != nil {
		fail(w, c, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func answerResource(w http.ResponseWriter, status int, k *resourceKind, u *unstructured.Unstructured) {
	v, err := k.view(u)
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	rest.WriteJSON(w, status, v)
}
