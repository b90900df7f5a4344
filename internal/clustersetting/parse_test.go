package clustersetting

import (
	"reflect"
	"strings"
	"testing"
)

func TestParsePartialDocumentsGetDefaults(t *testing.T) {
	tests := []struct {
		name   string
		doc    string
		change func(*Setting) // applied to Default() to get the wanted result
	}{
		{
			name: "only the base image (seed FAQ 3)",
			doc:  `{"addon_setting":{"helm_operation_base_image":"registry.local:5000/kpanda/kpanda-shell:v0.0.6"}}`,
			change: func(s *Setting) {
				s.AddonSetting.HelmOperationBaseImage = "registry.local:5000/kpanda/kpanda-shell:v0.0.6"
			},
		},
		{
			name: "only one quantity (seed FAQ 1)",
			doc:  `{"addon_setting":{"helm_operation_job_template_resources":{"limits":{"memory":"1Gi"}}}}`,
			change: func(s *Setting) {
				s.AddonSetting.HelmOperationJobTemplateResources.Limits.Memory = "1Gi"
			},
		},
		{
			name:   "explicit false is kept, not defaulted",
			doc:    `{"clusterlcm_setting":{"enable_deletion_protection":false}}`,
			change: func(s *Setting) { s.ClusterLCMSetting.EnableDeletionProtection = false },
		},
		{
			name:   "local executor",
			doc:    `{"addon_setting":{"helm_operation_executor":"local"}}`,
			change: func(s *Setting) { s.AddonSetting.HelmOperationExecutor = ExecutorLocal },
		},
		{
			name: "a given list replaces the default and inherits nothing from it",
			doc:  `{"plugins":[{"name":3}]}`,
			change: func(s *Setting) {
				s.Plugins = []Plugin{{Name: 3}}
			},
		},
		{
			name:   "an empty list stays empty",
			doc:    `{"network":[]}`,
			change: func(s *Setting) { s.Network = []Plugin{} },
		},
		{
			name:   "null list is the default",
			doc:    `{"plugins":null}`,
			change: func(*Setting) {},
		},
		{
			name:   "null object is the default",
			doc:    `{"addon_setting":null,"etcd_backup_restore_setting":{"base_image":null}}`,
			change: func(*Setting) {},
		},
		{
			name: "plugin flags may be false",
			doc:  `{"network":[{"name":4,"enabled":false,"intelligent_detection":false}]}`,
			change: func(s *Setting) {
				s.Network = []Plugin{{Name: 4, Enabled: boolPtr(false), IntelligentDetection: boolPtr(false)}}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.doc))
			if err != nil {
				t.Fatalf("Parse(%s): %v", tt.doc, err)
			}
			want := Default()
			tt.change(&want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Parse(%s)\n got %+v\nwant %+v", tt.doc, got, want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		// wantPaths are the paths of the *FieldErrors, all of them; nil for errors that are
		// not about one field (malformed JSON).
		wantPaths []string
		// wantText must each appear in the error message.
		wantText []string
	}{
		{
			name:      "unknown field, with a suggestion",
			doc:       `{"addon_setting":{"helm_operation_base_imag":"x"}}`,
			wantPaths: []string{"addon_setting.helm_operation_base_imag"},
			wantText:  []string{"addon_setting.helm_operation_base_imag: unknown field", "did you mean helm_operation_base_image"},
		},
		{
			name:      "unknown field with nothing near lists the known ones",
			doc:       `{"zzz":1}`,
			wantPaths: []string{"zzz"},
			wantText:  []string{"zzz: unknown field (known fields: plugins, network, addon_setting, clusterlcm_setting, etcd_backup_restore_setting)"},
		},
		{
			name:      "field names are case-sensitive",
			doc:       `{"Addon_Setting":{}}`,
			wantPaths: []string{"Addon_Setting"},
			wantText:  []string{"Addon_Setting: unknown field"},
		},
		{
			name:      "unknown resource name",
			doc:       `{"addon_setting":{"helm_operation_job_template_resources":{"limits":{"ephemeral-storage":"1Gi"}}}}`,
			wantPaths: []string{pathResources + ".limits.ephemeral-storage"},
		},
		{
			name:      "unknown field in a list entry has its index",
			doc:       `{"plugins":[{"name":1},{"name":2,"enable":true}]}`,
			wantPaths: []string{"plugins[1].enable"},
			wantText:  []string{"did you mean enabled"},
		},
		{
			name:      "all unknown fields at once",
			doc:       `{"addon_setting":{"history_limit":1,"helm_repo_refresh":5},"etcd":{}}`,
			wantPaths: []string{"addon_setting.helm_repo_refresh", "addon_setting.history_limit", "etcd"},
		},
		{
			name:      "field given twice",
			doc:       `{"addon_setting":{"helm_operation_base_imag":"x"},"addon_setting":{}}`,
			wantPaths: []string{"addon_setting"},
			wantText:  []string{"addon_setting: duplicate field"},
		},
		{
			name:      "nested field given twice, even as null",
			doc:       `{"addon_setting":{"helm_operation_history_limit":null,"helm_operation_history_limit":5}}`,
			wantPaths: []string{pathHistoryLimit},
			wantText:  []string{pathHistoryLimit + ": duplicate field"},
		},
		{
			name:      "integer as a string",
			doc:       `{"addon_setting":{"helm_operation_history_limit":"100"}}`,
			wantPaths: []string{pathHistoryLimit},
			wantText:  []string{pathHistoryLimit + `: must be an integer, got string "100"`},
		},
		{
			name:      "fractional integer",
			doc:       `{"addon_setting":{"helm_repo_refresh_interval":1.5}}`,
			wantPaths: []string{pathRefreshInterval},
			wantText:  []string{"must be an integer, got number 1.5"},
		},
		{
			name:      "boolean as a string",
			doc:       `{"clusterlcm_setting":{"enable_deletion_protection":"yes"}}`,
			wantPaths: []string{"clusterlcm_setting.enable_deletion_protection"},
			wantText:  []string{`must be true or false, got string "yes"`},
		},
		{
			name:      "string as a number",
			doc:       `{"addon_setting":{"helm_operation_job_template_resources":{"requests":{"cpu":1}}}}`,
			wantPaths: []string{pathResources + ".requests.cpu"},
			wantText:  []string{"must be a string, got number 1"},
		},
		{
			name:      "object where a list belongs",
			doc:       `{"plugins":{"name":1}}`,
			wantPaths: []string{"plugins"},
			wantText:  []string{"plugins: must be a list, got an object"},
		},
		{
			name:      "list where an object belongs",
			doc:       `{"addon_setting":[]}`,
			wantPaths: []string{"addon_setting"},
			wantText:  []string{"addon_setting: must be an object, got a list"},
		},
		{
			name:      "null list entry",
			doc:       `{"network":[null]}`,
			wantPaths: []string{"network[0]"},
			wantText:  []string{"network[0]: must be an object, got null"},
		},
		{
			name:      "values are validated",
			doc:       `{"addon_setting":{"helm_operation_history_limit":-3,"helm_repo_refresh_interval":0}}`,
			wantPaths: []string{pathHistoryLimit, pathRefreshInterval},
			wantText: []string{
				pathHistoryLimit + ": must be at least 1, got -3",
				pathRefreshInterval + ": must be at least 10 seconds, got 0",
			},
		},
		{
			name:     "malformed JSON says where",
			doc:      "{\n  \"addon_setting\": {\n    \"helm_operation_history_limit\": 100,\n  }\n}",
			wantText: []string{"malformed JSON at line 4, column 3 (byte offset 66)", "invalid character '}'"},
		},
		{
			name:     "truncated JSON",
			doc:      `{"addon_setting":{`,
			wantText: []string{"malformed JSON at end of input (byte offset 18)", "unexpected end of JSON input"},
		},
		{
			name:     "data after the document",
			doc:      `{} {}`,
			wantText: []string{"malformed JSON at line 1, column 4 (byte offset 3)"},
		},
		{
			name:     "empty",
			doc:      " \n",
			wantText: []string{"the cluster setting is empty", "{} gives all defaults"},
		},
		{
			name:     "not an object",
			doc:      `[1]`,
			wantText: []string{"must be a JSON object, got a list"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.doc))
			if err == nil {
				t.Fatalf("Parse(%s) = %+v, want an error", tt.doc, got)
			}
			if !reflect.DeepEqual(got, Setting{}) {
				t.Errorf("Parse returned a setting with its error: %+v", got)
			}
			for _, text := range tt.wantText {
				if !strings.Contains(err.Error(), text) {
					t.Errorf("error %q does not contain %q", err, text)
				}
			}
			if gotPaths := fieldErrorPaths(err); !reflect.DeepEqual(gotPaths, tt.wantPaths) {
				t.Errorf("error %q is about paths %q, want %q", err, gotPaths, tt.wantPaths)
			}
		})
	}
}
