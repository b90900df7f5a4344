// Package caller is the way a REST handler acts in a member cluster as the calling user
// (DESIGN §3): it admits callers who see the cluster, finds the member, impersonates the caller
// with their groups and gives the member's 403 kpanda's RBAC error form. Handlers of member
// resources share it so that each does not rebuild these steps.
package caller

import (
	"errors"
	"fmt"
	"net/http"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kpanda/kpanda/internal/authz"
	"github.com/kpanda/kpanda/internal/clusters"
	"github.com/kpanda/kpanda/internal/controller/binding"
	"github.com/kpanda/kpanda/internal/server/proxy"
	"github.com/kpanda/kpanda/internal/server/rest"
)

// Call is one request's caller and the member cluster it addresses.
type Call struct {
	User    string
	Groups  []string
	Cluster string
	Member  *clusters.Member
	// snapshot is the access model the call was admitted with, the token's groups included.
	snapshot *authz.Snapshot
}

// New admits the caller of r to the cluster of its {cluster} path value: a caller who may not
// see the cluster gets the 404 of a cluster that does not exist, so that names do not leak.
func New(r *http.Request, global client.Reader, members *clusters.Cache) (*Call, error) {
	identity := rest.IdentityFrom(r.Context())
	cluster := r.PathValue("cluster")
	snapshot, err := binding.LoadSnapshot(r.Context(), global)
	if err != nil {
		return nil, err
	}
	// The groups of the token (an OIDC login) count as well as kpanda's own groups.
	snapshot = snapshot.WithGroups(identity.User, identity.Groups)
	if !snapshot.CanSee(identity.User, cluster) {
		return nil, rest.Errorf(rest.CodeNotFound, "cluster", fmt.Sprintf("cluster %s not found; GET /clusters lists the clusters you may see", cluster))
	}
	member, err := members.Get(r.Context(), cluster)
	if err != nil {
		return nil, rest.Errorf(rest.CodeUnavailable, "cluster", fmt.Sprintf("cluster %s cannot be reached through kpanda: %v", cluster, err))
	}
	return &Call{User: identity.User, Groups: snapshot.GroupsOf(identity.User), Cluster: cluster, Member: member, snapshot: snapshot}, nil
}

func (c *Call) httpClient() *http.Client {
	return &http.Client{Transport: c.Member.Impersonating(c.User, c.Groups)}
}

// Kubernetes is a typed client of the member acting as the caller.
func (c *Call) Kubernetes() (kubernetes.Interface, error) {
	cl, err := kubernetes.NewForConfigAndClient(c.Member.Config, c.httpClient())
	if err != nil {
		return nil, fmt.Errorf("client of cluster %s: %w", c.Cluster, err)
	}
	return cl, nil
}

// Dynamic is a dynamic client of the member acting as the caller.
func (c *Call) Dynamic() (dynamic.Interface, error) {
	cl, err := dynamic.NewForConfigAndClient(c.Member.Config, c.httpClient())
	if err != nil {
		return nil, fmt.Errorf("client of cluster %s: %w", c.Cluster, err)
	}
	return cl, nil
}

// MemberError gives a member's refusal kpanda's form: a 403 names the missing right as the
// proxy does; others pass as they are.
func (c *Call) MemberError(err error) error {
	var status apierrors.APIStatus
	if errors.As(err, &status) && status.Status().Code == http.StatusForbidden {
		return proxy.RBACError(c.User, c.Cluster, status.Status().Message)
	}
	return err
}

// VisibleNamespaces are the namespaces of c's cluster that kpanda's access model shows the
// caller; nil when they see all of them, or none.
func (c *Call) VisibleNamespaces() []string {
	for _, access := range c.snapshot.Visible(c.User) {
		if access.Cluster == c.Cluster {
			return access.Namespaces
		}
	}
	return nil
}
