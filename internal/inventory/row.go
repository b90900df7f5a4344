package inventory

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Row is what a watch cache keeps of one object: the metadata a list filters and sorts on and
// the few status fields a list shows. Keeping rows instead of whole objects is what bounds a
// cache's memory (a Pod of a real cluster is 5-20 KB of JSON; its row is a few hundred bytes).
//
// Row is a runtime.Object so that client-go's informer store can hold it: the informer turns
// each object into a Row as it arrives (its transform), before the store sees it.
type Row struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`

	// Status is the status word users know (Running, Waiting, Completed, ...).
	Status string `json:"status"`
	// Ready is "ready/desired" for workloads and "ready/containers" for pods.
	Ready string `json:"ready,omitempty"`
	// Node is the node a pod runs on.
	Node string `json:"node,omitempty"`
	// Restarts is the sum of a pod's container restarts.
	Restarts int32 `json:"restarts,omitempty"`
}

// DeepCopyObject copies the row; the informer store never mutates rows, but the interface
// requires it.
func (r *Row) DeepCopyObject() runtime.Object {
	out := *r
	r.DeepCopyInto(&out.ObjectMeta)
	return &out
}

// GetObjectKind satisfies runtime.Object.
func (r *Row) GetObjectKind() schema.ObjectKind { return &r.TypeMeta }

// trimmedMeta keeps the metadata fields a row needs and drops the rest (managed fields,
// annotations, owner references), which are most of an object's metadata.
func trimmedMeta(m *metav1.ObjectMeta) metav1.ObjectMeta {
	return metav1.ObjectMeta{
		Name:              m.Name,
		Namespace:         m.Namespace,
		UID:               m.UID,
		ResourceVersion:   m.ResourceVersion,
		Labels:            m.Labels,
		CreationTimestamp: m.CreationTimestamp,
		DeletionTimestamp: m.DeletionTimestamp,
	}
}
