// Package v1alpha1 holds the types of the cluster.kpanda.io API group: the clusters kpanda
// manages, stored in the global service cluster.
// +kubebuilder:object:generate=true
// +groupName=cluster.kpanda.io
package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// GroupVersion is the group and version of these types.
var GroupVersion = schema.GroupVersion{Group: "cluster.kpanda.io", Version: "v1alpha1"}

var (
	schemeBuilder = runtime.NewSchemeBuilder(func(scheme *runtime.Scheme) error {
		scheme.AddKnownTypes(GroupVersion, &Cluster{}, &ClusterList{})
		metav1.AddToGroupVersion(scheme, GroupVersion)
		return nil
	})
	// AddToScheme adds the types of this group to a scheme.
	AddToScheme = schemeBuilder.AddToScheme
)
