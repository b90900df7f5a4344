package workload

import (
	"fmt"
	"strings"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// CronHPAResource is the CronHorizontalPodAutoscaler of the kubernetes-cronhpa-controller
// add-on (AliyunContainerService): it sets a workload's replicas on a schedule.
var CronHPAResource = schema.GroupVersionResource{Group: "autoscaling.alibabacloud.com", Version: "v1beta1", Resource: "cronhorizontalpodautoscalers"}

// CronHPAKind is the kind of CronHPAResource.
const CronHPAKind = "CronHorizontalPodAutoscaler"

// hpaKind is the kind a CronHPA names to scale through an HPA.
const hpaKind = "HorizontalPodAutoscaler"

// CronHPAForm is what a person fills in to scale a Deployment or a StatefulSet on a schedule.
type CronHPAForm struct {
	Jobs []CronHPAJob `json:"jobs"`
	// ExcludeDates are six-field cron expressions of the days no job runs ("* * * 15 11 *"
	// is every 15 November).
	ExcludeDates []string `json:"excludeDates,omitempty"`
}

// CronHPAJob sets the replicas to TargetSize at each time of Schedule, a six-field cron
// expression with seconds first; RunOnce jobs run at the first time only.
type CronHPAJob struct {
	Name       string `json:"name"`
	Schedule   string `json:"schedule"`
	TargetSize int32  `json:"targetSize"`
	RunOnce    bool   `json:"runOnce,omitempty"`
}

// CronHPATarget is the workload a CronHPA scales and, when the workload has one, its HPA.
type CronHPATarget struct {
	Kind string
	Name string
	// HPA is the name of the HorizontalPodAutoscaler of the workload, "" when it has none.
	HPA string
}

// ScaleTargetRef is the object a CronHPA sets the replicas of.
type ScaleTargetRef struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Name       string `json:"name"`
}

// Ref is what a CronHPA of t must scale. With an HPA it is the HPA: the controller then moves
// the HPA's bounds, where setting the workload's replicas would be undone by the HPA at its
// next sync.
func (t CronHPATarget) Ref() ScaleTargetRef {
	if t.HPA != "" {
		return ScaleTargetRef{APIVersion: autoscalingv2.SchemeGroupVersion.String(), Kind: hpaKind, Name: t.HPA}
	}
	return ScaleTargetRef{APIVersion: "apps/v1", Kind: t.Kind, Name: t.Name}
}

// Validate returns every rule f breaks for target, in field order; none when it is good.
func (f *CronHPAForm) Validate(target CronHPATarget) []*FieldError {
	var errs []*FieldError
	if target.Kind != KindDeployment && target.Kind != KindStatefulSet {
		errs = append(errs, fieldErr("kind", "is %s; only a Deployment or a StatefulSet can be scaled on a schedule", target.Kind))
	}
	if len(f.Jobs) == 0 {
		errs = append(errs, fieldErr("jobs", "add at least one job: a name, a schedule and a targetSize"))
	}
	seen := map[string]int{}
	for i, job := range f.Jobs {
		errs = append(errs, job.validate(fmt.Sprintf("jobs[%d]", i), target, seen)...)
		seen[job.Name] = i
	}
	for i, date := range f.ExcludeDates {
		if problem := checkCronFields(date); problem != "" {
			errs = append(errs, fieldErr(fmt.Sprintf("excludeDates[%d]", i), "%s", problem))
		}
	}
	return errs
}

func (j CronHPAJob) validate(path string, target CronHPATarget, seen map[string]int) []*FieldError {
	var errs []*FieldError
	if strings.TrimSpace(j.Name) == "" {
		errs = append(errs, fieldErr(path+".name", "is required: the controller reports each job's state by its name"))
	} else if other, dup := seen[j.Name]; dup {
		errs = append(errs, fieldErr(path+".name", "%q is also the name of jobs[%d]; job names must be unique", j.Name, other))
	}
	if problem := checkCronSchedule(j.Schedule); problem != "" {
		errs = append(errs, fieldErr(path+".schedule", "%s", problem))
	}
	switch {
	case j.TargetSize < 0:
		errs = append(errs, fieldErr(path+".targetSize", "is %d, it must be 0 or more", j.TargetSize))
	case j.TargetSize == 0 && target.HPA != "":
		// Through an HPA the size becomes the HPA's minReplicas, which cannot be 0.
		errs = append(errs, fieldErr(path+".targetSize", "is 0, but %s %s has HorizontalPodAutoscaler %s, whose minReplicas the job sets: use 1 or more, or delete the HPA",
			target.Kind, target.Name, target.HPA))
	}
	return errs
}

// BuildCronHPA is the CronHorizontalPodAutoscaler of f for target in namespace; it has the
// workload's name, so that a workload has at most one. Call it on a form that validates.
func (f *CronHPAForm) BuildCronHPA(namespace string, target CronHPATarget) *unstructured.Unstructured {
	jobs := make([]any, 0, len(f.Jobs))
	for _, j := range f.Jobs {
		jobs = append(jobs, map[string]any{"name": j.Name, "schedule": strings.TrimSpace(j.Schedule), "targetSize": int64(j.TargetSize), "runOnce": j.RunOnce})
	}
	spec := map[string]any{"scaleTargetRef": target.Ref().fields(), "jobs": jobs}
	if len(f.ExcludeDates) > 0 {
		dates := make([]any, 0, len(f.ExcludeDates))
		for _, d := range f.ExcludeDates {
			dates = append(dates, strings.TrimSpace(d))
		}
		spec["excludeDates"] = dates
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": CronHPAResource.GroupVersion().String(),
		"kind":       CronHPAKind,
		"metadata":   map[string]any{"name": target.Name, "namespace": namespace},
		"spec":       spec,
	}}
}

func (r ScaleTargetRef) fields() map[string]any {
	return map[string]any{"apiVersion": r.APIVersion, "kind": r.Kind, "name": r.Name}
}

// cronHPAObject is the part of a CronHorizontalPodAutoscaler kpanda reads.
type cronHPAObject struct {
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		ScaleTargetRef ScaleTargetRef `json:"scaleTargetRef"`
		Jobs           []CronHPAJob   `json:"jobs"`
		ExcludeDates   []string       `json:"excludeDates"`
	} `json:"spec"`
	Status struct {
		Conditions []struct {
			Name          string      `json:"name"`
			State         string      `json:"state"`
			LastProbeTime metav1.Time `json:"lastProbeTime"`
			Message       string      `json:"message"`
		} `json:"conditions"`
	} `json:"status"`
}

func readCronHPA(u *unstructured.Unstructured) (*cronHPAObject, error) {
	var o cronHPAObject
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &o); err != nil {
		return nil, fmt.Errorf("reading %s %s: %w", CronHPAKind, u.GetName(), err)
	}
	return &o, nil
}

// CronHPA is a CronHorizontalPodAutoscaler as the API shows it: what it scales (the workload
// or the workload's HPA), its jobs and how each last ran.
type CronHPA struct {
	Name         string         `json:"name"`
	Namespace    string         `json:"namespace"`
	Target       ScaleTargetRef `json:"target"`
	Jobs         []CronHPAJob   `json:"jobs"`
	ExcludeDates []string       `json:"excludeDates"`
	// JobStates are the controller's reports, one per job it has taken.
	JobStates []CronHPAJobState `json:"jobStates"`
}

// CronHPAJobState is what the controller last did with a job: Submitted, Succeed or Failed.
type CronHPAJobState struct {
	Name          string       `json:"name"`
	State         string       `json:"state"`
	LastProbeTime *metav1.Time `json:"lastProbeTime,omitempty"`
	Message       string       `json:"message,omitempty"`
}

// CronHPAOf is the view of u, a CronHorizontalPodAutoscaler.
func CronHPAOf(u *unstructured.Unstructured) (CronHPA, error) {
	o, err := readCronHPA(u)
	if err != nil {
		return CronHPA{}, err
	}
	out := CronHPA{Name: o.Name, Namespace: o.Namespace, Target: o.Spec.ScaleTargetRef, Jobs: o.Spec.Jobs, ExcludeDates: o.Spec.ExcludeDates,
		JobStates: []CronHPAJobState{}}
	if out.Jobs == nil {
		out.Jobs = []CronHPAJob{}
	}
	if out.ExcludeDates == nil {
		out.ExcludeDates = []string{}
	}
	for _, c := range o.Status.Conditions {
		state := CronHPAJobState{Name: c.Name, State: c.State, Message: c.Message}
		if !c.LastProbeTime.IsZero() {
			state.LastProbeTime = &c.LastProbeTime
		}
		out.JobStates = append(out.JobStates, state)
	}
	return out, nil
}

// CronHPAScales reports whether u, a CronHorizontalPodAutoscaler, scales the workload kind/name
// (of group apps) itself or through the HPA named hpa ("" for none).
func CronHPAScales(u *unstructured.Unstructured, kind, name, hpa string) bool {
	ref := scaleTargetRefOf(u)
	group, _, _ := strings.Cut(ref.APIVersion, "/")
	switch {
	case group == "apps":
		return ref.Kind == kind && ref.Name == name
	case group == "autoscaling" && ref.Kind == hpaKind:
		return hpa != "" && ref.Name == hpa
	}
	return false
}

// Repoint sets the scaleTargetRef of u, a CronHorizontalPodAutoscaler, to what it must scale
// for target and reports whether it changed.
func Repoint(u *unstructured.Unstructured, target CronHPATarget) (bool, error) {
	want := target.Ref()
	if scaleTargetRefOf(u) == want {
		return false, nil
	}
	if err := unstructured.SetNestedMap(u.Object, want.fields(), "spec", "scaleTargetRef"); err != nil {
		return false, fmt.Errorf("re-pointing %s %s: %w", CronHPAKind, u.GetName(), err)
	}
	return true, nil
}

func scaleTargetRefOf(u *unstructured.Unstructured) ScaleTargetRef {
	fields, _, _ := unstructured.NestedStringMap(u.Object, "spec", "scaleTargetRef")
	return ScaleTargetRef{APIVersion: fields["apiVersion"], Kind: fields["kind"], Name: fields["name"]}
}
