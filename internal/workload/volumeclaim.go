package workload

import (
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"
)

// PVCForm is what a person fills in to claim storage: a PersistentVolumeClaim.
type PVCForm struct {
	Name string `json:"name"`
	// StorageClassName is the class to provision from; empty is the cluster's default class.
	StorageClassName string   `json:"storageClassName,omitempty"`
	AccessModes      []string `json:"accessModes"`
	// Size is the storage asked for, a quantity like 10Gi.
	Size string `json:"size"`
}

var accessModes = []corev1.PersistentVolumeAccessMode{
	corev1.ReadWriteOnce, corev1.ReadOnlyMany, corev1.ReadWriteMany, corev1.ReadWriteOncePod,
}

// FormName is the name of the claim the form describes.
func (f *PVCForm) FormName() string { return f.Name }

// Validate returns every rule f breaks; none when it is good.
func (f *PVCForm) Validate() []*FieldError {
	errs := ValidateObjectName("name", f.Name)
	if f.StorageClassName != "" {
		for _, msg := range validation.IsDNS1123Subdomain(f.StorageClassName) {
			errs = append(errs, fieldErr("storageClassName", "%q: %s", f.StorageClassName, msg))
		}
	}
	errs = append(errs, f.validateAccessModes()...)
	if _, err := f.size(); err != nil {
		errs = append(errs, err)
	}
	return errs
}

func (f *PVCForm) validateAccessModes() []*FieldError {
	if len(f.AccessModes) == 0 {
		return []*FieldError{fieldErr("accessModes", "choose at least one of ReadWriteOnce, ReadOnlyMany, ReadWriteMany, ReadWriteOncePod")}
	}
	var errs []*FieldError
	for i, mode := range f.AccessModes {
		field := fmt.Sprintf("accessModes[%d]", i)
		switch {
		case !slices.Contains(accessModes, corev1.PersistentVolumeAccessMode(mode)):
			errs = append(errs, fieldErr(field, "must be ReadWriteOnce, ReadOnlyMany, ReadWriteMany or ReadWriteOncePod, got %q", mode))
		case slices.Index(f.AccessModes, mode) < i:
			errs = append(errs, fieldErr(field, "%s is given twice", mode))
		case mode == string(corev1.ReadWriteOncePod) && len(f.AccessModes) > 1:
			// Kubernetes' rule: one pod only cannot go with several nodes or pods.
			errs = append(errs, fieldErr(field, "ReadWriteOncePod cannot be combined with other access modes"))
		}
	}
	return errs
}

// size is the form's size, which must be a quantity greater than 0.
func (f *PVCForm) size() (resource.Quantity, *FieldError) {
	q, err := resource.ParseQuantity(f.Size)
	switch {
	case f.Size == "":
		return q, fieldErr("size", "is required, e.g. 10Gi")
	case err != nil:
		return q, fieldErr("size", "%q is not a quantity (e.g. 500Mi, 10Gi)", f.Size)
	case q.Sign() <= 0:
		return q, fieldErr("size", "must be greater than 0, got %s", f.Size)
	}
	return q, nil
}

// ApplyTo makes c, a new claim or the stored one, what f describes. Kubernetes keeps a stored
// claim's class and access modes and only lets it grow once bound, so changing those is
// refused by field (whether its class can expand volumes is the apiserver's to say);
// an empty class keeps the stored one (the default class was chosen at creation). f must be
// valid.
func (f *PVCForm) ApplyTo(c *corev1.PersistentVolumeClaim) []*FieldError {
	size, _ := f.size()
	modes := make([]corev1.PersistentVolumeAccessMode, 0, len(f.AccessModes))
	for _, mode := range f.AccessModes {
		modes = append(modes, corev1.PersistentVolumeAccessMode(mode))
	}
	if isStored(string(c.UID)) {
		if errs := f.immutableChanges(c, modes, size); len(errs) > 0 {
			return errs
		}
	}
	c.Name = f.Name
	if f.StorageClassName != "" {
		c.Spec.StorageClassName = &f.StorageClassName
	}
	c.Spec.AccessModes = modes
	if c.Spec.Resources.Requests == nil {
		c.Spec.Resources.Requests = corev1.ResourceList{}
	}
	c.Spec.Resources.Requests[corev1.ResourceStorage] = size
	return nil
}

func (f *PVCForm) immutableChanges(c *corev1.PersistentVolumeClaim, modes []corev1.PersistentVolumeAccessMode, size resource.Quantity) []*FieldError {
	var errs []*FieldError
	if stored := valueOr(c.Spec.StorageClassName, ""); f.StorageClassName != "" && f.StorageClassName != stored {
		errs = append(errs, fieldErr("storageClassName", "is %q; the claim's class %q cannot change after creation", f.StorageClassName, stored))
	}
	if !sameModes(modes, c.Spec.AccessModes) {
		errs = append(errs, fieldErr("accessModes", "are %v; the claim's access modes %v cannot change after creation", modes, c.Spec.AccessModes))
	}
	stored := c.Spec.Resources.Requests[corev1.ResourceStorage]
	switch {
	case size.Cmp(stored) < 0:
		errs = append(errs, fieldErr("size", "is %s; a claim cannot shrink below its %s", f.Size, stored.String()))
	case size.Cmp(stored) > 0 && c.Status.Phase != corev1.ClaimBound:
		// Kubernetes expands the volume of a bound claim; an unbound one has none yet.
		errs = append(errs, fieldErr("size", "is %s; the claim is %s, only a bound claim can grow", f.Size, firstOf(string(c.Status.Phase), "not bound")))
	}
	return errs
}

// sameModes compares access modes as sets.
func sameModes(a, b []corev1.PersistentVolumeAccessMode) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

// PVCSummary is what a list shows of a claim, as kubectl's columns.
type PVCSummary struct {
	Phase string `json:"phase"`
	// Capacity is the bound volume's size, empty while the claim is not bound.
	Capacity     string   `json:"capacity,omitempty"`
	Request      string   `json:"request,omitempty"`
	StorageClass string   `json:"storageClass,omitempty"`
	AccessModes  []string `json:"accessModes"`
	Volume       string   `json:"volume,omitempty"`
}

// PVCSummaryOf summarizes c.
func PVCSummaryOf(c *corev1.PersistentVolumeClaim) PVCSummary {
	out := PVCSummary{Phase: string(c.Status.Phase), StorageClass: valueOr(c.Spec.StorageClassName, ""), Volume: c.Spec.VolumeName, AccessModes: []string{}}
	if c.DeletionTimestamp != nil {
		out.Phase = "Terminating" // as kubectl shows it
	}
	if q, ok := c.Status.Capacity[corev1.ResourceStorage]; ok {
		out.Capacity = q.String()
	}
	if q, ok := c.Spec.Resources.Requests[corev1.ResourceStorage]; ok {
		out.Request = q.String()
	}
	for _, mode := range c.Spec.AccessModes {
		out.AccessModes = append(out.AccessModes, string(mode))
	}
	return out
}
