package clustersetting

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// defaultJSON is Default() as Marshal must write it: the document of seed FAQ 1 with kpanda's
// defaults, in the seed's field order, plus helm_operation_executor.
const defaultJSON = `{"plugins":[{"name":1,"intelligent_detection":true},{"name":2,"enabled":true,"intelligent_detection":true}],` +
	`"network":[{"name":4,"enabled":true,"intelligent_detection":true}],` +
	`"addon_setting":{"helm_operation_history_limit":100,"helm_repo_refresh_interval":600,` +
	`"helm_operation_base_image":"ghcr.io/kpanda/kpanda-shell:v0.1.0",` +
	`"helm_operation_job_template_resources":{"limits":{"cpu":"100m","memory":"400Mi"},"requests":{"cpu":"100m","memory":"400Mi"}},` +
	`"helm_operation_executor":"job"},` +
	`"clusterlcm_setting":{"enable_deletion_protection":true},` +
	`"etcd_backup_restore_setting":{"base_image":"ghcr.io/kpanda/etcdbrctl:v0.22.0"}}`

// faqFieldNames are all field names of the document in seed FAQ 1.
var faqFieldNames = []string{
	"plugins", "name", "enabled", "intelligent_detection", "network", "addon_setting",
	"helm_operation_history_limit", "helm_repo_refresh_interval", "helm_operation_base_image",
	"helm_operation_job_template_resources", "limits", "requests", "cpu", "memory",
	"clusterlcm_setting", "enable_deletion_protection", "etcd_backup_restore_setting", "base_image",
}

func TestConfigMapConstants(t *testing.T) {
	tests := []struct{ name, got, want string }{
		{"ConfigMapName", ConfigMapName("skoala-dev"), "skoala-dev-setting"},
		{"Namespace", Namespace, "kpanda-system"},
		{"DataKey", DataKey, "clusterSetting"},
		{"Label", Label, "kpanda.io/cluster-plugins"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

func TestDefaultRoundTrip(t *testing.T) {
	data, err := Marshal(Default())
	if err != nil {
		t.Fatalf("Marshal(Default()): %v", err)
	}
	t.Run("exact document", func(t *testing.T) {
		if string(data) != defaultJSON {
			t.Errorf("Marshal(Default()) =\n%s\nwant\n%s", data, defaultJSON)
		}
	})
	t.Run("every FAQ field name", func(t *testing.T) {
		for _, name := range faqFieldNames {
			if !strings.Contains(string(data), `"`+name+`":`) {
				t.Errorf("field %q missing from %s", name, data)
			}
		}
	})
	t.Run("parses back equal", func(t *testing.T) {
		got, err := Parse(data)
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		if !reflect.DeepEqual(got, Default()) {
			t.Errorf("Parse(Marshal(Default())) = %+v, want %+v", got, Default())
		}
	})
	t.Run("empty object is the default", func(t *testing.T) {
		got, err := Parse([]byte(" {}\n"))
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		if !reflect.DeepEqual(got, Default()) {
			t.Errorf("Parse({}) = %+v, want %+v", got, Default())
		}
	})
	t.Run("default is valid", func(t *testing.T) {
		if err := Default().Validate(); err != nil {
			t.Errorf("Default().Validate() = %v", err)
		}
	})
}

func TestDefaultReturnsFreshValues(t *testing.T) {
	first := Default()
	*first.Plugins[0].IntelligentDetection = false
	first.Network[0].Name = 99
	second := Default()
	if !*second.Plugins[0].IntelligentDetection || second.Network[0].Name != 4 {
		t.Errorf("changing one Default() changed the next: %+v", second)
	}
}

// TestParseSeedDocument parses the document exactly as seed FAQ 1 shows it (with a registry
// in place of <registry> and without the "..." elisions).
func TestParseSeedDocument(t *testing.T) {
	seed := `{"plugins":[{"name":1,"intelligent_detection":true},{"name":2,"enabled":true,"intelligent_detection":true}],
	  "network":[{"name":4,"enabled":true,"intelligent_detection":true}],
	  "addon_setting":{"helm_operation_history_limit":100,"helm_repo_refresh_interval":600,
	    "helm_operation_base_image":"release.daocloud.io/kpanda/kpanda-shell:v0.0.6",
	    "helm_operation_job_template_resources":{"limits":{"cpu":"50m","memory":"120Mi"},
	                                             "requests":{"cpu":"50m","memory":"120Mi"}}},
	  "clusterlcm_setting":{"enable_deletion_protection":true},
	  "etcd_backup_restore_setting":{"base_image":"release.daocloud.io/kpanda/etcdbrctl:v0.22.0"}}`
	got, err := Parse([]byte(seed))
	if err != nil {
		t.Fatalf("Parse(seed document): %v", err)
	}
	want := Default()
	want.AddonSetting.HelmOperationBaseImage = "release.daocloud.io/kpanda/kpanda-shell:v0.0.6"
	want.AddonSetting.HelmOperationJobTemplateResources = Resources{
		Limits:   ResourceList{CPU: "50m", Memory: "120Mi"},
		Requests: ResourceList{CPU: "50m", Memory: "120Mi"},
	}
	want.EtcdBackupRestoreSetting.BaseImage = "release.daocloud.io/kpanda/etcdbrctl:v0.22.0"
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Parse(seed document) = %+v, want %+v", got, want)
	}
}

func TestMarshal(t *testing.T) {
	t.Run("refuses an invalid setting", func(t *testing.T) {
		s := Default()
		s.AddonSetting.HelmOperationHistoryLimit = 0
		data, err := Marshal(s)
		if err == nil || !strings.Contains(err.Error(), pathHistoryLimit) {
			t.Errorf("Marshal = %s, %v; want an error naming %s", data, err, pathHistoryLimit)
		}
	})
	t.Run("an unset quantity stays unset", func(t *testing.T) {
		s := Default()
		s.AddonSetting.HelmOperationJobTemplateResources.Limits.CPU = ""
		data, err := Marshal(s)
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		got, err := Parse(data)
		if err != nil {
			t.Fatalf("Parse(%s): %v", data, err)
		}
		if !reflect.DeepEqual(got, s) {
			t.Errorf("round trip = %+v, want %+v", got, s)
		}
	})
	t.Run("a plugin flag left out stays left out", func(t *testing.T) {
		data, err := Marshal(Default())
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		if !strings.HasPrefix(string(data), `{"plugins":[{"name":1,"intelligent_detection":true},`) {
			t.Errorf("plugin 1 gained fields: %s", data)
		}
	})
}

func TestJobResources(t *testing.T) {
	tests := []struct {
		name    string
		change  func(*Setting)
		want    corev1.ResourceRequirements
		wantErr string
	}{
		{
			name:   "defaults",
			change: func(*Setting) {},
			want: corev1.ResourceRequirements{
				Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("400Mi")},
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("400Mi")},
			},
		},
		{
			name: "unset quantities are left out",
			change: func(s *Setting) {
				s.AddonSetting.HelmOperationJobTemplateResources.Limits.CPU = ""
				s.AddonSetting.HelmOperationJobTemplateResources.Requests = ResourceList{}
			},
			want: corev1.ResourceRequirements{
				Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("400Mi")},
			},
		},
		{
			name:    "bad quantity names its path",
			change:  func(s *Setting) { s.AddonSetting.HelmOperationJobTemplateResources.Requests.Memory = "40x" },
			wantErr: pathResources + `.requests.memory: "40x" is not a Kubernetes quantity`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Default()
			tt.change(&s)
			got, err := s.JobResources()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("JobResources() error = %v, want it to contain %q", err, tt.wantErr)
				}
				if !errors.Is(err, resource.ErrFormatWrong) {
					t.Errorf("JobResources() error %v does not wrap the quantity parse error", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("JobResources(): %v", err)
			}
			if !equalRequirements(got, tt.want) {
				t.Errorf("JobResources() = %v, want %v", got, tt.want)
			}
		})
	}
}

// equalRequirements compares quantities by value; reflect.DeepEqual would compare their
// cached string forms too.
func equalRequirements(a, b corev1.ResourceRequirements) bool {
	return equalList(a.Limits, b.Limits) && equalList(a.Requests, b.Requests)
}

func equalList(a, b corev1.ResourceList) bool {
	if len(a) != len(b) || (a == nil) != (b == nil) {
		return false
	}
	for name, qa := range a {
		qb, ok := b[name]
		if !ok || qa.Cmp(qb) != 0 {
			return false
		}
	}
	return true
}

func TestRefreshInterval(t *testing.T) {
	tests := []struct {
		seconds int
		want    time.Duration
	}{
		{600, 10 * time.Minute},
		{10, 10 * time.Second},
		{0, 10 * time.Second},  // unvalidated: clamped, never a busy loop
		{-5, 10 * time.Second}, // likewise
	}
	for _, tt := range tests {
		t.Run(time.Duration(tt.seconds*int(time.Second)).String(), func(t *testing.T) {
			s := Default()
			s.AddonSetting.HelmRepoRefreshInterval = tt.seconds
			if got := s.RefreshInterval(); got != tt.want {
				t.Errorf("RefreshInterval() = %v, want %v", got, tt.want)
			}
		})
	}
}
