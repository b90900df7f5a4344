package authz

import (
	"slices"
	"sort"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// RoleTemplateLabel marks, with value "true", every role template kpanda keeps in a member
// (DESIGN §2); detach deletes the ClusterRoles that carry it.
const RoleTemplateLabel = "iam.kpanda.io/role-template"

// ExtraRulesLabelPrefix, followed by a template's short name (its name without
// "role-template-", e.g. ns-view), labels a ClusterRole of the global cluster whose rules are
// added to that template (value "true") or removed from it (value "delete").
const ExtraRulesLabelPrefix = "rbac.kpanda.io/role-template-"

// Values of an extra-rules label.
const (
	extraRulesAdd    = "true"
	extraRulesDelete = "delete"
)

// templatePrefix is what every template name starts with; the rest is its short name.
const templatePrefix = "role-template-"

var (
	readVerbs = []string{"get", "list", "watch"}
	allVerbs  = []string{rbacv1.VerbAll}
)

// workloadResources are the namespaced resources the namespace roles work with, per API group.
// NS Edit may do anything with them; NS View may read those not in viewHidden.
var workloadResources = []struct {
	group     string
	resources []string
}{
	{"", []string{"pods", "pods/log", "pods/exec", "pods/portforward", "services", "endpoints", "configmaps", "secrets",
		"persistentvolumeclaims", "serviceaccounts", "events", "replicationcontrollers"}},
	{"apps", []string{rbacv1.ResourceAll}},
	{"autoscaling", []string{rbacv1.ResourceAll}},
	{"batch", []string{rbacv1.ResourceAll}},
	{"policy", []string{"poddisruptionbudgets"}},
	{"networking.k8s.io", []string{"ingresses", "networkpolicies"}},
	// The autoscaling add-ons' objects (issue 6): scaling a workload is editing the namespace.
	{"autoscaling.k8s.io", []string{"verticalpodautoscalers"}},
	{"autoscaling.alibabacloud.com", []string{"cronhorizontalpodautoscalers"}},
	// Helm apps of the namespace (DESIGN §2): installing one is editing the namespace.
	{"helm.kpanda.io", []string{"helmreleases"}},
}

// viewHidden are the workload resources a viewer may not read: Secrets hold credentials, and
// exec and port-forward are ways into the containers, not views of them.
var viewHidden = []string{"secrets", "pods/exec", "pods/portforward"}

// endpointSlicesRead is read-only for every namespace role: EndpointSlices are written by the
// cluster's controllers, people only look at them.
var endpointSlicesRead = rbacv1.PolicyRule{APIGroups: []string{"discovery.k8s.io"}, Resources: []string{"endpointslices"}, Verbs: readVerbs}

// helmOperationsRead is read-only for every namespace role: HelmOperations are written by
// kpanda from HelmReleases; people read their history.
var helmOperationsRead = rbacv1.PolicyRule{APIGroups: []string{"helm.kpanda.io"}, Resources: []string{"helmoperations"}, Verbs: readVerbs}

// RoleTemplates returns the five role templates, labelled and sorted by name. Cluster roles
// are bound with ClusterRoleBindings; namespace roles with RoleBindings, which is what limits
// NS Admin's "everything" to one namespace.
func RoleTemplates() []rbacv1.ClusterRole {
	return []rbacv1.ClusterRole{
		template(ClusterRoleClusterAdmin, clusterAdminRules()),
		template(ClusterRoleClusterView, clusterViewRules()),
		template(ClusterRoleNSAdmin, []rbacv1.PolicyRule{everything()}),
		template(ClusterRoleNSEdit, nsEditRules()),
		template(ClusterRoleNSView, nsViewRules()),
	}
}

func template(name string, rules []rbacv1.PolicyRule) rbacv1.ClusterRole {
	return rbacv1.ClusterRole{
		TypeMeta:   metav1.TypeMeta{APIVersion: rbacv1.SchemeGroupVersion.String(), Kind: "ClusterRole"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{RoleTemplateLabel: "true"}},
		Rules:      rules,
	}
}

func everything() rbacv1.PolicyRule {
	return rbacv1.PolicyRule{APIGroups: []string{rbacv1.APIGroupAll}, Resources: []string{rbacv1.ResourceAll}, Verbs: allVerbs}
}

func clusterAdminRules() []rbacv1.PolicyRule {
	return []rbacv1.PolicyRule{
		everything(),
		{NonResourceURLs: []string{rbacv1.NonResourceAll}, Verbs: allVerbs},
	}
}

func nsEditRules() []rbacv1.PolicyRule {
	rules := make([]rbacv1.PolicyRule, 0, len(workloadResources)+2)
	for _, w := range workloadResources {
		rules = append(rules, rbacv1.PolicyRule{APIGroups: []string{w.group}, Resources: slices.Clone(w.resources), Verbs: allVerbs})
	}
	return append(rules, endpointSlicesRead, helmOperationsRead)
}

func nsViewRules() []rbacv1.PolicyRule {
	rules := make([]rbacv1.PolicyRule, 0, len(workloadResources)+2)
	for _, w := range workloadResources {
		visible := slices.DeleteFunc(slices.Clone(w.resources), func(r string) bool { return slices.Contains(viewHidden, r) })
		rules = append(rules, rbacv1.PolicyRule{APIGroups: []string{w.group}, Resources: visible, Verbs: readVerbs})
	}
	return append(rules, endpointSlicesRead, helmOperationsRead)
}

// clusterViewRules reads what NS View reads, in every namespace, plus the cluster-scoped
// objects a cluster's overview shows. Still no Secrets: viewing a cluster is not holding its
// credentials.
func clusterViewRules() []rbacv1.PolicyRule {
	rules := nsViewRules()
	rules[0].Resources = append(rules[0].Resources, "nodes", "namespaces", "persistentvolumes")
	return append(rules,
		rbacv1.PolicyRule{APIGroups: []string{"storage.k8s.io"}, Resources: []string{"storageclasses"}, Verbs: readVerbs},
		rbacv1.PolicyRule{APIGroups: []string{"apiextensions.k8s.io"}, Resources: []string{"customresourcedefinitions"}, Verbs: readVerbs},
	)
}

// isNamespaceTemplate says whether a template is bound per namespace; only those may lose
// rules, so that the cluster roles stay what their names promise.
func isNamespaceTemplate(name string) bool {
	return name == ClusterRoleNSAdmin || name == ClusterRoleNSEdit || name == ClusterRoleNSView
}

// WithExtraRules returns copies of templates with the extra rules of the global cluster's
// ClusterRoles in global applied; templates and global are not modified.
//
// A ClusterRole of global labelled ExtraRulesLabelPrefix+<short>, where <short> is a template's
// name without "role-template-", acts on that template:
//   - value "true": its rules are appended to the template, each unless an equal rule is
//     already there;
//   - value "delete": its rules are removed from the template, for the namespace templates
//     (ns-admin, ns-edit, ns-view) only; on any other template it is ignored;
//   - any other value, or a short name of no template, is ignored.
//
// One ClusterRole may carry labels for several templates. Additions are applied first, then
// removals, each in the order of the source ClusterRoles' names, so the result depends neither
// on the order of global nor on how the sources are named relative to each other: a removal
// always wins over an addition.
//
// Removing rule R from the template rule T takes away exactly what both grant and keeps the
// rest, splitting T when needed. Kubernetes RBAC has no deny, so only what T lists can be taken
// away:
//   - R applies to T when both are resource rules or both are non-resource rules, and (for
//     resource rules) R names no resourceNames or the same set of resourceNames as T;
//   - an API group, resource, non-resource URL or verb of T is hit when R lists it or R lists
//     "*"; a "*" of T is hit only by a "*" of R (removing deployments from apps/* does nothing:
//     remove the apps/* rule instead);
//   - if T has no hit group, no hit resource (URL) or no hit verb, T stays as it is; otherwise
//     T becomes, in this order and each only if not empty: T for its groups not hit; T for the
//     hit groups and the resources not hit; T for the hit groups and hit resources with the
//     verbs not hit.
//
// So a rule equal to one of the template's is dropped, removing {"" secrets *} from NS Edit's
// core rule drops just secrets from its resources, and removing {"" pods/log get} from NS
// View's core rule leaves pods/log with list and watch in a rule of its own.
func WithExtraRules(templates []rbacv1.ClusterRole, global []rbacv1.ClusterRole) []rbacv1.ClusterRole {
	sources := slices.Clone(global)
	sort.SliceStable(sources, func(i, j int) bool { return sources[i].Name < sources[j].Name })
	out := make([]rbacv1.ClusterRole, len(templates))
	for i := range templates {
		t := templates[i].DeepCopy()
		short := strings.TrimPrefix(t.Name, templatePrefix)
		for _, source := range sources {
			if source.Labels[ExtraRulesLabelPrefix+short] == extraRulesAdd {
				t.Rules = addRules(t.Rules, source.Rules)
			}
		}
		if isNamespaceTemplate(t.Name) {
			for _, source := range sources {
				if source.Labels[ExtraRulesLabelPrefix+short] == extraRulesDelete {
					t.Rules = removeRules(t.Rules, source.Rules)
				}
			}
		}
		out[i] = *t
	}
	return out
}

// HasExtraRulesLabel says whether a ClusterRole of the global cluster carries any extra-rules
// label, whatever its value: one whose label was just changed still matters.
func HasExtraRulesLabel(labels map[string]string) bool {
	for key := range labels {
		if strings.HasPrefix(key, ExtraRulesLabelPrefix) {
			return true
		}
	}
	return false
}

func addRules(rules, extra []rbacv1.PolicyRule) []rbacv1.PolicyRule {
	for _, rule := range extra {
		if !slices.ContainsFunc(rules, func(r rbacv1.PolicyRule) bool { return equality.Semantic.DeepEqual(r, rule) }) {
			rules = append(rules, *rule.DeepCopy())
		}
	}
	return rules
}

func removeRules(rules, removals []rbacv1.PolicyRule) []rbacv1.PolicyRule {
	for _, removal := range removals {
		var kept []rbacv1.PolicyRule
		for _, rule := range rules {
			kept = append(kept, subtract(rule, removal)...)
		}
		rules = kept
	}
	return rules
}

// subtract returns what remains of rule t once what r grants is taken away (see WithExtraRules).
func subtract(t, r rbacv1.PolicyRule) []rbacv1.PolicyRule {
	nonResource := len(t.NonResourceURLs) > 0
	if nonResource != (len(r.NonResourceURLs) > 0) {
		return []rbacv1.PolicyRule{t}
	}
	if nonResource {
		return subtractNonResource(t, r)
	}
	if len(r.ResourceNames) > 0 && !sameSet(r.ResourceNames, t.ResourceNames) {
		return []rbacv1.PolicyRule{t}
	}
	hitGroups, keptGroups := split(t.APIGroups, r.APIGroups)
	hitResources, keptResources := split(t.Resources, r.Resources)
	hitVerbs, keptVerbs := split(t.Verbs, r.Verbs)
	if len(hitGroups) == 0 || len(hitResources) == 0 || len(hitVerbs) == 0 {
		return []rbacv1.PolicyRule{t}
	}
	var out []rbacv1.PolicyRule
	if len(keptGroups) > 0 {
		out = append(out, with(t, keptGroups, t.Resources, t.Verbs))
	}
	if len(keptResources) > 0 {
		out = append(out, with(t, hitGroups, keptResources, t.Verbs))
	}
	if len(keptVerbs) > 0 {
		out = append(out, with(t, hitGroups, hitResources, keptVerbs))
	}
	return out
}

func subtractNonResource(t, r rbacv1.PolicyRule) []rbacv1.PolicyRule {
	hitURLs, keptURLs := split(t.NonResourceURLs, r.NonResourceURLs)
	hitVerbs, keptVerbs := split(t.Verbs, r.Verbs)
	if len(hitURLs) == 0 || len(hitVerbs) == 0 {
		return []rbacv1.PolicyRule{t}
	}
	var out []rbacv1.PolicyRule
	if len(keptURLs) > 0 {
		out = append(out, rbacv1.PolicyRule{NonResourceURLs: keptURLs, Verbs: slices.Clone(t.Verbs)})
	}
	if len(keptVerbs) > 0 {
		out = append(out, rbacv1.PolicyRule{NonResourceURLs: hitURLs, Verbs: keptVerbs})
	}
	return out
}

func with(t rbacv1.PolicyRule, groups, resources, verbs []string) rbacv1.PolicyRule {
	return rbacv1.PolicyRule{
		APIGroups:     slices.Clone(groups),
		Resources:     slices.Clone(resources),
		Verbs:         slices.Clone(verbs),
		ResourceNames: slices.Clone(t.ResourceNames),
	}
}

// split divides items into those removal hits (listed in it, or any when it lists "*") and
// those it does not, keeping their order.
func split(items, removal []string) (hit, kept []string) {
	all := slices.Contains(removal, "*")
	for _, item := range items {
		if all || slices.Contains(removal, item) {
			hit = append(hit, item)
		} else {
			kept = append(kept, item)
		}
	}
	return hit, kept
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}
