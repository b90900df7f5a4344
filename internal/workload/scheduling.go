package workload

import (
	"fmt"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Kinds of a rule: a pod may only go where required rules hold; preferred rules weigh nodes.
const (
	RuleRequired  = "required"
	RulePreferred = "preferred"
)

// DefaultTolerationSeconds is how long a pod tolerating a NoExecute taint stays on its node
// when the form gives no time: the time Kubernetes itself gives pods for not-ready nodes.
const DefaultTolerationSeconds int64 = 300

// Scheduling is the whole set of scheduling policies of a pod template (seed FAQ 6). It
// replaces what the template had: a policy left out is removed.
type Scheduling struct {
	NodeSelector    map[string]string `json:"nodeSelector,omitempty"`
	NodeAffinity    []NodeRule        `json:"nodeAffinity,omitempty"`
	PodAffinity     []PodRule         `json:"podAffinity,omitempty"`
	PodAntiAffinity []PodRule         `json:"podAntiAffinity,omitempty"`
	Tolerations     []Toleration      `json:"tolerations,omitempty"`
}

// NodeRule is one node affinity term: all its expressions must hold.
type NodeRule struct {
	// Type is required or preferred.
	Type string `json:"type"`
	// Weight, 1-100, ranks preferred rules; unused for required ones.
	Weight      int32        `json:"weight,omitempty"`
	Expressions []Expression `json:"expressions"`
}

// PodRule is one pod (anti-)affinity term: pods matching the expressions, in Namespaces (the
// workload's own when empty), on the same TopologyKey domain.
type PodRule struct {
	Type        string       `json:"type"`
	Weight      int32        `json:"weight,omitempty"`
	TopologyKey string       `json:"topologyKey"`
	Namespaces  []string     `json:"namespaces,omitempty"`
	Expressions []Expression `json:"expressions"`
}

// Expression is a label requirement: Key Operator Values.
type Expression struct {
	Key      string   `json:"key"`
	Operator string   `json:"operator"`
	Values   []string `json:"values,omitempty"`
}

// Toleration lets pods onto nodes with a matching taint.
type Toleration struct {
	Key      string `json:"key,omitempty"`
	Operator string `json:"operator,omitempty"` // Equal (default) or Exists
	Value    string `json:"value,omitempty"`
	Effect   string `json:"effect,omitempty"` // empty: every effect
	// TolerationSeconds applies to NoExecute only; DefaultTolerationSeconds when nil.
	TolerationSeconds *int64 `json:"tolerationSeconds,omitempty"`
}

// IsEmpty says whether s sets no policy at all.
func (s *Scheduling) IsEmpty() bool {
	return s == nil || len(s.NodeSelector) == 0 && len(s.NodeAffinity) == 0 && len(s.PodAffinity) == 0 &&
		len(s.PodAntiAffinity) == 0 && len(s.Tolerations) == 0
}

// Validate returns every violation of s, each naming its field under path (e.g. "scheduling").
func (s *Scheduling) Validate(path string) []*FieldError {
	if s == nil {
		return nil
	}
	var errs []*FieldError
	for key, value := range s.NodeSelector {
		errs = append(errs, labelKeyErrors(fmt.Sprintf("%s.nodeSelector[%s]", path, key), key)...)
		for _, msg := range validation.IsValidLabelValue(value) {
			errs = append(errs, fieldErr(fmt.Sprintf("%s.nodeSelector[%s]", path, key), "value %q: %s", value, msg))
		}
	}
	for i, rule := range s.NodeAffinity {
		errs = append(errs, rule.validate(fmt.Sprintf("%s.nodeAffinity[%d]", path, i))...)
	}
	for i, rule := range s.PodAffinity {
		errs = append(errs, rule.validate(fmt.Sprintf("%s.podAffinity[%d]", path, i))...)
	}
	for i, rule := range s.PodAntiAffinity {
		errs = append(errs, rule.validate(fmt.Sprintf("%s.podAntiAffinity[%d]", path, i))...)
	}
	for i, t := range s.Tolerations {
		errs = append(errs, t.validate(fmt.Sprintf("%s.tolerations[%d]", path, i))...)
	}
	return errs
}

func validateType(path, typ string, weight int32) []*FieldError {
	switch typ {
	case RuleRequired:
		return nil
	case RulePreferred:
		if weight < 1 || weight > 100 {
			return []*FieldError{fieldErr(path+".weight", "must be 1 to 100 for a preferred rule, got %d", weight)}
		}
		return nil
	}
	return []*FieldError{fieldErr(path+".type", "must be %q or %q, got %q", RuleRequired, RulePreferred, typ)}
}

func (r NodeRule) validate(path string) []*FieldError {
	errs := validateType(path, r.Type, r.Weight)
	if len(r.Expressions) == 0 {
		errs = append(errs, fieldErr(path+".expressions", "a rule needs at least one expression"))
	}
	for i, e := range r.Expressions {
		errs = append(errs, e.validate(fmt.Sprintf("%s.expressions[%d]", path, i), true)...)
	}
	return errs
}

func (r PodRule) validate(path string) []*FieldError {
	errs := validateType(path, r.Type, r.Weight)
	if r.TopologyKey == "" {
		errs = append(errs, fieldErr(path+".topologyKey", "is required (e.g. kubernetes.io/hostname)"))
	} else {
		errs = append(errs, labelKeyErrors(path+".topologyKey", r.TopologyKey)...)
	}
	for i, ns := range r.Namespaces {
		for _, msg := range validation.IsDNS1123Label(ns) {
			errs = append(errs, fieldErr(fmt.Sprintf("%s.namespaces[%d]", path, i), "%q: %s", ns, msg))
		}
	}
	if len(r.Expressions) == 0 {
		errs = append(errs, fieldErr(path+".expressions", "a rule needs at least one expression choosing the pods"))
	}
	for i, e := range r.Expressions {
		errs = append(errs, e.validate(fmt.Sprintf("%s.expressions[%d]", path, i), false)...)
	}
	return errs
}

// validate checks e; Gt and Lt exist for nodes only.
func (e Expression) validate(path string, node bool) []*FieldError {
	errs := labelKeyErrors(path+".key", e.Key)
	switch e.Operator {
	case "In", "NotIn":
		if len(e.Values) == 0 {
			errs = append(errs, fieldErr(path+".values", "%s needs at least one value", e.Operator))
		}
	case "Exists", "DoesNotExist":
		if len(e.Values) != 0 {
			errs = append(errs, fieldErr(path+".values", "%s takes no values", e.Operator))
		}
	case "Gt", "Lt":
		if !node {
			return append(errs, fieldErr(path+".operator", "must be In, NotIn, Exists or DoesNotExist for pods, got %q", e.Operator))
		}
		if len(e.Values) != 1 {
			return append(errs, fieldErr(path+".values", "%s needs exactly one integer value", e.Operator))
		}
		if _, err := strconv.ParseInt(e.Values[0], 10, 64); err != nil {
			errs = append(errs, fieldErr(path+".values[0]", "%s needs an integer, got %q", e.Operator, e.Values[0]))
		}
	default:
		return append(errs, fieldErr(path+".operator", "must be In, NotIn, Exists, DoesNotExist, Gt or Lt, got %q", e.Operator))
	}
	for i, v := range e.Values {
		for _, msg := range validation.IsValidLabelValue(v) {
			errs = append(errs, fieldErr(fmt.Sprintf("%s.values[%d]", path, i), "%q: %s", v, msg))
		}
	}
	return errs
}

func (t Toleration) validate(path string) []*FieldError {
	var errs []*FieldError
	switch t.Operator {
	case "", string(corev1.TolerationOpEqual):
		if t.Key == "" {
			errs = append(errs, fieldErr(path+".key", "is required with operator Equal; use Exists to tolerate every taint"))
		}
	case string(corev1.TolerationOpExists):
		if t.Value != "" {
			errs = append(errs, fieldErr(path+".value", "must be empty with operator Exists"))
		}
	default:
		errs = append(errs, fieldErr(path+".operator", "must be Equal or Exists, got %q", t.Operator))
	}
	if t.Key != "" {
		errs = append(errs, labelKeyErrors(path+".key", t.Key)...)
	}
	switch corev1.TaintEffect(t.Effect) {
	case "", corev1.TaintEffectNoSchedule, corev1.TaintEffectPreferNoSchedule, corev1.TaintEffectNoExecute:
	default:
		errs = append(errs, fieldErr(path+".effect", "must be NoSchedule, PreferNoSchedule or NoExecute (or empty for all), got %q", t.Effect))
	}
	if t.TolerationSeconds != nil && corev1.TaintEffect(t.Effect) != corev1.TaintEffectNoExecute {
		errs = append(errs, fieldErr(path+".tolerationSeconds", "applies to effect NoExecute only"))
	}
	return errs
}

func labelKeyErrors(path, key string) []*FieldError {
	var errs []*FieldError
	for _, msg := range validation.IsQualifiedName(key) {
		errs = append(errs, fieldErr(path, "%q: %s", key, msg))
	}
	return errs
}

// Apply makes s the scheduling policies of spec, replacing the ones it had. Policies that are
// not set leave no trace: no empty affinity, no empty terms, no empty lists, so that removing
// every policy gives back a pod template without the fields (seed FAQ 6).
func (s *Scheduling) Apply(spec *corev1.PodSpec) {
	spec.Affinity, spec.NodeSelector, spec.Tolerations = nil, nil, nil
	if s.IsEmpty() {
		return
	}
	if len(s.NodeSelector) > 0 {
		spec.NodeSelector = s.NodeSelector
	}
	spec.Tolerations = s.tolerations()
	affinity := &corev1.Affinity{
		NodeAffinity:    nodeAffinity(s.NodeAffinity),
		PodAffinity:     podAffinity(s.PodAffinity),
		PodAntiAffinity: podAntiAffinity(s.PodAntiAffinity),
	}
	if affinity.NodeAffinity != nil || affinity.PodAffinity != nil || affinity.PodAntiAffinity != nil {
		spec.Affinity = affinity
	}
}

func (s *Scheduling) tolerations() []corev1.Toleration {
	if len(s.Tolerations) == 0 {
		return nil
	}
	out := make([]corev1.Toleration, 0, len(s.Tolerations))
	for _, t := range s.Tolerations {
		tol := corev1.Toleration{Key: t.Key, Operator: corev1.TolerationOperator(t.Operator), Value: t.Value,
			Effect: corev1.TaintEffect(t.Effect), TolerationSeconds: t.TolerationSeconds}
		if tol.Operator == "" {
			tol.Operator = corev1.TolerationOpEqual
		}
		if tol.Effect == corev1.TaintEffectNoExecute && tol.TolerationSeconds == nil {
			seconds := DefaultTolerationSeconds
			tol.TolerationSeconds = &seconds
		}
		out = append(out, tol)
	}
	return out
}

func nodeRequirements(exprs []Expression) []corev1.NodeSelectorRequirement {
	out := make([]corev1.NodeSelectorRequirement, 0, len(exprs))
	for _, e := range exprs {
		out = append(out, corev1.NodeSelectorRequirement{Key: e.Key, Operator: corev1.NodeSelectorOperator(e.Operator), Values: e.Values})
	}
	return out
}

func nodeAffinity(rules []NodeRule) *corev1.NodeAffinity {
	var required []corev1.NodeSelectorTerm
	var preferred []corev1.PreferredSchedulingTerm
	for _, r := range rules {
		term := corev1.NodeSelectorTerm{MatchExpressions: nodeRequirements(r.Expressions)}
		if r.Type == RuleRequired {
			required = append(required, term)
		} else {
			preferred = append(preferred, corev1.PreferredSchedulingTerm{Weight: r.Weight, Preference: term})
		}
	}
	if required == nil && preferred == nil {
		return nil
	}
	out := &corev1.NodeAffinity{PreferredDuringSchedulingIgnoredDuringExecution: preferred}
	if required != nil {
		// Terms of one node selector are ORed: each required rule is one alternative.
		out.RequiredDuringSchedulingIgnoredDuringExecution = &corev1.NodeSelector{NodeSelectorTerms: required}
	}
	return out
}

// podTerms splits rules into required and preferred pod affinity terms.
func podTerms(rules []PodRule) ([]corev1.PodAffinityTerm, []corev1.WeightedPodAffinityTerm) {
	var required []corev1.PodAffinityTerm
	var preferred []corev1.WeightedPodAffinityTerm
	for _, r := range rules {
		selector := &metav1.LabelSelector{}
		for _, e := range r.Expressions {
			selector.MatchExpressions = append(selector.MatchExpressions, metav1.LabelSelectorRequirement{
				Key: e.Key, Operator: metav1.LabelSelectorOperator(e.Operator), Values: e.Values})
		}
		term := corev1.PodAffinityTerm{LabelSelector: selector, TopologyKey: r.TopologyKey, Namespaces: r.Namespaces}
		if r.Type == RuleRequired {
			required = append(required, term)
		} else {
			preferred = append(preferred, corev1.WeightedPodAffinityTerm{Weight: r.Weight, PodAffinityTerm: term})
		}
	}
	return required, preferred
}

func podAffinity(rules []PodRule) *corev1.PodAffinity {
	required, preferred := podTerms(rules)
	if required == nil && preferred == nil {
		return nil
	}
	return &corev1.PodAffinity{RequiredDuringSchedulingIgnoredDuringExecution: required, PreferredDuringSchedulingIgnoredDuringExecution: preferred}
}

func podAntiAffinity(rules []PodRule) *corev1.PodAntiAffinity {
	required, preferred := podTerms(rules)
	if required == nil && preferred == nil {
		return nil
	}
	return &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: required, PreferredDuringSchedulingIgnoredDuringExecution: preferred}
}

// SchedulingOf reads the policies of spec back into the form's model, so that an edit form
// starts from what is there.
func SchedulingOf(spec *corev1.PodSpec) *Scheduling {
	s := &Scheduling{NodeSelector: spec.NodeSelector}
	for _, t := range spec.Tolerations {
		s.Tolerations = append(s.Tolerations, Toleration{Key: t.Key, Operator: string(t.Operator), Value: t.Value,
			Effect: string(t.Effect), TolerationSeconds: t.TolerationSeconds})
	}
	if a := spec.Affinity; a != nil {
		s.NodeAffinity = nodeRulesOf(a.NodeAffinity)
		if a.PodAffinity != nil {
			s.PodAffinity = podRulesOf(a.PodAffinity.RequiredDuringSchedulingIgnoredDuringExecution, a.PodAffinity.PreferredDuringSchedulingIgnoredDuringExecution)
		}
		if a.PodAntiAffinity != nil {
			s.PodAntiAffinity = podRulesOf(a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution, a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution)
		}
	}
	if s.IsEmpty() {
		return nil
	}
	return s
}

func expressionsOf(reqs []corev1.NodeSelectorRequirement) []Expression {
	out := make([]Expression, 0, len(reqs))
	for _, r := range reqs {
		out = append(out, Expression{Key: r.Key, Operator: string(r.Operator), Values: r.Values})
	}
	return out
}

func nodeRulesOf(a *corev1.NodeAffinity) []NodeRule {
	if a == nil {
		return nil
	}
	var rules []NodeRule
	if a.RequiredDuringSchedulingIgnoredDuringExecution != nil {
		for _, term := range a.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
			rules = append(rules, NodeRule{Type: RuleRequired, Expressions: expressionsOf(term.MatchExpressions)})
		}
	}
	for _, p := range a.PreferredDuringSchedulingIgnoredDuringExecution {
		rules = append(rules, NodeRule{Type: RulePreferred, Weight: p.Weight, Expressions: expressionsOf(p.Preference.MatchExpressions)})
	}
	return rules
}

func podRuleOf(typ string, weight int32, term corev1.PodAffinityTerm) PodRule {
	rule := PodRule{Type: typ, Weight: weight, TopologyKey: term.TopologyKey, Namespaces: term.Namespaces}
	if term.LabelSelector != nil {
		for key, value := range term.LabelSelector.MatchLabels {
			rule.Expressions = append(rule.Expressions, Expression{Key: key, Operator: "In", Values: []string{value}})
		}
		for _, e := range term.LabelSelector.MatchExpressions {
			rule.Expressions = append(rule.Expressions, Expression{Key: e.Key, Operator: string(e.Operator), Values: e.Values})
		}
	}
	return rule
}

func podRulesOf(required []corev1.PodAffinityTerm, preferred []corev1.WeightedPodAffinityTerm) []PodRule {
	var rules []PodRule
	for _, term := range required {
		rules = append(rules, podRuleOf(RuleRequired, 0, term))
	}
	for _, w := range preferred {
		rules = append(rules, podRuleOf(RulePreferred, w.Weight, w.PodAffinityTerm))
	}
	return rules
}
