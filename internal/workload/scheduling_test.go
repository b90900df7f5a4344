package workload

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func exists(key string) []Expression { return []Expression{{Key: key, Operator: "Exists"}} }

func TestSchedulingValidate(t *testing.T) {
	tests := []struct {
		name   string
		s      Scheduling
		field  string
		phrase string
	}{
		{"every policy", Scheduling{
			NodeSelector: map[string]string{"disk": "ssd"},
			NodeAffinity: []NodeRule{
				{Type: RuleRequired, Expressions: []Expression{{Key: "zone", Operator: "In", Values: []string{"a", "b"}}, {Key: "cpus", Operator: "Gt", Values: []string{"4"}}}},
				{Type: RulePreferred, Weight: 100, Expressions: []Expression{{Key: "gpu", Operator: "DoesNotExist"}}},
			},
			PodAffinity:     []PodRule{{Type: RuleRequired, TopologyKey: "kubernetes.io/hostname", Namespaces: []string{"db"}, Expressions: []Expression{{Key: "app", Operator: "In", Values: []string{"db"}}}}},
			PodAntiAffinity: []PodRule{{Type: RulePreferred, Weight: 1, TopologyKey: "zone", Expressions: exists("app")}},
			Tolerations:     []Toleration{{Key: "dedicated", Value: "ops", Effect: "NoExecute"}, {Operator: "Exists"}},
		}, "", ""},
		{"unknown rule type", Scheduling{NodeAffinity: []NodeRule{{Type: "soft", Expressions: exists("a")}}}, "scheduling.nodeAffinity[0].type", "required"},
		{"weight 0", Scheduling{NodeAffinity: []NodeRule{{Type: RulePreferred, Expressions: exists("a")}}}, "scheduling.nodeAffinity[0].weight", "1 to 100"},
		{"weight 101", Scheduling{PodAffinity: []PodRule{{Type: RulePreferred, Weight: 101, TopologyKey: "z", Expressions: exists("a")}}}, "scheduling.podAffinity[0].weight", "1 to 100"},
		{"no expressions", Scheduling{NodeAffinity: []NodeRule{{Type: RuleRequired}}}, "scheduling.nodeAffinity[0].expressions", "at least one"},
		{"In without values", Scheduling{NodeAffinity: []NodeRule{{Type: RuleRequired, Expressions: []Expression{{Key: "a", Operator: "In"}}}}},
			"scheduling.nodeAffinity[0].expressions[0].values", "In needs at least one value"},
		{"Exists with values", Scheduling{NodeAffinity: []NodeRule{{Type: RuleRequired, Expressions: []Expression{{Key: "a", Operator: "Exists", Values: []string{"x"}}}}}},
			"scheduling.nodeAffinity[0].expressions[0].values", "takes no values"},
		{"Gt of two values", Scheduling{NodeAffinity: []NodeRule{{Type: RuleRequired, Expressions: []Expression{{Key: "a", Operator: "Gt", Values: []string{"1", "2"}}}}}},
			"scheduling.nodeAffinity[0].expressions[0].values", "exactly one integer"},
		{"Lt of a word", Scheduling{NodeAffinity: []NodeRule{{Type: RuleRequired, Expressions: []Expression{{Key: "a", Operator: "Lt", Values: []string{"many"}}}}}},
			"scheduling.nodeAffinity[0].expressions[0].values[0]", "integer"},
		{"Gt for pods", Scheduling{PodAffinity: []PodRule{{Type: RuleRequired, TopologyKey: "z", Expressions: []Expression{{Key: "a", Operator: "Gt", Values: []string{"1"}}}}}},
			"scheduling.podAffinity[0].expressions[0].operator", "for pods"},
		{"unknown operator", Scheduling{NodeAffinity: []NodeRule{{Type: RuleRequired, Expressions: []Expression{{Key: "a", Operator: "Like"}}}}},
			"scheduling.nodeAffinity[0].expressions[0].operator", "must be In"},
		{"bad key", Scheduling{NodeAffinity: []NodeRule{{Type: RuleRequired, Expressions: exists("no spaces")}}}, "scheduling.nodeAffinity[0].expressions[0].key", "name part"},
		{"topology key missing", Scheduling{PodAntiAffinity: []PodRule{{Type: RuleRequired, Expressions: exists("a")}}}, "scheduling.podAntiAffinity[0].topologyKey", "required"},
		{"bad namespace", Scheduling{PodAffinity: []PodRule{{Type: RuleRequired, TopologyKey: "z", Namespaces: []string{"Prod"}, Expressions: exists("a")}}},
			"scheduling.podAffinity[0].namespaces[0]", "RFC 1123"},
		{"toleration without key", Scheduling{Tolerations: []Toleration{{Operator: "Equal", Value: "x"}}}, "scheduling.tolerations[0].key", "Exists"},
		{"Exists with value", Scheduling{Tolerations: []Toleration{{Key: "k", Operator: "Exists", Value: "x"}}}, "scheduling.tolerations[0].value", "empty"},
		{"bad effect", Scheduling{Tolerations: []Toleration{{Key: "k", Effect: "NoWay"}}}, "scheduling.tolerations[0].effect", "NoSchedule"},
		{"seconds without NoExecute", Scheduling{Tolerations: []Toleration{{Key: "k", Effect: "NoSchedule", TolerationSeconds: ptr(int64(5))}}},
			"scheduling.tolerations[0].tolerationSeconds", "NoExecute only"},
		{"bad node selector value", Scheduling{NodeSelector: map[string]string{"disk": "s s d"}}, "scheduling.nodeSelector[disk]", "value"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			errs := tc.s.Validate("scheduling")
			if tc.field == "" {
				if len(errs) > 0 {
					t.Fatalf("want no errors, got %v", errs)
				}
				return
			}
			if len(errs) == 0 || errs[0].Field != tc.field || !strings.Contains(errs[0].Message, tc.phrase) {
				t.Errorf("want %s: ...%s..., got %v", tc.field, tc.phrase, errs)
			}
		})
	}
}

func TestApplyBuildsTheTemplate(t *testing.T) {
	s := &Scheduling{
		NodeAffinity: []NodeRule{
			{Type: RuleRequired, Expressions: []Expression{{Key: "zone", Operator: "In", Values: []string{"a"}}}},
			{Type: RulePreferred, Weight: 30, Expressions: exists("ssd")},
		},
		PodAntiAffinity: []PodRule{{Type: RuleRequired, TopologyKey: "kubernetes.io/hostname", Expressions: exists("app")}},
		Tolerations:     []Toleration{{Key: "dedicated", Value: "ops", Effect: "NoExecute"}, {Key: "k", Operator: "Exists", Effect: "NoSchedule"}},
	}
	var spec corev1.PodSpec
	s.Apply(&spec)
	a := spec.Affinity
	switch {
	case a == nil || a.NodeAffinity == nil || a.PodAntiAffinity == nil:
		t.Fatalf("affinity %+v", a)
	case a.PodAffinity != nil:
		t.Errorf("pod affinity was not asked for: %+v", a.PodAffinity)
	case len(a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms) != 1 ||
		a.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution[0].Weight != 30:
		t.Errorf("node affinity %+v", a.NodeAffinity)
	case *spec.Tolerations[0].TolerationSeconds != DefaultTolerationSeconds || spec.Tolerations[0].Operator != corev1.TolerationOpEqual:
		t.Errorf("NoExecute toleration without seconds: %+v", spec.Tolerations[0])
	case spec.Tolerations[1].TolerationSeconds != nil:
		t.Errorf("NoSchedule toleration got seconds: %+v", spec.Tolerations[1])
	}
	if back := SchedulingOf(&spec); len(back.NodeAffinity) != 2 || len(back.PodAntiAffinity) != 1 || len(back.Tolerations) != 2 {
		t.Errorf("read back %+v", back)
	}
}

// TestApplyReplaces is seed FAQ 6: an edit replaces the policy set; removing a kind of policy
// removes its struct, removing all of them removes the affinity.
func TestApplyReplaces(t *testing.T) {
	full := &Scheduling{
		NodeSelector:    map[string]string{"disk": "ssd"},
		NodeAffinity:    []NodeRule{{Type: RuleRequired, Expressions: exists("zone")}},
		PodAffinity:     []PodRule{{Type: RulePreferred, Weight: 5, TopologyKey: "zone", Expressions: exists("db")}},
		PodAntiAffinity: []PodRule{{Type: RuleRequired, TopologyKey: "zone", Expressions: exists("web")}},
		Tolerations:     []Toleration{{Operator: "Exists"}},
	}
	tests := []struct {
		name string
		next *Scheduling
		want *corev1.PodSpec
	}{
		{"nil removes everything", nil, &corev1.PodSpec{}},
		{"empty removes everything", &Scheduling{NodeAffinity: []NodeRule{}, Tolerations: []Toleration{}}, &corev1.PodSpec{}},
		{"only node affinity stays", &Scheduling{NodeAffinity: []NodeRule{{Type: RulePreferred, Weight: 1, Expressions: exists("a")}}}, &corev1.PodSpec{
			Affinity: &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []corev1.PreferredSchedulingTerm{
				{Weight: 1, Preference: corev1.NodeSelectorTerm{MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "a", Operator: "Exists"}}}},
			}}},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var spec corev1.PodSpec
			full.Apply(&spec)
			tc.next.Apply(&spec)
			if !reflect.DeepEqual(&spec, tc.want) {
				got, _ := json.Marshal(spec)
				t.Errorf("got %s", got)
			}
			data, _ := json.Marshal(spec)
			for _, trace := range []string{`"affinity":{}`, `"podAffinity"`, `"podAntiAffinity"`, `"requiredDuringSchedulingIgnoredDuringExecution"`, `"nodeSelector"`, `"tolerations"`} {
				if strings.Contains(string(data), trace) {
					t.Errorf("%s left in %s", trace, data)
				}
			}
		})
	}
}
