// Package v1alpha1 holds the types of the iam.kpanda.io API group: who may see and do what
// (DESIGN §3). They live in the global cluster; kpanda compiles them into RBAC bindings in
// each member cluster, where the member's own apiserver enforces them.
// +kubebuilder:object:generate=true
// +groupName=iam.kpanda.io
package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// GroupVersion is the group and version of these types.
var GroupVersion = schema.GroupVersion{Group: "iam.kpanda.io", Version: "v1alpha1"}

var (
	schemeBuilder = runtime.NewSchemeBuilder(func(scheme *runtime.Scheme) error {
		scheme.AddKnownTypes(GroupVersion, &Group{}, &GroupList{}, &RoleGrant{}, &RoleGrantList{}, &Workspace{}, &WorkspaceList{}, &User{}, &UserList{})
		metav1.AddToGroupVersion(scheme, GroupVersion)
		return nil
	})
	// AddToScheme adds the types of this group to a scheme.
	AddToScheme = schemeBuilder.AddToScheme
)
