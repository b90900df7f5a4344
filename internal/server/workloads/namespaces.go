package workloads

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kpanda/kpanda/internal/server/caller"
	"github.com/kpanda/kpanda/internal/server/rest"
	"github.com/kpanda/kpanda/internal/workload"
)

// quotaName is the ResourceQuota a namespace is created with.
const quotaName = "kpanda-quota"

// Namespace is a namespace as the API shows it.
type Namespace struct {
	Name    string            `json:"name"`
	Status  string            `json:"status"` // Active or Terminating
	Labels  map[string]string `json:"labels,omitempty"`
	Created time.Time         `json:"created"`
}

// NamespaceList is the answer of a list.
type NamespaceList struct {
	Items []Namespace `json:"items"`
}

// NamespaceRequest is the body of a create.
type NamespaceRequest struct {
	Name   string            `json:"name"`
	Labels map[string]string `json:"labels,omitempty"`
	// Quota, when set, is the hard limits of a ResourceQuota created with the namespace, by
	// resource name ("requests.cpu": "4", "pods": "20").
	Quota map[string]string `json:"quota,omitempty"`
}

func namespaceView(ns *corev1.Namespace) Namespace {
	return Namespace{Name: ns.Name, Status: string(ns.Status.Phase), Labels: ns.Labels, Created: ns.CreationTimestamp.UTC()}
}

// listNamespaces lists the member's namespaces as the caller. Who holds namespace roles only
// may not list namespaces in the member; they get the namespaces kpanda's access model shows
// them, read as kpanda (a name and labels, nothing of what is inside).
func (h *Handler) listNamespaces(w http.ResponseWriter, r *http.Request, c *caller.Call) {
	kube, err := c.Kubernetes()
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	list, err := kube.CoreV1().Namespaces().List(r.Context(), metav1.ListOptions{})
	if apierrors.IsForbidden(err) {
		list, err = visibleNamespaces(r.Context(), c)
	}
	if err != nil {
		fail(w, c, err)
		return
	}
	out := NamespaceList{Items: make([]Namespace, 0, len(list.Items))}
	for i := range list.Items {
		out.Items = append(out.Items, namespaceView(&list.Items[i]))
	}
	rest.WriteJSON(w, http.StatusOK, out)
}

func visibleNamespaces(ctx context.Context, c *caller.Call) (*corev1.NamespaceList, error) {
	list := &corev1.NamespaceList{}
	for _, name := range c.VisibleNamespaces() {
		ns, err := c.Member.Client.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			continue // bound in kpanda, not (yet) created in the member
		}
		if err != nil {
			return nil, fmt.Errorf("reading namespace %s: %w", name, err)
		}
		list.Items = append(list.Items, *ns)
	}
	return list, nil
}

// validate checks the request before anything is created, so that a bad quota leaves no
// namespace behind.
func (req *NamespaceRequest) validate() error {
	if errs := workload.ValidateName("name", req.Name); len(errs) > 0 {
		return formError(errs)
	}
	for key, value := range req.Labels {
		for _, msg := range append(validation.IsQualifiedName(key), validation.IsValidLabelValue(value)...) {
			return rest.Errorf(rest.CodeInvalidArgument, "labels["+key+"]", fmt.Sprintf("labels[%s]=%q: %s", key, value, msg))
		}
	}
	for name, q := range req.Quota {
		if _, err := resource.ParseQuantity(q); err != nil {
			return rest.Errorf(rest.CodeInvalidArgument, "quota["+name+"]", fmt.Sprintf("quota[%s]: %q is not a quantity (e.g. 4, 500m, 8Gi)", name, q))
		}
	}
	return nil
}

func (req *NamespaceRequest) quota() *corev1.ResourceQuota {
	hard := corev1.ResourceList{}
	for name, q := range req.Quota {
		hard[corev1.ResourceName(name)] = resource.MustParse(q)
	}
	return &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: quotaName, Namespace: req.Name}, Spec: corev1.ResourceQuotaSpec{Hard: hard}}
}

// createNamespace creates the namespace and its quota as the caller. A quota the member
// refuses takes the new namespace away again: a create either happens whole or not at all.
func (h *Handler) createNamespace(w http.ResponseWriter, r *http.Request, c *caller.Call) {
	var req NamespaceRequest
	if err := rest.ReadJSON(r, &req); err != nil {
		rest.WriteError(w, err)
		return
	}
	if err := req.validate(); err != nil {
		rest.WriteError(w, err)
		return
	}
	kube, err := c.Kubernetes()
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	ns, err := kube.CoreV1().Namespaces().Create(r.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: req.Name, Labels: req.Labels}}, metav1.CreateOptions{})
	if err != nil {
		fail(w, c, err)
		return
	}
	if len(req.Quota) > 0 {
		if _, err := kube.CoreV1().ResourceQuotas(req.Name).Create(r.Context(), req.quota(), metav1.CreateOptions{}); err != nil {
			if undo := kube.CoreV1().Namespaces().Delete(context.WithoutCancel(r.Context()), req.Name, metav1.DeleteOptions{}); undo != nil {
				err = errors.Join(err, fmt.Errorf("deleting the new namespace failed too: %w", undo))
			}
			fail(w, c, fmt.Errorf("creating the quota of namespace %s: %w", req.Name, err))
			return
		}
	}
	rest.WriteJSON(w, http.StatusCreated, namespaceView(ns))
}
