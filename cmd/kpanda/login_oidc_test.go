package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kpanda/kpanda/internal/apiclient"
)

// fakeOIDCLogin is the server side of POST /login/oidc as the CLI sees it: it answers a token
// for the ID token "good" and the server's refusal for any other, and records what it got.
type fakeOIDCLogin struct {
	server *httptest.Server
	mu     sync.Mutex
	bodies []string
	auth   []string
}

func newFakeOIDCLogin(t *testing.T) *fakeOIDCLogin {
	t.Helper()
	f := &fakeOIDCLogin{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+apiclient.APIPrefix+"/login/oidc", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.bodies, f.auth = append(f.bodies, string(body)), append(f.auth, r.Header.Get("Authorization"))
		f.mu.Unlock()
		var in struct{ IDToken string }
		_ = json.Unmarshal(body, &in)
		if in.IDToken != "good" {
			writeError(w, http.StatusUnauthorized, map[string]any{"code": 16, "field": "idToken",
				"message": `ID token refused: wrong audience: issued for ["grafana"], not for kpanda's client ID "kpanda" (--oidc-client-id); request the token for client kpanda`})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"token": "oidc-token", "expiresAt": fakeExpiry.Format(time.RFC3339),
			"user": "gina@example.com", "groups": []string{"devs", "ops"}})
	})
	f.server = quietServer(mux, false)
	t.Cleanup(f.server.Close)
	return f
}

func TestLoginWithOIDCIDToken(t *testing.T) {
	f := newFakeOIDCLogin(t)
	path := useConfigAt(t)

	stdout, _, err := runKpanda(t, "  good\n", "login", "--server", f.server.URL, "--oidc-id-token-stdin")
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	want := "Logged in to " + f.server.URL + " as gina@example.com in groups devs, ops (token expires " + fakeExpiry.Local().Format(time.RFC3339) + ")\n"
	if stdout != want {
		t.Errorf("stdout = %q, want %q", stdout, want)
	}
	if len(f.bodies) != 1 || f.bodies[0] != `{"idToken":"good"}` || f.auth[0] != "" {
		t.Errorf("requests: bodies %q, Authorization %q; want one {\"idToken\":\"good\"} without a token", f.bodies, f.auth)
	}
	saved, err := apiclient.LoadConfig(path)
	if err != nil || saved != (apiclient.Config{Server: f.server.URL, Token: "oidc-token"}) {
		t.Errorf("saved configuration = %+v, %v", saved, err)
	}
}

func TestLoginWithOIDCRefusals(t *testing.T) {
	for _, tc := range []struct {
		name, stdin string
		args        []string
		wantErr     string
		wantCalls   int
	}{
		{"with --username", "good", []string{"--oidc-id-token-stdin", "--username", "admin"},
			"--oidc-id-token-stdin logs in as the user the ID token names: leave out --username and --password-stdin", 0},
		{"with --password-stdin", "good", []string{"--oidc-id-token-stdin", "--password-stdin"},
			"--oidc-id-token-stdin logs in as the user the ID token names: leave out --username and --password-stdin", 0},
		{"nothing on stdin", " \n", []string{"--oidc-id-token-stdin"},
			"the ID token read from stdin is empty: pipe the id_token your identity provider issued into --oidc-id-token-stdin", 0},
		{"too much on stdin", strings.Repeat("x", 64<<10+1), []string{"--oidc-id-token-stdin"},
			"stdin holds more than 65536 bytes: pipe only the ID token into --oidc-id-token-stdin", 0},
		{"refused by the server", "bad", []string{"--oidc-id-token-stdin"},
			`ID token refused: wrong audience: issued for ["grafana"], not for kpanda's client ID "kpanda" (--oidc-client-id); request the token for client kpanda`, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeOIDCLogin(t)
			path := useConfigAt(t)
			_, _, err := runKpanda(t, tc.stdin, append([]string{"login", "--server", f.server.URL}, tc.args...)...)
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("error = %v\nwant    %s", err, tc.wantErr)
			}
			if len(f.bodies) != tc.wantCalls {
				t.Errorf("the server received %d requests, want %d", len(f.bodies), tc.wantCalls)
			}
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Errorf("a failed login wrote %s (stat: %v)", path, err)
			}
		})
	}
}
