package integration

import (
	"context"
	"fmt"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	admissionv1apply "k8s.io/client-go/applyconfigurations/admissionregistration/v1"
	"k8s.io/client-go/kubernetes"

	clusterv1alpha1 "github.com/kpanda/kpanda/api/cluster/v1alpha1"
)

// globalProtectionPolicy names the admission policy that keeps the global cluster's Cluster.
const globalProtectionPolicy = "kpanda-global-cluster-protection"

// globalProtectionMessage is what anyone deleting the global cluster's Cluster is told.
const globalProtectionMessage = clusterv1alpha1.GlobalClusterName + " is the global service cluster kpanda runs on; it can never be detached or uninstalled"

// ProtectGlobal installs a ValidatingAdmissionPolicy in the global cluster that refuses to
// delete the Cluster kpanda-global-cluster, whoever asks and however (kubectl delete,
// deletecollection): the REST API's refusal alone would leave kubectl as a way to detach kpanda
// from its own store.
func ProtectGlobal(ctx context.Context, client kubernetes.Interface) error {
	policy := admissionv1apply.ValidatingAdmissionPolicy(globalProtectionPolicy).WithSpec(
		admissionv1apply.ValidatingAdmissionPolicySpec().
			WithFailurePolicy(admissionregistrationv1.Fail).
			WithMatchConstraints(admissionv1apply.MatchResources().WithResourceRules(
				admissionv1apply.NamedRuleWithOperations().
					WithOperations(admissionregistrationv1.Delete).
					WithAPIGroups(clusterv1alpha1.GroupVersion.Group).
					WithAPIVersions("*").
					WithResources("clusters"))).
			WithValidations(admissionv1apply.Validation().
				WithExpression(fmt.Sprintf("oldObject.metadata.name != '%s'", clusterv1alpha1.GlobalClusterName)).
				WithMessage(globalProtectionMessage)))
	apply := metav1.ApplyOptions{FieldManager: "kpanda", Force: true}
	if _, err := client.AdmissionregistrationV1().ValidatingAdmissionPolicies().Apply(ctx, policy, apply); err != nil {
		return fmt.Errorf("installing admission policy %s: %w", globalProtectionPolicy, err)
	}
	binding := admissionv1apply.ValidatingAdmissionPolicyBinding(globalProtectionPolicy).WithSpec(
		admissionv1apply.ValidatingAdmissionPolicyBindingSpec().
			WithPolicyName(globalProtectionPolicy).
			WithValidationActions(admissionregistrationv1.Deny))
	if _, err := client.AdmissionregistrationV1().ValidatingAdmissionPolicyBindings().Apply(ctx, binding, apply); err != nil {
		return fmt.Errorf("installing admission policy binding %s: %w", globalProtectionPolicy, err)
	}
	return nil
}
