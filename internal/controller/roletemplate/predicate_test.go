package roletemplate

import (
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/event"

	clusterv1alpha1 "github.com/kpanda/kpanda/api/cluster/v1alpha1"
	"github.com/kpanda/kpanda/internal/authz"
)

func clusterRole(labels map[string]string) *rbacv1.ClusterRole {
	return &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "r", Labels: labels}}
}

// A ClusterRole that loses its extra-rules label must still trigger, or its rules would stay in
// the templates until the next resync.
func TestExtraRulesLabelledPassesLabelRemoval(t *testing.T) {
	labelled := map[string]string{authz.ExtraRulesLabelPrefix + "ns-view": "true"}
	other := map[string]string{"app": "x"}
	p := extraRulesLabelled()
	for _, tc := range []struct {
		name       string
		old, new   map[string]string
		wantUpdate bool
	}{
		{"label added", other, labelled, true},
		{"label removed", labelled, other, true},
		{"labelled role edited", labelled, labelled, true},
		{"unrelated role edited", other, other, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := p.Update(event.UpdateEvent{ObjectOld: clusterRole(tc.old), ObjectNew: clusterRole(tc.new)}); got != tc.wantUpdate {
				t.Errorf("update passes %v, want %v", got, tc.wantUpdate)
			}
		})
	}
	if !p.Delete(event.DeleteEvent{Object: clusterRole(labelled)}) || p.Create(event.CreateEvent{Object: clusterRole(other)}) {
		t.Error("create/delete: want only labelled ClusterRoles")
	}
}

// The cluster controller writes status at every probe; only a new phase, spec or deletion
// concerns the templates.
func TestSpecOrPhaseChangedIgnoresProbes(t *testing.T) {
	cluster := func(generation int64, phase clusterv1alpha1.ClusterPhase, probed int) *clusterv1alpha1.Cluster {
		c := &clusterv1alpha1.Cluster{ObjectMeta: metav1.ObjectMeta{Name: "c", Generation: generation}}
		c.Status.Phase = phase
		c.Status.PodCount = int32(probed)
		return c
	}
	p := specOrPhaseChanged()
	for _, tc := range []struct {
		name     string
		old, new *clusterv1alpha1.Cluster
		want     bool
	}{
		{"probe", cluster(1, clusterv1alpha1.ClusterRunning, 1), cluster(1, clusterv1alpha1.ClusterRunning, 2), false},
		{"turned running", cluster(1, clusterv1alpha1.ClusterJoining, 0), cluster(1, clusterv1alpha1.ClusterRunning, 0), true},
		{"spec edited", cluster(1, clusterv1alpha1.ClusterRunning, 0), cluster(2, clusterv1alpha1.ClusterRunning, 0), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := p.Update(event.UpdateEvent{ObjectOld: tc.old, ObjectNew: tc.new}); got != tc.want {
				t.Errorf("passes %v, want %v", got, tc.want)
			}
		})
	}
}

func TestRevertedKeepsOthersLabelsAndDropsAggregation(t *testing.T) {
	want := authz.RoleTemplates()[0]
	current := want.DeepCopy()
	current.Labels["team"] = "ops"
	if _, changed := reverted(current, &want); changed {
		t.Error("a template with its desired rules and labels, plus another label, counts as changed")
	}
	current.AggregationRule = &rbacv1.AggregationRule{}
	current.Labels[authz.RoleTemplateLabel] = "false"
	current.Rules = nil
	updated, changed := reverted(current, &want)
	if !changed || updated.AggregationRule != nil || updated.Labels[authz.RoleTemplateLabel] != "true" ||
		updated.Labels["team"] != "ops" || len(updated.Rules) != len(want.Rules) {
		t.Errorf("reverted: changed %v, %+v", changed, updated)
	}
}
