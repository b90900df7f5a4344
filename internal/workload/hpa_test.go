package workload

import (
	"strings"
	"testing"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

func int32p(v int32) *int32 { return &v }

// hpaTarget is a Deployment "web" whose containers request cpu and memory as given ("" none).
func hpaTarget(requests ...[2]string) HPATarget {
	var containers []corev1.Container
	for i, r := range requests {
		c := corev1.Container{Name: []string{"app", "sidecar", "third"}[i], Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{}}}
		if r[0] != "" {
			c.Resources.Requests[corev1.ResourceCPU] = resource.MustParse(r[0])
		}
		if r[1] != "" {
			c.Resources.Requests[corev1.ResourceMemory] = resource.MustParse(r[1])
		}
		containers = append(containers, c)
	}
	return HPATarget{Kind: KindDeployment, Name: "web", Template: &corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: containers}}}
}

func TestHPAValidate(t *testing.T) {
	both := [2]string{"100m", "64Mi"}
	tests := []struct {
		name   string
		form   HPAForm
		target HPATarget
		field  string // the first error's field; "" for a valid form
		phrase string
	}{
		{"cpu only", HPAForm{CPUUtilization: int32p(80)}, hpaTarget(both, both), "", ""},
		{"memory only", HPAForm{MemoryUtilization: int32p(70)}, hpaTarget(both), "", ""},
		{"statefulset", HPAForm{CPUUtilization: int32p(80)}, func() HPATarget { t := hpaTarget(both); t.Kind = KindStatefulSet; return t }(), "", ""},
		{"min equals max", HPAForm{MinReplicas: int32p(3), MaxReplicas: 3, CPUUtilization: int32p(50)}, hpaTarget(both), "", ""},
		{"daemonset", HPAForm{CPUUtilization: int32p(80)}, func() HPATarget { t := hpaTarget(both); t.Kind = KindDaemonSet; return t }(), "kind", "DaemonSet"},
		{"min zero", HPAForm{MinReplicas: int32p(0), CPUUtilization: int32p(80)}, hpaTarget(both), "minReplicas", "1 or more"},
		{"max below min", HPAForm{MinReplicas: int32p(5), MaxReplicas: 4, CPUUtilization: int32p(80)}, hpaTarget(both), "maxReplicas", "at least minReplicas (5)"},
		{"max below default min", HPAForm{MaxReplicas: -1, CPUUtilization: int32p(80)}, hpaTarget(both), "maxReplicas", "at least"},
		{"no metric", HPAForm{}, hpaTarget(both), "cpuUtilization", "CPU or a memory"},
		{"cpu zero", HPAForm{CPUUtilization: int32p(0)}, hpaTarget(both), "cpuUtilization", "from 1 to 1000"},
		{"cpu 1001", HPAForm{CPUUtilization: int32p(1001)}, hpaTarget(both), "cpuUtilization", "from 1 to 1000"},
		{"cpu 150 is allowed", HPAForm{CPUUtilization: int32p(150)}, hpaTarget(both), "", ""},
		{"cpu without request", HPAForm{CPUUtilization: int32p(80)}, hpaTarget(both, [2]string{"", "64Mi"}), "cpuUtilization", "sidecar"},
		{"memory without request", HPAForm{MemoryUtilization: int32p(80)}, hpaTarget([2]string{"100m", ""}, both), "memoryUtilization", "app"},
		{"memory not asked, not needed", HPAForm{CPUUtilization: int32p(80)}, hpaTarget([2]string{"100m", ""}), "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			errs := tc.form.Validate(tc.target)
			if tc.field == "" {
				if len(errs) > 0 {
					t.Fatalf("want valid, got %v", errs)
				}
				return
			}
			if len(errs) == 0 {
				t.Fatalf("want an error on %s, got none", tc.field)
			}
			if errs[0].Field != tc.field || !strings.Contains(errs[0].Message, tc.phrase) {
				t.Errorf("got %v, want field %s with %q", errs[0], tc.field, tc.phrase)
			}
		})
	}
}

func TestBuildHPA(t *testing.T) {
	form := HPAForm{CPUUtilization: int32p(80), MemoryUtilization: int32p(60)}
	hpa := form.BuildHPA("shop", hpaTarget([2]string{"100m", "64Mi"}))
	if hpa.Name != "web" || hpa.Namespace != "shop" || *hpa.Spec.MinReplicas != 1 || hpa.Spec.MaxReplicas != 10 {
		t.Errorf("meta and bounds: %s/%s %d..%d", hpa.Namespace, hpa.Name, *hpa.Spec.MinReplicas, hpa.Spec.MaxReplicas)
	}
	ref := hpa.Spec.ScaleTargetRef
	if ref.APIVersion != "apps/v1" || ref.Kind != KindDeployment || ref.Name != "web" || !Targets(hpa, KindDeployment, "web") {
		t.Errorf("target %+v", ref)
	}
	if len(hpa.Spec.Metrics) != 2 || hpa.Spec.Metrics[0].Resource.Name != corev1.ResourceCPU || *hpa.Spec.Metrics[1].Resource.Target.AverageUtilization != 60 {
		t.Errorf("metrics %+v", hpa.Spec.Metrics)
	}
	// The form's pointers are not shared with the object.
	*form.CPUUtilization = 10
	if *hpa.Spec.Metrics[0].Resource.Target.AverageUtilization != 80 {
		t.Error("the HPA shares the form's number")
	}
}

func TestHPAOf(t *testing.T) {
	hpa := (&HPAForm{MinReplicas: int32p(2), MaxReplicas: 5, CPUUtilization: int32p(80)}).BuildHPA("shop", hpaTarget([2]string{"100m", ""}))
	hpa.Spec.Metrics = append(hpa.Spec.Metrics, autoscalingv2.MetricSpec{Type: autoscalingv2.PodsMetricSourceType})
	hpa.Status = autoscalingv2.HorizontalPodAutoscalerStatus{CurrentReplicas: 2, DesiredReplicas: 3, CurrentMetrics: []autoscalingv2.MetricStatus{{
		Type:     autoscalingv2.ResourceMetricSourceType,
		Resource: &autoscalingv2.ResourceMetricStatus{Name: corev1.ResourceCPU, Current: autoscalingv2.MetricValueStatus{AverageUtilization: int32p(95)}},
	}}}
	v := HPAOf(hpa)
	if v.TargetKind != KindDeployment || v.TargetName != "web" || v.MinReplicas != 2 || v.MaxReplicas != 5 || v.CurrentReplicas != 2 || v.DesiredReplicas != 3 {
		t.Errorf("view %+v", v)
	}
	if len(v.Metrics) != 2 || *v.Metrics[0].TargetUtilization != 80 || *v.Metrics[0].CurrentUtilization != 95 || v.Metrics[1].Resource != "Pods" {
		t.Errorf("metrics %+v", v.Metrics)
	}
}
