package clusters

import (
	"net/http"

	"k8s.io/client-go/transport"
)

// UserPrefix is how kpanda users and groups are named in member clusters: user alice is
// kpanda:alice there, group ops is kpanda:ops. The prefix keeps them apart from the member's
// own users and groups.
const UserPrefix = "kpanda:"

// Impersonating returns a transport that sends requests to the member as user (a kpanda user
// name) with groups (kpanda group names): the member's apiserver decides what they may do, with
// the bindings kpanda compiled for them (DESIGN §3). kpanda's own credentials only authenticate
// the impersonation. It shares the member's connection pool.
func (m *Member) Impersonating(user string, groups []string) http.RoundTripper {
	impersonate := transport.ImpersonationConfig{UserName: UserPrefix + user}
	for _, group := range groups {
		impersonate.Groups = append(impersonate.Groups, UserPrefix+group)
	}
	return transport.NewImpersonatingRoundTripper(impersonate, m.http.Transport)
}
