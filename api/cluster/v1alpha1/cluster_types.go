package v1alpha1

import (
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ClusterMode is how kpanda reaches a member cluster.
// +kubebuilder:validation:Enum=Push
type ClusterMode string

// ClusterModePush: kpanda dials the member with a kubeconfig stored in <cluster>-secret.
const ClusterModePush ClusterMode = "Push"

// ProviderGeneric is the provider of a cluster integrated from a kubeconfig.
const ProviderGeneric = "Generic"

// GlobalClusterName is the global service cluster, which manages itself under this name and
// can never be detached.
const GlobalClusterName = "kpanda-global-cluster"

// KubeSystemIDLabel carries the kube-system UID of the cluster from the moment it is
// integrated, so that integrating the same cluster under a second name is refused at once.
const KubeSystemIDLabel = "cluster.kpanda.io/kube-system-id"

// ClusterPhase summarises a cluster's state for lists.
type ClusterPhase string

const (
	// ClusterJoining: integrated, not yet probed successfully.
	ClusterJoining ClusterPhase = "Joining"
	// ClusterRunning: the last probe reached the cluster.
	ClusterRunning ClusterPhase = "Running"
	// ClusterUnknown: the cluster has not answered for a while.
	ClusterUnknown ClusterPhase = "Unknown"
	// ClusterRemoving: detach is cleaning the member up.
	ClusterRemoving ClusterPhase = "Removing"
)

// Condition types of a Cluster.
const (
	// ConditionRunning is True while the cluster answers kpanda's probes.
	ConditionRunning = "Running"
	// ConditionSettingValid is False while <cluster>-setting holds settings kpanda refuses; the
	// last good settings stay in force meanwhile.
	ConditionSettingValid = "SettingValid"
	// ConditionMemberPrepared is True once kpanda's namespace and objects exist in the member.
	ConditionMemberPrepared = "MemberPrepared"
	// ConditionRemoved tells how detaching proceeds, and what blocks it.
	ConditionRemoved = "Removed"
)

// ClusterSpec is what a user decides about a cluster.
type ClusterSpec struct {
	// Mode is how kpanda reaches the cluster.
	// +kubebuilder:default=Push
	// +optional
	Mode ClusterMode `json:"mode,omitempty"`
	// Provider is where the cluster comes from; Generic for an integrated kubeconfig.
	// +kubebuilder:default=Generic
	// +optional
	Provider string `json:"provider,omitempty"`
	// Alias is a display name.
	// +kubebuilder:validation:MaxLength=60
	// +optional
	Alias string `json:"alias,omitempty"`
}

// NodeSummary counts a cluster's nodes.
type NodeSummary struct {
	Total int32 `json:"total"`
	Ready int32 `json:"ready"`
}

// ResourceSummary adds up the nodes' resources (cpu, memory, pods).
type ResourceSummary struct {
	// +optional
	Capacity map[string]resource.Quantity `json:"capacity,omitempty"`
	// +optional
	Allocatable map[string]resource.Quantity `json:"allocatable,omitempty"`
}

// ClusterStatus is what kpanda observed of a cluster.
type ClusterStatus struct {
	// ObservedGeneration is the generation this status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// +optional
	Phase ClusterPhase `json:"phase,omitempty"`
	// APIEndpoint is the kube-apiserver URL kpanda dials.
	// +optional
	APIEndpoint string `json:"apiEndpoint,omitempty"`
	// KubernetesVersion is the version the cluster's apiserver reports.
	// +optional
	KubernetesVersion string `json:"kubernetesVersion,omitempty"`
	// KubeSystemID is the UID of namespace kube-system: it identifies the cluster whatever it
	// is named, so one cluster cannot be integrated twice.
	// +optional
	KubeSystemID string `json:"kubeSystemID,omitempty"`
	// +optional
	Nodes NodeSummary `json:"nodes"`
	// +optional
	Resources ResourceSummary `json:"resources"`
	// PodCount is the number of pods in the cluster.
	// +optional
	PodCount int32 `json:"podCount"`
	// LastProbeTime is when kpanda last tried to reach the cluster.
	// +optional
	LastProbeTime *metav1.Time `json:"lastProbeTime,omitempty"`
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// Cluster is a Kubernetes cluster managed by kpanda.
// +kubebuilder:object:root=true
// +kubebuilder:resource:scope=Cluster
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="VERSION",type=string,JSONPath=`.status.kubernetesVersion`
// +kubebuilder:printcolumn:name="MODE",type=string,JSONPath=`.spec.mode`
// +kubebuilder:printcolumn:name="PROVIDER",type=string,JSONPath=`.spec.provider`
// +kubebuilder:printcolumn:name="RUNNING",type=string,JSONPath=`.status.conditions[?(@.type=="Running")].status`
// +kubebuilder:printcolumn:name="KUBESYSTEMID",type=string,JSONPath=`.status.kubeSystemID`
// +kubebuilder:printcolumn:name="PHASE",type=string,JSONPath=`.status.phase`,priority=1
// +kubebuilder:printcolumn:name="AGE",type=date,JSONPath=`.metadata.creationTimestamp`
type Cluster struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   ClusterSpec   `json:"spec,omitempty"`
	Status ClusterStatus `json:"status,omitempty"`
}

// ClusterList is a list of Clusters.
// +kubebuilder:object:root=true
type ClusterList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Cluster `json:"items"`
}
