// Package oidctest is an OpenID Connect identity provider for tests: it serves a discovery
// document and a JWKS over HTTPS from the test process and mints RS256 ID tokens, so that
// kpanda's OIDC login is tested against real discovery, real keys and real TLS.
package oidctest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// ClientID is the client ID the tokens of Token are issued for by default.
const ClientID = "kpanda"

// Issuer is a running test identity provider.
type Issuer struct {
	// URL is the issuer URL (https://127.0.0.1:PORT), the iss of its tokens.
	URL string
	// CAFile is a PEM file of the CA of its TLS certificate, for --oidc-ca-file.
	CAFile string

	server *httptest.Server
	key    *rsa.PrivateKey
}

const keyID = "test-key-1"

// Start starts an issuer and writes its CA file into dir. Close stops it.
func Start(dir string) (*Issuer, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("generating the signing key: %w", err)
	}
	i := &Issuer{key: key}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", i.discovery)
	mux.HandleFunc("GET /keys", i.keys)
	i.server = httptest.NewTLSServer(mux)
	i.URL = i.server.URL
	i.CAFile = filepath.Join(dir, "oidc-ca.pem")
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: i.server.Certificate().Raw})
	if err := os.WriteFile(i.CAFile, caPEM, 0o600); err != nil {
		i.server.Close()
		return nil, fmt.Errorf("writing the CA file: %w", err)
	}
	return i, nil
}

// Close stops the issuer.
func (i *Issuer) Close() { i.server.Close() }

func (i *Issuer) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, map[string]any{
		"issuer":                                i.URL,
		"jwks_uri":                              i.URL + "/keys",
		"authorization_endpoint":                i.URL + "/auth",
		"token_endpoint":                        i.URL + "/token",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
	})
}

func (i *Issuer) keys(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &i.key.PublicKey, KeyID: keyID, Algorithm: string(jose.RS256), Use: "sig"}}})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// Claims returns the claims of a valid ID token of this issuer for ClientID, valid for an
// hour, for email (also the sub) in groups; change them before Token for bad tokens.
func (i *Issuer) Claims(email string, groups ...string) map[string]any {
	now := time.Now()
	claims := map[string]any{
		"iss": i.URL, "aud": ClientID, "sub": "sub-" + email,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		"email": email, "email_verified": true, "name": "Test " + email,
	}
	if groups != nil {
		claims["groups"] = groups
	}
	return claims
}

// Token signs claims with the issuer's key (RS256) into a compact JWT.
func (i *Issuer) Token(claims map[string]any) (string, error) {
	return sign(i.key, claims)
}

// ForgedToken signs claims with a key the issuer never published, as an attacker would.
func (i *Issuer) ForgedToken(claims map[string]any) (string, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", err
	}
	return sign(key, claims)
}

func sign(key *rsa.PrivateKey, claims map[string]any) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", keyID))
	if err != nil {
		return "", fmt.Errorf("signer: %w", err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("signing: %w", err)
	}
	return jws.CompactSerialize()
}
