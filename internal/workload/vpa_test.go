package workload

import (
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

var webPods = VPATarget{Kind: KindDeployment, Name: "web", Containers: []string{"app", "proxy"}}

func TestVPAValidate(t *testing.T) {
	bounded := VPAContainerPolicy{Name: "app", MinAllowed: map[string]string{"cpu": "100m", "memory": "64Mi"},
		MaxAllowed: map[string]string{"cpu": "2", "memory": "1Gi"}, ControlledResources: []string{"cpu", "memory"}}
	tests := []struct {
		name   string
		form   VPAForm
		target VPATarget
		field  string // the first error's field; "" for a valid form
		phrase string
	}{
		{"defaults", VPAForm{}, webPods, "", ""},
		{"every mode", VPAForm{UpdateMode: VPAModeInitial}, webPods, "", ""},
		{"recreate", VPAForm{UpdateMode: VPAModeRecreate}, webPods, "", ""},
		{"auto", VPAForm{UpdateMode: VPAModeAuto}, webPods, "", ""},
		{"bounds", VPAForm{Containers: []VPAContainerPolicy{bounded, {Name: "proxy", Mode: VPAContainerOff}}}, webPods, "", ""},
		{"all containers", VPAForm{Containers: []VPAContainerPolicy{{Name: "*", MaxAllowed: map[string]string{"memory": "2Gi"}}}}, webPods, "", ""},
		{"containers not known", VPAForm{Containers: []VPAContainerPolicy{{Name: "any"}}}, VPATarget{Kind: KindDaemonSet, Name: "agent"}, "", ""},
		{"statefulset", VPAForm{}, VPATarget{Kind: KindStatefulSet, Name: "db"}, "", ""},
		{"job", VPAForm{}, VPATarget{Kind: KindJob, Name: "once"}, "kind", "Job"},
		{"unknown mode", VPAForm{UpdateMode: "auto"}, webPods, "updateMode", `Off, Initial, Recreate, Auto; got "auto"`},
		{"in-place, not offered", VPAForm{UpdateMode: "InPlaceOrRecreate"}, webPods, "updateMode", "must be one of"},
		{"unnamed container", VPAForm{Containers: []VPAContainerPolicy{{}}}, webPods, "containers[0].name", "required"},
		{"no such container", VPAForm{Containers: []VPAContainerPolicy{{Name: "sidecar"}}}, webPods, "containers[0].name", "app, proxy"},
		{"container twice", VPAForm{Containers: []VPAContainerPolicy{{Name: "app"}, {Name: "app"}}}, webPods, "containers[1].name", "containers[0]"},
		{"container mode", VPAForm{Containers: []VPAContainerPolicy{{Name: "app", Mode: "Initial"}}}, webPods, "containers[0].mode", "Auto or Off"},
		{"not a quantity", VPAForm{Containers: []VPAContainerPolicy{{Name: "app", MinAllowed: map[string]string{"cpu": "lots"}}}}, webPods,
			"containers[0].minAllowed[cpu]", "not a quantity"},
		{"negative", VPAForm{Containers: []VPAContainerPolicy{{Name: "app", MaxAllowed: map[string]string{"memory": "-1Gi"}}}}, webPods,
			"containers[0].maxAllowed[memory]", "negative"},
		{"other resource", VPAForm{Containers: []VPAContainerPolicy{{Name: "app", MinAllowed: map[string]string{"nvidia.com/gpu": "1"}}}}, webPods,
			"containers[0].minAllowed[nvidia.com/gpu]", "cpu and memory only"},
		{"max below min", VPAForm{Containers: []VPAContainerPolicy{{Name: "app", MinAllowed: map[string]string{"cpu": "1"}, MaxAllowed: map[string]string{"cpu": "500m"}}}}, webPods,
			"containers[0].maxAllowed[cpu]", "less than minAllowed 1"},
		{"controlled storage", VPAForm{Containers: []VPAContainerPolicy{{Name: "app", ControlledResources: []string{"cpu", "storage"}}}}, webPods,
			"containers[0].controlledResources[1]", `"storage"`},
		{"controlled twice", VPAForm{Containers: []VPAContainerPolicy{{Name: "app", ControlledResources: []string{"memory", "memory"}}}}, webPods,
			"containers[0].controlledResources[1]", "twice"},
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

func TestBuildVPA(t *testing.T) {
	t.Run("defaults", func(t *testing.T) {
		u := (&VPAForm{}).BuildVPA("shop", webPods)
		if u.GetAPIVersion() != "autoscaling.k8s.io/v1" || u.GetKind() != VPAKind || u.GetName() != "web" || u.GetNamespace() != "shop" {
			t.Errorf("meta %s %s %s/%s", u.GetAPIVersion(), u.GetKind(), u.GetNamespace(), u.GetName())
		}
		view, err := VPAOf(u.DeepCopy())
		if err != nil {
			t.Fatal(err)
		}
		if view.UpdateMode != VPAModeOff || view.TargetKind != KindDeployment || view.TargetName != "web" || len(view.Containers) != 0 {
			t.Errorf("view %+v", view)
		}
		if _, found := u.Object["spec"].(map[string]any)["resourcePolicy"]; found {
			t.Error("a resourcePolicy without policies")
		}
		if !VPATargets(u, KindDeployment, "web") || VPATargets(u, KindStatefulSet, "web") || VPATargets(u, KindDeployment, "db") {
			t.Error("VPATargets")
		}
	})
	t.Run("policies", func(t *testing.T) {
		policies := []VPAContainerPolicy{
			{Name: "app", MinAllowed: map[string]string{"cpu": "100m"}, MaxAllowed: map[string]string{"cpu": "2", "memory": "1Gi"}, ControlledResources: []string{"cpu"}},
			{Name: "proxy", Mode: VPAContainerOff},
		}
		u := (&VPAForm{UpdateMode: VPAModeRecreate, Containers: policies}).BuildVPA("shop", webPods)
		view, err := VPAOf(u.DeepCopy())
		if err != nil {
			t.Fatal(err)
		}
		if view.UpdateMode != VPAModeRecreate || !reflect.DeepEqual(view.Containers, policies) {
			t.Errorf("view %+v, want policies %+v", view, policies)
		}
	})
}

// VPAOf reads what the VPA itself writes: whole numbers as numbers, and its recommendations.
func TestVPAOfStored(t *testing.T) {
	u := (&VPAForm{}).BuildVPA("shop", webPods)
	u.Object["spec"].(map[string]any)["resourcePolicy"] = map[string]any{"containerPolicies": []any{
		map[string]any{"containerName": "*", "maxAllowed": map[string]any{"cpu": int64(1), "memory": "512Mi"}},
	}}
	u.Object["status"] = map[string]any{"recommendation": map[string]any{"containerRecommendations": []any{
		map[string]any{"containerName": "app", "target": map[string]any{"cpu": "250m", "memory": "262144k"}, "upperBound": map[string]any{"cpu": int64(1)}},
	}}}
	view, err := VPAOf(u)
	if err != nil {
		t.Fatal(err)
	}
	if len(view.Containers) != 1 || view.Containers[0].MaxAllowed["cpu"] != "1" || view.Containers[0].MaxAllowed["memory"] != "512Mi" {
		t.Errorf("containers %+v", view.Containers)
	}
	want := VPARecommendation{Container: "app", Target: map[string]string{"cpu": "250m", "memory": "262144k"}, UpperBound: map[string]string{"cpu": "1"}}
	if len(view.Recommendations) != 1 || !reflect.DeepEqual(view.Recommendations[0], want) {
		t.Errorf("recommendations %+v", view.Recommendations)
	}
}

func TestContainerNames(t *testing.T) {
	template := &corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app"}, {Name: "proxy"}}}}
	if got := ContainerNames(template); !reflect.DeepEqual(got, []string{"app", "proxy"}) {
		t.Errorf("got %v", got)
	}
}
