package workload

import "testing"

func TestAddonIsController(t *testing.T) {
	vpa, ok := AddonNamed("vpa")
	if !ok {
		t.Fatal("vpa is not a known add-on")
	}
	tests := []struct {
		name   string
		deploy string
		labels map[string]string
		want   bool
	}{
		{"recommender by name", "vpa-recommender", nil, true},
		{"admission controller by name", "vpa-admission-controller", nil, true},
		{"renamed but labelled", "my-vpa", map[string]string{"app.kubernetes.io/name": "vpa"}, true},
		{"other label value", "my-vpa", map[string]string{"app.kubernetes.io/name": "vpa-ui"}, false},
		{"cronhpa's controller", "kubernetes-cronhpa-controller", map[string]string{"app": "kubernetes-cronhpa-controller"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := vpa.IsController(tt.deploy, tt.labels); got != tt.want {
				t.Errorf("IsController(%q, %v) = %v, want %v", tt.deploy, tt.labels, got, tt.want)
			}
		})
	}
}

func TestAddonNamed(t *testing.T) {
	if _, ok := AddonNamed("hpa"); ok {
		t.Error("hpa is part of Kubernetes, not an add-on with CRDs")
	}
	if a, ok := AddonNamed("cronhpa"); !ok || len(a.CRDs) != 1 {
		t.Errorf("cronhpa: %+v, %v", a, ok)
	}
}
