package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// DefaultTokenTTL is how long a token from `kpanda login` is valid: a working day.
const DefaultTokenTTL = 12 * time.Hour

const (
	signingKeySecret = "kpanda-token-signing-key"
	signingKeyKey    = "key"
	signingKeyBytes  = 32 // the SHA-256 output size, the least RFC 7518 §3.2 allows for HS256

	tokenIssuer    = "kpanda"
	tokenAlgorithm = "HS256"
	// maxTokenBytes bounds the work done on garbage; real tokens are a few hundred bytes.
	maxTokenBytes = 64 << 10
)

// tokenEncoding is base64url without padding (RFC 7515). Decoding is strict so that a token has
// exactly one spelling.
var tokenEncoding = base64.RawURLEncoding.Strict()

// tokenHeader is the JOSE header of a token.
type tokenHeader struct {
	Alg string `json:"alg"`
	Typ string `json:"typ,omitempty"`
}

// tokenClaims is the payload of a token; times are Unix seconds.
type tokenClaims struct {
	Issuer   string   `json:"iss"`
	Subject  string   `json:"sub"`
	Groups   []string `json:"groups"`
	IssuedAt int64    `json:"iat"`
	Expiry   int64    `json:"exp"`
}

// TokenIssuer signs and verifies bearer tokens: JWTs signed with HMAC-SHA256 (HS256). They are
// written here rather than with a JWT library because kpanda only ever verifies its own tokens,
// with one algorithm, and the whole format is a few lines.
type TokenIssuer struct {
	key []byte
	now func() time.Time
}

// NewTokenIssuer returns a TokenIssuer whose key is Secret kpanda-system/kpanda-token-signing-key
// of the global cluster, creating the Secret with a random key if it does not exist. All
// replicas share the key, so each accepts the others' tokens, and tokens survive restarts.
// Several replicas may start at once: one creates the key and the others read it.
//
// The key is read once; replacing it takes effect when the apiservers restart, and invalidates
// all tokens issued before.
func NewTokenIssuer(ctx context.Context, c client.Client) (*TokenIssuer, error) {
	secret, _, err := getOrCreateSecret(ctx, c, signingKeySecret, newSigningKeySecret)
	if err != nil {
		return nil, fmt.Errorf("token signing key: %w", err)
	}
	key := secret.Data[signingKeyKey]
	if len(key) < signingKeyBytes {
		return nil, fmt.Errorf("token signing key: Secret %s/%s key %q has %d bytes, want at least %d (delete the Secret to generate a new key)",
			Namespace, signingKeySecret, signingKeyKey, len(key), signingKeyBytes)
	}
	return newTokenIssuer(key, time.Now), nil
}

// newTokenIssuer returns a TokenIssuer with the given key and clock; tests use it for other
// keys and for time that passes on demand.
func newTokenIssuer(key []byte, now func() time.Time) *TokenIssuer {
	return &TokenIssuer{key: slices.Clone(key), now: now}
}

// newSigningKeySecret returns a Secret with a new random signing key.
func newSigningKeySecret() (*corev1.Secret, error) {
	key := make([]byte, signingKeyBytes)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	return &corev1.Secret{
		Type: corev1.SecretTypeOpaque,
		Data: map[string][]byte{signingKeyKey: key},
	}, nil
}

// Issue returns a token for id that is valid for ttl, and when it expires. Tokens carry whole
// seconds, so ttl must be at least a second.
func (t *TokenIssuer) Issue(id Identity, ttl time.Duration) (token string, expiresAt time.Time, err error) {
	if id.User == "" {
		return "", time.Time{}, errors.New("issue token: identity has no user")
	}
	if ttl < time.Second {
		return "", time.Time{}, fmt.Errorf("issue token: ttl %s is shorter than 1s", ttl)
	}
	now := t.now()
	claims := tokenClaims{
		Issuer:   tokenIssuer,
		Subject:  id.User,
		Groups:   append([]string{}, id.Groups...), // [] rather than null when there are none
		IssuedAt: now.Unix(),
		Expiry:   now.Add(ttl).Unix(),
	}
	header, err := encodePart(tokenHeader{Alg: tokenAlgorithm, Typ: "JWT"})
	if err != nil {
		return "", time.Time{}, fmt.Errorf("issue token: %w", err)
	}
	payload, err := encodePart(claims)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("issue token: %w", err)
	}
	signed := header + "." + payload
	return signed + "." + tokenEncoding.EncodeToString(t.sign(signed)), time.Unix(claims.Expiry, 0), nil
}

// Verify returns the Identity a token was issued for. A token that is malformed, not signed with
// this issuer's key, or signed with another algorithm gives ErrInvalidToken; a genuine token
// past its expiry gives ErrTokenExpired. Both come wrapped with what was wrong.
func (t *TokenIssuer) Verify(token string) (*Identity, error) {
	signed, err := t.checkSignature(token)
	if err != nil {
		return nil, err
	}
	header, payload, _ := strings.Cut(signed, ".")
	// The signature covers the header, so only a token signed with our key gets here; checking
	// alg anyway refuses tokens that claim another algorithm, "none" above all.
	var h tokenHeader
	if err := decodePart(header, &h); err != nil {
		return nil, fmt.Errorf("%w: header: %w", ErrInvalidToken, err)
	}
	if h.Alg != tokenAlgorithm {
		return nil, fmt.Errorf("%w: alg is %q, want %q", ErrInvalidToken, h.Alg, tokenAlgorithm)
	}
	var c tokenClaims
	if err := decodePart(payload, &c); err != nil {
		return nil, fmt.Errorf("%w: payload: %w", ErrInvalidToken, err)
	}
	return t.identity(c)
}

// checkSignature splits token into the signed part and the signature and checks the signature,
// in constant time.
func (t *TokenIssuer) checkSignature(token string) (signed string, err error) {
	if len(token) > maxTokenBytes {
		return "", fmt.Errorf("%w: longer than %d bytes", ErrInvalidToken, maxTokenBytes)
	}
	if strings.Count(token, ".") != 2 {
		return "", fmt.Errorf("%w: not three parts separated by dots", ErrInvalidToken)
	}
	dot := strings.LastIndexByte(token, '.')
	signature, err := tokenEncoding.DecodeString(token[dot+1:])
	if err != nil {
		return "", fmt.Errorf("%w: signature: %w", ErrInvalidToken, err)
	}
	if !hmac.Equal(signature, t.sign(token[:dot])) {
		return "", fmt.Errorf("%w: signature does not match (signed with another key, or altered)", ErrInvalidToken)
	}
	return token[:dot], nil
}

// identity checks the claims of a genuine token and returns whom it was issued for.
func (t *TokenIssuer) identity(c tokenClaims) (*Identity, error) {
	switch {
	case c.Issuer != tokenIssuer:
		return nil, fmt.Errorf("%w: iss is %q, want %q", ErrInvalidToken, c.Issuer, tokenIssuer)
	case c.Subject == "":
		return nil, fmt.Errorf("%w: no sub", ErrInvalidToken)
	case c.Expiry == 0:
		return nil, fmt.Errorf("%w: no exp", ErrInvalidToken)
	}
	expiry := time.Unix(c.Expiry, 0)
	if !t.now().Before(expiry) {
		return nil, fmt.Errorf("%w at %s", ErrTokenExpired, expiry.UTC().Format(time.RFC3339))
	}
	id := &Identity{User: c.Subject}
	if len(c.Groups) > 0 {
		id.Groups = c.Groups
	}
	return id, nil
}

// sign returns the HMAC-SHA256 of the signed part of a token.
func (t *TokenIssuer) sign(signed string) []byte {
	mac := hmac.New(sha256.New, t.key)
	mac.Write([]byte(signed))
	return mac.Sum(nil)
}

// encodePart returns the base64url JSON of a header or payload.
func encodePart(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return tokenEncoding.EncodeToString(b), nil
}

// decodePart reads a base64url JSON header or payload into v.
func decodePart(part string, v any) error {
	b, err := tokenEncoding.DecodeString(part)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
