package workloads

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"

	"github.com/kpanda/kpanda/internal/server/caller"
	"github.com/kpanda/kpanda/internal/server/rest"
	"github.com/kpanda/kpanda/internal/workload"
)

// maxLogBytes bounds one log answer: a console page, not an archive.
const maxLogBytes = 4 << 20

// Pod is a pod as the API shows it.
type Pod struct {
	Name     string      `json:"name"`
	Status   string      `json:"status"`
	Ready    string      `json:"ready"` // ready/total containers, as kubectl shows
	Restarts int32       `json:"restarts"`
	Node     string      `json:"node,omitempty"`
	Created  time.Time   `json:"created"`
	Object   *corev1.Pod `json:"object"`
}

// PodList is the answer of a list.
type PodList struct {
	Items []Pod `json:"items"`
}

// Event is one event of an object, as kubectl describe lists them.
type Event struct {
	Type    string    `json:"type"`
	Reason  string    `json:"reason"`
	Message string    `json:"message"`
	Count   int32     `json:"count"`
	Last    time.Time `json:"last"`
}

// EventList is the answer of .../events, oldest first.
type EventList struct {
	Items []Event `json:"items"`
}

func podView(p *corev1.Pod) Pod {
	ready, restarts := 0, int32(0)
	for _, c := range p.Status.ContainerStatuses {
		if c.Ready {
			ready++
		}
		restarts += c.RestartCount
	}
	return Pod{Name: p.Name, Status: workload.PodStatus(p), Ready: fmt.Sprintf("%d/%d", ready, len(p.Spec.Containers)),
		Restarts: restarts, Node: p.Spec.NodeName, Created: p.CreationTimestamp.UTC(), Object: p}
}

// listPods lists the pods of the namespace, those matching ?labelSelector= when given.
func (h *Handler) listPods(w http.ResponseWriter, r *http.Request, c *caller.Call) {
	kube, err := c.Kubernetes()
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	list, err := kube.CoreV1().Pods(r.PathValue("namespace")).List(r.Context(), metav1.ListOptions{LabelSelector: r.URL.Query().Get("labelSelector")})
	if err != nil {
		fail(w, c, err)
		return
	}
	out := PodList{Items: make([]Pod, 0, len(list.Items))}
	for i := range list.Items {
		out.Items = append(out.Items, podView(&list.Items[i]))
	}
	rest.WriteJSON(w, http.StatusOK, out)
}

func (h *Handler) getPod(w http.ResponseWriter, r *http.Request, c *caller.Call) {
	kube, err := c.Kubernetes()
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	pod, err := kube.CoreV1().Pods(r.PathValue("namespace")).Get(r.Context(), r.PathValue("name"), metav1.GetOptions{})
	if err != nil {
		fail(w, c, err)
		return
	}
	rest.WriteJSON(w, http.StatusOK, podView(pod))
}

// podLog answers the log of a container (?container=, needed when the pod has several) as
// plain text, its last ?tailLines= lines when given.
func (h *Handler) podLog(w http.ResponseWriter, r *http.Request, c *caller.Call) {
	options := &corev1.PodLogOptions{Container: r.URL.Query().Get("container"), LimitBytes: ptrTo(int64(maxLogBytes))}
	if tail := r.URL.Query().Get("tailLines"); tail != "" {
		lines, err := strconv.ParseInt(tail, 10, 64)
		if err != nil || lines < 0 {
			rest.WriteError(w, rest.Errorf(rest.CodeInvalidArgument, "tailLines", fmt.Sprintf("tailLines must be a number of lines, 0 or more; got %q", tail)))
			return
		}
		options.TailLines = &lines
	}
	kube, err := c.Kubernetes()
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	log, err := kube.CoreV1().Pods(r.PathValue("namespace")).GetLogs(r.PathValue("name"), options).DoRaw(r.Context())
	if err != nil {
		fail(w, c, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write(log)
}

// podEvents lists the events of the pod, oldest first.
func (h *Handler) podEvents(w http.ResponseWriter, r *http.Request, c *caller.Call) {
	kube, err := c.Kubernetes()
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	selector := fields.Set{"involvedObject.kind": "Pod", "involvedObject.name": r.PathValue("name")}.AsSelector().String()
	list, err := kube.CoreV1().Events(r.PathValue("namespace")).List(r.Context(), metav1.ListOptions{FieldSelector: selector})
	if err != nil {
		fail(w, c, err)
		return
	}
	out := EventList{Items: make([]Event, 0, len(list.Items))}
	for _, e := range list.Items {
		out.Items = append(out.Items, Event{Type: e.Type, Reason: e.Reason, Message: e.Message, Count: e.Count, Last: lastSeen(&e)})
	}
	sort.SliceStable(out.Items, func(i, j int) bool { return out.Items[i].Last.Before(out.Items[j].Last) })
	rest.WriteJSON(w, http.StatusOK, out)
}

// lastSeen is when an event last happened: events.k8s.io writers fill only eventTime/series.
func lastSeen(e *corev1.Event) time.Time {
	switch {
	case !e.LastTimestamp.IsZero():
		return e.LastTimestamp.UTC()
	case e.Series != nil:
		return e.Series.LastObservedTime.UTC()
	case !e.EventTime.IsZero():
		return e.EventTime.UTC()
	}
	return e.CreationTimestamp.UTC()
}

func ptrTo[T any](v T) *T { return &v }
