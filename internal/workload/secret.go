package workload

import (
	"encoding/base64"
	"slices"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
)

// SecretForm is what a person fills in to store credentials: values by key, as text.
type SecretForm struct {
	Name string `json:"name"`
	// Type is the Secret's type: Opaque (the default on create), kubernetes.io/tls, ... On an
	// update an empty type keeps the stored one; a Secret's type cannot change.
	Type string `json:"type,omitempty"`
	// StringData is the values by key, as text; they replace every stored value.
	StringData map[string]string `json:"stringData,omitempty"`
}

// requiredSecretKeys are the keys Kubernetes requires of a Secret of a built-in type, so that
// a person learns which key is missing before the apiserver refuses. Keys of basic-auth are
// optional; a service account token is made by Kubernetes, not by a form.
var requiredSecretKeys = map[corev1.SecretType][]string{
	corev1.SecretTypeTLS:              {corev1.TLSCertKey, corev1.TLSPrivateKeyKey},
	corev1.SecretTypeSSHAuth:          {corev1.SSHAuthPrivateKey},
	corev1.SecretTypeDockerConfigJson: {corev1.DockerConfigJsonKey},
	corev1.SecretTypeDockercfg:        {corev1.DockerConfigKey},
}

// FormName is the name of the Secret the form describes.
func (f *SecretForm) FormName() string { return f.Name }

// Validate returns every rule f breaks; none when it is good.
func (f *SecretForm) Validate() []*FieldError {
	errs := ValidateObjectName("name", f.Name)
	if corev1.SecretType(f.Type) == corev1.SecretTypeServiceAccountToken {
		errs = append(errs, fieldErr("type", "a %s Secret is made by Kubernetes for a service account; create it from YAML", f.Type))
	}
	errs = append(errs, validateKeys("stringData", f.StringData)...)
	return append(errs, validateSize("stringData", f.StringData)...)
}

// ApplyTo makes s, a new Secret or the stored one, what f describes: its values are the
// form's, a key left out is removed; labels and annotations are kept. It refuses to change the
// type of a stored Secret (Kubernetes keeps it), and values that the type requires. f must be
// valid.
func (f *SecretForm) ApplyTo(s *corev1.Secret) []*FieldError {
	typ, err := f.secretType(s)
	if err != nil {
		return []*FieldError{err}
	}
	var errs []*FieldError
	for _, key := range requiredSecretKeys[typ] {
		if _, ok := f.StringData[key]; !ok {
			errs = append(errs, fieldErr("stringData["+key+"]", "is required in a Secret of type %s", typ))
		}
	}
	if len(errs) > 0 {
		return errs
	}
	s.Name, s.Type = f.Name, typ
	// data rather than stringData: the apiserver merges stringData into the stored data, and
	// the form replaces the values as a whole.
	s.StringData = nil
	s.Data = make(map[string][]byte, len(f.StringData))
	for key, value := range f.StringData {
		s.Data[key] = []byte(value)
	}
	return nil
}

// secretType is the type s gets from the form: the form's, the stored one, or Opaque.
func (f *SecretForm) secretType(s *corev1.Secret) (corev1.SecretType, *FieldError) {
	switch {
	case f.Type != "" && isStored(string(s.UID)) && corev1.SecretType(f.Type) != s.Type:
		return "", fieldErr("type", "is %s; the Secret's type %s cannot change, delete the Secret and create it again", f.Type, s.Type)
	case f.Type != "":
		return corev1.SecretType(f.Type), nil
	case s.Type != "":
		return s.Type, nil
	}
	return corev1.SecretTypeOpaque, nil
}

// SecretSummary is what a list shows of a Secret: its type and keys, never its values.
type SecretSummary struct {
	Type string   `json:"type"`
	Keys []string `json:"keys"`
}

// SecretSummaryOf summarizes s.
func SecretSummaryOf(s *corev1.Secret) SecretSummary {
	keys := keysInOrder(s.Data)
	for key := range s.StringData { // only in a Secret not read back from the apiserver
		if _, ok := s.Data[key]; !ok {
			keys = append(keys, key)
		}
	}
	slices.Sort(keys)
	return SecretSummary{Type: string(s.Type), Keys: keys}
}

// SecretValues are the values of a Secret, decoded: text by key, and base64 for values that
// are not UTF-8 text (a keystore, say), which a JSON string cannot hold unchanged.
type SecretValues struct {
	Text   map[string]string `json:"text"`
	Base64 map[string]string `json:"base64,omitempty"`
}

// SecretValuesOf decodes the values of s.
func SecretValuesOf(s *corev1.Secret) SecretValues {
	out := SecretValues{Text: map[string]string{}}
	for key, value := range s.Data {
		if utf8.Valid(value) {
			out.Text[key] = string(value)
			continue
		}
		if out.Base64 == nil {
			out.Base64 = map[string]string{}
		}
		out.Base64[key] = base64.StdEncoding.EncodeToString(value)
	}
	return out
}
