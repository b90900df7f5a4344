package workload

import (
	"reflect"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func cronJobs(jobs ...CronHPAJob) *CronHPAForm { return &CronHPAForm{Jobs: jobs} }

var (
	scaleUp   = CronHPAJob{Name: "up", Schedule: "0 0 8 * * 1-5", TargetSize: 5}
	scaleDown = CronHPAJob{Name: "down", Schedule: "0 0 20 * * 1-5", TargetSize: 0}
	web       = CronHPATarget{Kind: KindDeployment, Name: "web"}
	webHPA    = CronHPATarget{Kind: KindDeployment, Name: "web", HPA: "web"}
)

func TestCronHPAValidate(t *testing.T) {
	tests := []struct {
		name   string
		form   *CronHPAForm
		target CronHPATarget
		field  string // the first error's field; "" for a valid form
		phrase string
	}{
		{"up and down", cronJobs(scaleUp, scaleDown), web, "", ""},
		{"statefulset", cronJobs(scaleUp), CronHPATarget{Kind: KindStatefulSet, Name: "db"}, "", ""},
		{"run once", cronJobs(CronHPAJob{Name: "sale", Schedule: "@date 2026-11-11 00:00:00", TargetSize: 20, RunOnce: true}), web, "", ""},
		{"with exclude dates", &CronHPAForm{Jobs: []CronHPAJob{scaleUp}, ExcludeDates: []string{"* * * 15 11 *", "* * * 1 1 *"}}, web, "", ""},
		{"daemonset", cronJobs(scaleUp), CronHPATarget{Kind: KindDaemonSet, Name: "agent"}, "kind", "DaemonSet"},
		{"no jobs", &CronHPAForm{}, web, "jobs", "at least one job"},
		{"unnamed job", cronJobs(CronHPAJob{Schedule: "0 0 8 * * *", TargetSize: 1}), web, "jobs[0].name", "required"},
		{"same name twice", cronJobs(scaleUp, CronHPAJob{Name: "up", Schedule: "0 0 9 * * *", TargetSize: 2}), web, "jobs[1].name", "jobs[0]"},
		{"five-field schedule", cronJobs(scaleUp, CronHPAJob{Name: "night", Schedule: "0 20 * * *", TargetSize: 1}), web, "jobs[1].schedule", "has 5 fields"},
		{"negative size", cronJobs(CronHPAJob{Name: "x", Schedule: "0 0 8 * * *", TargetSize: -1}), web, "jobs[0].targetSize", "0 or more"},
		{"zero through an HPA", cronJobs(scaleUp, scaleDown), webHPA, "jobs[1].targetSize", "HorizontalPodAutoscaler web"},
		{"bad exclude date", &CronHPAForm{Jobs: []CronHPAJob{scaleUp}, ExcludeDates: []string{"* * * 15 11 *", "2026-11-15"}}, web, "excludeDates[1]", "has 1 fields"},
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

func TestBuildCronHPA(t *testing.T) {
	form := CronHPAForm{Jobs: []CronHPAJob{scaleUp, {Name: "once", Schedule: " @hourly ", TargetSize: 2, RunOnce: true}}, ExcludeDates: []string{"* * * 25 12 *"}}
	tests := []struct {
		name   string
		target CronHPATarget
		want   ScaleTargetRef
	}{
		{"the workload", web, ScaleTargetRef{APIVersion: "apps/v1", Kind: KindDeployment, Name: "web"}},
		{"through its HPA", CronHPATarget{Kind: KindStatefulSet, Name: "db", HPA: "db-hpa"}, ScaleTargetRef{APIVersion: "autoscaling/v2", Kind: "HorizontalPodAutoscaler", Name: "db-hpa"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := form.BuildCronHPA("shop", tc.target)
			if u.GetAPIVersion() != "autoscaling.alibabacloud.com/v1beta1" || u.GetKind() != CronHPAKind || u.GetName() != tc.target.Name || u.GetNamespace() != "shop" {
				t.Errorf("meta %s %s %s/%s", u.GetAPIVersion(), u.GetKind(), u.GetNamespace(), u.GetName())
			}
			// A built object must survive a deep copy, as the dynamic client makes one.
			view, err := CronHPAOf(u.DeepCopy())
			if err != nil {
				t.Fatal(err)
			}
			if view.Target != tc.want {
				t.Errorf("target %+v, want %+v", view.Target, tc.want)
			}
			wantJobs := []CronHPAJob{scaleUp, {Name: "once", Schedule: "@hourly", TargetSize: 2, RunOnce: true}}
			if !reflect.DeepEqual(view.Jobs, wantJobs) || !reflect.DeepEqual(view.ExcludeDates, []string{"* * * 25 12 *"}) {
				t.Errorf("jobs %+v, excludeDates %v", view.Jobs, view.ExcludeDates)
			}
		})
	}
	if _, found := cronJobs(scaleUp).BuildCronHPA("shop", web).Object["spec"].(map[string]any)["excludeDates"]; found {
		t.Error("excludeDates written though none were given")
	}
}

func TestCronHPAOfStatus(t *testing.T) {
	u := cronJobs(scaleUp).BuildCronHPA("shop", web)
	u.Object["status"] = map[string]any{"conditions": []any{map[string]any{
		"name": "up", "jobId": "1", "state": "Succeed", "lastProbeTime": "2026-01-02T08:00:00Z", "message": "desired replicas:5",
		"schedule": "0 0 8 * * 1-5", "targetSize": int64(5), "runOnce": false,
	}}}
	view, err := CronHPAOf(u)
	if err != nil {
		t.Fatal(err)
	}
	if len(view.JobStates) != 1 || view.JobStates[0].State != "Succeed" || view.JobStates[0].LastProbeTime == nil || view.JobStates[0].LastProbeTime.Hour() != 8 {
		t.Errorf("job states %+v", view.JobStates)
	}
}

func TestCronHPAScalesAndRepoint(t *testing.T) {
	onWorkload := func() *unstructured.Unstructured { return cronJobs(scaleUp).BuildCronHPA("shop", web) }
	onHPA := func() *unstructured.Unstructured { return cronJobs(scaleUp).BuildCronHPA("shop", webHPA) }
	tests := []struct {
		name       string
		cron       *unstructured.Unstructured
		kind, hpa  string
		scales     bool
		to         CronHPATarget
		changed    bool
		wantTarget ScaleTargetRef
	}{
		{"workload gains an HPA", onWorkload(), KindDeployment, "web", true, webHPA, true, webHPA.Ref()},
		{"already on the HPA", onHPA(), KindDeployment, "web", true, webHPA, false, webHPA.Ref()},
		{"HPA deleted", onHPA(), KindDeployment, "web", true, web, true, web.Ref()},
		{"another kind of the same name", onWorkload(), KindStatefulSet, "", false, web, false, web.Ref()},
		{"another HPA", onHPA(), KindDeployment, "other", false, webHPA, false, webHPA.Ref()},
		{"an HPA, but none asked about", onHPA(), KindDeployment, "", false, webHPA, false, webHPA.Ref()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := CronHPAScales(tc.cron, tc.kind, "web", tc.hpa); got != tc.scales {
				t.Errorf("scales = %v, want %v", got, tc.scales)
			}
			if !tc.scales {
				return
			}
			changed, err := Repoint(tc.cron, tc.to)
			if err != nil || changed != tc.changed {
				t.Errorf("changed = %v, %v; want %v", changed, err, tc.changed)
			}
			if got := scaleTargetRefOf(tc.cron); got != tc.wantTarget {
				t.Errorf("target %+v, want %+v", got, tc.wantTarget)
			}
		})
	}
}
