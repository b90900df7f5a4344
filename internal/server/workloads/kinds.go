package workloads

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kpanda/kpanda/internal/server/caller"
	"github.com/kpanda/kpanda/internal/server/rest"
	"github.com/kpanda/kpanda/internal/workload"
)

// kind is one workload kind the API serves.
type kind struct {
	name   string // Deployment
	plural string // deployments
	gvr    schema.GroupVersionResource
	// status is the status word of an object of the kind.
	status func(*unstructured.Unstructured) (string, error)
	// template is the path of the pod template in an object.
	template []string
	// actions are the POST .../{name}/<action> routes of the kind.
	actions func(h *Handler, k *kind) map[string]serveFunc
}

var podTemplate = []string{"spec", "template"}

func noActions(*Handler, *kind) map[string]serveFunc { return nil }

var kinds = []*kind{
	{name: workload.KindDeployment, plural: "deployments", gvr: appsv1.SchemeGroupVersion.WithResource("deployments"),
		status: statusOf(workload.DeploymentStatus), template: podTemplate, actions: deploymentActions},
	{name: workload.KindStatefulSet, plural: "statefulsets", gvr: appsv1.SchemeGroupVersion.WithResource("statefulsets"),
		status: statusOf(workload.StatefulSetStatus), template: podTemplate, actions: statefulSetActions},
	{name: workload.KindDaemonSet, plural: "daemonsets", gvr: appsv1.SchemeGroupVersion.WithResource("daemonsets"),
		status: statusOf(workload.DaemonSetStatus), template: podTemplate, actions: daemonSetActions},
	{name: workload.KindJob, plural: "jobs", gvr: batchv1.SchemeGroupVersion.WithResource("jobs"),
		status: statusOf(workload.JobStatus), template: podTemplate, actions: noActions},
	{name: workload.KindCronJob, plural: "cronjobs", gvr: batchv1.SchemeGroupVersion.WithResource("cronjobs"),
		status: statusOf(workload.CronJobStatus), template: []string{"spec", "jobTemplate", "spec", "template"}, actions: cronJobActions},
}

// statusOf adapts a typed status function to unstructured objects.
func statusOf[T any](word func(*T) string) func(*unstructured.Unstructured) (string, error) {
	return func(u *unstructured.Unstructured) (string, error) {
		var typed T
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &typed); err != nil {
			return "", fmt.Errorf("reading %s %s: %w", u.GetKind(), u.GetName(), err)
		}
		return word(&typed), nil
	}
}

// templatePath is the path of a field of the pod template.
func (k *kind) templatePath(field ...string) []string {
	return append(slices.Clone(k.template), field...)
}

// Workload is a workload as the API shows it: what a list needs at a glance, the scheduling
// policies in the form's model (an edit form starts from them), and the object.
type Workload struct {
	Kind        string               `json:"kind"`
	Name        string               `json:"name"`
	Namespace   string               `json:"namespace"`
	Status      string               `json:"status"`
	Description string               `json:"description,omitempty"`
	Created     time.Time            `json:"created"`
	Scheduling  *workload.Scheduling `json:"scheduling,omitempty"`
	Object      map[string]any       `json:"object"`
}

// WorkloadList is the answer of a list.
type WorkloadList struct {
	Items []Workload `json:"items"`
}

func (k *kind) view(u *unstructured.Unstructured) (Workload, error) {
	status, err := k.status(u)
	if err != nil {
		return Workload{}, err
	}
	scheduling, err := k.scheduling(u)
	if err != nil {
		return Workload{}, err
	}
	return Workload{Kind: k.name, Name: u.GetName(), Namespace: u.GetNamespace(), Status: status, Scheduling: scheduling,
		Description: u.GetAnnotations()[workload.DescriptionAnnotation], Created: u.GetCreationTimestamp().UTC(), Object: u.Object}, nil
}

// scheduling reads the scheduling policies of u's pod template.
func (k *kind) scheduling(u *unstructured.Unstructured) (*workload.Scheduling, error) {
	fields, found, err := unstructured.NestedMap(u.Object, k.templatePath("spec")...)
	if err != nil || !found {
		return nil, err
	}
	var spec corev1.PodSpec
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(fields, &spec); err != nil {
		return nil, fmt.Errorf("reading the pod template of %s %s: %w", u.GetKind(), u.GetName(), err)
	}
	return workload.SchedulingOf(&spec), nil
}

// forKind binds a kind to a handler of any kind.
func (h *Handler) forKind(k *kind, serve func(http.ResponseWriter, *http.Request, *caller.Call, *kind)) serveFunc {
	return func(w http.ResponseWriter, r *http.Request, c *caller.Call) { serve(w, r, c, k) }
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request, c *caller.Call, k *kind) {
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
	out := WorkloadList{Items: make([]Workload, 0, len(list.Items))}
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

func (h *Handler) get(w http.ResponseWriter, r *http.Request, c *caller.Call, k *kind) {
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
	answer(w, http.StatusOK, k, u)
}

func answer(w http.ResponseWriter, status int, k *kind, u *unstructured.Unstructured) {
	v, err := k.view(u)
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	rest.WriteJSON(w, status, v)
}

func (h *Handler) delete(w http.ResponseWriter, r *http.Request, c *caller.Call, k *kind) {
	dyn, err := c.Dynamic()
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	// Background propagation, as kubectl does: the pods go with the workload.
	policy := metav1.DeletePropagationBackground
	err = dyn.Resource(k.gvr).Namespace(r.PathValue("namespace")).Delete(r.Context(), r.PathValue("name"), metav1.DeleteOptions{PropagationPolicy: &policy})
	if err != nil {
		fail(w, c, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
