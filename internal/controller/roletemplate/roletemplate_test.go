package roletemplate_test

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	clusterv1alpha1 "github.com/kpanda/kpanda/api/cluster/v1alpha1"
	crdmanifests "github.com/kpanda/kpanda/config/crd"
	"github.com/kpanda/kpanda/internal/authz"
	"github.com/kpanda/kpanda/internal/clusters"
	"github.com/kpanda/kpanda/internal/clustersetting"
	"github.com/kpanda/kpanda/internal/controller"
	clustercontroller "github.com/kpanda/kpanda/internal/controller/cluster"
	"github.com/kpanda/kpanda/internal/controller/roletemplate"
	"github.com/kpanda/kpanda/internal/crd"
	"github.com/kpanda/kpanda/internal/integration"
	"github.com/kpanda/kpanda/internal/localcluster/clustertest"
)

var (
	env clustertest.Env
	// global is the global cluster, itself the member kpanda-global-cluster; member is m1.
	global, member kubernetes.Interface
)

func TestMain(m *testing.M) {
	os.Exit(env.Run(m, clustertest.Options{Members: 1, Setup: startManager}))
}

// startManager runs the cluster controller and the role template controller against the global
// cluster, the way controller.Run does, registers the global cluster and integrates member m1.
func startManager(ctx context.Context) error {
	config := env.Global.RESTConfig()
	if err := crd.Install(ctx, config, crdmanifests.Manifests, crdmanifests.Global); err != nil {
		return err
	}
	direct, err := client.New(config, client.Options{Scheme: controller.Scheme()})
	if err != nil {
		return err
	}
	registry := &integration.Service{Client: direct}
	if err := registry.RegisterGlobal(ctx, config); err != nil {
		return err
	}
	mgr, err := ctrl.NewManager(config, ctrl.Options{
		Scheme:  controller.Scheme(),
		Metrics: metricsserver.Options{BindAddress: "0"},
		// As in controller.Run: the ClusterRole watch must work with this cache.
		Cache: cache.Options{ByObject: map[client.Object]cache.ByObject{
			&corev1.Secret{}:    {Namespaces: map[string]cache.Config{clusters.Namespace: {}}},
			&corev1.ConfigMap{}: {Namespaces: map[string]cache.Config{clusters.Namespace: {}}},
		}},
	})
	if err != nil {
		return err
	}
	members := clusters.NewCache(mgr.GetClient())
	clusterReconciler := &clustercontroller.Reconciler{Client: mgr.GetClient(), Members: members,
		Settings: clustersetting.NewStore(), ProbeInterval: 2 * time.Second, MaxConcurrentReconciles: 2}
	if err := clusterReconciler.SetupWithManager(mgr); err != nil {
		return err
	}
	// Resync is left to its default: the tests check that an edit is reverted within it.
	if err := (&roletemplate.Reconciler{Client: mgr.GetClient(), Members: members}).SetupWithManager(mgr); err != nil {
		return err
	}
	go func() {
		if err := mgr.Start(ctx); err != nil {
			fmt.Fprintf(os.Stderr, "manager: %v\n", err)
		}
	}()
	kubeconfig, err := os.ReadFile(env.Members[0].KubeconfigPath())
	if err != nil {
		return err
	}
	if _, err := registry.Integrate(ctx, integration.Request{Name: "m1", Kubeconfig: string(kubeconfig)}); err != nil {
		return err
	}
	if global, err = kubernetes.NewForConfig(config); err != nil {
		return err
	}
	member, err = kubernetes.NewForConfig(env.Members[0].RESTConfig())
	return err
}

// templatesIn returns the role templates of a cluster by name.
func templatesIn(ctx context.Context, cs kubernetes.Interface) (map[string]rbacv1.ClusterRole, error) {
	list, err := cs.RbacV1().ClusterRoles().List(ctx, metav1.ListOptions{LabelSelector: authz.RoleTemplateLabel + "=true"})
	if err != nil {
		return nil, err
	}
	byName := map[string]rbacv1.ClusterRole{}
	for _, role := range list.Items {
		byName[role.Name] = role
	}
	return byName, nil
}

// waitTemplates polls cs until its templates equal want (rules and our label), and returns them.
func waitTemplates(t *testing.T, cs kubernetes.Interface, timeout time.Duration, want []rbacv1.ClusterRole) map[string]rbacv1.ClusterRole {
	t.Helper()
	var got map[string]rbacv1.ClusterRole
	var err error
	pollErr := wait.PollUntilContextTimeout(t.Context(), 200*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		if got, err = templatesIn(ctx, cs); err != nil {
			return false, nil //nolint:nilerr // the next poll retries; err is reported if polling times out
		}
		for _, w := range want {
			if g, ok := got[w.Name]; !ok || !equality.Semantic.DeepEqual(g.Rules, w.Rules) || g.AggregationRule != nil {
				return false, nil
			}
		}
		return true, nil
	})
	if pollErr != nil {
		t.Fatalf("templates not as desired within %s (last error %v):\n got %s\nwant %s", timeout, err, describe(sorted(got)), describe(want))
	}
	return got
}

func describe(roles []rbacv1.ClusterRole) string {
	s := ""
	for _, role := range roles {
		s += fmt.Sprintf("\n  %s %v %+v", role.Name, role.Labels, role.Rules)
	}
	return s
}

func sorted(byName map[string]rbacv1.ClusterRole) []rbacv1.ClusterRole {
	roles := slices.Collect(maps.Values(byName))
	slices.SortFunc(roles, func(a, b rbacv1.ClusterRole) int { return strings.Compare(a.Name, b.Name) })
	return roles
}

func TestEveryClusterGetsTheTemplates(t *testing.T) {
	want := authz.RoleTemplates()
	for name, cs := range map[string]kubernetes.Interface{"m1": member, clusterv1alpha1.GlobalClusterName: global} {
		t.Run(name, func(t *testing.T) {
			got := waitTemplates(t, cs, 30*time.Second, want)
			if len(got) != len(want) {
				t.Errorf("%d ClusterRoles labelled %s=true, want %d:%s", len(got), authz.RoleTemplateLabel, len(want), describe(sorted(got)))
			}
			for _, w := range want {
				if got[w.Name].Labels[authz.RoleTemplateLabel] != "true" {
					t.Errorf("%s labels %v", w.Name, got[w.Name].Labels)
				}
			}
		})
	}
}

// An edit made inside a member is reverted within the resync period (10 s), though nothing in
// the global cluster changed.
func TestEditInMemberIsReverted(t *testing.T) {
	want := authz.RoleTemplates()
	waitTemplates(t, member, 30*time.Second, want)
	edits := []struct {
		name string
		role string
		edit func(*rbacv1.ClusterRole)
	}{
		{"rules removed", authz.ClusterRoleNSView, func(r *rbacv1.ClusterRole) { r.Rules = nil }},
		{"secrets added, label changed and another label added", authz.ClusterRoleNSAdmin, func(r *rbacv1.ClusterRole) {
			r.Rules = append(r.Rules, rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"get"}})
			r.Labels[authz.RoleTemplateLabel] = "false"
			r.Labels["team"] = "ops"
		}},
		{"aggregation rule added", authz.ClusterRoleClusterView, func(r *rbacv1.ClusterRole) {
			r.AggregationRule = &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{{MatchLabels: map[string]string{"kpanda-test": "none"}}}}
		}},
	}
	edited := time.Now()
	for _, e := range edits {
		editClusterRole(t, member, e.role, e.edit)
	}
	got := waitTemplates(t, member, 15*time.Second, want)
	t.Logf("Edits reverted %s after they were made", time.Since(edited).Round(100*time.Millisecond))
	if got[authz.ClusterRoleNSAdmin].Labels["team"] != "ops" {
		t.Errorf("%s labels %v: a label someone else added was removed", authz.ClusterRoleNSAdmin, got[authz.ClusterRoleNSAdmin].Labels)
	}
}

func editClusterRole(t *testing.T, cs kubernetes.Interface, name string, edit func(*rbacv1.ClusterRole)) {
	t.Helper()
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		role, err := cs.RbacV1().ClusterRoles().Get(t.Context(), name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		edit(role)
		_, err = cs.RbacV1().ClusterRoles().Update(t.Context(), role, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		t.Fatalf("editing ClusterRole %s: %v", name, err)
	}
}

// ClusterRoles of the global cluster labelled for a template add rules to it or remove rules
// from it, in every member, and stop doing so once their label or they themselves are gone.
func TestGlobalExtraRulesFollowTheirLabels(t *testing.T) {
	ctx := t.Context()
	crontabs := rbacv1.PolicyRule{APIGroups: []string{"stable.example.com"}, Resources: []string{"crontabs"}, Verbs: []string{"get", "list", "watch"}}
	addToView := &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: "kpanda-test-crontab-view", Labels: map[string]string{authz.ExtraRulesLabelPrefix + "ns-view": "true"}},
		Rules:      []rbacv1.PolicyRule{crontabs},
	}
	noSecrets := &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: "kpanda-test-edit-no-secrets", Labels: map[string]string{authz.ExtraRulesLabelPrefix + "ns-edit": "delete"}},
		Rules:      []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"*"}}},
	}
	for _, role := range []*rbacv1.ClusterRole{addToView, noSecrets} {
		if _, err := global.RbacV1().ClusterRoles().Create(ctx, role, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_ = global.RbacV1().ClusterRoles().Delete(context.Background(), role.Name, metav1.DeleteOptions{})
		})
	}

	got := waitTemplates(t, member, 15*time.Second, authz.WithExtraRules(authz.RoleTemplates(), []rbacv1.ClusterRole{*addToView, *noSecrets}))
	if !slices.ContainsFunc(got[authz.ClusterRoleNSView].Rules, func(r rbacv1.PolicyRule) bool { return equality.Semantic.DeepEqual(r, crontabs) }) {
		t.Errorf("ns-view lacks the extra rule: %+v", got[authz.ClusterRoleNSView].Rules)
	}
	for _, rule := range got[authz.ClusterRoleNSEdit].Rules {
		if slices.Contains(rule.Resources, "secrets") {
			t.Errorf("ns-edit still names secrets: %+v", rule)
		}
	}

	editClusterRole(t, global, addToView.Name, func(r *rbacv1.ClusterRole) { delete(r.Labels, authz.ExtraRulesLabelPrefix+"ns-view") })
	if err := global.RbacV1().ClusterRoles().Delete(ctx, noSecrets.Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	got = waitTemplates(t, member, 15*time.Second, authz.RoleTemplates())
	if slices.ContainsFunc(got[authz.ClusterRoleNSView].Rules, func(r rbacv1.PolicyRule) bool { return equality.Semantic.DeepEqual(r, crontabs) }) {
		t.Errorf("ns-view kept the rule of a ClusterRole no longer labelled: %+v", got[authz.ClusterRoleNSView].Rules)
	}
}

// The member's own authorizer decides (DESIGN §3): bob, bound to NS View in one namespace, may
// read workloads there and nothing more; alice, bound to NS Edit, may read Secrets there.
func TestNamespaceBindingsOfTemplatesAreEnforcedByTheMember(t *testing.T) {
	ctx := t.Context()
	waitTemplates(t, member, 30*time.Second, authz.RoleTemplates())
	const namespace = "team-a"
	if _, err := member.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = member.CoreV1().Namespaces().Delete(context.Background(), namespace, metav1.DeleteOptions{})
	})
	bind(t, namespace, "kpanda:bob", authz.ClusterRoleNSView)
	bind(t, namespace, "kpanda:alice", authz.ClusterRoleNSEdit)

	// The authorizer learns of new bindings through its informers: wait for the first answer.
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		return allowed(t, "kpanda:bob", namespace, "list", "pods", ""), nil
	})
	if err != nil {
		t.Fatal("kpanda:bob may not list pods in team-a though bound to ns-view there")
	}
	for _, tc := range []struct {
		user, namespace, verb, resource, subresource string
		want                                         bool
	}{
		{"kpanda:bob", namespace, "list", "pods", "", true},
		{"kpanda:bob", namespace, "get", "pods", "log", true},
		{"kpanda:bob", namespace, "watch", "configmaps", "", true},
		{"kpanda:bob", namespace, "get", "secrets", "", false},
		{"kpanda:bob", namespace, "list", "secrets", "", false},
		{"kpanda:bob", namespace, "create", "pods", "exec", false},
		{"kpanda:bob", namespace, "delete", "pods", "", false},
		{"kpanda:bob", "default", "list", "pods", "", false},
		{"kpanda:alice", namespace, "get", "secrets", "", true},
		{"kpanda:alice", namespace, "create", "pods", "exec", true},
		{"kpanda:alice", "default", "get", "secrets", "", false},
	} {
		resource := tc.resource
		if tc.subresource != "" {
			resource += "/" + tc.subresource
		}
		name := fmt.Sprintf("%s %s %s in %s", tc.user, tc.verb, resource, tc.namespace)
		t.Run(name, func(t *testing.T) {
			if got := allowed(t, tc.user, tc.namespace, tc.verb, tc.resource, tc.subresource); got != tc.want {
				t.Errorf("allowed %v, want %v", got, tc.want)
			}
		})
	}
}

func bind(t *testing.T, namespace, user, clusterRole string) {
	t.Helper()
	binding := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: clusterRole + "-" + user[len("kpanda:"):]},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: clusterRole},
		Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: user}},
	}
	if _, err := member.RbacV1().RoleBindings(namespace).Create(t.Context(), binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// allowed asks the member's apiserver whether user may verb resource/subresource in namespace.
func allowed(t *testing.T, user, namespace, verb, resource, subresource string) bool {
	t.Helper()
	review := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
		User: user,
		ResourceAttributes: &authorizationv1.ResourceAttributes{
			Namespace: namespace, Verb: verb, Resource: resource, Subresource: subresource,
		},
	}}
	result, err := member.AuthorizationV1().SubjectAccessReviews().Create(t.Context(), review, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return result.Status.Allowed
}
