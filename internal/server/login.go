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

// LoginResponse carries the bearer token for every other endpoint.
type LoginResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expiresAt"`
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
	token, expiresAt, err := h.tokens.Issue(*identity, h.ttl)
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	rest.WriteJSON(w, http.StatusOK, LoginResponse{Token: token, ExpiresAt: expiresAt})
}
