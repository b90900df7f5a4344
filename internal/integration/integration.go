// Package integration adds clusters to kpanda and takes them away: the checks of a request to
// integrate or detach, and the objects it writes to the global cluster. The cluster controller
// does the rest (settings, probing, cleaning the member up). The REST API and `kpanda dev` both
// come through here, so every path applies the same rules.
package integration

import (
	"context"
	"errors"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	clusterv1alpha1 "github.com/kpanda/kpanda/api/cluster/v1alpha1"
	"github.com/kpanda/kpanda/internal/clusters"
	clustercontroller "github.com/kpanda/kpanda/internal/controller/cluster"
)

// MaxAliasLength is the longest alias a cluster may have.
const MaxAliasLength = 60

// Request asks to integrate the cluster of Kubeconfig under Name.
type Request struct {
	Name       string `json:"name"`
	Alias      string `json:"alias,omitempty"`
	Kubeconfig string `json:"kubeconfig"`
}

// Service integrates and detaches clusters in the global cluster.
type Service struct {
	// Client reads and writes the global cluster; reads must be uncached so that a duplicate
	// integration is seen at once.
	Client client.Client
}

// Integrate checks req and the cluster it names, then records the cluster: a Cluster and its
// kubeconfig Secret. Every failure is an *Error naming the field and what to do, and leaves
// nothing behind.
func (s *Service) Integrate(ctx context.Context, req Request) (*clusterv1alpha1.Cluster, error) {
	if err := validateName(req.Name); err != nil {
		return nil, err
	}
	if len(req.Alias) > MaxAliasLength {
		return nil, invalid("alias", fmt.Sprintf("alias: at most %d characters, got %d", MaxAliasLength, len(req.Alias)))
	}
	if strings.TrimSpace(req.Kubeconfig) == "" {
		return nil, invalid("kubeconfig", "kubeconfig: empty; pass the contents of the cluster's kubeconfig file")
	}
	if err := s.refuseTakenName(ctx, req.Name); err != nil {
		return nil, err
	}
	facts, err := clusters.Verify(ctx, []byte(req.Kubeconfig))
	if err != nil {
		return nil, VerifyFailed(err)
	}
	if err := s.refuseDuplicate(ctx, facts.KubeSystemUID); err != nil {
		return nil, err
	}
	cluster := newCluster(req, facts.KubeSystemUID)
	if err := s.Client.Create(ctx, cluster); err != nil {
		if apierrors.IsAlreadyExists(err) { // integrated meanwhile by a concurrent request
			return nil, nameTaken(req.Name)
		}
		return nil, fmt.Errorf("creating cluster %s: %w", req.Name, err)
	}
	if err := s.Client.Create(ctx, newKubeconfigSecret(cluster, []byte(req.Kubeconfig))); err != nil {
		// Nothing may be left behind; the controller has not cleaned anything up yet, since
		// the cluster has no kubeconfig to reach it with.
		rollback := s.Client.Delete(ctx, cluster)
		return nil, errors.Join(fmt.Errorf("storing the kubeconfig of cluster %s: %w", req.Name, err), rollback)
	}
	return cluster, nil
}

func validateName(name string) error {
	if name == "" {
		return invalid("name", "name: required; a DNS-1123 label such as prod-east-1")
	}
	if problems := validation.IsDNS1123Label(name); len(problems) > 0 {
		return invalid("name", fmt.Sprintf("name: %q is not a valid cluster name: %s", name, strings.Join(problems, "; ")))
	}
	if name == clusterv1alpha1.GlobalClusterName {
		return &Error{Code: CodeAlreadyExists, Field: "name", Reason: "AlreadyExists",
			Message: "name: " + name + " is the global service cluster's own name; choose another name"}
	}
	return nil
}

// refuseTakenName answers before the slower checks of the kubeconfig when the name is taken;
// creating the Cluster still settles a race between two requests for one name.
func (s *Service) refuseTakenName(ctx context.Context, name string) error {
	err := s.Client.Get(ctx, client.ObjectKey{Name: name}, &clusterv1alpha1.Cluster{})
	if err == nil {
		return nameTaken(name)
	}
	if !apierrors.IsNotFound(err) {
		return fmt.Errorf("looking for cluster %s: %w", name, err)
	}
	return nil
}

func nameTaken(name string) *Error {
	return &Error{Code: CodeAlreadyExists, Field: "name", Reason: "AlreadyExists",
		Message: fmt.Sprintf("name: cluster %s already exists; choose another name or detach it first", name)}
}

// refuseDuplicate refuses a cluster that kpanda already manages under another name: two
// Clusters for one cluster would fight over its kpanda-system namespace.
func (s *Service) refuseDuplicate(ctx context.Context, kubeSystemUID string) error {
	var existing clusterv1alpha1.ClusterList
	if err := s.Client.List(ctx, &existing, client.MatchingLabels{clusterv1alpha1.KubeSystemIDLabel: kubeSystemUID}); err != nil {
		return fmt.Errorf("looking for clusters with kube-system UID %s: %w", kubeSystemUID, err)
	}
	if len(existing.Items) > 0 {
		name := existing.Items[0].Name
		return &Error{Code: CodeAlreadyExists, Field: "kubeconfig", Reason: "AlreadyIntegrated",
			Message: fmt.Sprintf("kubeconfig: this cluster (kube-system UID %s) is already integrated as %s; detach %s first to integrate it under another name", kubeSystemUID, name, name)}
	}
	return nil
}

func newCluster(req Request, kubeSystemUID string) *clusterv1alpha1.Cluster {
	return &clusterv1alpha1.Cluster{
		ObjectMeta: metav1.ObjectMeta{
			Name:   req.Name,
			Labels: map[string]string{clusterv1alpha1.KubeSystemIDLabel: kubeSystemUID},
		},
		Spec: clusterv1alpha1.ClusterSpec{Mode: clusterv1alpha1.ClusterModePush, Provider: clusterv1alpha1.ProviderGeneric, Alias: req.Alias},
	}
}

func newKubeconfigSecret(cluster *clusterv1alpha1.Cluster, kubeconfig []byte) *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{
			Namespace:       clusters.Namespace,
			Name:            clusters.SecretName(cluster.Name),
			OwnerReferences: []metav1.OwnerReference{*clustercontroller.OwnerReference(cluster)},
		},
		Type: corev1.SecretTypeOpaque,
		Data: map[string][]byte{clusters.KubeconfigKey: kubeconfig},
	}
}

// Detach starts detaching cluster name; confirm must repeat the name. The cluster controller
// then cleans the member up and removes the Cluster.
func (s *Service) Detach(ctx context.Context, name, confirm string) (*clusterv1alpha1.Cluster, error) {
	if confirm != name {
		return nil, invalid("confirm", fmt.Sprintf("confirm: type the cluster name again to detach it (confirm=%s), got %q", name, confirm))
	}
	if name == clusterv1alpha1.GlobalClusterName {
		return nil, &Error{Code: CodeFailedPrecondition, Field: "name", Reason: "GlobalCluster",
			Message: name + " is the global service cluster kpanda runs on; it can never be detached or uninstalled"}
	}
	var cluster clusterv1alpha1.Cluster
	if err := s.Client.Get(ctx, client.ObjectKey{Name: name}, &cluster); err != nil {
		return nil, notFoundOr(name, err)
	}
	if err := s.Client.Delete(ctx, &cluster); err != nil {
		return nil, notFoundOr(name, err)
	}
	// Removing from this moment, not from the controller's next look, so that whoever asked
	// sees their request taken.
	removing := cluster.DeepCopy()
	removing.Status.Phase = clusterv1alpha1.ClusterRemoving
	if err := s.Client.Status().Patch(ctx, removing, client.MergeFrom(&cluster)); err != nil && !apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("marking cluster %s Removing: %w", name, err)
	}
	return removing, nil
}

func notFoundOr(name string, err error) error {
	if apierrors.IsNotFound(err) {
		return &Error{Code: CodeNotFound, Field: "name", Reason: "NotFound",
			Message: fmt.Sprintf("cluster %s not found; kpanda cluster list shows the clusters", name)}
	}
	return fmt.Errorf("cluster %s: %w", name, err)
}

// RegisterGlobal makes the global service cluster manage itself as kpanda-global-cluster,
// reached with config (kpanda's own credentials). It is idempotent and refreshes the stored
// kubeconfig, so a rotated credential is picked up at the next start.
func (s *Service) RegisterGlobal(ctx context.Context, config *rest.Config) error {
	kubeconfig, err := clusters.KubeconfigFromRESTConfig(clusterv1alpha1.GlobalClusterName, config)
	if err != nil {
		return fmt.Errorf("kubeconfig of the global cluster: %w", err)
	}
	if err := s.EnsureNamespace(ctx); err != nil {
		return err
	}
	var kubeSystem corev1.Namespace
	if err := s.Client.Get(ctx, client.ObjectKey{Name: metav1.NamespaceSystem}, &kubeSystem); err != nil {
		return fmt.Errorf("reading kube-system of the global cluster: %w", err)
	}
	cluster := newCluster(Request{Name: clusterv1alpha1.GlobalClusterName}, string(kubeSystem.UID))
	if err := s.Client.Create(ctx, cluster); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("registering the global cluster: %w", err)
	}
	if err := s.Client.Get(ctx, client.ObjectKeyFromObject(cluster), cluster); err != nil {
		return fmt.Errorf("reading the global cluster: %w", err)
	}
	secret := newKubeconfigSecret(cluster, kubeconfig)
	if err := s.Client.Create(ctx, secret); apierrors.IsAlreadyExists(err) {
		err = s.Client.Update(ctx, secret)
		if err != nil {
			return fmt.Errorf("updating the kubeconfig of the global cluster: %w", err)
		}
	} else if err != nil {
		return fmt.Errorf("storing the kubeconfig of the global cluster: %w", err)
	}
	return nil
}

// EnsureNamespace creates kpanda-system in the global cluster, where the Secrets and settings
// of clusters live.
func (s *Service) EnsureNamespace(ctx context.Context) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: clusters.Namespace}}
	if err := s.Client.Create(ctx, ns); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating namespace %s in the global cluster: %w", clusters.Namespace, err)
	}
	return nil
}
