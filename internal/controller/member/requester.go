package member

import (
	"context"
	"fmt"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	admissionv1apply "k8s.io/client-go/applyconfigurations/admissionregistration/v1"

	helmv1alpha1 "github.com/kpanda/kpanda/api/helm/v1alpha1"
	"github.com/kpanda/kpanda/internal/clusters"
)

// Helm operations run with the rights of the user a HelmRelease's annotations (and a
// HelmOperation's spec) name (DESIGN §4). Two admission policies in each member keep that name
// honest: whoever creates one, or changes its spec, may name only themselves and their own
// groups — or users and groups they may impersonate anyway, which gives them nothing new
// (cluster admins, kpanda itself). Metadata-only updates that leave spec and requester alone
// (kpanda's finalizer, clearing a rollback request) pass.
const (
	mayBeUser       = `variables.user == '' || variables.user == request.userInfo.username || authorizer.group('').resource('users').name(variables.user).check('impersonate').allowed()`
	mayBeInGroups   = `variables.groups.all(g, g in request.userInfo.groups || authorizer.group('').resource('groups').name(g).check('impersonate').allowed())`
	honest          = `!variables.changed || ((` + mayBeUser + `) && (` + mayBeInGroups + `))`
	dishonestReason = `'the requester must be you (' + request.userInfo.username + ') and only groups you are in: kpanda runs Helm operations with these rights'`
)

// requesterPolicies are the two policies: the CEL that reads the requester of each kind.
var requesterPolicies = []struct {
	name, resource       string
	user, groups, change string
}{
	{
		name:     "kpanda-helm-release-requester",
		resource: "helmreleases",
		user:     annotation("object", helmv1alpha1.RequestedByAnnotation),
		groups:   splitGroups(annotation("object", helmv1alpha1.RequestedGroupsAnnotation)),
		change: `oldObject == null || object.spec != oldObject.spec || variables.user != (` + annotation("oldObject", helmv1alpha1.RequestedByAnnotation) +
			`) || (` + annotation("object", helmv1alpha1.RequestedGroupsAnnotation) + `) != (` + annotation("oldObject", helmv1alpha1.RequestedGroupsAnnotation) + `)`,
	},
	{
		name:     "kpanda-helm-operation-requester",
		resource: "helmoperations",
		user:     `object.spec.user`,
		groups:   `has(object.spec.groups) ? object.spec.groups : []`,
		change:   `oldObject == null || object.spec != oldObject.spec`,
	},
}

func annotation(object, key string) string {
	return `has(` + object + `.metadata.annotations) && '` + key + `' in ` + object + `.metadata.annotations ? ` + object + `.metadata.annotations['` + key + `'] : ''`
}

func splitGroups(value string) string {
	return `(` + value + `) == '' ? [] : (` + value + `).split(',')`
}

// ensureRequesterPolicies installs both policies in member.
func ensureRequesterPolicies(ctx context.Context, member *clusters.Member) error {
	apply := metav1.ApplyOptions{FieldManager: "kpanda", Force: true}
	policies := member.Client.AdmissionregistrationV1()
	for _, p := range requesterPolicies {
		policy := admissionv1apply.ValidatingAdmissionPolicy(p.name).WithSpec(
			admissionv1apply.ValidatingAdmissionPolicySpec().
				WithFailurePolicy(admissionregistrationv1.Fail).
				WithMatchConstraints(admissionv1apply.MatchResources().WithResourceRules(
					admissionv1apply.NamedRuleWithOperations().
						WithOperations(admissionregistrationv1.Create, admissionregistrationv1.Update).
						WithAPIGroups(helmv1alpha1.GroupVersion.Group).
						WithAPIVersions("*").
						WithResources(p.resource))).
				WithVariables(
					admissionv1apply.Variable().WithName("user").WithExpression(p.user),
					admissionv1apply.Variable().WithName("groups").WithExpression(p.groups),
					admissionv1apply.Variable().WithName("changed").WithExpression(p.change)).
				WithValidations(admissionv1apply.Validation().
					WithExpression(honest).
					WithMessageExpression(dishonestReason).
					WithReason(metav1.StatusReasonForbidden)))
		if _, err := policies.ValidatingAdmissionPolicies().Apply(ctx, policy, apply); err != nil {
			return fmt.Errorf("installing admission policy %s in cluster %s: %w", p.name, member.Name, err)
		}
		binding := admissionv1apply.ValidatingAdmissionPolicyBinding(p.name).WithSpec(
			admissionv1apply.ValidatingAdmissionPolicyBindingSpec().
				WithPolicyName(p.name).
				WithValidationActions(admissionregistrationv1.Deny))
		if _, err := policies.ValidatingAdmissionPolicyBindings().Apply(ctx, binding, apply); err != nil {
			return fmt.Errorf("installing admission policy binding %s in cluster %s: %w", p.name, member.Name, err)
		}
	}
	return nil
}
