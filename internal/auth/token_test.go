package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a time that tests move on demand.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

var (
	testKey  = []byte("0123456789abcdef0123456789abcdef")
	otherKey = []byte("fedcba9876543210fedcba9876543210")
	start    = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
)

// forge writes a token by hand, independently of Issue: the raw JSON of header and payload,
// base64url without padding, HMAC-SHA256 with key.
func forge(key []byte, header, payload string) string {
	enc := base64.RawURLEncoding
	signed := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload))
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(signed))
	return signed + "." + enc.EncodeToString(mac.Sum(nil))
}

// claimsJSON is a valid payload for start, with changes applied to its fields.
func claimsJSON(change func(map[string]any)) string {
	claims := map[string]any{
		"iss": "kpanda", "sub": "alice", "groups": []string{"dev"},
		"iat": start.Unix(), "exp": start.Add(time.Hour).Unix(),
	}
	change(claims)
	b, err := json.Marshal(claims)
	if err != nil {
		panic(err)
	}
	return string(b)
}

const hs256Header = `{"alg":"HS256","typ":"JWT"}`

func TestTokenRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		id   Identity
		ttl  time.Duration
	}{
		{name: "user only", id: Identity{User: "admin"}, ttl: DefaultTokenTTL},
		{name: "user and groups", id: Identity{User: "alice", Groups: []string{"dev", "ops"}}, ttl: time.Minute},
		{name: "user name that JSON escapes", id: Identity{User: `a"<b>`}, ttl: time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &clock{now: start.Add(300 * time.Millisecond)}
			issuer := newTokenIssuer(testKey, c.Now)
			token, expiresAt, err := issuer.Issue(tt.id, tt.ttl)
			if err != nil {
				t.Fatalf("Issue: %v", err)
			}
			if want := start.Add(tt.ttl); !expiresAt.Equal(want) {
				t.Errorf("expiresAt = %s, want %s", expiresAt, want)
			}
			checkClaims(t, token, tt.id, start.Unix(), expiresAt.Unix())
			got, err := issuer.Verify(token)
			if err != nil || !reflect.DeepEqual(*got, tt.id) {
				t.Errorf("Verify = %+v, %v; want %+v", got, err, tt.id)
			}
		})
	}
}

// checkClaims decodes the payload of token by hand and compares it with what it must say.
func checkClaims(t *testing.T, token string, id Identity, iat, exp int64) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q has %d parts, want 3", token, len(parts))
	}
	header, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil || string(header) != hs256Header {
		t.Errorf("header = %s, %v; want %s", header, err, hs256Header)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("payload: %v", err)
	}
	var got map[string]any
	if err := json.Unmarshal(payload, &got); err != nil {
		t.Fatalf("payload %s: %v", payload, err)
	}
	groups := []any{}
	for _, g := range id.Groups {
		groups = append(groups, g)
	}
	want := map[string]any{"iss": "kpanda", "sub": id.User, "groups": groups, "iat": float64(iat), "exp": float64(exp)}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("claims = %v, want %v", got, want)
	}
}

func TestIssueRejectsBadInput(t *testing.T) {
	tests := []struct {
		name    string
		id      Identity
		ttl     time.Duration
		wantErr string
	}{
		{name: "no user", id: Identity{Groups: []string{"dev"}}, ttl: time.Hour, wantErr: "no user"},
		{name: "zero ttl", id: Identity{User: "alice"}, ttl: 0, wantErr: "ttl 0s is shorter than 1s"},
		{name: "negative ttl", id: Identity{User: "alice"}, ttl: -time.Second, wantErr: "ttl -1s"},
		{name: "less than a second", id: Identity{User: "alice"}, ttl: 999 * time.Millisecond, wantErr: "ttl 999ms"},
	}
	issuer := newTokenIssuer(testKey, time.Now)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, _, err := issuer.Issue(tt.id, tt.ttl)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || token != "" {
				t.Errorf("Issue(%+v, %s) = %q, %v; want an error containing %q", tt.id, tt.ttl, token, err, tt.wantErr)
			}
		})
	}
}

func TestTokenExpires(t *testing.T) {
	c := &clock{now: start}
	issuer := newTokenIssuer(testKey, c.Now)
	token, expiresAt, err := issuer.Issue(Identity{User: "alice"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		at      time.Time
		expired bool
	}{
		{name: "just issued", at: start},
		{name: "last moment", at: expiresAt.Add(-time.Nanosecond)},
		{name: "at expiry", at: expiresAt, expired: true},
		{name: "a day later", at: expiresAt.Add(24 * time.Hour), expired: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.now = tt.at
			id, err := issuer.Verify(token)
			if !tt.expired {
				if err != nil || id == nil || id.User != "alice" {
					t.Errorf("Verify at %s = %+v, %v; want alice", tt.at, id, err)
				}
				return
			}
			if !errors.Is(err, ErrTokenExpired) || errors.Is(err, ErrInvalidToken) || id != nil {
				t.Errorf("Verify at %s = %+v, %v; want %v only", tt.at, id, err, ErrTokenExpired)
			}
		})
	}
}

func TestVerifyRejectsForgedAndMalformedTokens(t *testing.T) {
	c := &clock{now: start}
	issuer := newTokenIssuer(testKey, c.Now)
	genuine, _, err := issuer.Issue(Identity{User: "alice", Groups: []string{"dev"}}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(genuine, ".")
	enc := base64.RawURLEncoding
	adminPayload := enc.EncodeToString([]byte(claimsJSON(func(c map[string]any) { c["sub"] = "admin" })))
	otherIssuer, _, err := newTokenIssuer(otherKey, c.Now).Issue(Identity{User: "alice"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	expiredAndAltered := forge(testKey, hs256Header, claimsJSON(func(c map[string]any) { c["exp"] = start.Unix() - 1 }))
	expiredAndAltered = strings.Replace(expiredAndAltered, ".", ".x", 1)

	tests := []struct {
		name    string
		token   string
		wantErr string // in the error, besides ErrInvalidToken
	}{
		{name: "empty", token: "", wantErr: "three parts"},
		{name: "two parts", token: parts[0] + "." + parts[1], wantErr: "three parts"},
		{name: "four parts", token: genuine + "." + parts[2], wantErr: "three parts"},
		{name: "not base64 signature", token: parts[0] + "." + parts[1] + ".!!!", wantErr: "signature"},
		{name: "padded signature", token: genuine + "=", wantErr: "signature"},
		{name: "no signature", token: parts[0] + "." + parts[1] + ".", wantErr: "signature does not match"},
		{name: "altered signature", token: parts[0] + "." + parts[1] + "." + flipFirst(parts[2]), wantErr: "signature does not match"},
		{name: "altered payload", token: parts[0] + "." + adminPayload + "." + parts[2], wantErr: "signature does not match"},
		{name: "altered header", token: enc.EncodeToString([]byte(`{"alg":"HS256"}`)) + "." + parts[1] + "." + parts[2], wantErr: "signature does not match"},
		{name: "another issuer's key", token: otherIssuer, wantErr: "signature does not match"},
		{name: "alg none, unsigned", token: unsigned(`{"alg":"none","typ":"JWT"}`, claimsJSON(func(map[string]any) {})), wantErr: "signature does not match"},
		{name: "alg none, signed with the right key", token: forge(testKey, `{"alg":"none"}`, claimsJSON(func(map[string]any) {})), wantErr: `alg is "none"`},
		{name: "alg HS512, signed with the right key", token: forge(testKey, `{"alg":"HS512"}`, claimsJSON(func(map[string]any) {})), wantErr: `alg is "HS512"`},
		{name: "no alg, signed with the right key", token: forge(testKey, `{"typ":"JWT"}`, claimsJSON(func(map[string]any) {})), wantErr: `alg is ""`},
		{name: "header not JSON, signed with the right key", token: forge(testKey, `HS256`, claimsJSON(func(map[string]any) {})), wantErr: "header"},
		{name: "payload not JSON, signed with the right key", token: forge(testKey, hs256Header, `{"sub":`), wantErr: "payload"},
		{name: "exp not a number, signed with the right key", token: forge(testKey, hs256Header, claimsJSON(func(c map[string]any) { c["exp"] = "tomorrow" })), wantErr: "payload"},
		{name: "another iss, signed with the right key", token: forge(testKey, hs256Header, claimsJSON(func(c map[string]any) { c["iss"] = "dex" })), wantErr: `iss is "dex"`},
		{name: "no sub, signed with the right key", token: forge(testKey, hs256Header, claimsJSON(func(c map[string]any) { delete(c, "sub") })), wantErr: "no sub"},
		{name: "no exp, signed with the right key", token: forge(testKey, hs256Header, claimsJSON(func(c map[string]any) { delete(c, "exp") })), wantErr: "no exp"},
		{name: "expired and altered", token: expiredAndAltered, wantErr: "signature does not match"},
		{name: "too long", token: strings.Repeat("a", maxTokenBytes) + "." + parts[1] + "." + parts[2], wantErr: "longer than"},
	}
	// Positive controls: a genuine token and one written by hand with the right key pass, so
	// every rejection below is for the reason its case names.
	for _, token := range []string{genuine, forge(testKey, hs256Header, claimsJSON(func(map[string]any) {}))} {
		if id, err := issuer.Verify(token); err != nil || id.User != "alice" {
			t.Fatalf("Verify(%s) = %+v, %v; want alice", token, id, err)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := issuer.Verify(tt.token)
			if !errors.Is(err, ErrInvalidToken) || errors.Is(err, ErrTokenExpired) || id != nil {
				t.Fatalf("Verify = %+v, %v; want %v", id, err, ErrInvalidToken)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not say %q", err, tt.wantErr)
			}
		})
	}
}

// flipFirst changes the first character of a base64url string to another valid one.
func flipFirst(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}

// unsigned is a token with an empty signature, as alg "none" has.
func unsigned(header, payload string) string {
	enc := base64.RawURLEncoding
	return fmt.Sprintf("%s.%s.", enc.EncodeToString([]byte(header)), enc.EncodeToString([]byte(payload)))
}

func TestTokenIssuersOnOneClusterShareTheirKey(t *testing.T) {
	client := globalClient(t)
	deleteSecret(t, client, "kpanda-token-signing-key")
	ctx := testContext(t)

	// Replicas that start at once must agree on one key.
	const replicas = 5
	issuers := make([]*TokenIssuer, replicas)
	errs := make([]error, replicas)
	var wg sync.WaitGroup
	for i := range replicas {
		wg.Go(func() { issuers[i], errs[i] = NewTokenIssuer(ctx, globalClient(t)) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("NewTokenIssuer: %v", err)
	}
	// A replica that starts later, as after a restart.
	later, err := NewTokenIssuer(ctx, client)
	if err != nil {
		t.Fatalf("NewTokenIssuer after the key exists: %v", err)
	}
	issuers = append(issuers, later)

	for i, from := range issuers {
		id := Identity{User: fmt.Sprintf("user-%d", i), Groups: []string{"dev"}}
		token, _, err := from.Issue(id, time.Minute)
		if err != nil {
			t.Fatalf("issuer %d: Issue: %v", i, err)
		}
		for j, to := range issuers {
			if got, err := to.Verify(token); err != nil || !reflect.DeepEqual(*got, id) {
				t.Errorf("issuer %d verifying a token of issuer %d = %+v, %v; want %+v", j, i, got, err, id)
			}
		}
	}

	key := getSecret(t, client, "kpanda-token-signing-key").Data["key"]
	if len(key) != 32 {
		t.Errorf("signing key has %d bytes, want 32", len(key))
	}
	if _, err := newTokenIssuer(key, time.Now).Verify(mustIssue(t, later)); err != nil {
		t.Errorf("the Secret's key does not verify the issuers' tokens: %v", err)
	}
}

func TestTokenIssuerRejectsAnotherKey(t *testing.T) {
	issuer, err := NewTokenIssuer(testContext(t), globalClient(t))
	if err != nil {
		t.Fatal(err)
	}
	other := newTokenIssuer(otherKey, time.Now)
	for _, tt := range []struct {
		name         string
		from, verify *TokenIssuer
	}{
		{name: "cluster key rejects another key's token", from: other, verify: issuer},
		{name: "another key rejects the cluster key's token", from: issuer, verify: other},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if id, err := tt.verify.Verify(mustIssue(t, tt.from)); !errors.Is(err, ErrInvalidToken) {
				t.Errorf("Verify = %+v, %v; want %v", id, err, ErrInvalidToken)
			}
		})
	}
}

func TestNewTokenIssuerRejectsShortKeyAndKeepsIt(t *testing.T) {
	client := globalClient(t)
	deleteSecret(t, client, "kpanda-token-signing-key")
	before := createSecret(t, client, "kpanda-token-signing-key", nil, map[string][]byte{"key": []byte("short")})

	issuer, err := NewTokenIssuer(testContext(t), client)
	if err == nil || !strings.Contains(err.Error(), "has 5 bytes, want at least 32") {
		t.Errorf("NewTokenIssuer with a 5-byte key = %v, %v; want an error about the key length", issuer, err)
	}
	if after := getSecret(t, client, "kpanda-token-signing-key"); after.ResourceVersion != before.ResourceVersion {
		t.Errorf("NewTokenIssuer changed the Secret instead of reporting it")
	}
}

func mustIssue(t *testing.T, issuer *TokenIssuer) string {
	t.Helper()
	token, _, err := issuer.Issue(Identity{User: "alice"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return token
}
