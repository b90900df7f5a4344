package inventory

import (
	"fmt"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"

	"github.com/kpanda/kpanda/internal/workload"
)

// Resource is a kind the inventory can list across clusters.
type Resource struct {
	// Name is the resource as the API names it: "pods", "deployments", ...
	Name string
	// Group is its API group ("" for core), for the access review.
	Group string
	// Kind is the kind of its objects.
	Kind string

	example runtime.Object
	client  func(kubernetes.Interface) rest.Interface
	row     func(obj any) (*Row, bool)
}

// resources are the kinds served; workloads and pods, whose status words kpanda computes.
var resources = []Resource{
	{Name: "pods", Kind: "Pod", example: &corev1.Pod{}, client: coreClient, row: typedRow(podRow)},
	{Name: "deployments", Group: "apps", Kind: workload.KindDeployment, example: &appsv1.Deployment{}, client: appsClient, row: typedRow(deploymentRow)},
	{Name: "statefulsets", Group: "apps", Kind: workload.KindStatefulSet, example: &appsv1.StatefulSet{}, client: appsClient, row: typedRow(statefulSetRow)},
	{Name: "daemonsets", Group: "apps", Kind: workload.KindDaemonSet, example: &appsv1.DaemonSet{}, client: appsClient, row: typedRow(daemonSetRow)},
	{Name: "jobs", Group: "batch", Kind: workload.KindJob, example: &batchv1.Job{}, client: batchClient, row: typedRow(jobRow)},
	{Name: "cronjobs", Group: "batch", Kind: workload.KindCronJob, example: &batchv1.CronJob{}, client: batchClient, row: typedRow(cronJobRow)},
}

// ResourceNamed is the served resource called name.
func ResourceNamed(name string) (Resource, error) {
	i := slices.IndexFunc(resources, func(r Resource) bool { return r.Name == name })
	if i < 0 {
		return Resource{}, fmt.Errorf("resource %q is not listed across clusters; use one of %s", name, strings.Join(ResourceNames(), ", "))
	}
	return resources[i], nil
}

// ResourceNames are the names of the served resources.
func ResourceNames() []string {
	names := make([]string, len(resources))
	for i, r := range resources {
		names[i] = r.Name
	}
	return names
}

func coreClient(k kubernetes.Interface) rest.Interface  { return k.CoreV1().RESTClient() }
func appsClient(k kubernetes.Interface) rest.Interface  { return k.AppsV1().RESTClient() }
func batchClient(k kubernetes.Interface) rest.Interface { return k.BatchV1().RESTClient() }

// listWatch lists and watches r in every namespace of a member.
func (r Resource) listWatch(k kubernetes.Interface) cache.ListerWatcher {
	return cache.NewListWatchFromClient(r.client(k), r.Name, "", fields.Everything())
}

// transform turns each object the informer receives into its Row; tombstones of deleted
// objects pass as they are, because the store only needs their key.
func (r Resource) transform(obj any) (any, error) {
	if row, ok := r.row(obj); ok {
		row.Kind = r.Kind
		return row, nil
	}
	return obj, nil
}

// typedRow adapts a function of one typed object to the informer's untyped objects.
func typedRow[T any](row func(*T) *Row) func(any) (*Row, bool) {
	return func(obj any) (*Row, bool) {
		typed, ok := obj.(*T)
		if !ok {
			return nil, false
		}
		return row(typed), true
	}
}

func podRow(p *corev1.Pod) *Row {
	ready, restarts := 0, int32(0)
	for _, c := range p.Status.ContainerStatuses {
		if c.Ready {
			ready++
		}
		restarts += c.RestartCount
	}
	return &Row{
		ObjectMeta: trimmedMeta(&p.ObjectMeta),
		Status:     workload.PodStatus(p),
		Ready:      fmt.Sprintf("%d/%d", ready, len(p.Spec.Containers)),
		Node:       p.Spec.NodeName,
		Restarts:   restarts,
	}
}

func deploymentRow(d *appsv1.Deployment) *Row {
	return &Row{ObjectMeta: trimmedMeta(&d.ObjectMeta), Status: workload.DeploymentStatus(d),
		Ready: readyOf(d.Status.ReadyReplicas, d.Spec.Replicas)}
}

func statefulSetRow(s *appsv1.StatefulSet) *Row {
	return &Row{ObjectMeta: trimmedMeta(&s.ObjectMeta), Status: workload.StatefulSetStatus(s),
		Ready: readyOf(s.Status.ReadyReplicas, s.Spec.Replicas)}
}

func daemonSetRow(d *appsv1.DaemonSet) *Row {
	return &Row{ObjectMeta: trimmedMeta(&d.ObjectMeta), Status: workload.DaemonSetStatus(d),
		Ready: fmt.Sprintf("%d/%d", d.Status.NumberReady, d.Status.DesiredNumberScheduled)}
}

func jobRow(j *batchv1.Job) *Row {
	return &Row{ObjectMeta: trimmedMeta(&j.ObjectMeta), Status: workload.JobStatus(j),
		Ready: readyOf(j.Status.Succeeded, j.Spec.Completions)}
}

func cronJobRow(c *batchv1.CronJob) *Row {
	return &Row{ObjectMeta: trimmedMeta(&c.ObjectMeta), Status: workload.CronJobStatus(c)}
}

// readyOf is "ready/wanted", wanted defaulting to 1 as the apiserver does.
func readyOf(ready int32, wanted *int32) string {
	want := int32(1)
	if wanted != nil {
		want = *wanted
	}
	return fmt.Sprintf("%d/%d", ready, want)
}
