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

// requesterPolicy names the admission policy that keeps HelmRelease requesters honest.
const requesterPolicy = "kpanda-helm-requester"

// The policy's CEL. A release's operations run with the rights of the user its annotations name
// (DESIGN §4), so whoever creates a release or changes its spec may name only themselves and
// their own groups — or users and groups they may impersonate anyway, which gives them nothing
// new (cluster admins). Metadata-only updates that leave spec and requester alone (kpanda's
// finalizer, clearing a rollback request) pass.
const (
	requestedBy     = `has(object.metadata.annotations) && '` + helmv1alpha1.RequestedByAnnotation + `' in object.metadata.annotations ? object.metadata.annotations['` + helmv1alpha1.RequestedByAnnotation + `'] : ''`
	requestedGroups = `has(object.metadata.annotations) && '` + helmv1alpha1.RequestedGroupsAnnotation + `' in object.metadata.annotations ? object.metadata.annotations['` + helmv1alpha1.RequestedGroupsAnnotation + `'] : ''`
	oldRequestedBy  = `has(oldObject.metadata.annotations) && '` + helmv1alpha1.RequestedByAnnotation + `' in oldObject.metadata.annotations ? oldObject.metadata.annotations['` + helmv1alpha1.RequestedByAnnotation + `'] : ''`
	oldGroups       = `has(oldObject.metadata.annotations) && '` + helmv1alpha1.RequestedGroupsAnnotation + `' in oldObject.metadata.annotations ? oldObject.metadata.annotations['` + helmv1alpha1.RequestedGroupsAnnotation + `'] : ''`
	changed         = `oldObject == null || object.spec != oldObject.spec || variables.by != (` + oldRequestedBy + `) || variables.groups != (` + oldGroups + `)`
	mayBeUser       = `variables.by == '' || variables.by == request.userInfo.username || authorizer.group('').resource('users').name(variables.by).check('impersonate').allowed()`
	mayBeInGroups   = `variables.groups == '' || variables.groups.split(',').all(g, g in request.userInfo.groups || authorizer.group('').resource('groups').name(g).check('impersonate').allowed())`
	honest          = `!variables.changed || ((` + mayBeUser + `) && (` + mayBeInGroups + `))`
	dishonestReason = `'annotation ` + helmv1alpha1.RequestedByAnnotation + ` must be your own user name (' + request.userInfo.username + ') and ` + helmv1alpha1.RequestedGroupsAnnotation + ` only groups you are in: kpanda runs the release\'s Helm operations with these rights'`
)

// ensureRequesterPolicy installs the policy in member.
func ensureRequesterPolicy(ctx context.Context, member *clusters.Member) error {
	policy := admissionv1apply.ValidatingAdmissionPolicy(requesterPolicy).WithSpec(
		admissionv1apply.ValidatingAdmissionPolicySpec().
			WithFailurePolicy(admissionregistrationv1.Fail).
			WithMatchConstraints(admissionv1apply.MatchResources().WithResourceRules(
				admissionv1apply.NamedRuleWithOperations().
					WithOperations(admissionregistrationv1.Create, admissionregistrationv1.Update).
					WithAPIGroups(helmv1alpha1.GroupVersion.Group).
					WithAPIVersions("*").
					WithResources("helmreleases"))).
			WithVariables(
				admissionv1apply.Variable().WithName("by").WithExpression(requestedBy),
				admissionv1apply.Variable().WithName("groups").WithExpression(requestedGroups),
				admissionv1apply.Variable().WithName("changed").WithExpression(changed)).
			WithValidations(admissionv1apply.Validation().
				WithExpression(honest).
				WithMessageExpression(dishonestReason).
				WithReason(metav1.StatusReasonForbidden)))
	apply := metav1.ApplyOptions{FieldManager: "kpanda", Force: true}
	policies := member.Client.AdmissionregistrationV1()
	if _, err := policies.ValidatingAdmissionPolicies().Apply(ctx, policy, apply); err != nil {
		return fmt.Errorf("installing admission policy %s in cluster %s: %w", requesterPolicy, member.Name, err)
	}
	binding := admissionv1apply.ValidatingAdmissionPolicyBinding(requesterPolicy).WithSpec(
		admissionv1apply.ValidatingAdmissionPolicyBindingSpec().
			WithPolicyName(requesterPolicy).
			WithValidationActions(admissionregistrationv1.Deny))
	if _, err := policies.ValidatingAdmissionPolicyBindings().Apply(ctx, binding, apply); err != nil {
		return fmt.Errorf("installing admission policy binding %s in cluster %s: %w", requesterPolicy, member.Name, err)
	}
	return nil
}
