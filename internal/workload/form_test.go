package workload

import (
	"encoding/json"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func goodForm() Form {
	return Form{Kind: KindDeployment, Name: "web", Containers: []Container{
		{Name: "app", Image: "nginx:1.27", Ports: []Port{{ContainerPort: 80}}},
		{Name: "sidecar", Image: "envoy:1", Ports: []Port{{ContainerPort: 9901}}},
	}}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Form)
		field  string // the first error's field; "" for a valid form
		phrase string
	}{
		{"valid", func(*Form) {}, "", ""},
		{"every kind", func(f *Form) { f.Kind = KindCronJob; f.Schedule = "*/5 * * * *" }, "", ""},
		{"unknown kind", func(f *Form) { f.Kind = "ReplicaSet" }, "kind", "must be one of"},
		{"name missing", func(f *Form) { f.Name = "" }, "name", "is required"},
		{"name upper case", func(f *Form) { f.Name = "Web" }, "name", "RFC 1123"},
		{"name with a dot", func(f *Form) { f.Name = "web.app" }, "name", "dots"},
		{"name of 64", func(f *Form) { f.Name = strings.Repeat("a", 64) }, "name", "at most 63"},
		{"name of 63", func(f *Form) { f.Name = strings.Repeat("a", 63) }, "", ""},
		{"description of 513", func(f *Form) { f.Description = strings.Repeat("é", 513) }, "description", "at most 512"},
		{"description of 512", func(f *Form) { f.Description = strings.Repeat("é", 512) }, "", ""},
		{"bad label", func(f *Form) { f.Labels = map[string]string{"tier": "front end"} }, "labels[tier]", "value"},
		{"no containers", func(f *Form) { f.Containers = nil }, "containers", "at least one"},
		{"container without image", func(f *Form) { f.Containers[1].Image = " " }, "containers[1].image", "required"},
		{"container name taken", func(f *Form) { f.Containers[1].Name = "app" }, "containers[1].name", "also the name of containers[0]"},
		{"port shared by containers", func(f *Form) { f.Containers[1].Ports[0].ContainerPort = 80 },
			"containers[1].ports[0].containerPort", "80/TCP is already used by containers[0].ports[0]"},
		{"same port, other protocol", func(f *Form) { f.Containers[1].Ports[0] = Port{ContainerPort: 80, Protocol: "UDP"} }, "", ""},
		{"port out of range", func(f *Form) { f.Containers[0].Ports[0].ContainerPort = 70000 }, "containers[0].ports[0].containerPort", "1 to 65535"},
		{"bad protocol", func(f *Form) { f.Containers[0].Ports[0].Protocol = "HTTP" }, "containers[0].ports[0].protocol", "TCP, UDP or SCTP"},
		{"bad quantity", func(f *Form) { f.Containers[0].Limits = map[string]string{"cpu": "lots"} }, "containers[0].limits[cpu]", "not a quantity"},
		{"bad env name", func(f *Form) { f.Containers[0].Env = []EnvVar{{Name: "1X"}} }, "containers[0].env[0].name", ""},
		{"negative replicas", func(f *Form) { f.Replicas = ptr(int32(-1)) }, "replicas", "0 or more"},
		{"grace period 10000", func(f *Form) { f.TerminationGracePeriodSeconds = ptr(int64(10000)) }, "terminationGracePeriodSeconds", "0 to 9999"},
		{"grace period -1", func(f *Form) { f.TerminationGracePeriodSeconds = ptr(int64(-1)) }, "terminationGracePeriodSeconds", "0 to 9999"},
		{"grace period 9999", func(f *Form) { f.TerminationGracePeriodSeconds = ptr(int64(9999)) }, "", ""},
		{"grace period 0", func(f *Form) { f.TerminationGracePeriodSeconds = ptr(int64(0)) }, "", ""},
		{"deadline below min ready", func(f *Form) { f.MinReadySeconds = ptr(int32(30)); f.ProgressDeadlineSeconds = ptr(int32(30)) },
			"progressDeadlineSeconds", "greater than minReadySeconds"},
		{"max surge not a percentage", func(f *Form) { f.MaxSurge = "a lot" }, "maxSurge", "percentage"},
		{"max unavailable negative", func(f *Form) { f.MaxUnavailable = "-1" }, "maxUnavailable", "percentage"},
		{"max unavailable number", func(f *Form) { f.MaxUnavailable = "2" }, "", ""},
		{"cronjob without schedule", func(f *Form) { f.Kind = KindCronJob }, "schedule", "cron"},
		{"scheduling is checked", func(f *Form) {
			f.Scheduling = &Scheduling{NodeAffinity: []NodeRule{{Type: RulePreferred, Weight: 0, Expressions: []Expression{{Key: "a", Operator: "Exists"}}}}}
		}, "scheduling.nodeAffinity[0].weight", "1 to 100"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := goodForm()
			tc.change(&f)
			errs := f.Validate()
			if tc.field == "" {
				if len(errs) > 0 {
					t.Fatalf("want no errors, got %v", errs)
				}
				return
			}
			if len(errs) == 0 {
				t.Fatalf("want an error on %s, got none", tc.field)
			}
			if errs[0].Field != tc.field || !strings.Contains(errs[0].Message, tc.phrase) {
				t.Errorf("want %s: ...%s..., got %v", tc.field, tc.phrase, errs)
			}
		})
	}
}

func TestBuildFillsDefaults(t *testing.T) {
	f := goodForm()
	f.Description = "the shop's front"
	d, ok := f.Build("shop").(*appsv1.Deployment)
	if !ok {
		t.Fatalf("a Deployment form built %T", f.Build("shop"))
	}
	rolling := d.Spec.Strategy.RollingUpdate
	checks := []struct {
		name      string
		got, want any
	}{
		{"namespace", d.Namespace, "shop"},
		{"description", d.Annotations[DescriptionAnnotation], "the shop's front"},
		{"replicas", *d.Spec.Replicas, int32(1)},
		{"maxUnavailable", *rolling.MaxUnavailable, intstr.FromString("25%")},
		{"maxSurge", *rolling.MaxSurge, intstr.FromString("25%")},
		{"revisionHistoryLimit", *d.Spec.RevisionHistoryLimit, int32(10)},
		{"progressDeadlineSeconds", *d.Spec.ProgressDeadlineSeconds, int32(600)},
		{"minReadySeconds", d.Spec.MinReadySeconds, int32(0)},
		{"terminationGracePeriodSeconds", *d.Spec.Template.Spec.TerminationGracePeriodSeconds, int64(30)},
		{"selector", d.Spec.Selector.MatchLabels[AppLabel], "web"},
		{"pod label", d.Spec.Template.Labels[AppLabel], "web"},
		{"port protocol", d.Spec.Template.Spec.Containers[0].Ports[0].Protocol, corev1.ProtocolTCP},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestBuildJobsNeverRestartInPlace(t *testing.T) {
	f := goodForm()
	f.Kind = KindJob
	job := f.Build("ns").(*batchv1.Job)
	f.Kind, f.Schedule = KindCronJob, "@hourly"
	cron := f.Build("ns").(*batchv1.CronJob)
	for name, policy := range map[string]corev1.RestartPolicy{
		"job": job.Spec.Template.Spec.RestartPolicy, "cronjob": cron.Spec.JobTemplate.Spec.Template.Spec.RestartPolicy,
	} {
		if policy != corev1.RestartPolicyNever {
			t.Errorf("%s: restart policy %q", name, policy)
		}
	}
	if cron.Spec.Schedule != "@hourly" {
		t.Errorf("schedule %q", cron.Spec.Schedule)
	}
}

// TestBuildWithoutPoliciesLeavesNoTrace is the form side of seed FAQ 6: a form without
// policies gives a pod template whose JSON has no scheduling field at all.
func TestBuildWithoutPoliciesLeavesNoTrace(t *testing.T) {
	for _, scheduling := range []*Scheduling{nil, {}, {NodeSelector: map[string]string{}, NodeAffinity: []NodeRule{}}} {
		f := goodForm()
		f.Scheduling = scheduling
		data, err := json.Marshal(f.Build("ns").(*appsv1.Deployment).Spec.Template.Spec)
		if err != nil {
			t.Fatal(err)
		}
		for _, field := range []string{"affinity", "nodeSelector", "tolerations"} {
			if strings.Contains(string(data), field) {
				t.Errorf("scheduling %+v: pod spec has %s: %s", scheduling, field, data)
			}
		}
	}
}
