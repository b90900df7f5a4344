// Package roletemplate keeps kpanda's role templates (DESIGN §2) in every member cluster,
// the global cluster included: the ClusterRoles that cluster and namespace roles are bound to,
// with the extra rules the global cluster's labelled ClusterRoles add or remove. An edit made
// inside a member is reverted within one resync period.
package roletemplate

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	clusterv1alpha1 "github.com/kpanda/kpanda/api/cluster/v1alpha1"
	"github.com/kpanda/kpanda/internal/authz"
	"github.com/kpanda/kpanda/internal/clusters"
)

const (
	// DefaultResync is how often a member's templates are checked when Resync is not set.
	DefaultResync = 10 * time.Second
	// memberTimeout bounds the calls to one member, so a hanging member holds a worker for
	// seconds, not forever.
	memberTimeout = 8 * time.Second
	// maxConcurrentReconciles lets one slow member not hold back the templates of the others.
	maxConcurrentReconciles = 10
	// fieldOwner names kpanda as the writer of the templates in the members' managedFields.
	fieldOwner = "kpanda"
)

// Reconciler writes the role templates into the member cluster of each Cluster.
type Reconciler struct {
	// Client reads the global cluster: Clusters and the ClusterRoles with extra rules.
	Client client.Client
	// Members reaches member clusters.
	Members *clusters.Cache
	// Resync is how often each member is checked again without any event; an edit made inside
	// a member lasts at most this long. Zero means DefaultResync.
	Resync time.Duration
}

// SetupWithManager registers the reconciler under the name "roletemplate": Clusters, and the
// global cluster's ClusterRoles with an extra-rules label, any change of which concerns every
// member.
func (r *Reconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		Named("roletemplate").
		For(&clusterv1alpha1.Cluster{}, builder.WithPredicates(specOrPhaseChanged())).
		Watches(&rbacv1.ClusterRole{}, handler.EnqueueRequestsFromMapFunc(r.allClusters),
			builder.WithPredicates(extraRulesLabelled())).
		WithOptions(controller.Options{MaxConcurrentReconciles: maxConcurrentReconciles}).
		Complete(r)
}

// specOrPhaseChanged ignores the status writes the cluster controller makes at every probe:
// the periodic resync covers those; a new phase (a member turning Running) is acted on at once.
func specOrPhaseChanged() predicate.Predicate {
	return predicate.Funcs{UpdateFunc: func(e event.UpdateEvent) bool {
		before, okBefore := e.ObjectOld.(*clusterv1alpha1.Cluster)
		after, okAfter := e.ObjectNew.(*clusterv1alpha1.Cluster)
		if !okBefore || !okAfter {
			return true
		}
		return before.Generation != after.Generation || before.Status.Phase != after.Status.Phase ||
			!before.DeletionTimestamp.Equal(after.DeletionTimestamp)
	}}
}

// extraRulesLabelled passes events of ClusterRoles that carry, or carried until this update, an
// extra-rules label: losing the label must take the rules out of the templates.
func extraRulesLabelled() predicate.Predicate {
	return predicate.Funcs{
		CreateFunc:  func(e event.CreateEvent) bool { return authz.HasExtraRulesLabel(e.Object.GetLabels()) },
		DeleteFunc:  func(e event.DeleteEvent) bool { return authz.HasExtraRulesLabel(e.Object.GetLabels()) },
		GenericFunc: func(e event.GenericEvent) bool { return authz.HasExtraRulesLabel(e.Object.GetLabels()) },
		UpdateFunc: func(e event.UpdateEvent) bool {
			return authz.HasExtraRulesLabel(e.ObjectOld.GetLabels()) || authz.HasExtraRulesLabel(e.ObjectNew.GetLabels())
		},
	}
}

// allClusters enqueues every Cluster.
func (r *Reconciler) allClusters(ctx context.Context, _ client.Object) []reconcile.Request {
	var list clusterv1alpha1.ClusterList
	if err := r.Client.List(ctx, &list); err != nil {
		log.FromContext(ctx).Error(err, "Listing clusters to update their role templates")
		return nil
	}
	requests := make([]reconcile.Request, 0, len(list.Items))
	for _, cluster := range list.Items {
		requests = append(requests, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&cluster)})
	}
	return requests
}

// Reconcile makes the templates of one member equal to the desired ones.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var cluster clusterv1alpha1.Cluster
	if err := r.Client.Get(ctx, req.NamespacedName, &cluster); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !cluster.DeletionTimestamp.IsZero() {
		return ctrl.Result{}, nil // detach removes the templates from the member
	}
	requeue := ctrl.Result{RequeueAfter: r.resync()}
	desired, err := r.desired(ctx)
	if err != nil {
		return ctrl.Result{}, err
	}
	member, err := r.Members.Get(ctx, cluster.Name)
	if err != nil {
		// No kubeconfig yet, or a broken one: the cluster controller reports it in the
		// Cluster's status; look again later.
		log.FromContext(ctx).V(1).Info("Cluster not reachable for role templates", "cluster", cluster.Name, "error", err.Error())
		return requeue, nil
	}
	memberCtx, cancel := context.WithTimeout(ctx, memberTimeout)
	defer cancel()
	if err := ensureTemplates(memberCtx, member, desired); err != nil {
		if isUnreachable(err) {
			log.FromContext(ctx).V(1).Info("Cluster not reachable for role templates", "cluster", cluster.Name, "error", err.Error())
			return requeue, nil
		}
		return ctrl.Result{}, fmt.Errorf("role templates in cluster %s: %w", cluster.Name, err)
	}
	return requeue, nil
}

func (r *Reconciler) resync() time.Duration {
	if r.Resync > 0 {
		return r.Resync
	}
	return DefaultResync
}

// desired computes the templates with the extra rules of the global cluster. A label selector
// cannot match a key prefix, so every ClusterRole is read from the cache and filtered here.
func (r *Reconciler) desired(ctx context.Context) ([]rbacv1.ClusterRole, error) {
	var all rbacv1.ClusterRoleList
	if err := r.Client.List(ctx, &all); err != nil {
		return nil, fmt.Errorf("listing ClusterRoles of the global cluster: %w", err)
	}
	var extra []rbacv1.ClusterRole
	for _, role := range all.Items {
		if authz.HasExtraRulesLabel(role.Labels) {
			extra = append(extra, role)
		}
	}
	return authz.WithExtraRules(authz.RoleTemplates(), extra), nil
}

// isUnreachable tells a member that did not answer from one that answered with a refusal: only
// the latter is this controller's error to report and retry with back-off.
func isUnreachable(err error) bool {
	var status apierrors.APIStatus
	return !errors.As(err, &status) || apierrors.IsServerTimeout(err) || apierrors.IsTimeout(err) ||
		apierrors.IsServiceUnavailable(err)
}

// ensureTemplates creates or updates each desired template in the member. The templates are
// read with one List by their label; one whose label was edited away is found through the
// conflict its creation meets.
func ensureTemplates(ctx context.Context, member *clusters.Member, desired []rbacv1.ClusterRole) error {
	roles := member.Client.RbacV1().ClusterRoles()
	list, err := roles.List(ctx, metav1.ListOptions{LabelSelector: labels.Set{authz.RoleTemplateLabel: "true"}.String()})
	if err != nil {
		return fmt.Errorf("listing role templates: %w", err)
	}
	existing := make(map[string]*rbacv1.ClusterRole, len(list.Items))
	for i := range list.Items {
		existing[list.Items[i].Name] = &list.Items[i]
	}
	var errs []error
	for i := range desired {
		if err := ensureTemplate(ctx, member, existing[desired[i].Name], &desired[i]); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func ensureTemplate(ctx context.Context, member *clusters.Member, current, want *rbacv1.ClusterRole) error {
	roles := member.Client.RbacV1().ClusterRoles()
	if current == nil {
		_, err := roles.Create(ctx, want, metav1.CreateOptions{FieldManager: fieldOwner})
		if !apierrors.IsAlreadyExists(err) {
			if err != nil {
				return fmt.Errorf("creating ClusterRole %s: %w", want.Name, err)
			}
			log.FromContext(ctx).V(1).Info("Created role template", "cluster", member.Name, "name", want.Name)
			return nil
		}
		if current, err = roles.Get(ctx, want.Name, metav1.GetOptions{}); err != nil {
			return fmt.Errorf("reading ClusterRole %s: %w", want.Name, err)
		}
	}
	updated, changed := reverted(current, want)
	if !changed {
		return nil
	}
	if _, err := roles.Update(ctx, updated, metav1.UpdateOptions{FieldManager: fieldOwner}); err != nil {
		return fmt.Errorf("updating ClusterRole %s: %w", want.Name, err)
	}
	log.FromContext(ctx).Info("Reverted role template to its desired rules", "cluster", member.Name, "name", want.Name)
	return nil
}

// reverted returns current with want's rules and labels, and whether that changes anything.
// Labels others added are kept, as kube-apiserver's own reconciliation of its bootstrap roles
// does; an aggregation rule is removed, since the aggregation controller would overwrite the
// rules with it.
func reverted(current, want *rbacv1.ClusterRole) (*rbacv1.ClusterRole, bool) {
	updated := current.DeepCopy()
	updated.Rules = want.Rules
	updated.AggregationRule = nil
	if updated.Labels == nil {
		updated.Labels = map[string]string{}
	}
	maps.Copy(updated.Labels, want.Labels)
	changed := !equality.Semantic.DeepEqual(current.Rules, updated.Rules) ||
		!equality.Semantic.DeepEqual(current.Labels, updated.Labels) ||
		current.AggregationRule != nil
	return updated, changed
}
