package clustersetting

import (
	"reflect"
	"strings"
	"testing"
)

func TestSettablePaths(t *testing.T) {
	want := []string{
		"addon_setting.helm_operation_history_limit",
		"addon_setting.helm_repo_refresh_interval",
		"addon_setting.helm_operation_base_image",
		"addon_setting.helm_operation_job_template_resources.limits.cpu",
		"addon_setting.helm_operation_job_template_resources.limits.memory",
		"addon_setting.helm_operation_job_template_resources.requests.cpu",
		"addon_setting.helm_operation_job_template_resources.requests.memory",
		"addon_setting.helm_operation_executor",
		"clusterlcm_setting.enable_deletion_protection",
		"etcd_backup_restore_setting.base_image",
	}
	if got := SettablePaths(); !reflect.DeepEqual(got, want) {
		t.Errorf("SettablePaths() =\n%q\nwant\n%q", got, want)
	}
}

func TestSet(t *testing.T) {
	tests := []struct {
		path, value string
		change      func(*Setting) // applied to Default() to get the wanted result
	}{
		{
			path: "addon_setting.helm_operation_history_limit", value: "5",
			change: func(s *Setting) { s.AddonSetting.HelmOperationHistoryLimit = 5 },
		},
		{
			path: "addon_setting.helm_repo_refresh_interval", value: "3600",
			change: func(s *Setting) { s.AddonSetting.HelmRepoRefreshInterval = 3600 },
		},
		{
			path: "addon_setting.helm_operation_base_image", value: "registry.local/kpanda/kpanda-shell:v0.0.6",
			change: func(s *Setting) { s.AddonSetting.HelmOperationBaseImage = "registry.local/kpanda/kpanda-shell:v0.0.6" },
		},
		{
			path: "addon_setting.helm_operation_job_template_resources.limits.memory", value: "1Gi",
			change: func(s *Setting) { s.AddonSetting.HelmOperationJobTemplateResources.Limits.Memory = "1Gi" },
		},
		{
			path: "addon_setting.helm_operation_job_template_resources.limits.cpu", value: "",
			change: func(s *Setting) { s.AddonSetting.HelmOperationJobTemplateResources.Limits.CPU = "" },
		},
		{
			path: "addon_setting.helm_operation_executor", value: "local",
			change: func(s *Setting) { s.AddonSetting.HelmOperationExecutor = ExecutorLocal },
		},
		{
			path: "clusterlcm_setting.enable_deletion_protection", value: "false",
			change: func(s *Setting) { s.ClusterLCMSetting.EnableDeletionProtection = false },
		},
		{
			path: "etcd_backup_restore_setting.base_image", value: "registry.local/etcdbrctl:v0.22.0",
			change: func(s *Setting) { s.EtcdBackupRestoreSetting.BaseImage = "registry.local/etcdbrctl:v0.22.0" },
		},
	}
	for _, tt := range tests {
		t.Run(tt.path+"="+tt.value, func(t *testing.T) {
			input := Default()
			got, err := Set(input, tt.path, tt.value)
			if err != nil {
				t.Fatalf("Set: %v", err)
			}
			want := Default()
			tt.change(&want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Set(%s=%q)\n got %+v\nwant %+v", tt.path, tt.value, got, want)
			}
			if !reflect.DeepEqual(input, Default()) {
				t.Errorf("Set changed its input: %+v", input)
			}
		})
	}
}

func TestSetBoolBackToTrue(t *testing.T) {
	s := Default()
	s.ClusterLCMSetting.EnableDeletionProtection = false
	got, err := Set(s, "clusterlcm_setting.enable_deletion_protection", "true")
	if err != nil {
		t.Fatalf("Set: %v", err)
	}
	if !got.ClusterLCMSetting.EnableDeletionProtection {
		t.Errorf("enable_deletion_protection is still false")
	}
}

func TestSetErrors(t *testing.T) {
	tests := []struct {
		name, path, value string
		wantText          []string
		wantPath          string // the FieldError's path, for errors about a field's value
	}{
		{
			name: "misspelt path", path: "addon_setting.helm_operation_base_imag", value: "x",
			wantText: []string{`unknown setting "addon_setting.helm_operation_base_imag"; did you mean addon_setting.helm_operation_base_image?`},
		},
		{
			name: "path without its prefix", path: "helm_operation_base_image", value: "x",
			wantText: []string{"did you mean addon_setting.helm_operation_base_image?"},
		},
		{
			name: "shortened path", path: "addon_setting.history_limit", value: "1",
			wantText: []string{"did you mean addon_setting.helm_operation_history_limit?"},
		},
		{
			name: "ambiguous path", path: "base_image", value: "x",
			wantText: []string{"did you mean addon_setting.helm_operation_base_image or etcd_backup_restore_setting.base_image?"},
		},
		{
			name: "nothing near lists every path", path: "foo", value: "1",
			wantText: []string{`unknown setting "foo"; settable paths are: ` + strings.Join(SettablePaths(), ", ")},
		},
		{
			name: "below a leaf", path: "addon_setting.helm_operation_history_limit.max", value: "1",
			wantText: []string{`unknown setting "addon_setting.helm_operation_history_limit.max"`},
		},
		{
			name: "list entry", path: "plugins[0].enabled", value: "true",
			wantText: []string{"plugins is a list, which --set cannot change; edit the whole setting with --file"},
		},
		{
			name: "whole list", path: "network", value: "[]",
			wantText: []string{"network is a list", "--file"},
		},
		{
			name: "object", path: "addon_setting.helm_operation_job_template_resources.limits", value: "1",
			wantText: []string{"addon_setting.helm_operation_job_template_resources.limits is an object; set one of its fields: cpu, memory"},
		},
		{
			name: "integer field, not a number", path: pathHistoryLimit, value: "ten",
			wantText: []string{pathHistoryLimit + `: want an integer, got "ten"`}, wantPath: pathHistoryLimit,
		},
		{
			name: "integer field, fraction", path: pathRefreshInterval, value: "1.5",
			wantText: []string{pathRefreshInterval + `: want an integer, got "1.5"`}, wantPath: pathRefreshInterval,
		},
		{
			name: "bool field, not a bool", path: "clusterlcm_setting.enable_deletion_protection", value: "yes",
			wantText: []string{`clusterlcm_setting.enable_deletion_protection: want true or false, got "yes"`},
			wantPath: "clusterlcm_setting.enable_deletion_protection",
		},
		{
			name: "bool field, strconv shorthand", path: "clusterlcm_setting.enable_deletion_protection", value: "F",
			wantText: []string{"want true or false"}, wantPath: "clusterlcm_setting.enable_deletion_protection",
		},
		{
			name: "integer breaking its rule", path: pathHistoryLimit, value: "-3",
			wantText: []string{pathHistoryLimit + ": must be at least 1, got -3"}, wantPath: pathHistoryLimit,
		},
		{
			name: "interval breaking its rule", path: pathRefreshInterval, value: "0",
			wantText: []string{pathRefreshInterval + ": must be at least 10 seconds, got 0"}, wantPath: pathRefreshInterval,
		},
		{
			name: "bad quantity", path: pathResources + ".limits.memory", value: "40x",
			wantText: []string{`"40x" is not a Kubernetes quantity (for example 400Mi)`}, wantPath: pathResources + ".limits.memory",
		},
		{
			name: "bad executor", path: pathExecutor, value: "pod",
			wantText: []string{`must be one of job, local, got "pod"`}, wantPath: pathExecutor,
		},
		{
			name: "empty image", path: pathBaseImage, value: "",
			wantText: []string{pathBaseImage + ": must not be empty"}, wantPath: pathBaseImage,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			input := Default()
			got, err := Set(input, tt.path, tt.value)
			if err == nil {
				t.Fatalf("Set(%s=%q) succeeded, want an error", tt.path, tt.value)
			}
			for _, text := range tt.wantText {
				if !strings.Contains(err.Error(), text) {
					t.Errorf("error %q does not contain %q", err, text)
				}
			}
			var wantPaths []string
			if tt.wantPath != "" {
				wantPaths = []string{tt.wantPath}
			}
			if gotPaths := fieldErrorPaths(err); !reflect.DeepEqual(gotPaths, wantPaths) {
				t.Errorf("error %q is about paths %q, want %q", err, gotPaths, wantPaths)
			}
			if !reflect.DeepEqual(got, Default()) {
				t.Errorf("Set returned a changed setting with its error: %+v", got)
			}
		})
	}
}

// TestSetLeavesRelationsToValidate raises the request above the limit first and the limit
// second, as `--set requests.memory=1Gi --set limits.memory=2Gi` does: each step is accepted,
// the state in between is invalid, the end state is valid.
func TestSetLeavesRelationsToValidate(t *testing.T) {
	s, err := Set(Default(), pathResources+".requests.memory", "1Gi")
	if err != nil {
		t.Fatalf("raising the request: %v", err)
	}
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), pathResources+".requests.memory: must not exceed limits.memory (400Mi), got 1Gi") {
		t.Errorf("Validate() in between = %v, want the request above the limit reported", err)
	}
	s, err = Set(s, pathResources+".limits.memory", "2Gi")
	if err != nil {
		t.Fatalf("raising the limit: %v", err)
	}
	if err := s.Validate(); err != nil {
		t.Errorf("Validate() at the end = %v", err)
	}
}

// TestSetFixesOneFieldOfAnInvalidSetting: a setting broken in one field can still have another
// field set, and the broken field fixed, one assignment at a time.
func TestSetFixesOneFieldOfAnInvalidSetting(t *testing.T) {
	s := Default()
	s.AddonSetting.HelmOperationBaseImage = "bad image"
	s, err := Set(s, pathHistoryLimit, "10")
	if err != nil {
		t.Fatalf("setting another field: %v", err)
	}
	s, err = Set(s, pathBaseImage, "registry.local/kpanda/kpanda-shell:v0.1.0")
	if err != nil {
		t.Fatalf("fixing the image: %v", err)
	}
	if err := s.Validate(); err != nil {
		t.Errorf("Validate() = %v", err)
	}
}
