package apiclient

import (
	"context"
	"net/http"
)

// OIDCConfig is the answer of GET /login/oidc: the identity provider whose ID tokens the
// server accepts, and the client ID they must be issued for.
type OIDCConfig struct {
	Issuer   string `json:"issuer"`
	ClientID string `json:"clientID"`
}

// LoginOIDC exchanges an ID token of the server's OIDC provider for a kpanda token. Like
// Login, it needs no token, and its 401 means the ID token was refused (the message says why).
func (c *Client) LoginOIDC(ctx context.Context, idToken string) (*LoginResult, error) {
	out := &LoginResult{}
	body := map[string]string{"idToken": idToken}
	if err := c.do(ctx, request{method: http.MethodPost, path: "/login/oidc", body: body, out: out, anonymous: true}); err != nil {
		return nil, err
	}
	return out, nil
}

// GetOIDCConfig asks which OIDC provider the server trusts; a server without OIDC answers an
// *APIError with Status 404.
func (c *Client) GetOIDCConfig(ctx context.Context) (*OIDCConfig, error) {
	out := &OIDCConfig{}
	if err := c.do(ctx, request{method: http.MethodGet, path: "/login/oidc", out: out, anonymous: true}); err != nil {
		return nil, err
	}
	return out, nil
}
