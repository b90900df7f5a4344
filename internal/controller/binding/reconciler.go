// Package binding compiles kpanda's grants into RBAC bindings in every member cluster
// (DESIGN §3): RoleBindings and ClusterRoleBindings of the role templates for the subjects
// kpanda:<user> and kpanda:<group>. The member's own apiserver then enforces them, also for the
// requests kpanda sends on a user's behalf (impersonation).
package binding

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	clusterv1alpha1 "github.com/kpanda/kpanda/api/cluster/v1alpha1"
	iamv1alpha1 "github.com/kpanda/kpanda/api/iam/v1alpha1"
	"github.com/kpanda/kpanda/internal/authz"
	"github.com/kpanda/kpanda/internal/clusters"
)

const (
	// ManagedLabel marks the bindings this controller owns in members; it deletes those no
	// grant asks for any more, and never touches others.
	ManagedLabel = "iam.kpanda.io/managed"
	// SourcesAnnotation says which grants a binding comes from, for whoever reads the member.
	SourcesAnnotation = "iam.kpanda.io/sources"
)

// Reconciler keeps each member's kpanda bindings equal to what the grants compile to.
type Reconciler struct {
	Client  client.Client
	Members *clusters.Cache
	// Resync is how often a member is checked again even without a change, so bindings
	// edited or deleted inside it come back.
	Resync time.Duration

	// A grant wakes every member, but usually changes the bindings of few: the snapshot is
	// built once per change of the model, and a member whose desired bindings are what was
	// last applied is left alone until its next resync. This is what keeps a grant quick to
	// take effect with twenty members and thousands of grants.
	mu           sync.Mutex
	modelVersion uint64
	snapshot     *authz.Snapshot
	snapshotOf   uint64
	applied      map[string]appliedBindings
	building     sync.Mutex // one snapshot build at a time; the others wait and reuse it
}

// appliedBindings is what was last written to a member, and when it was last fully checked
// (listed and corrected). Between full checks, a change is applied as the difference to what
// was applied, without listing the member's bindings.
type appliedBindings struct {
	digest   string
	bindings map[string]authz.Binding // by namespace/name
	checked  time.Time
}

// SetupWithManager registers the reconciler: per Cluster, and for every Cluster when a grant,
// group or workspace changes.
func (r *Reconciler) SetupWithManager(mgr ctrl.Manager) error {
	allClusters := handler.EnqueueRequestsFromMapFunc(r.everyCluster)
	return ctrl.NewControllerManagedBy(mgr).
		Named("binding").
		For(&clusterv1alpha1.Cluster{}).
		Watches(&iamv1alpha1.RoleGrant{}, allClusters).
		Watches(&iamv1alpha1.Group{}, allClusters).
		Watches(&iamv1alpha1.Workspace{}, allClusters).
		// A grant touches every member at once; one slow member must not hold up the others.
		WithOptions(controller.Options{MaxConcurrentReconciles: 10}).
		Complete(r)
}

func (r *Reconciler) everyCluster(ctx context.Context, _ client.Object) []reconcile.Request {
	r.mu.Lock()
	r.modelVersion++
	r.mu.Unlock()
	var list clusterv1alpha1.ClusterList
	if err := r.Client.List(ctx, &list); err != nil {
		log.FromContext(ctx).Error(err, "Listing clusters to recompile bindings")
		return nil
	}
	requests := make([]reconcile.Request, 0, len(list.Items))
	for _, c := range list.Items {
		requests = append(requests, reconcile.Request{NamespacedName: client.ObjectKey{Name: c.Name}})
	}
	return requests
}

// Reconcile makes the member's kpanda bindings match the grants.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var cluster clusterv1alpha1.Cluster
	if err := r.Client.Get(ctx, req.NamespacedName, &cluster); err != nil {
		r.forget(req.Name)
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !cluster.DeletionTimestamp.IsZero() {
		return ctrl.Result{}, nil
	}
	snapshot, err := r.currentSnapshot(ctx, cluster.Name)
	if err != nil {
		return ctrl.Result{}, err
	}
	desired := snapshot.Bindings(cluster.Name)
	digest := digestOf(desired)
	last, fresh := r.lastApplied(cluster.Name)
	if fresh && last.digest == digest {
		return ctrl.Result{RequeueAfter: r.Resync}, nil
	}
	member, err := r.Members.Get(ctx, cluster.Name)
	if err != nil {
		// Reachability is the cluster controller's to report; try again later.
		return ctrl.Result{RequeueAfter: r.Resync}, nil //nolint:nilerr // reported by the cluster controller
	}
	checked := last.checked
	if fresh {
		err = applyDifference(ctx, member, last.bindings, desired)
	} else {
		err = syncMember(ctx, member, desired)
		checked = time.Now()
	}
	if err != nil {
		r.forget(cluster.Name) // check fully next time
		log.FromContext(ctx).Info("Bindings not in sync yet", "cluster", cluster.Name, "error", err.Error())
		return ctrl.Result{RequeueAfter: r.Resync}, nil
	}
	r.recordApplied(cluster.Name, appliedBindings{digest: digest, bindings: byKey(desired), checked: checked})
	return ctrl.Result{RequeueAfter: r.Resync}, nil
}

// applyDifference writes what changed between the bindings applied (or found) and desired.
// A binding in a namespace that does not exist yet is skipped and reported: the grant applies
// once the namespace exists, and the others are written meanwhile.
func applyDifference(ctx context.Context, member *clusters.Member, applied map[string]authz.Binding, desired []authz.Binding) error {
	wanted := byKey(desired)
	for key, b := range applied {
		if _, still := wanted[key]; !still {
			if err := deleteBinding(ctx, member, b); err != nil {
				return err
			}
		}
	}
	var missingNamespaces []string
	for key, b := range wanted {
		previous, existed := applied[key]
		if existed && digestOf([]authz.Binding{previous}) == digestOf([]authz.Binding{b}) {
			continue
		}
		if existed { // roleRef is immutable: replace the binding
			if err := deleteBinding(ctx, member, previous); err != nil {
				return err
			}
		}
		err := createBinding(ctx, member, b)
		switch {
		case apierrors.IsNotFound(err):
			missingNamespaces = append(missingNamespaces, b.Namespace)
		case err != nil && !apierrors.IsAlreadyExists(err):
			return fmt.Errorf("writing binding %s: %w", key, err)
		}
	}
	if len(missingNamespaces) > 0 {
		return fmt.Errorf("namespaces %s do not exist yet", strings.Join(missingNamespaces, ", "))
	}
	return nil
}

func createBinding(ctx context.Context, member *clusters.Member, b authz.Binding) error {
	if b.Namespace == "" {
		_, err := member.Client.RbacV1().ClusterRoleBindings().Create(ctx,
			&rbacv1.ClusterRoleBinding{ObjectMeta: objectMeta(b), RoleRef: roleRef(b), Subjects: []rbacv1.Subject{b.Subject}}, metav1.CreateOptions{})
		return err
	}
	_, err := member.Client.RbacV1().RoleBindings(b.Namespace).Create(ctx,
		&rbacv1.RoleBinding{ObjectMeta: objectMeta(b), RoleRef: roleRef(b), Subjects: []rbacv1.Subject{b.Subject}}, metav1.CreateOptions{})
	return err
}

func deleteBinding(ctx context.Context, member *clusters.Member, b authz.Binding) error {
	var err error
	if b.Namespace == "" {
		err = member.Client.RbacV1().ClusterRoleBindings().Delete(ctx, b.Name, metav1.DeleteOptions{})
	} else {
		err = member.Client.RbacV1().RoleBindings(b.Namespace).Delete(ctx, b.Name, metav1.DeleteOptions{})
	}
	if client.IgnoreNotFound(err) != nil {
		return fmt.Errorf("deleting binding %s/%s: %w", b.Namespace, b.Name, err)
	}
	return nil
}

func byKey(bindings []authz.Binding) map[string]authz.Binding {
	keyed := make(map[string]authz.Binding, len(bindings))
	for _, b := range bindings {
		keyed[b.Namespace+"/"+b.Name] = b
	}
	return keyed
}

// currentSnapshot returns the snapshot of the current model, building it only when a grant,
// group or workspace changed since, or when it does not know cluster yet (just integrated).
func (r *Reconciler) currentSnapshot(ctx context.Context, cluster string) (*authz.Snapshot, error) {
	r.mu.Lock()
	version, cached, cachedOf := r.modelVersion, r.snapshot, r.snapshotOf
	r.mu.Unlock()
	if cached != nil && cachedOf == version && cached.Integrated(cluster) {
		return cached, nil
	}
	r.building.Lock()
	defer r.building.Unlock()
	r.mu.Lock()
	version, cached, cachedOf = r.modelVersion, r.snapshot, r.snapshotOf
	r.mu.Unlock()
	if cached != nil && cachedOf == version && cached.Integrated(cluster) {
		return cached, nil // built by another reconcile meanwhile
	}
	snapshot, err := LoadSnapshot(ctx, r.Client)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	if r.modelVersion == version { // not superseded while loading
		r.snapshot, r.snapshotOf = snapshot, version
	}
	r.mu.Unlock()
	return snapshot, nil
}

// lastApplied returns what was applied to the member last, and whether that is recent enough
// (fully checked within Resync) to trust without reading the member.
func (r *Reconciler) lastApplied(cluster string) (appliedBindings, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	last, ok := r.applied[cluster]
	return last, ok && time.Since(last.checked) < r.Resync
}

func (r *Reconciler) recordApplied(cluster string, applied appliedBindings) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.applied == nil {
		r.applied = map[string]appliedBindings{}
	}
	r.applied[cluster] = applied
}

// digestOf identifies a set of desired bindings.
func digestOf(bindings []authz.Binding) string {
	hash := sha256.New()
	for _, b := range bindings {
		fmt.Fprintf(hash, "%s\x00%s\x00%s\x00%s\x00%s\x00%s\n", b.Namespace, b.Name, b.RoleTemplate, b.Subject.Kind, b.Subject.Name, strings.Join(b.Sources, ";"))
	}
	return hex.EncodeToString(hash.Sum(nil))
}

func (r *Reconciler) forget(cluster string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.applied, cluster)
}

// LoadSnapshot reads the access model from the global cluster.
func LoadSnapshot(ctx context.Context, c client.Reader) (*authz.Snapshot, error) {
	var (
		grants     iamv1alpha1.RoleGrantList
		groups     iamv1alpha1.GroupList
		workspaces iamv1alpha1.WorkspaceList
		list       clusterv1alpha1.ClusterList
	)
	for _, l := range []client.ObjectList{&grants, &groups, &workspaces, &list} {
		// The snapshot only reads the objects, so a cached reader need not copy thousands of
		// grants for it.
		if err := c.List(ctx, l, client.UnsafeDisableDeepCopy); err != nil {
			return nil, fmt.Errorf("reading the access model: %w", err)
		}
	}
	names := make([]string, 0, len(list.Items))
	for _, c := range list.Items {
		names = append(names, c.Name)
	}
	return authz.NewSnapshot(grants.Items, groups.Items, workspaces.Items, names), nil
}

// syncMember makes the member's managed bindings match desired, reading what is there: the
// full check of each resync, which also restores bindings edited or deleted in the member.
func syncMember(ctx context.Context, member *clusters.Member, desired []authz.Binding) error {
	found, err := managedBindings(ctx, member)
	if err != nil {
		return err
	}
	return applyDifference(ctx, member, found, desired)
}

var managedSelector = metav1.ListOptions{LabelSelector: ManagedLabel + "=true"}

// managedBindings reads the member's kpanda bindings back into the form they were written
// from; one edited in the member reads back different and is replaced.
func managedBindings(ctx context.Context, member *clusters.Member) (map[string]authz.Binding, error) {
	clusterBindings, err := member.Client.RbacV1().ClusterRoleBindings().List(ctx, managedSelector)
	if err != nil {
		return nil, fmt.Errorf("listing cluster role bindings: %w", err)
	}
	roleBindings, err := member.Client.RbacV1().RoleBindings(metav1.NamespaceAll).List(ctx, managedSelector)
	if err != nil {
		return nil, fmt.Errorf("listing role bindings: %w", err)
	}
	var found []authz.Binding
	for _, b := range clusterBindings.Items {
		found = append(found, readBack(b.ObjectMeta, b.RoleRef, b.Subjects))
	}
	for _, b := range roleBindings.Items {
		found = append(found, readBack(b.ObjectMeta, b.RoleRef, b.Subjects))
	}
	return byKey(found), nil
}

func readBack(meta metav1.ObjectMeta, ref rbacv1.RoleRef, subjects []rbacv1.Subject) authz.Binding {
	b := authz.Binding{Name: meta.Name, Namespace: meta.Namespace, RoleTemplate: ref.Name}
	if ref.Kind != "ClusterRole" || len(subjects) != 1 {
		b.RoleTemplate = "" // not a shape kpanda writes: never equal to a desired binding
		return b
	}
	b.Subject = subjects[0]
	if sources := meta.Annotations[SourcesAnnotation]; sources != "" {
		b.Sources = strings.Split(sources, "; ")
	}
	return b
}

func objectMeta(b authz.Binding) metav1.ObjectMeta {
	return metav1.ObjectMeta{
		Name:        b.Name,
		Namespace:   b.Namespace,
		Labels:      map[string]string{ManagedLabel: "true"},
		Annotations: map[string]string{SourcesAnnotation: strings.Join(b.Sources, "; ")},
	}
}

func roleRef(b authz.Binding) rbacv1.RoleRef {
	return rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: b.RoleTemplate}
}
