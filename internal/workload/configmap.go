package workload

import (
	corev1 "k8s.io/api/core/v1"
)

// ConfigMapForm is what a person fills in to store configuration: text values by key.
type ConfigMapForm struct {
	Name string            `json:"name"`
	Data map[string]string `json:"data,omitempty"`
}

// FormName is the name of the ConfigMap the form describes.
func (f *ConfigMapForm) FormName() string { return f.Name }

// Validate returns every rule f breaks; none when it is good.
func (f *ConfigMapForm) Validate() []*FieldError {
	errs := ValidateObjectName("name", f.Name)
	errs = append(errs, validateKeys("data", f.Data)...)
	return append(errs, validateSize("data", f.Data)...)
}

// ApplyTo makes c, a new ConfigMap or the stored one, what f describes: its data is the form's,
// a key left out is removed. Binary data, labels and annotations are kept. f must be valid.
func (f *ConfigMapForm) ApplyTo(c *corev1.ConfigMap) []*FieldError {
	c.Name = f.Name
	c.Data = f.Data
	return nil
}

// ConfigMapSummary is what a list shows of a ConfigMap: its keys, text and binary.
type ConfigMapSummary struct {
	Count int      `json:"count"`
	Keys  []string `json:"keys"`
}

// ConfigMapSummaryOf summarizes c.
func ConfigMapSummaryOf(c *corev1.ConfigMap) ConfigMapSummary {
	keys := append(keysInOrder(c.Data), keysInOrder(c.BinaryData)...)
	return ConfigMapSummary{Count: len(keys), Keys: keys}
}
