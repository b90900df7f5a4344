package workload

import (
	"strings"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Limits and defaults of the HPA form.
const (
	DefaultHPAMinReplicas = int32(1)
	DefaultHPAMaxReplicas = int32(10)
	// MaxUtilization bounds a target utilization, a percent of the containers' requests. Above
	// 100 is legitimate (pods may use more than they request); the bound only catches typos.
	MaxUtilization = int32(1000)
)

// HPAForm is what a person fills in to autoscale a Deployment or a StatefulSet on the CPU or
// memory use of its pods. Pointers are optional; a nil utilization is no target on it.
type HPAForm struct {
	MinReplicas       *int32 `json:"minReplicas,omitempty"`
	MaxReplicas       int32  `json:"maxReplicas,omitempty"`
	CPUUtilization    *int32 `json:"cpuUtilization,omitempty"`
	MemoryUtilization *int32 `json:"memoryUtilization,omitempty"`
}

// HPATarget is the workload an HPA scales: its kind, name and pod template, whose requests a
// utilization target is a percent of.
type HPATarget struct {
	Kind     string
	Name     string
	Template *corev1.PodTemplateSpec
}

// withDefaults is f with the defaults filled in: a form with no numbers at all asks for 1 to 10.
func (f *HPAForm) withDefaults() HPAForm {
	out := *f
	if out.MinReplicas == nil {
		lowest := DefaultHPAMinReplicas
		out.MinReplicas = &lowest
	}
	if out.MaxReplicas == 0 {
		out.MaxReplicas = DefaultHPAMaxReplicas
	}
	return out
}

// Validate returns every rule f breaks for target, in field order; none when it is good.
func (f *HPAForm) Validate(target HPATarget) []*FieldError {
	d := f.withDefaults()
	var errs []*FieldError
	if target.Kind != KindDeployment && target.Kind != KindStatefulSet {
		errs = append(errs, fieldErr("kind", "is %s; only a Deployment or a StatefulSet can be autoscaled", target.Kind))
	}
	if *d.MinReplicas < 1 {
		errs = append(errs, fieldErr("minReplicas", "is %d, it must be 1 or more", *d.MinReplicas))
	}
	if d.MaxReplicas < *d.MinReplicas {
		errs = append(errs, fieldErr("maxReplicas", "is %d, it must be at least minReplicas (%d)", d.MaxReplicas, *d.MinReplicas))
	}
	if d.CPUUtilization == nil && d.MemoryUtilization == nil {
		errs = append(errs, fieldErr("cpuUtilization", "set a CPU or a memory utilization target (or both)"))
	}
	errs = append(errs, checkUtilization("cpuUtilization", d.CPUUtilization, corev1.ResourceCPU, target)...)
	return append(errs, checkUtilization("memoryUtilization", d.MemoryUtilization, corev1.ResourceMemory, target)...)
}

// checkUtilization checks a target of resource: its range, and that every container requests
// the resource, since the HPA cannot compute a percent of a request that is not there and would
// never scale.
func checkUtilization(field string, percent *int32, resource corev1.ResourceName, target HPATarget) []*FieldError {
	if percent == nil {
		return nil
	}
	if *percent < 1 || *percent > MaxUtilization {
		return []*FieldError{fieldErr(field, "is %d, it must be from 1 to %d (percent of the request)", *percent, MaxUtilization)}
	}
	if target.Template == nil {
		return nil
	}
	var missing []string
	for _, c := range target.Template.Spec.Containers {
		if _, ok := c.Resources.Requests[resource]; !ok {
			missing = append(missing, c.Name)
		}
	}
	if len(missing) > 0 {
		return []*FieldError{fieldErr(field, "needs a %s request on every container; %s has none", resource, strings.Join(missing, ", "))}
	}
	return nil
}

// BuildHPA is the HorizontalPodAutoscaler of f for target in namespace; it has the workload's
// name, so that a workload has at most one. Call it on a form that validates.
func (f *HPAForm) BuildHPA(namespace string, target HPATarget) *autoscalingv2.HorizontalPodAutoscaler {
	d := f.withDefaults()
	lowest := *d.MinReplicas // not the form's pointer: the object outlives the request's form
	hpa := &autoscalingv2.HorizontalPodAutoscaler{
		TypeMeta:   metav1.TypeMeta{APIVersion: autoscalingv2.SchemeGroupVersion.String(), Kind: "HorizontalPodAutoscaler"},
		ObjectMeta: metav1.ObjectMeta{Name: target.Name, Namespace: namespace},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: target.Kind, Name: target.Name},
			MinReplicas:    &lowest,
			MaxReplicas:    d.MaxReplicas,
		},
	}
	if d.CPUUtilization != nil {
		hpa.Spec.Metrics = append(hpa.Spec.Metrics, utilizationMetric(corev1.ResourceCPU, *d.CPUUtilization))
	}
	if d.MemoryUtilization != nil {
		hpa.Spec.Metrics = append(hpa.Spec.Metrics, utilizationMetric(corev1.ResourceMemory, *d.MemoryUtilization))
	}
	return hpa
}

func utilizationMetric(resource corev1.ResourceName, percent int32) autoscalingv2.MetricSpec {
	return autoscalingv2.MetricSpec{
		Type: autoscalingv2.ResourceMetricSourceType,
		Resource: &autoscalingv2.ResourceMetricSource{
			Name:   resource,
			Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: &percent},
		},
	}
}

// Targets reports whether hpa scales the workload kind/name (of group apps).
func Targets(hpa *autoscalingv2.HorizontalPodAutoscaler, kind, name string) bool {
	ref := hpa.Spec.ScaleTargetRef
	group, _, _ := strings.Cut(ref.APIVersion, "/")
	return ref.Kind == kind && ref.Name == name && group == "apps"
}

// HPA is an HorizontalPodAutoscaler as the API shows it: what it scales, between which bounds,
// on which metrics, and where it stands.
type HPA struct {
	Name            string      `json:"name"`
	Namespace       string      `json:"namespace"`
	TargetKind      string      `json:"targetKind"`
	TargetName      string      `json:"targetName"`
	MinReplicas     int32       `json:"minReplicas"`
	MaxReplicas     int32       `json:"maxReplicas"`
	CurrentReplicas int32       `json:"currentReplicas"`
	DesiredReplicas int32       `json:"desiredReplicas"`
	Metrics         []HPAMetric `json:"metrics"`
}

// HPAMetric is one resource metric of an HPA: its target and, once measured, its current
// utilization (percent of the requests).
type HPAMetric struct {
	Resource           string `json:"resource"`
	TargetUtilization  *int32 `json:"targetUtilization,omitempty"`
	CurrentUtilization *int32 `json:"currentUtilization,omitempty"`
}

// HPAOf is the view of hpa. Metrics other than resource utilization (pods, external) are
// listed by type without numbers: the form does not make them, but a manifest may.
func HPAOf(hpa *autoscalingv2.HorizontalPodAutoscaler) HPA {
	lowest := DefaultHPAMinReplicas
	if hpa.Spec.MinReplicas != nil {
		lowest = *hpa.Spec.MinReplicas
	}
	out := HPA{Name: hpa.Name, Namespace: hpa.Namespace, TargetKind: hpa.Spec.ScaleTargetRef.Kind, TargetName: hpa.Spec.ScaleTargetRef.Name,
		MinReplicas: lowest, MaxReplicas: hpa.Spec.MaxReplicas, CurrentReplicas: hpa.Status.CurrentReplicas,
		DesiredReplicas: hpa.Status.DesiredReplicas, Metrics: []HPAMetric{}}
	for _, m := range hpa.Spec.Metrics {
		if m.Type != autoscalingv2.ResourceMetricSourceType || m.Resource == nil {
			out.Metrics = append(out.Metrics, HPAMetric{Resource: string(m.Type)})
			continue
		}
		out.Metrics = append(out.Metrics, HPAMetric{Resource: string(m.Resource.Name), TargetUtilization: m.Resource.Target.AverageUtilization,
			CurrentUtilization: currentUtilization(hpa, m.Resource.Name)})
	}
	return out
}

func currentUtilization(hpa *autoscalingv2.HorizontalPodAutoscaler, resource corev1.ResourceName) *int32 {
	for _, m := range hpa.Status.CurrentMetrics {
		if m.Resource != nil && m.Resource.Name == resource {
			return m.Resource.Current.AverageUtilization
		}
	}
	return nil
}
