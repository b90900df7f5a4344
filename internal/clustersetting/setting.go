// Package clustersetting reads, checks and writes the per-cluster settings of kpanda.
//
// Every member cluster has a ConfigMap kpanda-system/<cluster>-setting in the global service
// cluster, labelled kpanda.io/cluster-plugins: "" and owned by the cluster.kpanda.io Cluster of
// the same name. Its key clusterSetting holds one JSON document (seed FAQ 1) with the plugins
// and networks to detect, the Helm operation settings (the image and resources of the Job that
// installs Helm apps, the history kept, how often Helm repos are refreshed), cluster deletion
// protection and the etcd backup image.
//
// Operators edit that ConfigMap directly (kubectl edit) or with
// `kpanda cluster settings set NAME --set path=value`. The components read it whenever they need
// it, so an edit applies to the next Helm operation or refresh without restarting anything.
// Parse is strict: an unknown field or a bad value is reported with its JSON path instead of
// being silently ignored, because a typo in an operator's fix (seed FAQ 1 and 3) must not look
// like it worked.
package clustersetting

import (
	"encoding/json"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// The ConfigMap that holds a cluster's setting, in the global service cluster (DESIGN §2).
const (
	// Namespace is where the setting ConfigMaps live.
	Namespace = "kpanda-system"
	// NameSuffix follows the cluster name in the ConfigMap name; see ConfigMapName.
	NameSuffix = "-setting"
	// DataKey is the ConfigMap key that holds the JSON document.
	DataKey = "clusterSetting"
	// Label marks setting ConfigMaps; its value is the empty string.
	Label = "kpanda.io/cluster-plugins"
)

// ConfigMapName is the name of the setting ConfigMap of cluster, e.g. "skoala-dev-setting".
func ConfigMapName(cluster string) string { return cluster + NameSuffix }

// Executor says where a cluster's Helm operations run (DESIGN §4).
type Executor string

const (
	// ExecutorJob runs each Helm operation as a Job in the member cluster, the production way.
	ExecutorJob Executor = "job"
	// ExecutorLocal runs Helm operations inside the controller-manager, for clusters whose
	// nodes are simulated and cannot run the Job's container.
	ExecutorLocal Executor = "local"
)

// Setting is the document under DataKey. Field order is the order of seed FAQ 1, so that
// Marshal writes the fields the way operators have seen them in the documentation.
type Setting struct {
	Plugins                  []Plugin                 `json:"plugins"`
	Network                  []Plugin                 `json:"network"`
	AddonSetting             AddonSetting             `json:"addon_setting"`
	ClusterLCMSetting        ClusterLCMSetting        `json:"clusterlcm_setting"`
	EtcdBackupRestoreSetting EtcdBackupRestoreSetting `json:"etcd_backup_restore_setting"`
}

// Plugin is one entry of the plugins or network list. Name is a numeric plugin identifier;
// the flags are pointers because the seed leaves them out for some plugins, and absent must
// stay absent rather than become false when the document is written back.
type Plugin struct {
	Name                 int   `json:"name"`
	Enabled              *bool `json:"enabled,omitempty"`
	IntelligentDetection *bool `json:"intelligent_detection,omitempty"`
}

// AddonSetting configures Helm operations and Helm repositories of the cluster.
type AddonSetting struct {
	// HelmOperationHistoryLimit is how many finished HelmOperations are kept per release.
	HelmOperationHistoryLimit int `json:"helm_operation_history_limit"`
	// HelmRepoRefreshInterval is the period, in seconds, of the Helm repo refresh.
	HelmRepoRefreshInterval int `json:"helm_repo_refresh_interval"`
	// HelmOperationBaseImage is the image of the Helm operation Job (seed FAQ 3).
	HelmOperationBaseImage string `json:"helm_operation_base_image"`
	// HelmOperationJobTemplateResources are the resources of that Job (seed FAQ 1).
	HelmOperationJobTemplateResources Resources `json:"helm_operation_job_template_resources"`
	// HelmOperationExecutor is where Helm operations run; not in the seed, added by kpanda.
	HelmOperationExecutor Executor `json:"helm_operation_executor"`
}

// Resources are the limits and requests of a container, as Kubernetes quantities.
type Resources struct {
	Limits   ResourceList `json:"limits"`
	Requests ResourceList `json:"requests"`
}

// ResourceList holds one quantity per resource. A struct rather than a map, so that a
// misspelt resource name is an unknown field instead of a silently ignored key. An empty
// string means "not set", as an absent key does in a Kubernetes ResourceList.
type ResourceList struct {
	CPU    string `json:"cpu"`
	Memory string `json:"memory"`
}

// ClusterLCMSetting configures the life cycle of clusters that kpanda created.
type ClusterLCMSetting struct {
	// EnableDeletionProtection refuses uninstalling the cluster while true (seed FAQ 11).
	EnableDeletionProtection bool `json:"enable_deletion_protection"`
}

// EtcdBackupRestoreSetting configures etcd backups of the cluster.
type EtcdBackupRestoreSetting struct {
	BaseImage string `json:"base_image"`
}

// Defaults, from seed FAQ 1 except the resources, which the seed says were raised to
// cpu 100m / memory 400Mi after 50m/120Mi got Helm installs OOMKilled.
const (
	defaultHistoryLimit     = 100
	defaultRefreshInterval  = 600
	defaultBaseImage        = "ghcr.io/kpanda/kpanda-shell:v0.1.0"
	defaultEtcdBaseImage    = "ghcr.io/kpanda/etcdbrctl:v0.22.0"
	defaultCPU              = "100m"
	defaultMemory           = "400Mi"
	minRefreshIntervalSecs  = 10
	minHelmOperationHistory = 1
)

// Default is the setting of a cluster whose ConfigMap says nothing. Each call returns fresh
// slices and pointers, so callers may change the result freely.
func Default() Setting {
	return Setting{
		Plugins: []Plugin{
			{Name: 1, IntelligentDetection: boolPtr(true)},
			{Name: 2, Enabled: boolPtr(true), IntelligentDetection: boolPtr(true)},
		},
		Network: []Plugin{
			{Name: 4, Enabled: boolPtr(true), IntelligentDetection: boolPtr(true)},
		},
		AddonSetting: AddonSetting{
			HelmOperationHistoryLimit: defaultHistoryLimit,
			HelmRepoRefreshInterval:   defaultRefreshInterval,
			HelmOperationBaseImage:    defaultBaseImage,
			HelmOperationJobTemplateResources: Resources{
				Limits:   ResourceList{CPU: defaultCPU, Memory: defaultMemory},
				Requests: ResourceList{CPU: defaultCPU, Memory: defaultMemory},
			},
			HelmOperationExecutor: ExecutorJob,
		},
		ClusterLCMSetting:        ClusterLCMSetting{EnableDeletionProtection: true},
		EtcdBackupRestoreSetting: EtcdBackupRestoreSetting{BaseImage: defaultEtcdBaseImage},
	}
}

func boolPtr(b bool) *bool { return &b }

// Marshal writes s as the compact JSON stored under DataKey. It refuses an invalid setting,
// so that whatever kpanda writes, Parse accepts.
func Marshal(s Setting) ([]byte, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	data, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("encoding cluster setting: %w", err)
	}
	return data, nil
}

// JobResources are the resource requirements of the Helm operation Job's container, from
// addon_setting.helm_operation_job_template_resources. Quantities left empty are left out.
func (s Setting) JobResources() (corev1.ResourceRequirements, error) {
	r := s.AddonSetting.HelmOperationJobTemplateResources
	limits, err := r.Limits.toKubernetes(pathResources + ".limits")
	if err != nil {
		return corev1.ResourceRequirements{}, err
	}
	requests, err := r.Requests.toKubernetes(pathResources + ".requests")
	if err != nil {
		return corev1.ResourceRequirements{}, err
	}
	return corev1.ResourceRequirements{Limits: limits, Requests: requests}, nil
}

// toKubernetes converts l to a Kubernetes ResourceList; nil when nothing is set, as Kubernetes
// itself leaves an unset list.
func (l ResourceList) toKubernetes(path string) (corev1.ResourceList, error) {
	var out corev1.ResourceList
	for _, q := range l.quantities(path) {
		if q.value == "" {
			continue
		}
		parsed, err := resource.ParseQuantity(q.value)
		if err != nil {
			return nil, fmt.Errorf("%s: %q is not a Kubernetes quantity: %w", q.path, q.value, err)
		}
		if out == nil {
			out = corev1.ResourceList{}
		}
		out[q.name] = parsed
	}
	return out, nil
}

// namedQuantity is one quantity of a ResourceList with its Kubernetes name and JSON path.
type namedQuantity struct {
	name  corev1.ResourceName
	path  string
	value string
}

func (l ResourceList) quantities(path string) []namedQuantity {
	return []namedQuantity{
		{name: corev1.ResourceCPU, path: path + ".cpu", value: l.CPU},
		{name: corev1.ResourceMemory, path: path + ".memory", value: l.Memory},
	}
}

// RefreshInterval is the Helm repo refresh period. A value below the minimum (only possible in
// a Setting that skipped Validate) yields the minimum, so a controller that requeues with it
// never spins.
func (s Setting) RefreshInterval() time.Duration {
	seconds := max(s.AddonSetting.HelmRepoRefreshInterval, minRefreshIntervalSecs)
	return time.Duration(seconds) * time.Second
}
