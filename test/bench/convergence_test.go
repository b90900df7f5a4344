package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/controller-runtime/pkg/client"

	iamv1alpha1 "github.com/kpanda/kpanda/api/iam/v1alpha1"
	"github.com/kpanda/kpanda/internal/controller"
	"github.com/kpanda/kpanda/internal/integration"
	"github.com/kpanda/kpanda/internal/localcluster"
)

// BenchmarkBindingConvergence: the access model of BenchmarkAuthzVisible (1,000 users, 5,000
// grants) over real member clusters (20 by default, $KPANDA_BENCH_CLUSTERS to change) with 50
// namespaces each, managed by `kpanda controller-manager`. Prints how long the initial bindings
// take, then the time from one new grant to the member's own RBAC allowing it: a namespace role
// (one member) and a platform role (every member). Target ≤ 2 s.
func BenchmarkBindingConvergence(b *testing.B) {
	members := authzClusters
	if n, err := strconv.Atoi(os.Getenv("KPANDA_BENCH_CLUSTERS")); err == nil && n > 0 {
		members = n
	}
	for b.Loop() {
		ctx := context.Background()
		started := time.Now()
		set, err := localcluster.StartSet(ctx, localcluster.SetOptions{Members: members})
		if err != nil {
			b.Fatal(err)
		}
		fmt.Printf("%d member clusters started in %.1f s\n", members, time.Since(started).Seconds())
		manager := startControllerManager(b, set.Global)
		global, err := client.New(set.Global.RESTConfig(), client.Options{Scheme: controller.Scheme()})
		if err != nil {
			b.Fatal(err)
		}
		clients := prepareMembers(b, global, set.Members)
		model := newAuthzModel(rand.New(rand.NewPCG(7, 11)))
		started = time.Now()
		createModel(b, global, model, members)
		fmt.Printf("access model written in %.1f s\n", time.Since(started).Seconds())

		started = time.Now()
		probe := grantAndWait(b, global, clients[:1], iamv1alpha1.RoleGrantSpec{Role: iamv1alpha1.RoleNSViewer,
			Subject: iamv1alpha1.Subject{Kind: iamv1alpha1.SubjectUser, Name: "probe-initial"}, Cluster: authzCluster(0), Namespace: authzNamespace(0)})
		fmt.Printf("initial bindings of all members in place after %.1f s\n", time.Since(started).Seconds()+probe.Seconds())

		nsRole := grantAndWait(b, global, clients[:1], iamv1alpha1.RoleGrantSpec{Role: iamv1alpha1.RoleNSViewer,
			Subject: iamv1alpha1.Subject{Kind: iamv1alpha1.SubjectUser, Name: "probe-ns"}, Cluster: authzCluster(0), Namespace: authzNamespace(1)})
		platform := grantAndWait(b, global, clients, iamv1alpha1.RoleGrantSpec{Role: iamv1alpha1.RolePlatformViewer,
			Subject: iamv1alpha1.Subject{Kind: iamv1alpha1.SubjectUser, Name: "probe-platform"}})
		fmt.Printf("grant to member RBAC: namespace role %.2f s; platform role on all %d members %.2f s\n", nsRole.Seconds(), members, platform.Seconds())
		b.ReportMetric(platform.Seconds(), "s-platform-grant")
		b.ReportMetric(nsRole.Seconds(), "s-ns-grant")
		stopProcess(manager)
		set.Stop()
	}
}

// prepareMembers integrates member i as cluster c<i> and creates its 50 namespaces.
func prepareMembers(b *testing.B, global client.Client, members []*localcluster.Cluster) []kubernetes.Interface {
	registry := &integration.Service{Client: global}
	clients := make([]kubernetes.Interface, len(members))
	var wg sync.WaitGroup
	for i, member := range members {
		wg.Go(func() {
			clientset, err := kubernetes.NewForConfig(member.RESTConfig())
			if err != nil {
				b.Error(err)
				return
			}
			clients[i] = clientset
			for n := range authzNamespaces {
				ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: authzNamespace(n)}}
				if _, err := clientset.CoreV1().Namespaces().Create(context.Background(), ns, metav1.CreateOptions{}); err != nil {
					b.Error(err)
					return
				}
			}
			kubeconfig, err := os.ReadFile(member.KubeconfigPath())
			if err != nil {
				b.Error(err)
				return
			}
			if _, err := registry.Integrate(context.Background(), integration.Request{Name: authzCluster(i), Kubeconfig: string(kubeconfig)}); err != nil {
				b.Error(err)
			}
		})
	}
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}
	for i := range members {
		waitRunning(b, global, authzCluster(i))
	}
	return clients
}

// createModel writes the model's groups, workspaces and grants on the integrated clusters.
func createModel(b *testing.B, global client.Client, model authzModel, members int) {
	var objects []client.Object
	for i := range model.groups {
		objects = append(objects, &model.groups[i])
	}
	for i := range model.workspaces {
		objects = append(objects, &model.workspaces[i])
	}
	for i := range model.grants {
		if g := model.grants[i]; g.Spec.Cluster == "" || clusterIndex(g.Spec.Cluster) < members {
			objects = append(objects, &model.grants[i])
		}
	}
	work := make(chan client.Object)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for obj := range work {
				if err := global.Create(context.Background(), obj); client.IgnoreAlreadyExists(err) != nil {
					b.Error(err)
				}
			}
		})
	}
	for _, obj := range objects {
		work <- obj
	}
	close(work)
	wg.Wait()
}

func clusterIndex(name string) int {
	i, _ := strconv.Atoi(name[1:])
	return i
}

// grantAndWait creates a grant and returns how long until every given member's own apiserver
// lets its subject list pods (in the grant's namespace, or in authzNamespace(0)).
func grantAndWait(b *testing.B, global client.Client, members []kubernetes.Interface, spec iamv1alpha1.RoleGrantSpec) time.Duration {
	grant := &iamv1alpha1.RoleGrant{ObjectMeta: metav1.ObjectMeta{Name: spec.Subject.Name}, Spec: spec}
	namespace := spec.Namespace
	if namespace == "" {
		namespace = authzNamespace(0)
	}
	started := time.Now()
	if err := global.Create(context.Background(), grant); err != nil {
		b.Fatal(err)
	}
	err := wait.PollUntilContextTimeout(context.Background(), 20*time.Millisecond, 5*time.Minute, true, func(ctx context.Context) (bool, error) {
		for _, member := range members {
			if !allowed(ctx, member, "kpanda:"+spec.Subject.Name, namespace) {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		b.Fatalf("grant %s never took effect: %v", grant.Name, err)
	}
	return time.Since(started)
}

func allowed(ctx context.Context, member kubernetes.Interface, user, namespace string) bool {
	review := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{User: user,
		ResourceAttributes: &authorizationv1.ResourceAttributes{Namespace: namespace, Verb: "list", Resource: "pods"}}}
	result, err := member.AuthorizationV1().SubjectAccessReviews().Create(ctx, review, metav1.CreateOptions{})
	return err == nil && result.Status.Allowed
}
