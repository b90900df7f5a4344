package workload

import "slices"

// Addon is an autoscaling add-on that Helm installs with CRDs from its chart's crds/ folder.
// `helm uninstall` never deletes those CRDs, so after a plain uninstall they stay behind and
// keep the add-on's old records alive (seed FAQ 9); kpanda finds and removes them.
type Addon struct {
	// Name is the add-on's name in the API path and in the confirmation.
	Name string
	// CRDs are the names of the CRDs the add-on's chart installs.
	CRDs []string
	// Deployments are the names of the add-on's controller Deployments, in any namespace.
	Deployments []string
	// Labels are labels (key: value) of which any one marks a controller Deployment, for
	// charts that rename their Deployments.
	Labels map[string]string
}

// Addons are the autoscaling add-ons kpanda knows, the table of seed FAQ 9: "after
// uninstalling VPA, HPA or CronHPA addons, autoscaling records remain". HPA is part of
// Kubernetes and has no CRD to leave.
var Addons = []Addon{
	{
		Name:        "vpa",
		CRDs:        []string{"verticalpodautoscalers.autoscaling.k8s.io", "verticalpodautoscalercheckpoints.autoscaling.k8s.io"},
		Deployments: []string{"vpa-recommender", "vpa-updater", "vpa-admission-controller"},
		Labels:      map[string]string{"app.kubernetes.io/name": "vpa"},
	},
	{
		Name:        "cronhpa",
		CRDs:        []string{"cronhorizontalpodautoscalers.autoscaling.alibabacloud.com"},
		Deployments: []string{"kubernetes-cronhpa-controller"},
		Labels:      map[string]string{"app": "kubernetes-cronhpa-controller"},
	},
}

// AddonNamed is the known add-on of name.
func AddonNamed(name string) (Addon, bool) {
	i := slices.IndexFunc(Addons, func(a Addon) bool { return a.Name == name })
	if i < 0 {
		return Addon{}, false
	}
	return Addons[i], true
}

// AddonNames are the names of the known add-ons, for messages.
func AddonNames() []string {
	names := make([]string, 0, len(Addons))
	for _, a := range Addons {
		names = append(names, a.Name)
	}
	return names
}

// IsController reports whether a Deployment of name and labels is one of a's controllers.
func (a Addon) IsController(name string, labels map[string]string) bool {
	if slices.Contains(a.Deployments, name) {
		return true
	}
	for key, value := range a.Labels {
		if labels[key] == value {
			return true
		}
	}
	return false
}
