package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// HelmRepo is one Helm chart repository a member cluster installs apps from. Its index is
// fetched on creation, every helm_repo_refresh_interval seconds of the cluster's setting, and
// when the annotation RefreshRequestedAnnotation changes; the charts it lists are kept in the
// ConfigMap kpanda-system/helmrepo-<name>-index of the member.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:scope=Cluster,path=helmrepos,singular=helmrepo
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="URL",type=string,JSONPath=`.spec.url`
// +kubebuilder:printcolumn:name="CHARTS",type=integer,JSONPath=`.status.chartCount`
// +kubebuilder:printcolumn:name="READY",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="LAST REFRESH",type=date,JSONPath=`.status.lastRefreshTime`
// +kubebuilder:printcolumn:name="AGE",type=date,JSONPath=`.metadata.creationTimestamp`
type HelmRepo struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   HelmRepoSpec   `json:"spec"`
	Status HelmRepoStatus `json:"status,omitempty"`
}

// RefreshRequestedAnnotation asks for a refresh now: any new value (kpanda writes the time).
const RefreshRequestedAnnotation = "helm.kpanda.io/refresh-requested-at"

// HelmRepoSpec says where the repository is and how to reach it.
type HelmRepoSpec struct {
	// URL is the repository's base URL; index.yaml is read below it.
	// +kubebuilder:validation:Pattern=`^https?://[^\s]+$`
	URL string `json:"url"`
	// AuthSecretName names a Secret in the member's kpanda-system with keys username and
	// password, sent as HTTP basic auth to the repository.
	// +optional
	AuthSecretName string `json:"authSecretName,omitempty"`
	// CABundle is PEM certificates trusted for the repository's TLS certificate, in addition to
	// the system's.
	// +optional
	CABundle string `json:"caBundle,omitempty"`
	// InsecureSkipTLSVerify accepts any TLS certificate from the repository.
	// +optional
	InsecureSkipTLSVerify bool `json:"insecureSkipTLSVerify,omitempty"`
}

// HelmRepoStatus is the outcome of the last refresh.
type HelmRepoStatus struct {
	// ObservedGeneration is the generation the last refresh read.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// LastRefreshTime is when the index was last fetched, successfully or not.
	// +optional
	LastRefreshTime *metav1.Time `json:"lastRefreshTime,omitempty"`
	// LastRefreshRequest is the value of RefreshRequestedAnnotation the last refresh served.
	// +optional
	LastRefreshRequest string `json:"lastRefreshRequest,omitempty"`
	// ChartCount is the number of charts the last good index listed.
	// +optional
	ChartCount int `json:"chartCount,omitempty"`
	// Conditions: Ready says whether the last refresh succeeded and, if not, why.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// HelmRepoList is a list of HelmRepos.
//
// +kubebuilder:object:root=true
type HelmRepoList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []HelmRepo `json:"items"`
}
