// Package auth authenticates the users of kpanda: it decides who a request comes from, not what
// that user may do (internal/authz and the member clusters' RBAC decide that).
//
// Every user is a cluster-scoped users.iam.kpanda.io User in the global service cluster
// (kubectl get users.iam.kpanda.io lists them): spec.source says how the user proves who they
// are, spec.disabled locks them out, status.lastLoginTime says when they last logged in. A user
// name that is not a valid object name (an e-mail address) is kept in the annotation
// iam.kpanda.io/username of an object named after its hash (UserObjectName).
//
//   - Local users have a password. Only its bcrypt hash is stored, in Secret
//     kpanda-system/kpanda-user-<name> (labelled iam.kpanda.io/user=<name>), owned by the User
//     so that deleting the User deletes it. Bootstrap creates the admin on first start and
//     adopts the user Secrets of an older kpanda that had no User objects.
//   - OIDC users log in with an ID token of the provider the apiserver trusts (--oidc-*
//     flags): OIDC verifies it (signature against the provider's JWKS, issuer, audience = the
//     client ID, expiry) and reads the user name and groups from the configured claims. Their
//     User is created at their first login, so that an admin can see and disable them. An OIDC
//     login never takes over a local user's name.
//
// Both end in an Identity, which a TokenIssuer turns into a short-lived signed bearer token.
// The token carries the groups an identity provider vouched for; authz counts them as it
// counts Group membership. The token signing key lives in the global cluster as well, so every
// apiserver replica accepts every replica's tokens and tokens outlive restarts. The apiserver
// asks CheckActive on every request, so a disabled or deleted user's token stops working at
// its next request.
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
