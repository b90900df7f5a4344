package authz

import (
	"slices"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// allows says whether rules grant verb on resource of group, the way the RBAC authorizer reads
// a rule (wildcards included, resourceNames ignored).
func allows(rules []rbacv1.PolicyRule, verb, group, resource string) bool {
	for _, r := range rules {
		if len(r.NonResourceURLs) > 0 {
			continue
		}
		if matches(r.Verbs, verb) && matches(r.APIGroups, group) && matches(r.Resources, resource) {
			return true
		}
	}
	return false
}

func allowsURL(rules []rbacv1.PolicyRule, verb, url string) bool {
	for _, r := range rules {
		if matches(r.Verbs, verb) && matches(r.NonResourceURLs, url) {
			return true
		}
	}
	return false
}

func matches(items []string, item string) bool {
	return slices.Contains(items, "*") || slices.Contains(items, item)
}

func templateNamed(t *testing.T, templates []rbacv1.ClusterRole, name string) rbacv1.ClusterRole {
	t.Helper()
	for _, tmpl := range templates {
		if tmpl.Name == name {
			return tmpl
		}
	}
	t.Fatalf("no template %s", name)
	return rbacv1.ClusterRole{}
}

func TestRoleTemplatesAreFiveLabelledAndSorted(t *testing.T) {
	templates := RoleTemplates()
	var names []string
	for _, tmpl := range templates {
		names = append(names, tmpl.Name)
		if tmpl.Labels[RoleTemplateLabel] != "true" {
			t.Errorf("%s labels %v, want %s: \"true\"", tmpl.Name, tmpl.Labels, RoleTemplateLabel)
		}
		if len(tmpl.Rules) == 0 {
			t.Errorf("%s has no rules", tmpl.Name)
		}
	}
	want := []string{ClusterRoleClusterAdmin, ClusterRoleClusterView, ClusterRoleNSAdmin, ClusterRoleNSEdit, ClusterRoleNSView}
	if !slices.Equal(names, want) {
		t.Errorf("templates %v, want %v", names, want)
	}
	if !slices.IsSorted(names) {
		t.Errorf("templates %v not sorted by name", names)
	}
}

func TestRoleTemplateRules(t *testing.T) {
	templates := RoleTemplates()
	for _, tc := range []struct {
		template string
		verb     string
		group    string
		resource string
		allowed  bool
	}{
		{ClusterRoleClusterAdmin, "delete", "apiextensions.k8s.io", "customresourcedefinitions", true},
		{ClusterRoleClusterAdmin, "escalate", "rbac.authorization.k8s.io", "clusterroles", true},
		{ClusterRoleClusterAdmin, "get", "", "secrets", true},

		{ClusterRoleClusterView, "list", "", "nodes", true},
		{ClusterRoleClusterView, "get", "", "namespaces", true},
		{ClusterRoleClusterView, "watch", "", "persistentvolumes", true},
		{ClusterRoleClusterView, "list", "storage.k8s.io", "storageclasses", true},
		{ClusterRoleClusterView, "get", "apiextensions.k8s.io", "customresourcedefinitions", true},
		{ClusterRoleClusterView, "list", "apps", "deployments", true},
		{ClusterRoleClusterView, "get", "", "pods", true},
		{ClusterRoleClusterView, "get", "", "secrets", false},
		{ClusterRoleClusterView, "list", "", "secrets", false},
		{ClusterRoleClusterView, "delete", "", "nodes", false},
		{ClusterRoleClusterView, "create", "apiextensions.k8s.io", "customresourcedefinitions", false},
		{ClusterRoleClusterView, "create", "", "pods/exec", false},

		{ClusterRoleNSAdmin, "delete", "", "secrets", true},
		{ClusterRoleNSAdmin, "create", "rbac.authorization.k8s.io", "rolebindings", true},
		{ClusterRoleNSAdmin, "update", "example.com", "anything", true},

		{ClusterRoleNSEdit, "create", "", "pods", true},
		{ClusterRoleNSEdit, "create", "", "pods/exec", true},
		{ClusterRoleNSEdit, "create", "", "pods/portforward", true},
		{ClusterRoleNSEdit, "get", "", "pods/log", true},
		{ClusterRoleNSEdit, "delete", "", "secrets", true},
		{ClusterRoleNSEdit, "update", "", "configmaps", true},
		{ClusterRoleNSEdit, "patch", "apps", "deployments", true},
		{ClusterRoleNSEdit, "update", "apps", "deployments/scale", true},
		{ClusterRoleNSEdit, "create", "batch", "cronjobs", true},
		{ClusterRoleNSEdit, "create", "autoscaling", "horizontalpodautoscalers", true},
		{ClusterRoleNSEdit, "delete", "policy", "poddisruptionbudgets", true},
		{ClusterRoleNSEdit, "create", "networking.k8s.io", "ingresses", true},
		{ClusterRoleNSEdit, "create", "networking.k8s.io", "networkpolicies", true},
		{ClusterRoleNSEdit, "list", "discovery.k8s.io", "endpointslices", true},
		{ClusterRoleNSEdit, "create", "discovery.k8s.io", "endpointslices", false},
		{ClusterRoleNSEdit, "create", "rbac.authorization.k8s.io", "rolebindings", false},
		{ClusterRoleNSEdit, "update", "", "resourcequotas", false},
		{ClusterRoleNSEdit, "get", "", "nodes", false},

		{ClusterRoleNSView, "get", "", "pods", true},
		{ClusterRoleNSView, "list", "", "pods", true},
		{ClusterRoleNSView, "watch", "", "pods", true},
		{ClusterRoleNSView, "get", "", "pods/log", true},
		{ClusterRoleNSView, "list", "", "configmaps", true},
		{ClusterRoleNSView, "list", "apps", "deployments", true},
		{ClusterRoleNSView, "list", "discovery.k8s.io", "endpointslices", true},
		{ClusterRoleNSView, "get", "", "secrets", false},
		{ClusterRoleNSView, "list", "", "secrets", false},
		{ClusterRoleNSView, "create", "", "pods/exec", false},
		{ClusterRoleNSView, "get", "", "pods/exec", false},
		{ClusterRoleNSView, "create", "", "pods/portforward", false},
		{ClusterRoleNSView, "delete", "", "pods", false},
		{ClusterRoleNSView, "update", "apps", "deployments", false},
		{ClusterRoleNSView, "list", "", "nodes", false},
	} {
		rules := templateNamed(t, templates, tc.template).Rules
		if got := allows(rules, tc.verb, tc.group, tc.resource); got != tc.allowed {
			t.Errorf("%s: %s %s/%s allowed %v, want %v", tc.template, tc.verb, tc.group, tc.resource, got, tc.allowed)
		}
	}
}

func TestOnlyClusterAdminHasNonResourceURLs(t *testing.T) {
	for _, tmpl := range RoleTemplates() {
		got := allowsURL(tmpl.Rules, "get", "/metrics")
		if want := tmpl.Name == ClusterRoleClusterAdmin; got != want {
			t.Errorf("%s: get /metrics allowed %v, want %v", tmpl.Name, got, want)
		}
	}
	admin := templateNamed(t, RoleTemplates(), ClusterRoleClusterAdmin)
	want := rbacv1.PolicyRule{NonResourceURLs: []string{"*"}, Verbs: []string{"*"}}
	if !slices.ContainsFunc(admin.Rules, func(r rbacv1.PolicyRule) bool { return equality.Semantic.DeepEqual(r, want) }) {
		t.Errorf("cluster admin rules %+v lack %+v", admin.Rules, want)
	}
}

// Nothing in NS View or Cluster View names Secrets, even under another spelling.
func TestViewTemplatesNeverNameSecrets(t *testing.T) {
	for _, name := range []string{ClusterRoleNSView, ClusterRoleClusterView} {
		for _, rule := range templateNamed(t, RoleTemplates(), name).Rules {
			if slices.Contains(rule.Resources, "secrets") || (slices.Contains(rule.APIGroups, "") && slices.Contains(rule.Resources, "*")) {
				t.Errorf("%s rule %+v gives Secrets", name, rule)
			}
		}
	}
}

func extra(name string, labels map[string]string, rules ...rbacv1.PolicyRule) rbacv1.ClusterRole {
	return rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}, Rules: rules}
}

func rule(groups, resources, verbs []string) rbacv1.PolicyRule {
	return rbacv1.PolicyRule{APIGroups: groups, Resources: resources, Verbs: verbs}
}

var (
	core      = []string{""}
	read      = []string{"get", "list", "watch"}
	every     = []string{"*"}
	crontabs  = rule([]string{"stable.example.com"}, []string{"crontabs"}, read)
	addNSView = map[string]string{ExtraRulesLabelPrefix + "ns-view": "true"}
)

func TestExtraRulesAreAdded(t *testing.T) {
	global := []rbacv1.ClusterRole{
		extra("crontab-view", addNSView, crontabs),
		extra("unrelated", map[string]string{"app": "x"}, rule(core, []string{"secrets"}, read)),
		extra("disabled", map[string]string{ExtraRulesLabelPrefix + "ns-view": "false"}, rule(core, []string{"secrets"}, read)),
		extra("no-such-template", map[string]string{ExtraRulesLabelPrefix + "ns-owner": "true"}, rule(core, []string{"secrets"}, read)),
	}
	got := WithExtraRules(RoleTemplates(), global)
	view := templateNamed(t, got, ClusterRoleNSView)
	if !allows(view.Rules, "list", "stable.example.com", "crontabs") {
		t.Errorf("ns-view lacks the extra rule: %+v", view.Rules)
	}
	if allows(view.Rules, "get", "", "secrets") {
		t.Error("ns-view got secrets from a ClusterRole not labelled \"true\" for it")
	}
	for _, name := range []string{ClusterRoleClusterView, ClusterRoleNSEdit} {
		if allows(templateNamed(t, got, name).Rules, "list", "stable.example.com", "crontabs") {
			t.Errorf("%s got the rule meant for ns-view", name)
		}
	}
	// A rule already in the template, or given twice, is not repeated.
	twice := WithExtraRules(RoleTemplates(), append(global, extra("crontab-view-2", addNSView, crontabs, endpointSlicesRead)))
	if a, b := len(templateNamed(t, twice, ClusterRoleNSView).Rules), len(view.Rules); a != b {
		t.Errorf("ns-view has %d rules with the same extras given twice, %d with them once", a, b)
	}
}

func TestOneClusterRoleCanExtendSeveralTemplates(t *testing.T) {
	labels := map[string]string{ExtraRulesLabelPrefix + "ns-view": "true", ExtraRulesLabelPrefix + "cluster-view": "true"}
	got := WithExtraRules(RoleTemplates(), []rbacv1.ClusterRole{extra("crontab-view", labels, crontabs)})
	for _, name := range []string{ClusterRoleNSView, ClusterRoleClusterView} {
		if !allows(templateNamed(t, got, name).Rules, "list", "stable.example.com", "crontabs") {
			t.Errorf("%s lacks the extra rule", name)
		}
	}
}

func TestExtraRulesAreRemoved(t *testing.T) {
	deleteLabel := func(short string) map[string]string {
		return map[string]string{ExtraRulesLabelPrefix + short: "delete"}
	}
	for _, tc := range []struct {
		name     string
		template string
		removal  rbacv1.PolicyRule
		gone     [][3]string // verb, group, resource no longer allowed
		kept     [][3]string // verb, group, resource still allowed
	}{
		{
			name: "a rule equal to the template's is dropped", template: ClusterRoleNSEdit,
			removal: rule([]string{"batch"}, every, every),
			gone:    [][3]string{{"create", "batch", "jobs"}, {"get", "batch", "cronjobs"}},
			kept:    [][3]string{{"create", "apps", "deployments"}, {"delete", "", "secrets"}},
		},
		{
			name: "one resource of a rule listing several", template: ClusterRoleNSEdit,
			removal: rule(core, []string{"secrets"}, every),
			gone:    [][3]string{{"get", "", "secrets"}, {"delete", "", "secrets"}},
			kept:    [][3]string{{"create", "", "pods"}, {"update", "", "configmaps"}, {"create", "", "pods/exec"}},
		},
		{
			name: "some verbs of one resource", template: ClusterRoleNSView,
			removal: rule(core, []string{"pods/log"}, []string{"get"}),
			gone:    [][3]string{{"get", "", "pods/log"}},
			kept:    [][3]string{{"list", "", "pods/log"}, {"watch", "", "pods/log"}, {"get", "", "pods"}, {"list", "", "services"}},
		},
		{
			name: "a verb wildcard removes every verb", template: ClusterRoleNSView,
			removal: rule(core, []string{"events"}, every),
			gone:    [][3]string{{"list", "", "events"}, {"get", "", "events"}},
			kept:    [][3]string{{"list", "", "pods"}},
		},
		{
			name: "a wildcard of the template is not carved by a name", template: ClusterRoleNSEdit,
			removal: rule([]string{"apps"}, []string{"deployments"}, every),
			kept:    [][3]string{{"create", "apps", "deployments"}, {"create", "apps", "statefulsets"}},
		},
		{
			name: "another group is not touched", template: ClusterRoleNSEdit,
			removal: rule([]string{"example.com"}, []string{"secrets"}, every),
			kept:    [][3]string{{"get", "", "secrets"}},
		},
		{
			name: "everything from ns-admin", template: ClusterRoleNSAdmin,
			removal: rule(every, every, every),
			gone:    [][3]string{{"get", "", "pods"}, {"create", "apps", "deployments"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			short := tc.template[len(templatePrefix):]
			got := templateNamed(t, WithExtraRules(RoleTemplates(), []rbacv1.ClusterRole{extra("remove", deleteLabel(short), tc.removal)}), tc.template)
			for _, g := range tc.gone {
				if allows(got.Rules, g[0], g[1], g[2]) {
					t.Errorf("%s still allows %s %s/%s: %+v", tc.template, g[0], g[1], g[2], got.Rules)
				}
			}
			for _, k := range tc.kept {
				if !allows(got.Rules, k[0], k[1], k[2]) {
					t.Errorf("%s no longer allows %s %s/%s: %+v", tc.template, k[0], k[1], k[2], got.Rules)
				}
			}
		})
	}
}

func TestRemovingSecretsFromNSEditLeavesExactRule(t *testing.T) {
	remove := extra("no-secrets", map[string]string{ExtraRulesLabelPrefix + "ns-edit": "delete"}, rule(core, []string{"secrets"}, every))
	got := templateNamed(t, WithExtraRules(RoleTemplates(), []rbacv1.ClusterRole{remove}), ClusterRoleNSEdit)
	want := rule(core, []string{"pods", "pods/log", "pods/exec", "pods/portforward", "services", "endpoints", "configmaps",
		"persistentvolumeclaims", "serviceaccounts", "events", "replicationcontrollers"}, every)
	if !equality.Semantic.DeepEqual(got.Rules[0], want) {
		t.Errorf("core rule %+v, want %+v", got.Rules[0], want)
	}
	if len(got.Rules) != len(nsEditRules()) {
		t.Errorf("%d rules, want %d", len(got.Rules), len(nsEditRules()))
	}
}

func TestRemovalWinsOverAdditionWhateverTheNames(t *testing.T) {
	add := map[string]string{ExtraRulesLabelPrefix + "ns-edit": "true"}
	remove := map[string]string{ExtraRulesLabelPrefix + "ns-edit": "delete"}
	for _, names := range [][2]string{{"a-add", "b-remove"}, {"b-add", "a-remove"}} {
		global := []rbacv1.ClusterRole{extra(names[0], add, crontabs), extra(names[1], remove, crontabs)}
		if allows(templateNamed(t, WithExtraRules(RoleTemplates(), global), ClusterRoleNSEdit).Rules, "list", "stable.example.com", "crontabs") {
			t.Errorf("sources %v: the removed rule is there", names)
		}
	}
}

func TestRemovalIsIgnoredOnClusterTemplates(t *testing.T) {
	global := []rbacv1.ClusterRole{
		extra("strip-admin", map[string]string{ExtraRulesLabelPrefix + "cluster-admin": "delete"}, rule(every, every, every), rbacv1.PolicyRule{NonResourceURLs: every, Verbs: every}),
		extra("strip-view", map[string]string{ExtraRulesLabelPrefix + "cluster-view": "delete"}, rule(core, []string{"nodes"}, read)),
	}
	got := WithExtraRules(RoleTemplates(), global)
	for _, name := range []string{ClusterRoleClusterAdmin, ClusterRoleClusterView} {
		if want := templateNamed(t, RoleTemplates(), name); !equality.Semantic.DeepEqual(templateNamed(t, got, name), want) {
			t.Errorf("%s changed by a removal: %+v", name, templateNamed(t, got, name).Rules)
		}
	}
}

func TestWithExtraRulesIsDeterministicAndLeavesItsInputs(t *testing.T) {
	global := []rbacv1.ClusterRole{
		extra("c", addNSView, rule([]string{"c.example.com"}, []string{"things"}, read)),
		extra("a", addNSView, rule([]string{"a.example.com"}, []string{"things"}, read)),
		extra("b", map[string]string{ExtraRulesLabelPrefix + "ns-view": "delete"}, rule(core, []string{"pods/log"}, []string{"get"})),
	}
	templates := RoleTemplates()
	first := WithExtraRules(templates, global)
	reversed := slices.Clone(global)
	slices.Reverse(reversed)
	second := WithExtraRules(templates, reversed)
	if !equality.Semantic.DeepEqual(first, second) {
		t.Errorf("the order of the global ClusterRoles changed the result:\n%+v\n%+v", first, second)
	}
	view := templateNamed(t, first, ClusterRoleNSView).Rules
	a := slices.IndexFunc(view, func(r rbacv1.PolicyRule) bool { return slices.Contains(r.APIGroups, "a.example.com") })
	c := slices.IndexFunc(view, func(r rbacv1.PolicyRule) bool { return slices.Contains(r.APIGroups, "c.example.com") })
	if a < 0 || c < 0 || a > c {
		t.Errorf("extra rules at %d (a) and %d (c), want both, in the order of their sources' names", a, c)
	}
	if !equality.Semantic.DeepEqual(templates, RoleTemplates()) || global[0].Name != "c" {
		t.Error("WithExtraRules modified its inputs")
	}
}

func TestHasExtraRulesLabel(t *testing.T) {
	for _, tc := range []struct {
		labels map[string]string
		want   bool
	}{
		{nil, false},
		{map[string]string{"app": "x", RoleTemplateLabel: "true"}, false},
		{map[string]string{ExtraRulesLabelPrefix + "ns-view": "true"}, true},
		{map[string]string{ExtraRulesLabelPrefix + "ns-edit": "delete"}, true},
	} {
		if got := HasExtraRulesLabel(tc.labels); got != tc.want {
			t.Errorf("HasExtraRulesLabel(%v) = %v, want %v", tc.labels, got, tc.want)
		}
	}
}
