package cluster

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/log"

	clusterv1alpha1 "github.com/kpanda/kpanda/api/cluster/v1alpha1"
	"github.com/kpanda/kpanda/internal/clusters"
)

const (
	// detachRetry is how often detach looks again at a member that is still cleaning up.
	detachRetry = 3 * time.Second
	// unreachableDetachGrace is how long detach waits for an unreachable member to come back
	// before it lets the Cluster go with the member's objects left in place: an integrated
	// cluster can always be detached, even one that is gone for good.
	unreachableDetachGrace = 2 * time.Minute
	// roleTemplateLabel marks the ClusterRoles kpanda keeps in every member (DESIGN §2).
	roleTemplateLabel = "iam.kpanda.io/role-template"
	// kpandaGroupSuffix is the API group suffix of kpanda's CRDs in members.
	kpandaGroupSuffix = ".kpanda.io"
)

var (
	crdResource        = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	apiServiceResource = schema.GroupVersionResource{Group: "apiregistration.k8s.io", Version: "v1", Resource: "apiservices"}
)

// detach removes what kpanda put in the member (its CRDs, role templates and namespace), then
// releases the Cluster; its Secret and setting ConfigMap follow through their owner reference.
// While the member's namespace is Terminating, condition Removed says what holds it (seed FAQ 15).
func (r *Reconciler) detach(ctx context.Context, cluster *clusterv1alpha1.Cluster) (ctrl.Result, error) {
	if !controllerutil.ContainsFinalizer(cluster, Finalizer) {
		return ctrl.Result{}, nil
	}
	if cluster.Name == clusterv1alpha1.GlobalClusterName {
		// Only reachable if the admission policy that refuses this deletion was removed:
		// cleaning "the member" would delete kpanda-system, kpanda's own store. Keep it.
		setCondition(cluster, clusterv1alpha1.ConditionRemoved, metav1.ConditionFalse, "GlobalCluster",
			"the global service cluster can never be detached; its Cluster stays, marked for deletion, and nothing was removed")
		return ctrl.Result{}, nil
	}
	cluster.Status.Phase = clusterv1alpha1.ClusterRemoving
	member, err := r.Members.Get(ctx, cluster.Name)
	if err == nil {
		var done bool
		done, err = cleanMember(ctx, member)
		if done {
			return ctrl.Result{}, r.release(ctx, cluster)
		}
	}
	if err != nil {
		if time.Since(cluster.DeletionTimestamp.Time) > unreachableDetachGrace {
			log.FromContext(ctx).Info("Detaching without cleaning the member", "cluster", cluster.Name, "error", err.Error())
			return ctrl.Result{}, r.release(ctx, cluster)
		}
		setCondition(cluster, clusterv1alpha1.ConditionRemoved, metav1.ConditionFalse, "MemberUnreachable", fmt.Sprintf(
			"cannot clean the cluster up (%v); detach goes on without cleaning it %s after it began", err, unreachableDetachGrace))
		return ctrl.Result{RequeueAfter: detachRetry}, nil
	}
	setCondition(cluster, clusterv1alpha1.ConditionRemoved, metav1.ConditionFalse, "NamespaceTerminating", explainTerminating(ctx, member))
	return ctrl.Result{RequeueAfter: detachRetry}, nil
}

// release removes the finalizer, letting the Cluster and what it owns be deleted.
func (r *Reconciler) release(ctx context.Context, cluster *clusterv1alpha1.Cluster) error {
	controllerutil.RemoveFinalizer(cluster, Finalizer)
	if err := r.Client.Update(ctx, cluster); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("removing finalizer: %w", err)
	}
	r.Members.Forget(cluster.Name)
	r.Settings.Forget(cluster.Name)
	return nil
}

// cleanMember deletes kpanda's objects in the member and reports whether they are all gone.
func cleanMember(ctx context.Context, member *clusters.Member) (bool, error) {
	if err := deleteKpandaCRDs(ctx, member); err != nil {
		return false, err
	}
	err := member.Client.RbacV1().ClusterRoles().DeleteCollection(ctx, metav1.DeleteOptions{},
		metav1.ListOptions{LabelSelector: roleTemplateLabel + "=true"})
	if err != nil {
		return false, fmt.Errorf("deleting role templates: %w", err)
	}
	err = member.Client.CoreV1().Namespaces().Delete(ctx, clusters.Namespace, metav1.DeleteOptions{})
	if apierrors.IsNotFound(err) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("deleting namespace %s: %w", clusters.Namespace, err)
	}
	return false, nil
}

func deleteKpandaCRDs(ctx context.Context, member *clusters.Member) error {
	crds, err := member.Metadata.Resource(crdResource).List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("listing CRDs: %w", err)
	}
	for _, crd := range crds.Items {
		if !strings.HasSuffix(crd.Name, kpandaGroupSuffix) {
			continue
		}
		err := member.Metadata.Resource(crdResource).Delete(ctx, crd.Name, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("deleting CRD %s: %w", crd.Name, err)
		}
	}
	return nil
}

// explainTerminating says why the member's kpanda-system namespace is still Terminating: the
// namespace's own conditions and, above all, unavailable APIServices, which block namespace
// deletion (seed FAQ 15) and which only the cluster's operator can fix.
func explainTerminating(ctx context.Context, member *clusters.Member) string {
	message := fmt.Sprintf("namespace %s in cluster %s is Terminating", clusters.Namespace, member.Name)
	if unavailable := unavailableAPIServices(ctx, member); len(unavailable) > 0 {
		return fmt.Sprintf("%s: blocked by unavailable APIService %s; fix it or delete it (kubectl get apiservices; kubectl delete apiservice NAME)",
			message, strings.Join(unavailable, ", "))
	}
	ns, err := member.Client.CoreV1().Namespaces().Get(ctx, clusters.Namespace, metav1.GetOptions{})
	if err != nil {
		return message
	}
	var causes []string
	for _, condition := range ns.Status.Conditions {
		if condition.Status == corev1.ConditionTrue {
			causes = append(causes, string(condition.Type)+": "+condition.Message)
		}
	}
	if len(causes) == 0 {
		return message + ": its contents are being deleted"
	}
	return message + ": " + strings.Join(causes, "; ")
}

// unavailableAPIServices names each APIService whose Available condition is not True, with
// its reason, e.g. "v1beta1.metrics.example.io (ServiceNotFound)".
func unavailableAPIServices(ctx context.Context, member *clusters.Member) []string {
	list, err := member.Dynamic.Resource(apiServiceResource).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil
	}
	var unavailable []string
	for _, item := range list.Items {
		if status, reason := availability(item); status != string(metav1.ConditionTrue) {
			unavailable = append(unavailable, fmt.Sprintf("%s (%s)", item.GetName(), reason))
		}
	}
	sort.Strings(unavailable)
	return unavailable
}

func availability(apiService unstructured.Unstructured) (status, reason string) {
	conditions, _, _ := unstructured.NestedSlice(apiService.Object, "status", "conditions")
	for _, c := range conditions {
		condition, _ := c.(map[string]any)
		if condition["type"] == "Available" {
			status, _ = condition["status"].(string)
			reason, _ = condition["reason"].(string)
			return status, reason
		}
	}
	return "Unknown", "NoStatus"
}
