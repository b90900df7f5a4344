package clustersetting

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// fieldErrorPaths lists, sorted, the paths of the *FieldErrors joined in err; nil if none.
func fieldErrorPaths(err error) []string {
	var errs []error
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		errs = joined.Unwrap()
	} else if err != nil {
		errs = []error{err}
	}
	var paths []string
	for _, e := range errs {
		var fieldErr *FieldError
		if errors.As(e, &fieldErr) {
			paths = append(paths, fieldErr.Path)
		}
	}
	slices.Sort(paths)
	return paths
}

func TestValidate(t *testing.T) {
	const sha = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	resources := func(s *Setting) *Resources { return &s.AddonSetting.HelmOperationJobTemplateResources }
	tests := []struct {
		name   string
		change func(*Setting)
		// wantErrs are the full texts of the field errors, in any order; none means valid.
		wantErrs []string
	}{
		{name: "defaults", change: func(*Setting) {}},
		{
			name:     "history limit zero",
			change:   func(s *Setting) { s.AddonSetting.HelmOperationHistoryLimit = 0 },
			wantErrs: []string{pathHistoryLimit + ": must be at least 1, got 0"},
		},
		{
			name:     "history limit negative",
			change:   func(s *Setting) { s.AddonSetting.HelmOperationHistoryLimit = -3 },
			wantErrs: []string{"addon_setting.helm_operation_history_limit: must be at least 1, got -3"},
		},
		{
			name:   "history limit one",
			change: func(s *Setting) { s.AddonSetting.HelmOperationHistoryLimit = 1 },
		},
		{
			name:     "refresh interval zero",
			change:   func(s *Setting) { s.AddonSetting.HelmRepoRefreshInterval = 0 },
			wantErrs: []string{"addon_setting.helm_repo_refresh_interval: must be at least 10 seconds, got 0"},
		},
		{
			name:     "refresh interval negative",
			change:   func(s *Setting) { s.AddonSetting.HelmRepoRefreshInterval = -600 },
			wantErrs: []string{pathRefreshInterval + ": must be at least 10 seconds, got -600"},
		},
		{
			name:     "refresh interval just below the minimum",
			change:   func(s *Setting) { s.AddonSetting.HelmRepoRefreshInterval = 9 },
			wantErrs: []string{pathRefreshInterval + ": must be at least 10 seconds, got 9"},
		},
		{
			name:   "refresh interval at the minimum",
			change: func(s *Setting) { s.AddonSetting.HelmRepoRefreshInterval = 10 },
		},
		{
			name:     "bad memory quantity",
			change:   func(s *Setting) { resources(s).Limits.Memory = "40x" },
			wantErrs: []string{`addon_setting.helm_operation_job_template_resources.limits.memory: "40x" is not a Kubernetes quantity (for example 400Mi)`},
		},
		{
			name:     "bad cpu quantity",
			change:   func(s *Setting) { resources(s).Requests.CPU = "one" },
			wantErrs: []string{pathResources + `.requests.cpu: "one" is not a Kubernetes quantity (for example 100m)`},
		},
		{
			name:     "negative quantity",
			change:   func(s *Setting) { resources(s).Limits.CPU = "-1" },
			wantErrs: []string{pathResources + ".limits.cpu: must not be negative, got -1"},
		},
		{
			name:   "unset quantities are allowed",
			change: func(s *Setting) { resources(s).Limits.CPU, resources(s).Requests = "", ResourceList{} },
		},
		{
			name:     "memory request above limit",
			change:   func(s *Setting) { resources(s).Requests.Memory = "1Gi" },
			wantErrs: []string{pathResources + ".requests.memory: must not exceed limits.memory (400Mi), got 1Gi"},
		},
		{
			name:     "cpu request above limit, in other units",
			change:   func(s *Setting) { resources(s).Requests.CPU = "0.2" },
			wantErrs: []string{pathResources + ".requests.cpu: must not exceed limits.cpu (100m), got 0.2"},
		},
		{
			name:   "request equal to limit in other units",
			change: func(s *Setting) { resources(s).Requests.CPU = "0.1" },
		},
		{
			name:   "request without a limit",
			change: func(s *Setting) { resources(s).Limits.Memory, resources(s).Requests.Memory = "", "8Gi" },
		},
		{
			name:     "empty base image",
			change:   func(s *Setting) { s.AddonSetting.HelmOperationBaseImage = "" },
			wantErrs: []string{pathBaseImage + ": must not be empty (for example ghcr.io/kpanda/kpanda-shell:v0.1.0)"},
		},
		{
			name:     "base image with a space",
			change:   func(s *Setting) { s.AddonSetting.HelmOperationBaseImage = "ghcr.io/kpanda/kpanda-shell: v0.1.0" },
			wantErrs: []string{pathBaseImage + `: "ghcr.io/kpanda/kpanda-shell: v0.1.0" is not an image reference: it contains white space`},
		},
		{
			name:     "base image with a scheme",
			change:   func(s *Setting) { s.AddonSetting.HelmOperationBaseImage = "https://ghcr.io/kpanda/kpanda-shell" },
			wantErrs: []string{pathBaseImage + `: "https://ghcr.io/kpanda/kpanda-shell" is not an image reference (for example ghcr.io/kpanda/kpanda-shell:v0.1.0)`},
		},
		{
			name:     "base image with upper case repository",
			change:   func(s *Setting) { s.AddonSetting.HelmOperationBaseImage = "ghcr.io/KPanda/shell" },
			wantErrs: []string{pathBaseImage + `: "ghcr.io/KPanda/shell" is not an image reference (for example ghcr.io/kpanda/kpanda-shell:v0.1.0)`},
		},
		{
			name:     "base image with an empty tag",
			change:   func(s *Setting) { s.AddonSetting.HelmOperationBaseImage = "ghcr.io/kpanda/kpanda-shell:" },
			wantErrs: []string{pathBaseImage + `: "ghcr.io/kpanda/kpanda-shell:" is not an image reference (for example ghcr.io/kpanda/kpanda-shell:v0.1.0)`},
		},
		{
			name: "image references of every form",
			change: func(s *Setting) {
				s.AddonSetting.HelmOperationBaseImage = "localhost:5000/kpanda/kpanda-shell:v0.0.6@" + sha
				s.EtcdBackupRestoreSetting.BaseImage = "busybox"
			},
		},
		{
			name:   "image with digest only",
			change: func(s *Setting) { s.AddonSetting.HelmOperationBaseImage = "10.6.0.1/library/kpanda-shell@" + sha },
		},
		{
			name:     "empty etcd image",
			change:   func(s *Setting) { s.EtcdBackupRestoreSetting.BaseImage = "" },
			wantErrs: []string{pathEtcdBaseImage + ": must not be empty (for example ghcr.io/kpanda/etcdbrctl:v0.22.0)"},
		},
		{
			name:     "bad executor",
			change:   func(s *Setting) { s.AddonSetting.HelmOperationExecutor = "pod" },
			wantErrs: []string{`addon_setting.helm_operation_executor: must be one of job, local, got "pod"`},
		},
		{
			name:     "empty executor",
			change:   func(s *Setting) { s.AddonSetting.HelmOperationExecutor = "" },
			wantErrs: []string{pathExecutor + `: must be one of job, local, got ""`},
		},
		{
			name:   "local executor",
			change: func(s *Setting) { s.AddonSetting.HelmOperationExecutor = ExecutorLocal },
		},
		{
			name:     "plugin without a name",
			change:   func(s *Setting) { s.Plugins = append(s.Plugins, Plugin{Enabled: boolPtr(true)}) },
			wantErrs: []string{"plugins[2].name: must be at least 1, got 0"},
		},
		{
			name:     "duplicate network entry",
			change:   func(s *Setting) { s.Network = append(s.Network, Plugin{Name: 4}) },
			wantErrs: []string{"network[1].name: must be unique in network, got 4, also at network[0]"},
		},
		{
			name:   "same name in plugins and network",
			change: func(s *Setting) { s.Network[0].Name = 1 },
		},
		{
			name: "every violation at once",
			change: func(s *Setting) {
				s.AddonSetting.HelmOperationHistoryLimit = -1
				s.AddonSetting.HelmRepoRefreshInterval = 0
				s.AddonSetting.HelmOperationBaseImage = ""
				resources(s).Limits.Memory = "40x"
				resources(s).Requests.CPU = "1"
				s.AddonSetting.HelmOperationExecutor = "remote"
				s.EtcdBackupRestoreSetting.BaseImage = "a b"
			},
			wantErrs: []string{
				pathHistoryLimit + ": must be at least 1, got -1",
				pathRefreshInterval + ": must be at least 10 seconds, got 0",
				pathBaseImage + ": must not be empty (for example ghcr.io/kpanda/kpanda-shell:v0.1.0)",
				pathResources + `.limits.memory: "40x" is not a Kubernetes quantity (for example 400Mi)`,
				pathExecutor + `: must be one of job, local, got "remote"`,
				pathEtcdBaseImage + `: "a b" is not an image reference: it contains white space`,
				pathResources + ".requests.cpu: must not exceed limits.cpu (100m), got 1",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Default()
			tt.change(&s)
			err := s.Validate()
			var got []string
			if err != nil {
				got = strings.Split(err.Error(), "\n") // errors.Join puts one error per line
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tt.wantErrs))
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Validate() errors:\n got %q\nwant %q", got, want)
			}
			if len(fieldErrorPaths(err)) != len(want) {
				t.Errorf("Validate() = %v: not every error is a *FieldError", err)
			}
		})
	}
}

// TestRulePathsNameFields guards the hand-written paths of the rules against renamed json tags.
func TestRulePathsNameFields(t *testing.T) {
	settable := SettablePaths()
	for _, path := range []string{
		pathHistoryLimit, pathRefreshInterval, pathBaseImage, pathExecutor, pathEtcdBaseImage,
		pathResources + ".limits.cpu", pathResources + ".limits.memory",
		pathResources + ".requests.cpu", pathResources + ".requests.memory",
	} {
		t.Run(path, func(t *testing.T) {
			if !slices.Contains(settable, path) {
				t.Errorf("%s is not a field of the document; fields: %v", path, settable)
			}
		})
	}
}
