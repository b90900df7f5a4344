package server

import (
	"errors"
	"net/http"
	"time"

	"github.com/kpanda/kpanda/internal/auth"
	"github.com/kpanda/kpanda/internal/server/rest"
)

// LoginRequest is the body of POST /login.
type LoginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// LoginResponse carries the bearer token for every other endpoint, and whom it was issued for.
type LoginResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expiresAt"`
	User      string    `json:"user"`
	// Groups are the groups the identity provider vouched for (OIDC); none for local users,
	// whose groups are kpanda Groups.
	Groups []string `json:"groups,omitempty"`
}

type loginHandler struct {
	authenticator *auth.Authenticator
	tokens        *auth.TokenIssuer
	ttl           time.Duration
}

func (h *loginHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req LoginRequest
	if err := rest.ReadJSON(r, &req); err != nil {
		rest.WriteError(w, err)
		return
	}
	identity, err := h.authenticator.Login(r.Context(), req.Username, req.Password)
	if errors.Is(err, auth.ErrInvalidCredentials) {
		rest.WriteError(w, rest.Errorf(rest.CodeUnauthenticated, "", "wrong username or password"))
		return
	}
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	issueToken(w, h.tokens, *identity, h.ttl)
}

// issueToken answers a successful login with a token for identity.
func issueToken(w http.ResponseWriter, tokens *auth.TokenIssuer, identity auth.Identity, ttl time.Duration) {
	token, expiresAt, err := tokens.Issue(identity, ttl)
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	rest.WriteJSON(w, http.StatusOK, LoginResponse{Token: token, ExpiresAt: expiresAt, User: identity.User, Groups: identity.Groups})
}

// OIDCLoginRequest is the body of POST /login/oidc.
type OIDCLoginRequest struct {
	IDToken string `json:"idToken"`
}

// OIDCConfig is the answer of GET /login/oidc: where to get an ID token that kpanda accepts.
type OIDCConfig struct {
	Issuer   string `json:"issuer"`
	ClientID string `json:"clientID"`
}

// oidcLoginHandler exchanges an ID token of the configured identity provider for a kpanda
// token: the same token as a local login's, with the provider's user name and groups in it.
type oidcLoginHandler struct {
	oidc          *auth.OIDC // nil: OIDC is not configured
	authenticator *auth.Authenticator
	tokens        *auth.TokenIssuer
	ttl           time.Duration
}

var errOIDCOff = rest.Errorf(rest.CodeNotFound, "",
	"OIDC login is not configured on this kpanda: start the apiserver with --oidc-issuer-url and --oidc-client-id, or log in with a username and password")

func (h *oidcLoginHandler) config(w http.ResponseWriter, _ *http.Request) {
	if h.oidc == nil {
		rest.WriteError(w, errOIDCOff)
		return
	}
	rest.WriteJSON(w, http.StatusOK, OIDCConfig{Issuer: h.oidc.Issuer(), ClientID: h.oidc.ClientID()})
}

func (h *oidcLoginHandler) login(w http.ResponseWriter, r *http.Request) {
	if h.oidc == nil {
		rest.WriteError(w, errOIDCOff)
		return
	}
	var req OIDCLoginRequest
	if err := rest.ReadJSON(r, &req); err != nil {
		rest.WriteError(w, err)
		return
	}
	if req.IDToken == "" {
		rest.WriteError(w, rest.Errorf(rest.CodeInvalidArgument, "idToken", "idToken: required: the ID token (a JWT) your identity provider issued for client "+h.oidc.ClientID()))
		return
	}
	ext, err := h.oidc.Verify(r.Context(), req.IDToken)
	if err != nil {
		rest.WriteError(w, oidcError(err))
		return
	}
	identity, err := h.authenticator.LoginOIDC(r.Context(), ext)
	if errors.Is(err, auth.ErrOtherSource) {
		err = rest.Errorf(rest.CodeUnauthenticated, "idToken", err.Error())
	}
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	issueToken(w, h.tokens, *identity, h.ttl)
}

// oidcError gives a refused token 401 and an unreachable provider 503, each with its message.
func oidcError(err error) error {
	switch {
	case errors.Is(err, auth.ErrInvalidIDToken):
		return rest.Errorf(rest.CodeUnauthenticated, "idToken", err.Error())
	case errors.Is(err, auth.ErrIssuerUnavailable):
		return rest.Errorf(rest.CodeUnavailable, "", err.Error()+"; try again, or check --oidc-issuer-url and --oidc-ca-file")
	}
	return err
}
