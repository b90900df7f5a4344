package workload

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

func goodPVC() PVCForm {
	return PVCForm{Name: "data", StorageClassName: "fast", AccessModes: []string{"ReadWriteOnce"}, Size: "10Gi"}
}

func TestPVCValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*PVCForm)
		field  string // the first error's field; "" for a valid form
		phrase string
	}{
		{"valid", func(*PVCForm) {}, "", ""},
		{"default class", func(f *PVCForm) { f.StorageClassName = "" }, "", ""},
		{"several modes", func(f *PVCForm) { f.AccessModes = []string{"ReadWriteOnce", "ReadOnlyMany"} }, "", ""},
		{"one pod", func(f *PVCForm) { f.AccessModes = []string{"ReadWriteOncePod"} }, "", ""},
		{"name missing", func(f *PVCForm) { f.Name = "" }, "name", "is required"},
		{"bad class", func(f *PVCForm) { f.StorageClassName = "Fast_SSD" }, "storageClassName", "RFC 1123"},
		{"no access mode", func(f *PVCForm) { f.AccessModes = nil }, "accessModes", "at least one"},
		{"unknown access mode", func(f *PVCForm) { f.AccessModes = []string{"ReadWriteOnce", "RWX"} }, "accessModes[1]", "got \"RWX\""},
		{"access mode twice", func(f *PVCForm) { f.AccessModes = []string{"ReadWriteOnce", "ReadWriteOnce"} }, "accessModes[1]", "twice"},
		{"one pod with others", func(f *PVCForm) { f.AccessModes = []string{"ReadWriteOnce", "ReadWriteOncePod"} }, "accessModes[1]", "cannot be combined"},
		{"size missing", func(f *PVCForm) { f.Size = "" }, "size", "is required"},
		{"size not a quantity", func(f *PVCForm) { f.Size = "ten gigs" }, "size", "not a quantity"},
		{"size 0", func(f *PVCForm) { f.Size = "0" }, "size", "greater than 0"},
		{"size negative", func(f *PVCForm) { f.Size = "-1Gi" }, "size", "greater than 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := goodPVC()
			tc.change(&f)
			expectFieldErrors(t, f.Validate(), tc.field, tc.phrase)
		})
	}
}

func TestPVCApply(t *testing.T) {
	stored := func() *corev1.PersistentVolumeClaim {
		c := &corev1.PersistentVolumeClaim{Spec: corev1.PersistentVolumeClaimSpec{
			StorageClassName: ptr("fast"), AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("10Gi")}},
		}}
		c.UID = "uid-1"
		c.Status.Phase = corev1.ClaimBound
		return c
	}
	tests := []struct {
		name     string
		change   func(*PVCForm)
		claim    *corev1.PersistentVolumeClaim
		field    string // the first error's field; "" when applied
		phrase   string
		wantSize string
	}{
		{"new claim", func(*PVCForm) {}, &corev1.PersistentVolumeClaim{}, "", "", "10Gi"},
		{"same as stored", func(*PVCForm) {}, stored(), "", "", "10Gi"},
		{"grow", func(f *PVCForm) { f.Size = "20Gi" }, stored(), "", "", "20Gi"},
		{"empty class keeps the stored one", func(f *PVCForm) { f.StorageClassName = "" }, stored(), "", "", "10Gi"},
		{"shrink", func(f *PVCForm) { f.Size = "5Gi" }, stored(), "size", "cannot shrink below its 10Gi", ""},
		{"grow while pending", func(f *PVCForm) { f.Size = "20Gi" }, func() *corev1.PersistentVolumeClaim {
			c := stored()
			c.Status.Phase = corev1.ClaimPending
			return c
		}(), "size", "the claim is Pending, only a bound claim can grow", ""},
		{"other class", func(f *PVCForm) { f.StorageClassName = "slow" }, stored(), "storageClassName", "cannot change", ""},
		{"other modes", func(f *PVCForm) { f.AccessModes = []string{"ReadWriteMany"} }, stored(), "accessModes", "cannot change", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := goodPVC()
			tc.change(&f)
			before := tc.claim.DeepCopy()
			expectFieldErrors(t, f.ApplyTo(tc.claim), tc.field, tc.phrase)
			size := tc.claim.Spec.Resources.Requests[corev1.ResourceStorage]
			if tc.field != "" {
				if before.Spec.Resources.Requests.Storage().Cmp(size) != 0 {
					t.Errorf("a refused form changed the size to %s", size.String())
				}
				return
			}
			if size.String() != tc.wantSize || tc.claim.Name != "data" || *tc.claim.Spec.StorageClassName != "fast" {
				t.Errorf("after apply: %s %v size %s", tc.claim.Name, tc.claim.Spec.StorageClassName, size.String())
			}
		})
	}
}

func TestPVCSummary(t *testing.T) {
	c := &corev1.PersistentVolumeClaim{Spec: corev1.PersistentVolumeClaimSpec{StorageClassName: ptr("fast"), VolumeName: "pv-1",
		AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
		Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("10Gi")}}}}
	c.Status = corev1.PersistentVolumeClaimStatus{Phase: corev1.ClaimBound, Capacity: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("16Gi")}}
	got := PVCSummaryOf(c)
	if got.Phase != "Bound" || got.Capacity != "16Gi" || got.Request != "10Gi" || got.StorageClass != "fast" || strings.Join(got.AccessModes, ",") != "ReadWriteOnce" {
		t.Errorf("summary %+v", got)
	}
}
