// Package v1alpha1 holds the types of the helm.kpanda.io API group: the Helm repositories,
// releases and operations kpanda keeps in every member cluster (DESIGN §2, §4).
// +kubebuilder:object:generate=true
// +groupName=helm.kpanda.io
package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// GroupVersion is the group and version of these types.
var GroupVersion = schema.GroupVersion{Group: "helm.kpanda.io", Version: "v1alpha1"}

var (
	schemeBuilder = runtime.NewSchemeBuilder(func(scheme *runtime.Scheme) error {
		scheme.AddKnownTypes(GroupVersion,
			&HelmRepo{}, &HelmRepoList{},
			&HelmRelease{}, &HelmReleaseList{},
			&HelmOperation{}, &HelmOperationList{})
		metav1.AddToGroupVersion(scheme, GroupVersion)
		return nil
	})
	// AddToScheme adds the types of this group to a scheme.
	AddToScheme = schemeBuilder.AddToScheme
)
