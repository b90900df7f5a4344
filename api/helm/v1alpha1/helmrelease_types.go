package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// HelmRelease is one app installed with Helm into its namespace of a member cluster; its name is
// the Helm release name. The spec is what the app should be; each change of it becomes a
// HelmOperation (install, upgrade or rollback) and deleting it uninstalls the release. Helm's
// own storage (Secrets in the namespace) keeps the release, so `helm list` shows it.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="CHART",type=string,JSONPath=`.spec.chart.name`
// +kubebuilder:printcolumn:name="VERSION",type=string,JSONPath=`.spec.chart.version`
// +kubebuilder:printcolumn:name="STATUS",type=string,JSONPath=`.status.phase`
// +kubebuilder:printcolumn:name="REVISION",type=integer,JSONPath=`.status.revision`
// +kubebuilder:printcolumn:name="AGE",type=date,JSONPath=`.metadata.creationTimestamp`
type HelmRelease struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   HelmReleaseSpec   `json:"spec"`
	Status HelmReleaseStatus `json:"status,omitempty"`
}

// Annotations on a HelmRelease.
const (
	// RequestedByAnnotation is the member-cluster user name whose rights the release's
	// operations use (kpanda:<user> for kpanda users); an admission policy in the member lets
	// a requester write only its own name.
	RequestedByAnnotation = "helm.kpanda.io/requested-by"
	// RequestedGroupsAnnotation is that user's groups, comma-separated.
	RequestedGroupsAnnotation = "helm.kpanda.io/requested-groups"
	// RollbackToAnnotation, set together with a spec change, makes that change a rollback to
	// the Helm revision it names rather than an upgrade.
	RollbackToAnnotation = "helm.kpanda.io/rollback-to"
)

// UninstallFinalizer holds a HelmRelease until its uninstall ended or the deletion bound passed.
// kpanda's REST API sets it at creation, which spares the controller a write before the install.
const UninstallFinalizer = "helm.kpanda.io/uninstall"

// ChartRef names a chart version in one of the cluster's HelmRepos.
type ChartRef struct {
	// Repo is the name of a HelmRepo of the cluster.
	// +kubebuilder:validation:MinLength=1
	Repo string `json:"repo"`
	// Name is the chart's name in that repository.
	// +kubebuilder:validation:MinLength=1
	Name string `json:"name"`
	// Version is the chart version; empty means the newest when the operation starts.
	// +optional
	Version string `json:"version,omitempty"`
}

// HelmReleaseSpec is the desired state of the app.
type HelmReleaseSpec struct {
	Chart ChartRef `json:"chart"`
	// Values is a YAML document of chart values.
	// +optional
	Values string `json:"values,omitempty"`
	// Wait waits until the release's resources are ready before the operation succeeds.
	// +optional
	Wait bool `json:"wait,omitempty"`
	// Atomic deletes (install) or rolls back (upgrade) on failure; it implies Wait.
	// +optional
	Atomic bool `json:"atomic,omitempty"`
	// Timeout bounds each operation; the default is 5m.
	// +optional
	Timeout *metav1.Duration `json:"timeout,omitempty"`
}

// HelmReleasePhase summarises a release for lists.
type HelmReleasePhase string

// The phases of a HelmRelease.
const (
	ReleaseInstalling   HelmReleasePhase = "Installing"
	ReleaseUpgrading    HelmReleasePhase = "Upgrading"
	ReleaseRollingBack  HelmReleasePhase = "RollingBack"
	ReleaseUninstalling HelmReleasePhase = "Uninstalling"
	ReleaseDeployed     HelmReleasePhase = "Deployed"
	ReleaseFailed       HelmReleasePhase = "Failed"
)

// Condition types of a HelmRelease.
const (
	// ConditionReady is True when the last operation deployed the spec's generation.
	ConditionReady = "Ready"
)

// HelmReleaseStatus is what the last operation did.
type HelmReleaseStatus struct {
	// ObservedGeneration is the generation of the spec the last finished operation applied
	// (successfully or not); a newer generation starts a new operation.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// +optional
	Phase HelmReleasePhase `json:"phase,omitempty"`
	// Revision is the Helm revision deployed.
	// +optional
	Revision int `json:"revision,omitempty"`
	// ChartVersion and AppVersion are those of the deployed chart.
	// +optional
	ChartVersion string `json:"chartVersion,omitempty"`
	// +optional
	AppVersion string `json:"appVersion,omitempty"`
	// CurrentOperation is the HelmOperation running for this release, if any.
	// +optional
	CurrentOperation string `json:"currentOperation,omitempty"`
	// LastOperation is the newest finished HelmOperation.
	// +optional
	LastOperation string `json:"lastOperation,omitempty"`
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// HelmReleaseList is a list of HelmReleases.
//
// +kubebuilder:object:root=true
type HelmReleaseList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []HelmRelease `json:"items"`
}
