package workload

import (
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Kinds of workload a form creates.
const (
	KindDeployment  = "Deployment"
	KindStatefulSet = "StatefulSet"
	KindDaemonSet   = "DaemonSet"
	KindJob         = "Job"
	KindCronJob     = "CronJob"
)

// DescriptionAnnotation holds a workload's description.
const DescriptionAnnotation = "kpanda.io/description"

// AppLabel is the label a form's workload selects its pods by; the selector of a workload
// cannot change, so it only depends on the name.
const AppLabel = "app.kubernetes.io/name"

// Limits and defaults of the form.
const (
	MaxNameLength        = validation.DNS1123LabelMaxLength
	MaxDescriptionLength = 512
	MaxGracePeriod       = 9999

	DefaultMaxUnavailable          = "25%"
	DefaultMaxSurge                = "25%"
	DefaultRevisionHistoryLimit    = int32(10)
	DefaultProgressDeadlineSeconds = int32(600)
	DefaultMinReadySeconds         = int32(0)
	DefaultGracePeriodSeconds      = int64(30)
)

// Form is what a person fills in to create or edit a workload. Kind decides which fields
// apply; the rest are ignored. Pointers are optional fields with a default.
type Form struct {
	Kind        string            `json:"kind,omitempty"`
	Name        string            `json:"name"`
	Description string            `json:"description,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Containers  []Container       `json:"containers"`

	Replicas                      *int32 `json:"replicas,omitempty"`
	MaxUnavailable                string `json:"maxUnavailable,omitempty"`
	MaxSurge                      string `json:"maxSurge,omitempty"`
	RevisionHistoryLimit          *int32 `json:"revisionHistoryLimit,omitempty"`
	ProgressDeadlineSeconds       *int32 `json:"progressDeadlineSeconds,omitempty"`
	MinReadySeconds               *int32 `json:"minReadySeconds,omitempty"`
	TerminationGracePeriodSeconds *int64 `json:"terminationGracePeriodSeconds,omitempty"`

	// Job and CronJob.
	Completions  *int32 `json:"completions,omitempty"`
	Parallelism  *int32 `json:"parallelism,omitempty"`
	BackoffLimit *int32 `json:"backoffLimit,omitempty"`
	// Schedule is the CronJob's cron expression.
	Schedule string `json:"schedule,omitempty"`

	Scheduling *Scheduling `json:"scheduling,omitempty"`
}

// Container is one container of the pod.
type Container struct {
	Name    string   `json:"name"`
	Image   string   `json:"image"`
	Command []string `json:"command,omitempty"`
	Args    []string `json:"args,omitempty"`
	Ports   []Port   `json:"ports,omitempty"`
	Env     []EnvVar `json:"env,omitempty"`
	// Requests and Limits are quantities by resource name ("cpu": "100m").
	Requests map[string]string `json:"requests,omitempty"`
	Limits   map[string]string `json:"limits,omitempty"`
}

// Port is a port a container listens on.
type Port struct {
	Name          string `json:"name,omitempty"`
	ContainerPort int32  `json:"containerPort"`
	Protocol      string `json:"protocol,omitempty"` // TCP (default), UDP, SCTP
}

// EnvVar is one environment variable.
type EnvVar struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// FieldError is one violated rule of a form: the field (a path like
// "containers[1].ports[0].containerPort") and what is wrong with it.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

func fieldErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// Validate returns every rule f breaks, in field order; none when it is good.
func (f *Form) Validate() []*FieldError {
	var errs []*FieldError
	switch f.Kind {
	case KindDeployment, KindStatefulSet, KindDaemonSet, KindJob, KindCronJob:
	default:
		errs = append(errs, fieldErr("kind", "must be one of Deployment, StatefulSet, DaemonSet, Job, CronJob; got %q", f.Kind))
	}
	errs = append(errs, ValidateName("name", f.Name)...)
	if n := len([]rune(f.Description)); n > MaxDescriptionLength {
		errs = append(errs, fieldErr("description", "is %d characters, at most %d are allowed", n, MaxDescriptionLength))
	}
	for key, value := range f.Labels {
		errs = append(errs, labelKeyErrors("labels["+key+"]", key)...)
		for _, msg := range validation.IsValidLabelValue(value) {
			errs = append(errs, fieldErr("labels["+key+"]", "value %q: %s", value, msg))
		}
	}
	errs = append(errs, f.validateContainers()...)
	errs = append(errs, f.validateNumbers()...)
	if f.Kind == KindCronJob && strings.TrimSpace(f.Schedule) == "" {
		errs = append(errs, fieldErr("schedule", "a CronJob needs a schedule in cron format, e.g. \"*/5 * * * *\""))
	}
	return append(errs, f.Scheduling.Validate("scheduling")...)
}

// ValidateName checks a workload or container name: a DNS-1123 label of at most 63 characters.
func ValidateName(field, name string) []*FieldError {
	if name == "" {
		return []*FieldError{fieldErr(field, "is required")}
	}
	if len(name) > MaxNameLength {
		return []*FieldError{fieldErr(field, "is %d characters, at most %d are allowed", len(name), MaxNameLength)}
	}
	var errs []*FieldError
	for _, msg := range validation.IsDNS1123Label(name) {
		errs = append(errs, fieldErr(field, "%q: %s", name, msg))
	}
	return errs
}

// validateContainers checks each container, and that no two containers of the pod listen on
// the same port: they share one network namespace.
func (f *Form) validateContainers() []*FieldError {
	if len(f.Containers) == 0 {
		return []*FieldError{fieldErr("containers", "a workload needs at least one container")}
	}
	var errs []*FieldError
	names := map[string]int{}
	ports := map[string]string{} // "protocol/port" -> field that has it
	for i, c := range f.Containers {
		path := fmt.Sprintf("containers[%d]", i)
		errs = append(errs, ValidateName(path+".name", c.Name)...)
		if j, dup := names[c.Name]; dup && c.Name != "" {
			errs = append(errs, fieldErr(path+".name", "%q is also the name of containers[%d]", c.Name, j))
		}
		names[c.Name] = i
		if strings.TrimSpace(c.Image) == "" {
			errs = append(errs, fieldErr(path+".image", "is required"))
		}
		for j, p := range c.Ports {
			errs = append(errs, validatePort(fmt.Sprintf("%s.ports[%d]", path, j), p, ports)...)
		}
		errs = append(errs, validateResources(path+".requests", c.Requests)...)
		errs = append(errs, validateResources(path+".limits", c.Limits)...)
		for j, e := range c.Env {
			for _, msg := range validation.IsEnvVarName(e.Name) {
				errs = append(errs, fieldErr(fmt.Sprintf("%s.env[%d].name", path, j), "%q: %s", e.Name, msg))
			}
		}
	}
	return errs
}

func validatePort(path string, p Port, seen map[string]string) []*FieldError {
	var errs []*FieldError
	if p.ContainerPort < 1 || p.ContainerPort > 65535 {
		errs = append(errs, fieldErr(path+".containerPort", "must be 1 to 65535, got %d", p.ContainerPort))
	}
	protocol := p.Protocol
	switch protocol {
	case "":
		protocol = string(corev1.ProtocolTCP)
	case string(corev1.ProtocolTCP), string(corev1.ProtocolUDP), string(corev1.ProtocolSCTP):
	default:
		errs = append(errs, fieldErr(path+".protocol", "must be TCP, UDP or SCTP, got %q", p.Protocol))
	}
	key := fmt.Sprintf("%s/%d", protocol, p.ContainerPort)
	if other, dup := seen[key]; dup {
		errs = append(errs, fieldErr(path+".containerPort", "%d/%s is already used by %s: containers of one pod share its ports", p.ContainerPort, protocol, other))
	} else {
		seen[key] = path
	}
	return errs
}

func validateResources(path string, quantities map[string]string) []*FieldError {
	var errs []*FieldError
	for name, q := range quantities {
		if _, err := resource.ParseQuantity(q); err != nil {
			errs = append(errs, fieldErr(path+"["+name+"]", "%q is not a quantity (e.g. 500m, 1Gi)", q))
		}
	}
	return errs
}

func (f *Form) validateNumbers() []*FieldError {
	var errs []*FieldError
	nonNegative32 := map[string]*int32{
		"replicas": f.Replicas, "revisionHistoryLimit": f.RevisionHistoryLimit, "minReadySeconds": f.MinReadySeconds,
		"completions": f.Completions, "parallelism": f.Parallelism, "backoffLimit": f.BackoffLimit,
	}
	for _, field := range []string{"replicas", "revisionHistoryLimit", "minReadySeconds", "completions", "parallelism", "backoffLimit"} {
		if v := nonNegative32[field]; v != nil && *v < 0 {
			errs = append(errs, fieldErr(field, "must be 0 or more, got %d", *v))
		}
	}
	if v := f.ProgressDeadlineSeconds; v != nil && *v < 1 {
		errs = append(errs, fieldErr("progressDeadlineSeconds", "must be 1 or more, got %d", *v))
	}
	if v := f.ProgressDeadlineSeconds; v != nil && *v <= valueOr(f.MinReadySeconds, 0) {
		errs = append(errs, fieldErr("progressDeadlineSeconds", "must be greater than minReadySeconds"))
	}
	if v := f.TerminationGracePeriodSeconds; v != nil && (*v < 0 || *v > MaxGracePeriod) {
		errs = append(errs, fieldErr("terminationGracePeriodSeconds", "must be 0 to %d, got %d", MaxGracePeriod, *v))
	}
	errs = append(errs, validatePercentOrNumber("maxUnavailable", f.MaxUnavailable)...)
	return append(errs, validatePercentOrNumber("maxSurge", f.MaxSurge)...)
}

// validatePercentOrNumber checks a rolling update bound: "25%" or "2".
func validatePercentOrNumber(field, value string) []*FieldError {
	if value == "" {
		return nil
	}
	v := intstr.Parse(value)
	if _, err := intstr.GetScaledValueFromIntOrPercent(&v, 100, true); err != nil || strings.HasPrefix(value, "-") {
		return []*FieldError{fieldErr(field, "must be a number or a percentage like 25%%, got %q", value)}
	}
	return nil
}

func valueOr[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

func ptr[T any](v T) *T { return &v }

// Build returns the workload object of f in namespace, defaults filled in. f must be valid.
func (f *Form) Build(namespace string) client.Object {
	meta := f.objectMeta(namespace)
	template := f.podTemplate()
	switch f.Kind {
	case KindStatefulSet:
		return &appsv1.StatefulSet{TypeMeta: typeMeta("apps/v1", KindStatefulSet), ObjectMeta: meta, Spec: appsv1.StatefulSetSpec{
			Replicas: ptr(valueOr(f.Replicas, 1)), Selector: f.selector(), Template: template, ServiceName: f.Name,
			RevisionHistoryLimit: ptr(valueOr(f.RevisionHistoryLimit, DefaultRevisionHistoryLimit)),
			MinReadySeconds:      valueOr(f.MinReadySeconds, DefaultMinReadySeconds),
		}}
	case KindDaemonSet:
		return &appsv1.DaemonSet{TypeMeta: typeMeta("apps/v1", KindDaemonSet), ObjectMeta: meta, Spec: appsv1.DaemonSetSpec{
			Selector: f.selector(), Template: template,
			UpdateStrategy: appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType, RollingUpdate: &appsv1.RollingUpdateDaemonSet{
				MaxUnavailable: f.bound(f.MaxUnavailable, DefaultMaxUnavailable), MaxSurge: ptr(intstr.FromInt32(0)),
			}},
			RevisionHistoryLimit: ptr(valueOr(f.RevisionHistoryLimit, DefaultRevisionHistoryLimit)),
			MinReadySeconds:      valueOr(f.MinReadySeconds, DefaultMinReadySeconds),
		}}
	case KindJob:
		return &batchv1.Job{TypeMeta: typeMeta("batch/v1", KindJob), ObjectMeta: meta, Spec: f.jobSpec(template)}
	case KindCronJob:
		return &batchv1.CronJob{TypeMeta: typeMeta("batch/v1", KindCronJob), ObjectMeta: meta, Spec: batchv1.CronJobSpec{
			Schedule:    f.Schedule,
			JobTemplate: batchv1.JobTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: f.podLabels()}, Spec: f.jobSpec(template)},
		}}
	}
	return &appsv1.Deployment{TypeMeta: typeMeta("apps/v1", KindDeployment), ObjectMeta: meta, Spec: appsv1.DeploymentSpec{
		Replicas: ptr(valueOr(f.Replicas, 1)), Selector: f.selector(), Template: template,
		Strategy: appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType, RollingUpdate: &appsv1.RollingUpdateDeployment{
			MaxUnavailable: f.bound(f.MaxUnavailable, DefaultMaxUnavailable), MaxSurge: f.bound(f.MaxSurge, DefaultMaxSurge),
		}},
		RevisionHistoryLimit:    ptr(valueOr(f.RevisionHistoryLimit, DefaultRevisionHistoryLimit)),
		ProgressDeadlineSeconds: ptr(valueOr(f.ProgressDeadlineSeconds, DefaultProgressDeadlineSeconds)),
		MinReadySeconds:         valueOr(f.MinReadySeconds, DefaultMinReadySeconds),
	}}
}

func typeMeta(apiVersion, kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: apiVersion, Kind: kind}
}

func (f *Form) bound(value, def string) *intstr.IntOrString {
	if value == "" {
		value = def
	}
	return ptr(intstr.Parse(value))
}

func (f *Form) objectMeta(namespace string) metav1.ObjectMeta {
	meta := metav1.ObjectMeta{Name: f.Name, Namespace: namespace, Labels: f.podLabels()}
	if f.Description != "" {
		meta.Annotations = map[string]string{DescriptionAnnotation: f.Description}
	}
	return meta
}

// podLabels are the form's labels plus the one the selector uses.
func (f *Form) podLabels() map[string]string {
	labels := map[string]string{}
	for k, v := range f.Labels {
		labels[k] = v
	}
	labels[AppLabel] = f.Name
	return labels
}

func (f *Form) selector() *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchLabels: map[string]string{AppLabel: f.Name}}
}

func (f *Form) jobSpec(template corev1.PodTemplateSpec) batchv1.JobSpec {
	// A Job's pods must not restart in place: a failed pod is replaced up to backoffLimit.
	template.Spec.RestartPolicy = corev1.RestartPolicyNever
	return batchv1.JobSpec{Completions: f.Completions, Parallelism: f.Parallelism, BackoffLimit: f.BackoffLimit, Template: template}
}

func (f *Form) podTemplate() corev1.PodTemplateSpec {
	spec := corev1.PodSpec{TerminationGracePeriodSeconds: ptr(valueOr(f.TerminationGracePeriodSeconds, DefaultGracePeriodSeconds))}
	for _, c := range f.Containers {
		spec.Containers = append(spec.Containers, c.build())
	}
	f.Scheduling.Apply(&spec)
	return corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: f.podLabels()}, Spec: spec}
}

func (c Container) build() corev1.Container {
	out := corev1.Container{Name: c.Name, Image: c.Image, Command: c.Command, Args: c.Args}
	for _, p := range c.Ports {
		protocol := corev1.Protocol(p.Protocol)
		if protocol == "" {
			protocol = corev1.ProtocolTCP
		}
		out.Ports = append(out.Ports, corev1.ContainerPort{Name: p.Name, ContainerPort: p.ContainerPort, Protocol: protocol})
	}
	for _, e := range c.Env {
		out.Env = append(out.Env, corev1.EnvVar{Name: e.Name, Value: e.Value})
	}
	out.Resources.Requests = quantities(c.Requests)
	out.Resources.Limits = quantities(c.Limits)
	return out
}

func quantities(in map[string]string) corev1.ResourceList {
	if len(in) == 0 {
		return nil
	}
	out := corev1.ResourceList{}
	for name, q := range in {
		out[corev1.ResourceName(name)] = resource.MustParse(q)
	}
	return out
}
