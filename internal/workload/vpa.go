package workload

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// VPAResource is the VerticalPodAutoscaler of the Kubernetes autoscaler project's VPA add-on:
// it sets the resource requests of a workload's pods from their use.
var VPAResource = schema.GroupVersionResource{Group: "autoscaling.k8s.io", Version: "v1", Resource: "verticalpodautoscalers"}

// VPAKind is the kind of VPAResource.
const VPAKind = "VerticalPodAutoscaler"

// Update modes of a VPA: when its recommendations reach the pods.
const (
	// VPAModeOff only recommends; the recommendations are in the VPA's status.
	VPAModeOff = "Off"
	// VPAModeInitial sets the requests when a pod is created, never on a running pod.
	VPAModeInitial = "Initial"
	// VPAModeRecreate evicts running pods whose requests are far from the recommendation.
	VPAModeRecreate = "Recreate"
	// VPAModeAuto is Recreate under its older name; newer VPA releases keep it as an alias.
	VPAModeAuto = "Auto"
)

// VPAModes are the update modes the form offers, in the order of how much they do.
var VPAModes = []string{VPAModeOff, VPAModeInitial, VPAModeRecreate, VPAModeAuto}

// DefaultVPAMode is Off: a VPA that evicts pods must be asked for. Off shows what VPA would set
// without restarting anything, which is what a first VPA on a running service should do; the
// project's own default (Recreate) evicts pods as soon as a recommendation drifts.
const DefaultVPAMode = VPAModeOff

// VPAAllContainers, as a container policy's name, is the policy of every container without one
// of its own.
const VPAAllContainers = "*"

// Modes of a container policy.
const (
	VPAContainerAuto = "Auto"
	VPAContainerOff  = "Off"
)

// vpaResources are the resources a VPA recommends.
var vpaResources = []string{string(corev1.ResourceCPU), string(corev1.ResourceMemory)}

// VPAForm is what a person fills in to size the pods of a Deployment, StatefulSet or DaemonSet
// from their use.
type VPAForm struct {
	// UpdateMode is one of VPAModes; empty is DefaultVPAMode.
	UpdateMode string `json:"updateMode,omitempty"`
	// Containers are optional bounds per container (or VPAAllContainers).
	Containers []VPAContainerPolicy `json:"containers,omitempty"`
}

// VPAContainerPolicy bounds the recommendations of one container. Quantities are by resource
// name (cpu, memory).
type VPAContainerPolicy struct {
	Name string `json:"name"`
	// Mode is Auto (the default) or Off, which leaves the container as it is (e.g. a sidecar).
	Mode                string            `json:"mode,omitempty"`
	MinAllowed          map[string]string `json:"minAllowed,omitempty"`
	MaxAllowed          map[string]string `json:"maxAllowed,omitempty"`
	ControlledResources []string          `json:"controlledResources,omitempty"`
}

// VPATarget is the workload a VPA sizes: its kind, name and the names of its pod's containers
// (nil when not known).
type VPATarget struct {
	Kind       string
	Name       string
	Containers []string
}

// ContainerNames are the names of the containers of template, for a VPATarget.
func ContainerNames(template *corev1.PodTemplateSpec) []string {
	names := make([]string, 0, len(template.Spec.Containers))
	for _, c := range template.Spec.Containers {
		names = append(names, c.Name)
	}
	return names
}

func (f *VPAForm) mode() string {
	if f.UpdateMode == "" {
		return DefaultVPAMode
	}
	return f.UpdateMode
}

// Validate returns every rule f breaks for target, in field order; none when it is good.
func (f *VPAForm) Validate(target VPATarget) []*FieldError {
	var errs []*FieldError
	switch target.Kind {
	case KindDeployment, KindStatefulSet, KindDaemonSet:
	default:
		errs = append(errs, fieldErr("kind", "is %s; a VerticalPodAutoscaler sizes a Deployment, a StatefulSet or a DaemonSet", target.Kind))
	}
	if !slices.Contains(VPAModes, f.mode()) {
		errs = append(errs, fieldErr("updateMode", "must be one of %s; got %q", strings.Join(VPAModes, ", "), f.UpdateMode))
	}
	seen := map[string]int{}
	for i, p := range f.Containers {
		errs = append(errs, p.validate(fmt.Sprintf("containers[%d]", i), target, seen)...)
		seen[p.Name] = i
	}
	return errs
}

func (p VPAContainerPolicy) validate(path string, target VPATarget, seen map[string]int) []*FieldError {
	var errs []*FieldError
	switch {
	case p.Name == "":
		errs = append(errs, fieldErr(path+".name", "is required: a container of %s %s, or %q for all of them", target.Kind, target.Name, VPAAllContainers))
	case p.Name != VPAAllContainers && target.Containers != nil && !slices.Contains(target.Containers, p.Name):
		errs = append(errs, fieldErr(path+".name", "%q is not a container of %s %s, which has %s (or use %q for all)",
			p.Name, target.Kind, target.Name, strings.Join(target.Containers, ", "), VPAAllContainers))
	}
	if other, dup := seen[p.Name]; dup && p.Name != "" {
		errs = append(errs, fieldErr(path+".name", "%q is also the name of containers[%d]", p.Name, other))
	}
	if p.Mode != "" && p.Mode != VPAContainerAuto && p.Mode != VPAContainerOff {
		errs = append(errs, fieldErr(path+".mode", "must be %s or %s; got %q", VPAContainerAuto, VPAContainerOff, p.Mode))
	}
	minimum, minErrs := vpaQuantities(path+".minAllowed", p.MinAllowed)
	maximum, maxErrs := vpaQuantities(path+".maxAllowed", p.MaxAllowed)
	errs = append(append(errs, minErrs...), maxErrs...)
	for _, r := range vpaResources {
		low, hasLow := minimum[r]
		high, hasHigh := maximum[r]
		if hasLow && hasHigh && high.Cmp(low) < 0 {
			errs = append(errs, fieldErr(path+".maxAllowed["+r+"]", "is %s, less than minAllowed %s", high.String(), low.String()))
		}
	}
	return append(errs, validateControlled(path+".controlledResources", p.ControlledResources)...)
}

// vpaQuantities parses the quantities of a bound: cpu and memory, none negative.
func vpaQuantities(path string, in map[string]string) (map[string]resource.Quantity, []*FieldError) {
	out := map[string]resource.Quantity{}
	var errs []*FieldError
	for _, name := range sortedKeys(in) {
		field := path + "[" + name + "]"
		if !slices.Contains(vpaResources, name) {
			errs = append(errs, fieldErr(field, "a VerticalPodAutoscaler bounds %s only", strings.Join(vpaResources, " and ")))
			continue
		}
		q, err := resource.ParseQuantity(in[name])
		if err != nil {
			errs = append(errs, fieldErr(field, "%q is not a quantity (e.g. 100m, 256Mi)", in[name]))
			continue
		}
		if q.Sign() < 0 {
			errs = append(errs, fieldErr(field, "is %s; it must not be negative", in[name]))
			continue
		}
		out[name] = q
	}
	return out, errs
}

func validateControlled(path string, resources []string) []*FieldError {
	var errs []*FieldError
	for i, r := range resources {
		field := fmt.Sprintf("%s[%d]", path, i)
		if !slices.Contains(vpaResources, r) {
			errs = append(errs, fieldErr(field, "must be %s; got %q", strings.Join(vpaResources, " or "), r))
		} else if slices.Index(resources, r) < i {
			errs = append(errs, fieldErr(field, "%q is listed twice", r))
		}
	}
	return errs
}

func sortedKeys(m map[string]string) []string {
	return slices.Sorted(maps.Keys(m))
}

// BuildVPA is the VerticalPodAutoscaler of f for target in namespace; it has the workload's
// name, so that a workload has at most one. Call it on a form that validates.
func (f *VPAForm) BuildVPA(namespace string, target VPATarget) *unstructured.Unstructured {
	spec := map[string]any{
		"targetRef":    map[string]any{"apiVersion": "apps/v1", "kind": target.Kind, "name": target.Name},
		"updatePolicy": map[string]any{"updateMode": f.mode()},
	}
	if len(f.Containers) > 0 {
		policies := make([]any, 0, len(f.Containers))
		for _, p := range f.Containers {
			policies = append(policies, p.fields())
		}
		spec["resourcePolicy"] = map[string]any{"containerPolicies": policies}
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": VPAResource.GroupVersion().String(),
		"kind":       VPAKind,
		"metadata":   map[string]any{"name": target.Name, "namespace": namespace},
		"spec":       spec,
	}}
}

// fields is the containerPolicies item of p, with only the fields p sets.
func (p VPAContainerPolicy) fields() map[string]any {
	out := map[string]any{"containerName": p.Name}
	if p.Mode != "" {
		out["mode"] = p.Mode
	}
	for key, bound := range map[string]map[string]string{"minAllowed": p.MinAllowed, "maxAllowed": p.MaxAllowed} {
		if len(bound) == 0 {
			continue
		}
		values := map[string]any{}
		for name, q := range bound {
			values[name] = q
		}
		out[key] = values
	}
	if len(p.ControlledResources) > 0 {
		controlled := make([]any, 0, len(p.ControlledResources))
		for _, r := range p.ControlledResources {
			controlled = append(controlled, r)
		}
		out["controlledResources"] = controlled
	}
	return out
}

// vpaObject is the part of a VerticalPodAutoscaler kpanda reads.
type vpaObject struct {
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		TargetRef    ScaleTargetRef `json:"targetRef"`
		UpdatePolicy struct {
			UpdateMode string `json:"updateMode"`
		} `json:"updatePolicy"`
		ResourcePolicy struct {
			ContainerPolicies []struct {
				ContainerName       string   `json:"containerName"`
				Mode                string   `json:"mode"`
				MinAllowed          amounts  `json:"minAllowed"`
				MaxAllowed          amounts  `json:"maxAllowed"`
				ControlledResources []string `json:"controlledResources"`
			} `json:"containerPolicies"`
		} `json:"resourcePolicy"`
	} `json:"spec"`
	Status struct {
		Recommendation struct {
			ContainerRecommendations []struct {
				ContainerName string  `json:"containerName"`
				Target        amounts `json:"target"`
				LowerBound    amounts `json:"lowerBound"`
				UpperBound    amounts `json:"upperBound"`
			} `json:"containerRecommendations"`
		} `json:"recommendation"`
	} `json:"status"`
}

// amounts are resource quantities as a VPA stores them: a string or, for whole numbers, a
// number ("cpu: 1"), which a map of strings could not read.
type amounts map[string]resource.Quantity

// strings is q in the form's words, nil for none.
func (q amounts) strings() map[string]string {
	if len(q) == 0 {
		return nil
	}
	out := make(map[string]string, len(q))
	for name, amount := range q {
		out[name] = amount.String()
	}
	return out
}

// VPA is a VerticalPodAutoscaler as the API shows it: what it sizes, how, within which bounds,
// and what it recommends.
type VPA struct {
	Name       string `json:"name"`
	Namespace  string `json:"namespace"`
	TargetKind string `json:"targetKind"`
	TargetName string `json:"targetName"`
	// UpdateMode is as stored; empty means the VPA's own default (Recreate, once called Auto).
	UpdateMode      string               `json:"updateMode"`
	Containers      []VPAContainerPolicy `json:"containers"`
	Recommendations []VPARecommendation  `json:"recommendations"`
}

// VPARecommendation is what the VPA recommends for one container's requests.
type VPARecommendation struct {
	Container  string            `json:"containerName"`
	Target     map[string]string `json:"target"`
	LowerBound map[string]string `json:"lowerBound,omitempty"`
	UpperBound map[string]string `json:"upperBound,omitempty"`
}

// VPAOf is the view of u, a VerticalPodAutoscaler.
func VPAOf(u *unstructured.Unstructured) (VPA, error) {
	var o vpaObject
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &o); err != nil {
		return VPA{}, fmt.Errorf("reading %s %s: %w", VPAKind, u.GetName(), err)
	}
	out := VPA{Name: o.Name, Namespace: o.Namespace, TargetKind: o.Spec.TargetRef.Kind, TargetName: o.Spec.TargetRef.Name,
		UpdateMode: o.Spec.UpdatePolicy.UpdateMode, Containers: []VPAContainerPolicy{}, Recommendations: []VPARecommendation{}}
	for _, p := range o.Spec.ResourcePolicy.ContainerPolicies {
		out.Containers = append(out.Containers, VPAContainerPolicy{Name: p.ContainerName, Mode: p.Mode,
			MinAllowed: p.MinAllowed.strings(), MaxAllowed: p.MaxAllowed.strings(), ControlledResources: p.ControlledResources})
	}
	for _, r := range o.Status.Recommendation.ContainerRecommendations {
		out.Recommendations = append(out.Recommendations, VPARecommendation{Container: r.ContainerName,
			Target: r.Target.strings(), LowerBound: r.LowerBound.strings(), UpperBound: r.UpperBound.strings()})
	}
	return out, nil
}

// VPATargets reports whether u, a VerticalPodAutoscaler, sizes the workload kind/name (of
// group apps).
func VPATargets(u *unstructured.Unstructured, kind, name string) bool {
	fields, _, _ := unstructured.NestedStringMap(u.Object, "spec", "targetRef")
	group, _, _ := strings.Cut(fields["apiVersion"], "/")
	return group == "apps" && fields["kind"] == kind && fields["name"] == name
}
