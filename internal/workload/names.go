package workload

import (
	"maps"
	"slices"

	"k8s.io/apimachinery/pkg/util/validation"
)

// The names Kubernetes gives objects. A Service's name becomes a DNS label of the cluster
// (<name>.<namespace>.svc) and an environment variable prefix, so it is a DNS-1035 label: it
// starts with a letter. ConfigMaps, Secrets and PersistentVolumeClaims take any DNS-1123
// subdomain, dots included (kube-root-ca.crt), so that a form can edit every one of them.

// ValidateServiceName checks a Service name: a DNS-1035 label of at most 63 characters.
func ValidateServiceName(field, name string) []*FieldError {
	return validateName(field, name, validation.DNS1035LabelMaxLength, validation.IsDNS1035Label)
}

// ValidateObjectName checks the name of a ConfigMap, a Secret or a PersistentVolumeClaim: a
// DNS-1123 subdomain of at most 253 characters.
func ValidateObjectName(field, name string) []*FieldError {
	return validateName(field, name, validation.DNS1123SubdomainMaxLength, validation.IsDNS1123Subdomain)
}

func validateName(field, name string, maxLength int, rule func(string) []string) []*FieldError {
	if name == "" {
		return []*FieldError{fieldErr(field, "is required")}
	}
	if len(name) > maxLength {
		return []*FieldError{fieldErr(field, "is %d characters, at most %d are allowed", len(name), maxLength)}
	}
	var errs []*FieldError
	for _, msg := range rule(name) {
		errs = append(errs, fieldErr(field, "%q: %s", name, msg))
	}
	return errs
}

// validateKeys checks the keys of a ConfigMap's or a Secret's data: each becomes a file name
// when the object is mounted, so Kubernetes allows letters, digits, '-', '_' and '.'.
func validateKeys(field string, data map[string]string) []*FieldError {
	var errs []*FieldError
	for _, key := range keysInOrder(data) {
		for _, msg := range validation.IsConfigMapKey(key) {
			errs = append(errs, fieldErr(field+"["+key+"]", "key %q: %s", key, msg))
		}
	}
	return errs
}

// validateSize checks the whole size of a ConfigMap's or Secret's data against Kubernetes'
// limit of 1 MiB: etcd stores each object whole.
func validateSize(field string, data map[string]string) []*FieldError {
	total := 0
	for key, value := range data {
		total += len(key) + len(value)
	}
	if total > MaxDataBytes {
		return []*FieldError{fieldErr(field, "holds %d bytes, at most %d (1 MiB) are allowed", total, MaxDataBytes)}
	}
	return nil
}

// MaxDataBytes is Kubernetes' bound on a ConfigMap's or Secret's data (corev1.MaxSecretSize).
const MaxDataBytes = 1 << 20

// isStored says whether an object was read from the apiserver rather than made by a form:
// only a stored object has a UID. Updates may not change what Kubernetes keeps immutable.
func isStored(uid string) bool { return uid != "" }

// keysInOrder are m's keys in order, so that errors and summaries come out the same each time.
func keysInOrder[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
