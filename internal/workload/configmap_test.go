package workload

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestConfigMapValidate(t *testing.T) {
	tests := []struct {
		name   string
		form   ConfigMapForm
		field  string // the first error's field; "" for a valid form
		phrase string
	}{
		{"valid", ConfigMapForm{Name: "settings", Data: map[string]string{"app.yaml": "a: 1", "LEVEL": "debug"}}, "", ""},
		{"no data", ConfigMapForm{Name: "empty"}, "", ""},
		{"dotted name", ConfigMapForm{Name: "kube-root-ca.crt"}, "", ""},
		{"name of 253", ConfigMapForm{Name: strings.Repeat("a", 253)}, "", ""},
		{"name of 254", ConfigMapForm{Name: strings.Repeat("a", 254)}, "name", "at most 253"},
		{"name missing", ConfigMapForm{}, "name", "is required"},
		{"upper case name", ConfigMapForm{Name: "Settings"}, "name", "RFC 1123"},
		{"key with a slash", ConfigMapForm{Name: "settings", Data: map[string]string{"a/b": "x"}}, "data[a/b]", "key \"a/b\""},
		{"too big", ConfigMapForm{Name: "settings", Data: map[string]string{"big": strings.Repeat("x", MaxDataBytes)}}, "data", "at most 1048576"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			expectFieldErrors(t, tc.form.Validate(), tc.field, tc.phrase)
		})
	}
}

func TestConfigMapApplyReplacesTheData(t *testing.T) {
	stored := &corev1.ConfigMap{Data: map[string]string{"old": "1", "kept": "0"}, BinaryData: map[string][]byte{"blob": {0xff}}}
	stored.UID = "uid-1"
	f := ConfigMapForm{Name: "settings", Data: map[string]string{"kept": "2"}}
	if errs := f.ApplyTo(stored); len(errs) > 0 {
		t.Fatal(errs)
	}
	if len(stored.Data) != 1 || stored.Data["kept"] != "2" || len(stored.BinaryData) != 1 {
		t.Errorf("after apply: data %v, binary %v", stored.Data, stored.BinaryData)
	}
	if got := ConfigMapSummaryOf(stored); got.Count != 2 || strings.Join(got.Keys, ",") != "kept,blob" {
		t.Errorf("summary %+v", got)
	}
}
