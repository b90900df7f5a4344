package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"

	"github.com/kpanda/kpanda/internal/clusters"
	"github.com/kpanda/kpanda/internal/inventory"
	"github.com/kpanda/kpanda/internal/localcluster"
)

// The fleet BenchmarkInventoryList lists across (issue 6: 10 clusters × 5,000 pods).
const (
	inventoryClusters = 10
	inventoryPods     = 5000 // per cluster
	inventoryApps     = 50   // distinct app labels; a selector matches 1 pod in 50
	inventoryRequests = 300
	inventoryUser     = "bench-admin"
)

// BenchmarkInventoryList: pods across 10 real clusters of 5,000 pods each, served from the
// inventory's watch caches. Prints the cold first list (every cache starting), the first page
// filtered by a label on warm caches (target p99 ≤ 100 ms; JSON encoding of the page
// included), the same unfiltered, and the caches' memory per 10,000 pods.
func BenchmarkInventoryList(b *testing.B) {
	set, err := localcluster.StartSet(b.Context(), localcluster.SetOptions{Members: inventoryClusters - 1, Cluster: localcluster.Options{
		// The pods are bound to a node that does not exist, so that no simulated kubelet
		// rewrites 50,000 statuses during the measurement; the pod GC would delete them.
		DisableControllers: []string{"pod-garbage-collector-controller"},
	}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(set.Stop)
	members := fleetMembers(b, append([]*localcluster.Cluster{set.Global}, set.Members...))
	start := time.Now()
	fillFleet(b, members)
	fmt.Printf("fleet: %d clusters × %d pods created in %s\n", inventoryClusters, inventoryPods, time.Since(start).Round(time.Second))

	for b.Loop() {
		measureInventory(b, members)
	}
}

func measureInventory(b *testing.B, members benchMembers) {
	pods, err := inventory.ResourceNamed("pods")
	if err != nil {
		b.Fatal(err)
	}
	scopes := make([]inventory.Scope, 0, len(members))
	for name := range members {
		scopes = append(scopes, inventory.Scope{Cluster: name, AllNamespaces: true})
	}
	inv := inventory.New(members, inventory.Options{SyncTimeout: 2 * time.Minute})
	query := func(selector labels.Selector) inventory.Query {
		return inventory.Query{Resource: pods, Caller: inventory.Caller{User: inventoryUser}, Scopes: scopes, Selector: selector, Limit: 100}
	}
	before := heapInUse()

	start := time.Now()
	page, err := inv.List(b.Context(), query(appSelector(0)))
	if err != nil || len(page.Unavailable) > 0 {
		b.Fatalf("first list: %v %+v", err, page)
	}
	fmt.Printf("cold first page (10 caches start and list): %s, %d of %d matching pods\n", time.Since(start).Round(time.Millisecond), len(page.Items), page.Total)
	caches, objects := inv.Running()
	perTenK := float64(heapInUse()-before) / float64(objects) * 10000 / (1 << 20)
	fmt.Printf("cache memory: %d caches, %d pods, %.1f MiB per 10,000 pods (Go heap in use after GC)\n", caches, objects, perTenK)

	fmt.Printf("for comparison, a plain informer of whole pods: %.1f MiB per 10,000 pods\n", wholePodsPerTenK(b, members))

	rng := rand.New(rand.NewPCG(3, 5))
	filtered := timeFirstPages(b, inv, func() inventory.Query { return query(appSelector(rng.IntN(inventoryApps))) })
	all := timeFirstPages(b, inv, func() inventory.Query { return query(labels.Everything()) })
	printLatency("first page of 100, label selector (matches 1,000 of 50,000)", filtered)
	printLatency("first page of 100, no filter (matches 50,000)", all)
	b.ReportMetric(float64(percentile(filtered, 99).Microseconds())/1000, "ms-p99-filtered")
	b.ReportMetric(perTenK, "MiB-per-10k-pods")
}

// wholePodsPerTenK is the memory a plain client-go informer of one cluster's pods takes, the
// cache the inventory's rows replace.
func wholePodsPerTenK(b *testing.B, members benchMembers) float64 {
	member := members[localcluster.GlobalClusterName]
	before := heapInUse()
	factory := informers.NewSharedInformerFactory(member.Client, 0)
	pods := factory.Core().V1().Pods().Informer()
	ctx, stop := context.WithCancel(b.Context())
	defer stop()
	factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), pods.HasSynced) {
		b.Fatal("the plain informer did not sync")
	}
	n := len(pods.GetStore().ListKeys())
	return float64(heapInUse()-before) / float64(n) * 10000 / (1 << 20)
}

// timeFirstPages times inventoryRequests first pages, JSON encoding included, one at a time.
func timeFirstPages(b *testing.B, inv *inventory.Inventory, next func() inventory.Query) []time.Duration {
	took := make([]time.Duration, 0, inventoryRequests)
	for range inventoryRequests {
		start := time.Now()
		page, err := inv.List(b.Context(), next())
		if err != nil {
			b.Fatal(err)
		}
		if _, err := json.Marshal(page); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
		if len(page.Items) != 100 || len(page.Unavailable) > 0 {
			b.Fatalf("page of %d items, unavailable %v", len(page.Items), page.Unavailable)
		}
	}
	slices.Sort(took)
	return took
}

func printLatency(what string, took []time.Duration) {
	fmt.Printf("%s over %d requests: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", what, len(took),
		ms(took[len(took)/2]), ms(percentile(took, 99)), ms(took[len(took)-1]))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func percentile(sorted []time.Duration, p int) time.Duration {
	return sorted[min(len(sorted)-1, len(sorted)*p/100)]
}

func appSelector(i int) labels.Selector {
	return labels.SelectorFromSet(labels.Set{"app": fmt.Sprintf("app-%d", i)})
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var stats runtime.MemStats
	runtime.ReadMemStats(&stats)
	return stats.HeapInuse
}

// benchMembers finds the fleet's clusters by name.
type benchMembers map[string]*clusters.Member

func (m benchMembers) Get(_ context.Context, cluster string) (*clusters.Member, error) {
	if member, ok := m[cluster]; ok {
		return member, nil
	}
	return nil, fmt.Errorf("cluster %s not found", cluster)
}

func fleetMembers(b *testing.B, fleet []*localcluster.Cluster) benchMembers {
	members := benchMembers{}
	for _, c := range fleet {
		kubeconfig, err := os.ReadFile(c.KubeconfigPath())
		if err != nil {
			b.Fatal(err)
		}
		member, err := clusters.NewMember(c.Name(), kubeconfig)
		if err != nil {
			b.Fatal(err)
		}
		members[c.Name()] = member
	}
	return members
}

// fillFleet creates the pods of every cluster, and binds the bench's user to cluster-admin so
// that the member's RBAC lets it list them.
func fillFleet(b *testing.B, members benchMembers) {
	var wg sync.WaitGroup
	var failed atomic.Pointer[error]
	for _, member := range members {
		wg.Go(func() {
			config := rest.CopyConfig(member.Config)
			config.QPS, config.Burst = -1, 0 // no client-side throttling: the apiservers are the limit
			config.ContentType = "application/vnd.kubernetes.protobuf"
			kube, err := kubernetes.NewForConfig(config)
			if err == nil {
				err = fillCluster(b.Context(), kube)
			}
			if err != nil {
				failed.Store(&err)
			}
		})
	}
	wg.Wait()
	if err := failed.Load(); err != nil {
		b.Fatal(*err)
	}
}

func fillCluster(ctx context.Context, kube kubernetes.Interface) error {
	binding := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "bench-admin"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: clusters.UserPrefix + inventoryUser}},
	}
	if _, err := kube.RbacV1().ClusterRoleBindings().Create(ctx, binding, metav1.CreateOptions{}); err != nil {
		return err
	}
	namespaces := []string{"shop", "payments", "search", "ops", "data"}
	for _, ns := range namespaces {
		if _, err := kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
			return err
		}
	}
	next := make(chan int)
	go func() {
		defer close(next)
		for i := range inventoryPods {
			next <- i
		}
	}()
	var wg sync.WaitGroup
	var failed atomic.Pointer[error]
	for range 8 {
		wg.Go(func() {
			for i := range next {
				p := benchPod(namespaces[i%len(namespaces)], i)
				if _, err := kube.CoreV1().Pods(p.Namespace).Create(ctx, p, metav1.CreateOptions{}); err != nil {
					failed.Store(&err)
				}
			}
		})
	}
	wg.Wait()
	if err := failed.Load(); err != nil {
		return *err
	}
	return nil
}

// benchPod is a pod of the size real clusters hold: two containers with requests, limits,
// environment and probes, a ReplicaSet owner and the labels and annotations of a Deployment.
func benchPod(namespace string, i int) *corev1.Pod {
	app := fmt.Sprintf("app-%d", i%inventoryApps)
	container := func(name string, port int32) corev1.Container {
		return corev1.Container{
			Name: name, Image: "registry.example/" + app + "/" + name + ":1.4.2",
			Ports: []corev1.ContainerPort{{Name: name, ContainerPort: port}},
			Env: []corev1.EnvVar{{Name: "APP", Value: app}, {Name: "LOG_LEVEL", Value: "info"},
				{Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}}},
			Resources: corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("128Mi")},
				Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("512Mi")},
			},
			ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromString(name)}}},
		}
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name: fmt.Sprintf("%s-%d", app, i), Namespace: namespace,
			Labels: map[string]string{"app": app, "tier": []string{"web", "api", "worker"}[i%3], "pod-template-hash": "7d9f8b6c5"},
			Annotations: map[string]string{
				"kubectl.kubernetes.io/restartedAt": "2026-11-01T10:00:00Z",
				"prometheus.io/scrape":              "true",
				"config-hash":                       strings.Repeat("f", 64),
			},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: app + "-7d9f8b6c5", UID: types.UID(fmt.Sprintf("00000000-0000-0000-0000-%012d", i%inventoryApps))}},
		},
		Spec: corev1.PodSpec{NodeName: "bench-node", Containers: []corev1.Container{container("main", 8080), container("sidecar", 9090)}},
	}
}
