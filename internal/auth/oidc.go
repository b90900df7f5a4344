package auth

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	iamv1alpha1 "github.com/kpanda/kpanda/api/iam/v1alpha1"
)

// Defaults of the OIDC claims. The user name defaults to the e-mail address: every provider
// issues it, it is what people recognise in a grant, and unlike sub it is readable; as in
// Kubernetes, an e-mail the provider marks unverified is refused. Providers whose users have
// no e-mail use --oidc-username-claim (sub, preferred_username, ...).
const (
	DefaultOIDCUsernameClaim = "email"
	DefaultOIDCGroupsClaim   = "groups"
)

var (
	// ErrInvalidIDToken is an ID token that kpanda does not accept; it comes wrapped with what
	// was wrong and what to fix.
	ErrInvalidIDToken = errors.New("ID token refused")
	// ErrIssuerUnavailable is an identity provider whose discovery document or keys cannot be
	// fetched; the token may be fine.
	ErrIssuerUnavailable = errors.New("OIDC issuer unavailable")
)

// OIDCOptions configure login with an OpenID Connect identity provider (the apiserver's
// --oidc-* flags). An empty IssuerURL leaves OIDC off.
type OIDCOptions struct {
	IssuerURL     string
	ClientID      string
	UsernameClaim string
	GroupsClaim   string
	// CAFile is a PEM bundle that signed the issuer's certificate; empty: the system's roots.
	CAFile string
}

// OIDC verifies the ID tokens of one identity provider: signature against the provider's
// keys (JWKS, found through its discovery document), issuer, audience (the client ID) and
// expiry. The provider is discovered at the first login rather than at start, so that an
// apiserver starts (and local users log in) while the provider is down.
type OIDC struct {
	opts   OIDCOptions
	client *http.Client

	mu       sync.Mutex
	verifier *oidc.IDTokenVerifier
}

// NewOIDC checks opts and returns the verifier of their provider. Errors name the flag.
func NewOIDC(opts OIDCOptions) (*OIDC, error) {
	issuer, err := url.Parse(opts.IssuerURL)
	if err != nil || issuer.Scheme != "https" || issuer.Host == "" {
		return nil, fmt.Errorf("--oidc-issuer-url: %q is not an https URL (OIDC requires https)", opts.IssuerURL)
	}
	if opts.ClientID == "" {
		return nil, errors.New("--oidc-client-id is required with --oidc-issuer-url: the client ID kpanda is registered under at the provider, which ID tokens must be issued for")
	}
	if opts.UsernameClaim == "" {
		opts.UsernameClaim = DefaultOIDCUsernameClaim
	}
	if opts.GroupsClaim == "" {
		opts.GroupsClaim = DefaultOIDCGroupsClaim
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	if opts.CAFile != "" {
		pem, err := os.ReadFile(opts.CAFile)
		if err != nil {
			return nil, fmt.Errorf("--oidc-ca-file: %w", err)
		}
		roots := x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--oidc-ca-file %s: no PEM certificate in it", opts.CAFile)
		}
		transport.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	}
	return &OIDC{opts: opts, client: &http.Client{Transport: transport, Timeout: 30 * time.Second}}, nil
}

// Issuer is the issuer URL ID tokens must come from.
func (o *OIDC) Issuer() string { return o.opts.IssuerURL }

// ClientID is the audience ID tokens must be issued for.
func (o *OIDC) ClientID() string { return o.opts.ClientID }

// ExternalUser is a user an identity provider vouched for.
type ExternalUser struct {
	Identity
	Email       string
	DisplayName string
}

// idTokenClaims are the claims read before verification, only to say precisely what is wrong
// with a token; the verification itself is go-oidc's.
type idTokenClaims struct {
	Issuer   string          `json:"iss"`
	Audience json.RawMessage `json:"aud"`
	Expiry   int64           `json:"exp"`
}

// Verify checks rawIDToken and returns whom it was issued for: the user name from the
// username claim, the groups from the groups claim. Refusals are ErrInvalidIDToken wrapped
// with what to fix; ErrIssuerUnavailable means the provider could not be asked.
func (o *OIDC) Verify(ctx context.Context, rawIDToken string) (*ExternalUser, error) {
	if err := o.precheck(rawIDToken); err != nil {
		return nil, err
	}
	verifier, err := o.getVerifier(ctx)
	if err != nil {
		return nil, err
	}
	token, err := verifier.Verify(oidc.ClientContext(ctx, o.client), rawIDToken)
	var expired *oidc.TokenExpiredError
	switch {
	case errors.As(err, &expired):
		return nil, expiredError(expired.Expiry)
	case err != nil:
		return nil, fmt.Errorf("%w: %w (is it signed by %s with a key its JWKS lists?)", ErrInvalidIDToken, err, o.opts.IssuerURL)
	}
	var claims map[string]any
	if err := token.Claims(&claims); err != nil {
		return nil, fmt.Errorf("%w: claims: %w", ErrInvalidIDToken, err)
	}
	return o.externalUser(claims)
}

// precheck reads the unverified claims for the mistakes people make (a token from another
// provider, for another client, or an old one) and names them; it decides nothing the
// verification would not refuse too.
func (o *OIDC) precheck(rawIDToken string) error {
	parts := strings.Split(rawIDToken, ".")
	if len(parts) != 3 {
		return fmt.Errorf("%w: not a JWT (three base64url parts separated by dots): pass the id_token your provider returned, not the access token", ErrInvalidIDToken)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	var c idTokenClaims
	if err == nil {
		err = json.Unmarshal(payload, &c)
	}
	if err != nil {
		return fmt.Errorf("%w: payload is not base64url JSON: %w", ErrInvalidIDToken, err)
	}
	if c.Issuer != o.opts.IssuerURL {
		return fmt.Errorf("%w: issued by %q, an unknown issuer: kpanda trusts only %q (--oidc-issuer-url); log in at that provider", ErrInvalidIDToken, c.Issuer, o.opts.IssuerURL)
	}
	var audiences []string
	var one string
	if json.Unmarshal(c.Audience, &one) == nil {
		audiences = []string{one}
	} else {
		_ = json.Unmarshal(c.Audience, &audiences)
	}
	if !slices.Contains(audiences, o.opts.ClientID) {
		return fmt.Errorf("%w: wrong audience: issued for %q, not for kpanda's client ID %q (--oidc-client-id); request the token for client %s",
			ErrInvalidIDToken, audiences, o.opts.ClientID, o.opts.ClientID)
	}
	if c.Expiry != 0 && time.Now().After(time.Unix(c.Expiry, 0)) {
		return expiredError(time.Unix(c.Expiry, 0))
	}
	return nil
}

func expiredError(at time.Time) error {
	return fmt.Errorf("%w: expired at %s; get a new ID token from your identity provider and log in again", ErrInvalidIDToken, at.UTC().Format(time.RFC3339))
}

// getVerifier discovers the provider on first use and keeps the verifier once that worked.
func (o *OIDC) getVerifier(ctx context.Context) (*oidc.IDTokenVerifier, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.verifier != nil {
		return o.verifier, nil
	}
	provider, err := oidc.NewProvider(oidc.ClientContext(ctx, o.client), o.opts.IssuerURL)
	if err != nil {
		return nil, fmt.Errorf("%w: discovery at %s/.well-known/openid-configuration: %w", ErrIssuerUnavailable, strings.TrimSuffix(o.opts.IssuerURL, "/"), err)
	}
	o.verifier = provider.Verifier(&oidc.Config{ClientID: o.opts.ClientID})
	return o.verifier, nil
}

// externalUser reads the user name, groups, e-mail and name out of verified claims.
func (o *OIDC) externalUser(claims map[string]any) (*ExternalUser, error) {
	name, ok := claims[o.opts.UsernameClaim].(string)
	if !ok || name == "" {
		return nil, fmt.Errorf("%w: missing username claim: the token has no string claim %q (--oidc-username-claim); configure the provider to include it, or choose another claim",
			ErrInvalidIDToken, o.opts.UsernameClaim)
	}
	if o.opts.UsernameClaim == "email" {
		if verified, present := claims["email_verified"]; present && verified != true {
			return nil, fmt.Errorf("%w: e-mail %s is not verified (email_verified is %v): verify it at the provider, or choose another --oidc-username-claim", ErrInvalidIDToken, name, verified)
		}
	}
	if !validExternalUserName(name) {
		return nil, fmt.Errorf("%w: claim %q is not a usable user name: printable text of at most %d bytes", ErrInvalidIDToken, o.opts.UsernameClaim, maxUserNameBytes)
	}
	groups, err := stringsClaim(claims, o.opts.GroupsClaim)
	if err != nil {
		return nil, err
	}
	email, _ := claims["email"].(string)
	display, _ := claims["name"].(string)
	return &ExternalUser{Identity: Identity{User: name, Groups: groups}, Email: email, DisplayName: display}, nil
}

// stringsClaim reads a claim that is a string or a list of strings; an absent claim is none.
func stringsClaim(claims map[string]any, name string) ([]string, error) {
	switch v := claims[name].(type) {
	case nil:
		return nil, nil
	case string:
		return []string{v}, nil
	case []any:
		out := make([]string, 0, len(v))
		for _, item := range v {
			s, ok := item.(string)
			if !ok {
				return nil, fmt.Errorf("%w: groups claim %q holds %v, which is not a string (--oidc-groups-claim)", ErrInvalidIDToken, name, item)
			}
			if s != "" && !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
		if len(out) == 0 {
			return nil, nil
		}
		return out, nil
	default:
		return nil, fmt.Errorf("%w: groups claim %q is neither a string nor a list of strings (--oidc-groups-claim)", ErrInvalidIDToken, name)
	}
}

// LoginOIDC admits a user the identity provider vouched for. The first login creates the
// user's User (source OIDC), so that an admin can see and disable it; a disabled user is
// refused. A name that belongs to a local user is refused too: a provider must never take
// over a local account such as admin.
func (a *Authenticator) LoginOIDC(ctx context.Context, ext *ExternalUser) (*Identity, error) {
	u, err := a.firstOrNextLogin(ctx, ext)
	if err != nil {
		return nil, err
	}
	if u.Spec.Source != iamv1alpha1.UserSourceOIDC {
		return nil, fmt.Errorf("user %s: %w: it is a %s user, and an OIDC login cannot take it over; log in with its password, or have the provider send another name", ext.User, ErrOtherSource, u.Spec.Source)
	}
	if err := checkEnabled(u, ext.User); err != nil {
		return nil, err
	}
	if err := a.recordLogin(ctx, u, ext.Groups); err != nil {
		return nil, err
	}
	id := ext.Identity
	return &id, nil
}

// firstOrNextLogin returns the User of ext, creating it at the first login.
func (a *Authenticator) firstOrNextLogin(ctx context.Context, ext *ExternalUser) (*iamv1alpha1.User, error) {
	u, err := getUser(ctx, a.client, ext.User)
	if err != nil || u != nil {
		return u, err
	}
	u = newUser(ext.User, iamv1alpha1.UserSourceOIDC)
	u.Spec.Email, u.Spec.DisplayName = ext.Email, ext.DisplayName
	err = a.client.Create(ctx, u)
	if apierrors.IsAlreadyExists(err) {
		return existingAfterConflict(ctx, a.client, ext.User)
	}
	if err != nil {
		return nil, fmt.Errorf("creating User %s: %w", ext.User, err)
	}
	return u, nil
}
