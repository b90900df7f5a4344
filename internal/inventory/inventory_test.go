package inventory_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"

	"github.com/kpanda/kpanda/internal/clusters"
	"github.com/kpanda/kpanda/internal/inventory"
	"github.com/kpanda/kpanda/internal/localcluster"
	"github.com/kpanda/kpanda/internal/localcluster/clustertest"
)

var env clustertest.Env

// The test lists across two real clusters: the global one of clustertest plays "east", the
// member "west". Each holds pods in namespaces team-a and team-b.
func TestMain(m *testing.M) { os.Exit(env.Run(m, clustertest.Options{Members: 1})) }

const (
	admin  = "root"  // bound to cluster-admin in both clusters
	viewer = "alice" // bound to view in team-a of both clusters only
)

// fixedMembers finds the clusters by name, as clusters.Cache does from Secrets.
type fixedMembers map[string]*clusters.Member

func (f fixedMembers) Get(_ context.Context, cluster string) (*clusters.Member, error) {
	if m, ok := f[cluster]; ok {
		return m, nil
	}
	return nil, fmt.Errorf("cluster %s not found", cluster)
}

// shared are the members setUp made, so that the clusters are filled once.
var shared fixedMembers

// setUp fills both clusters once and returns their members.
func setUp(t *testing.T) fixedMembers {
	t.Helper()
	if shared != nil {
		return shared
	}
	members := fixedMembers{}
	for name, c := range map[string]*localcluster.Cluster{"east": env.Global, "west": env.Members[0]} {
		kubeconfig, err := os.ReadFile(c.KubeconfigPath())
		if err != nil {
			t.Fatal(err)
		}
		member, err := clusters.NewMember(name, kubeconfig)
		if err != nil {
			t.Fatal(err)
		}
		members[name] = member
		fill(t, member.Client)
	}
	shared = members
	return members
}

// fill makes pods web-0..2 (app=web) and db-0 (app=db) in team-a and team-b, and the
// bindings of admin and viewer.
func fill(t *testing.T, kube kubernetes.Interface) {
	t.Helper()
	ctx := t.Context()
	for _, ns := range []string{"team-a", "team-b"} {
		created(t)(kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}))
		for _, name := range []string{"web-0", "web-1", "web-2", "db-0"} {
			app, _, _ := strings.Cut(name, "-")
			created(t)(kube.CoreV1().Pods(ns).Create(ctx, pod(ns, name, app), metav1.CreateOptions{}))
		}
	}
	created(t)(kube.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "inventory-root"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: clusters.UserPrefix + admin}},
	}, metav1.CreateOptions{}))
	created(t)(kube.RbacV1().RoleBindings("team-a").Create(ctx, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "inventory-alice"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "view"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: clusters.UserPrefix + viewer}},
	}, metav1.CreateOptions{}))
}

// created fails the test on the error of a create: created(t)(client.Create(...)).
func created(t *testing.T) func(any, error) {
	return func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
}

// pod is bound to a node that does not exist, so that nothing runs it: the test is about lists.
func pod(namespace, name, app string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace, Labels: map[string]string{"app": app},
			Annotations: map[string]string{"note": strings.Repeat("x", 100)}},
		Spec: corev1.PodSpec{NodeName: "nowhere", Containers: []corev1.Container{{Name: "c", Image: "registry.k8s.io/pause:3.10"}}},
	}
}

func everything(clusterNames ...string) []inventory.Scope {
	scopes := make([]inventory.Scope, len(clusterNames))
	for i, c := range clusterNames {
		scopes[i] = inventory.Scope{Cluster: c, AllNamespaces: true}
	}
	return scopes
}

func pods(t *testing.T) inventory.Resource {
	t.Helper()
	r, err := inventory.ResourceNamed("pods")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func keys(items []inventory.Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Cluster + "/" + it.Namespace + "/" + it.Name
	}
	return out
}

func TestListAcrossClusters(t *testing.T) {
	members := setUp(t)
	inv := inventory.New(members, inventory.Options{})
	web := labels.SelectorFromSet(labels.Set{"app": "web"})

	t.Run("label selector over two clusters, sorted", func(t *testing.T) {
		page, err := inv.List(t.Context(), inventory.Query{Resource: pods(t), Caller: inventory.Caller{User: admin},
			Scopes: everything("west", "east"), Selector: web})
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, c := range []string{"east", "west"} {
			for _, ns := range []string{"team-a", "team-b"} {
				for _, n := range []string{"web-0", "web-1", "web-2"} {
					want = append(want, c+"/"+ns+"/"+n)
				}
			}
		}
		if got := keys(page.Items); !slices.Equal(got, want) {
			t.Errorf("items %v, want %v", got, want)
		}
		if page.Total != 12 || page.Continue != "" || page.Unavailable != nil {
			t.Errorf("total %d continue %q unavailable %v, want 12, none, none", page.Total, page.Continue, page.Unavailable)
		}
		first := page.Items[0]
		if first.Kind != "Pod" || first.Status != "Pending" || first.Ready != "0/1" || first.Node != "nowhere" || first.Labels["app"] != "web" {
			t.Errorf("first item %+v", first)
		}
	})

	t.Run("pages hold every object once, in order", func(t *testing.T) {
		var got []string
		token := ""
		for range 20 {
			page, err := inv.List(t.Context(), inventory.Query{Resource: pods(t), Caller: inventory.Caller{User: admin},
				Scopes: everything("east", "west"), Limit: 3, Continue: token})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Items) > 3 || page.Total != 16 {
				t.Fatalf("page of %d items, total %d; want ≤ 3 of 16", len(page.Items), page.Total)
			}
			got = append(got, keys(page.Items)...)
			if token = page.Continue; token == "" {
				break
			}
		}
		if len(got) != 16 || !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != 16 {
			t.Errorf("paged through %v, want 16 distinct keys in order", got)
		}
	})

	t.Run("name filter", func(t *testing.T) {
		page, err := inv.List(t.Context(), inventory.Query{Resource: pods(t), Caller: inventory.Caller{User: admin},
			Scopes: everything("east"), Name: "DB"})
		if err != nil {
			t.Fatal(err)
		}
		if got := keys(page.Items); !slices.Equal(got, []string{"east/team-a/db-0", "east/team-b/db-0"}) {
			t.Errorf("items %v", got)
		}
	})

	t.Run("the member's RBAC narrows what the access model offers", func(t *testing.T) {
		// kpanda's model says alice sees team-a and team-b of east; the member lets her list
		// team-a only, and nothing cluster-wide in west.
		page, err := inv.List(t.Context(), inventory.Query{Resource: pods(t), Caller: inventory.Caller{User: viewer},
			Scopes:   []inventory.Scope{{Cluster: "east", Namespaces: []string{"team-a", "team-b"}}, {Cluster: "west", AllNamespaces: true}},
			Selector: web})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"east/team-a/web-0", "east/team-a/web-1", "east/team-a/web-2"}
		if got := keys(page.Items); !slices.Equal(got, want) || page.Total != 3 {
			t.Errorf("alice got %v (total %d), want %v", got, page.Total, want)
		}
	})

	t.Run("changes reach the cache", func(t *testing.T) {
		kube := members["west"].Client
		created(t)(kube.CoreV1().Pods("team-b").Create(t.Context(), pod("team-b", "web-9", "web"), metav1.CreateOptions{}))
		t.Cleanup(func() {
			_ = kube.CoreV1().Pods("team-b").Delete(context.Background(), "web-9", metav1.DeleteOptions{GracePeriodSeconds: new(int64)})
		})
		clustertest.Eventually(t, 10*time.Second, "the new pod is listed", func(ctx context.Context) error {
			page, err := inv.List(ctx, inventory.Query{Resource: pods(t), Caller: inventory.Caller{User: admin},
				Scopes: everything("west"), Selector: web, Name: "web-9"})
			if err != nil {
				return err
			}
			if len(page.Items) != 1 {
				return fmt.Errorf("listed %v", keys(page.Items))
			}
			return nil
		})
	})

	t.Run("bad continue token", func(t *testing.T) {
		_, err := inv.List(t.Context(), inventory.Query{Resource: pods(t), Caller: inventory.Caller{User: admin},
			Scopes: everything("east"), Continue: "not a token"})
		if err == nil || !strings.HasPrefix(err.Error(), "continue:") {
			t.Errorf("error %v, want one naming continue", err)
		}
	})
}

func TestUnreachableClusterIsReportedNotFatal(t *testing.T) {
	members := setUp(t)
	kubeconfig, err := os.ReadFile(env.Members[0].KubeconfigPath())
	if err != nil {
		t.Fatal(err)
	}
	// The member's kubeconfig with the port of nothing listening.
	config, err := clusters.RESTConfigFromKubeconfig(kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	dead, err := clusters.NewMember("dead", []byte(strings.ReplaceAll(string(kubeconfig), config.Host, "https://127.0.0.1:1")))
	if err != nil {
		t.Fatal(err)
	}
	withDead := fixedMembers{"east": members["east"], "dead": dead}
	inv := inventory.New(withDead, inventory.Options{SyncTimeout: 2 * time.Second})
	page, err := inv.List(t.Context(), inventory.Query{Resource: pods(t), Caller: inventory.Caller{User: admin},
		Scopes: everything("dead", "east")})
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != 8 || len(page.Unavailable) != 1 || page.Unavailable[0].Cluster != "dead" ||
		!strings.Contains(page.Unavailable[0].Message, "127.0.0.1:1") {
		t.Errorf("total %d, unavailable %+v; want east's 8 pods and dead reported with its address", page.Total, page.Unavailable)
	}
}

func TestCachesAreBounded(t *testing.T) {
	members := setUp(t)
	deployments, err := inventory.ResourceNamed("deployments")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	inv := inventory.New(members, inventory.Options{MaxCaches: 1, IdleTimeout: 400 * time.Millisecond})
	go inv.Run(ctx)

	list := func(r inventory.Resource) {
		t.Helper()
		if _, err := inv.List(ctx, inventory.Query{Resource: r, Caller: inventory.Caller{User: admin}, Scopes: everything("east")}); err != nil {
			t.Fatal(err)
		}
	}
	list(pods(t))
	if caches, objects := inv.Running(); caches != 1 || objects < 8 {
		t.Errorf("after listing pods: %d caches with %d objects, want 1 with east's pods", caches, objects)
	}
	list(deployments)
	if caches, _ := inv.Running(); caches != 1 {
		t.Errorf("with MaxCaches 1, %d caches run", caches)
	}
	clustertest.Eventually(t, 5*time.Second, "the idle cache stops", func(context.Context) error {
		if caches, _ := inv.Running(); caches != 0 {
			return fmt.Errorf("%d caches run", caches)
		}
		return nil
	})
}

func TestUnknownResource(t *testing.T) {
	_, err := inventory.ResourceNamed("secrets")
	if err == nil || !strings.Contains(err.Error(), "pods, deployments") {
		t.Errorf("error %v, want the list of served resources", err)
	}
}
