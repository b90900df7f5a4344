package workload

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestSecretValidate(t *testing.T) {
	tests := []struct {
		name   string
		form   SecretForm
		field  string // the first error's field; "" for a valid form
		phrase string
	}{
		{"valid", SecretForm{Name: "db", StringData: map[string]string{"password": "s3cret"}}, "", ""},
		{"any type", SecretForm{Name: "db", Type: "example.com/token"}, "", ""},
		{"name missing", SecretForm{}, "name", "is required"},
		{"bad key", SecretForm{Name: "db", StringData: map[string]string{"pass word": "x"}}, "stringData[pass word]", "key"},
		{"service account token", SecretForm{Name: "db", Type: string(corev1.SecretTypeServiceAccountToken)}, "type", "service account"},
		{"too big", SecretForm{Name: "db", StringData: map[string]string{"k": strings.Repeat("x", MaxDataBytes)}}, "stringData", "1 MiB"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			expectFieldErrors(t, tc.form.Validate(), tc.field, tc.phrase)
		})
	}
}

func TestSecretApply(t *testing.T) {
	stored := func(typ corev1.SecretType) *corev1.Secret {
		s := &corev1.Secret{Type: typ, Data: map[string][]byte{"old": []byte("1")}}
		s.UID = "uid-1"
		s.Annotations = map[string]string{"note": "kept"}
		return s
	}
	tests := []struct {
		name     string
		form     SecretForm
		secret   *corev1.Secret
		field    string // the first error's field; "" when applied
		phrase   string
		wantType corev1.SecretType
	}{
		{"new secret defaults to Opaque", SecretForm{Name: "db", StringData: map[string]string{"password": "x"}}, &corev1.Secret{}, "", "", corev1.SecretTypeOpaque},
		{"new tls secret", SecretForm{Name: "db", Type: "kubernetes.io/tls", StringData: map[string]string{"tls.crt": "c", "tls.key": "k"}}, &corev1.Secret{}, "", "", corev1.SecretTypeTLS},
		{"tls without key", SecretForm{Name: "db", Type: "kubernetes.io/tls", StringData: map[string]string{"tls.crt": "c"}}, &corev1.Secret{}, "stringData[tls.key]", "required in a Secret of type kubernetes.io/tls", ""},
		{"update keeps the type", SecretForm{Name: "db", StringData: map[string]string{"tls.crt": "c", "tls.key": "k"}}, stored(corev1.SecretTypeTLS), "", "", corev1.SecretTypeTLS},
		{"update checks the kept type", SecretForm{Name: "db"}, stored(corev1.SecretTypeTLS), "stringData[tls.crt]", "required", ""},
		{"type cannot change", SecretForm{Name: "db", Type: "Opaque"}, stored(corev1.SecretTypeTLS), "type", "cannot change", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := tc.secret.DeepCopy()
			errs := tc.form.ApplyTo(tc.secret)
			expectFieldErrors(t, errs, tc.field, tc.phrase)
			if tc.field != "" {
				if tc.secret.Type != before.Type || len(tc.secret.Data) != len(before.Data) {
					t.Errorf("a refused form changed the secret: %+v", tc.secret)
				}
				return
			}
			if tc.secret.Type != tc.wantType || tc.secret.StringData != nil || len(tc.secret.Data) != len(tc.form.StringData) {
				t.Errorf("after apply: type %s, data %v, stringData %v", tc.secret.Type, tc.secret.Data, tc.secret.StringData)
			}
			if _, old := tc.secret.Data["old"]; old {
				t.Error("a key the form left out is still there")
			}
		})
	}
}

func TestSecretSummaryHasNoValues(t *testing.T) {
	s := &corev1.Secret{Type: corev1.SecretTypeOpaque, Data: map[string][]byte{"password": []byte("s3cret"), "keystore": {0xfe, 0xed}}}
	summary := SecretSummaryOf(s)
	if summary.Type != "Opaque" || strings.Join(summary.Keys, ",") != "keystore,password" {
		t.Errorf("summary %+v", summary)
	}
	values := SecretValuesOf(s)
	if values.Text["password"] != "s3cret" || values.Base64["keystore"] != "/u0=" || len(values.Text) != 1 {
		t.Errorf("values %+v", values)
	}
}
