// Package auth authenticates the users of kpanda: it decides who a request comes from, not what
// that user may do (internal/authz and the member clusters' RBAC decide that).
//
// For now users are local. Each has a Secret kpanda-system/kpanda-user-<name> in the global
// service cluster, labelled iam.kpanda.io/user=<name>, that holds only the bcrypt hash of its
// password; Bootstrap creates the admin's on first start. An Authenticator turns a user name and
// password into an Identity, and a TokenIssuer turns an Identity into a short-lived signed bearer
// token. The token signing key lives in the global cluster as well, so every apiserver replica
// accepts every replica's tokens and tokens outlive restarts.
//
// iam.kpanda.io User objects, groups and OIDC come later; they will produce the same Identity.
package auth

import "errors"

// Identity is who a request comes from.
type Identity struct {
	// User is the user name; member clusters see it as kpanda:<User>.
	User string
	// Groups are the user's groups, nil when it has none; member clusters see kpanda:<group>.
	Groups []string
}

const (
	// Namespace is where auth Secrets live in the global service cluster.
	Namespace = "kpanda-system"
	// AdminUser is the user that Bootstrap creates.
	AdminUser = "admin"
)

// Errors that the HTTP layer answers with 401 Unauthorized, telling the user to run
// `kpanda login` again. The token errors come wrapped with what was wrong; ErrInvalidCredentials
// comes bare, so that it never tells which of name and password was wrong. Test with errors.Is.
var (
	// ErrInvalidCredentials is a login with an unknown user or a wrong password; the two are
	// deliberately indistinguishable.
	ErrInvalidCredentials = errors.New("invalid user name or password")
	// ErrInvalidToken is a bearer token that kpanda did not issue or that was altered.
	ErrInvalidToken = errors.New("invalid token")
	// ErrTokenExpired is a bearer token that kpanda issued and that is past its expiry.
	ErrTokenExpired = errors.New("token expired")
)
