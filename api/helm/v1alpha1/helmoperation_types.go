package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// HelmOperation is one install, upgrade, rollback or uninstall of a HelmRelease, in the
// release's namespace. Its runner (a Job in the member's kpanda-system, or the controller-manager
// itself for the local executor) reports the result in its status; nothing else decides success.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="RELEASE",type=string,JSONPath=`.spec.release`
// +kubebuilder:printcolumn:name="TYPE",type=string,JSONPath=`.spec.type`
// +kubebuilder:printcolumn:name="USER",type=string,JSONPath=`.spec.user`
// +kubebuilder:printcolumn:name="PHASE",type=string,JSONPath=`.status.phase`
// +kubebuilder:printcolumn:name="STARTED",type=date,JSONPath=`.status.startTime`
// +kubebuilder:printcolumn:name="AGE",type=date,JSONPath=`.metadata.creationTimestamp`
type HelmOperation struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   HelmOperationSpec   `json:"spec"`
	Status HelmOperationStatus `json:"status,omitempty"`
}

// OperationType is what an operation does to its release.
// +kubebuilder:validation:Enum=Install;Upgrade;Rollback;Uninstall
type OperationType string

// The operation types.
const (
	OperationInstall   OperationType = "Install"
	OperationUpgrade   OperationType = "Upgrade"
	OperationRollback  OperationType = "Rollback"
	OperationUninstall OperationType = "Uninstall"
)

// ReleaseLabel on a HelmOperation names its release, for listing a release's history.
const ReleaseLabel = "helm.kpanda.io/release"

// HelmOperationSpec is everything the runner needs; it is written once, when the operation is
// created.
type HelmOperationSpec struct {
	Type OperationType `json:"type"`
	// Release is the HelmRelease (and Helm release) name, in the operation's namespace.
	Release string `json:"release"`
	// ReleaseGeneration is the HelmRelease generation this operation applies.
	// +optional
	ReleaseGeneration int64 `json:"releaseGeneration,omitempty"`
	// +optional
	Chart *ChartRef `json:"chart,omitempty"`
	// +optional
	Values string `json:"values,omitempty"`
	// +optional
	Wait bool `json:"wait,omitempty"`
	// +optional
	Atomic bool `json:"atomic,omitempty"`
	// Timeout bounds the Helm action.
	Timeout metav1.Duration `json:"timeout"`
	// Revision is the Helm revision a Rollback returns to.
	// +optional
	Revision int `json:"revision,omitempty"`
	// User and Groups are impersonated for every request the runner makes to the cluster.
	User string `json:"user"`
	// +optional
	Groups []string `json:"groups,omitempty"`
	// Executor is where the runner runs: job or local (the cluster setting's choice when the
	// operation was created).
	// +kubebuilder:validation:Enum=job;local
	Executor string `json:"executor"`
}

// OperationPhase is the stage of an operation.
type OperationPhase string

// The phases of a HelmOperation.
const (
	OperationPending   OperationPhase = "Pending"
	OperationRunning   OperationPhase = "Running"
	OperationSucceeded OperationPhase = "Succeeded"
	OperationFailed    OperationPhase = "Failed"
)

// Condition types of a HelmOperation.
const (
	// ConditionComplete is True when the runner reported success, False with a reason when the
	// operation failed (runner error, OOMKilled, image not pullable, no report...).
	ConditionComplete = "Complete"
)

// HelmOperationStatus is what the runner and the controller observed.
type HelmOperationStatus struct {
	// +optional
	Phase OperationPhase `json:"phase,omitempty"`
	// +optional
	StartTime *metav1.Time `json:"startTime,omitempty"`
	// +optional
	CompletionTime *metav1.Time `json:"completionTime,omitempty"`
	// Result is the runner's one-line report, or why there is none.
	// +optional
	Result string `json:"result,omitempty"`
	// Revision is the Helm revision the operation produced.
	// +optional
	Revision int `json:"revision,omitempty"`
	// ChartVersion and AppVersion of the release after the operation.
	// +optional
	ChartVersion string `json:"chartVersion,omitempty"`
	// +optional
	AppVersion string `json:"appVersion,omitempty"`
	// LogTail is the end of the runner's log.
	// +optional
	LogTail string `json:"logTail,omitempty"`
	// JobName is the Job of the job executor, in the member's kpanda-system.
	// +optional
	JobName string `json:"jobName,omitempty"`
	// Reported is set by the runner alone: an operation ends only with a report, or is failed
	// for lacking one.
	// +optional
	Reported bool `json:"reported,omitempty"`
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// HelmOperationList is a list of HelmOperations.
//
// +kubebuilder:object:root=true
type HelmOperationList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []HelmOperation `json:"items"`
}
