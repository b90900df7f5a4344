package main

import (
	"encoding/json"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kpanda/kpanda/internal/apiclient"
)

// useConfigAt points the CLI at a configuration file in a fresh directory, not yet written.
func useConfigAt(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kpanda", "config.json")
	t.Setenv(apiclient.ConfigEnv, path)
	return path
}

func TestLoginSavesTheToken(t *testing.T) {
	f := newFakeAPI(t)
	path := useConfigAt(t)

	stdout, _, err := runKpanda(t, fakePassword+"\n", "login", "--server", f.server.URL+"/", "--username", "admin", "--password-stdin")
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	want := "Logged in to " + f.server.URL + " as admin (token expires " + fakeExpiry.Local().Format(time.RFC3339) + ")\n"
	if stdout != want {
		t.Errorf("stdout = %q, want %q", stdout, want)
	}
	req := f.only(t)
	if req.Auth != "" {
		t.Errorf("login sent Authorization %q, want none", req.Auth)
	}
	var body map[string]string
	if err := json.Unmarshal([]byte(req.Body), &body); err != nil || body["username"] != "admin" || body["password"] != fakePassword {
		t.Errorf("login body = %s, want the username and the password without its newline", req.Body)
	}
	saved, err := apiclient.LoadConfig(path)
	if err != nil {
		t.Fatalf("reading the saved configuration: %v", err)
	}
	if saved != (apiclient.Config{Server: f.server.URL, Token: fakeToken}) {
		t.Errorf("saved configuration = %+v", saved)
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("configuration file mode = %v (%v), want 0600", info.Mode(), err)
	}

	// Logging in again needs no --server: the saved one is used.
	if _, _, err := runKpanda(t, fakePassword, "login", "--username", "admin", "--password-stdin"); err != nil {
		t.Errorf("second login without --server: %v", err)
	}
}

func TestLoginRefusals(t *testing.T) {
	tests := []struct {
		name      string
		stdin     string
		args      []string
		wantErr   string
		wantCalls int
	}{
		{
			name: "password not piped", args: []string{"--username", "admin"},
			wantErr: `pipe the password into kpanda login with --password-stdin, e.g. printf '%s' "$PASSWORD" | kpanda login --server URL --username USER --password-stdin`,
		},
		{
			name: "empty password", args: []string{"--username", "admin", "--password-stdin"}, stdin: "\n",
			wantErr: "the password read from stdin is empty: pipe the password into --password-stdin",
		},
		{
			name: "no username", args: []string{"--password-stdin"}, stdin: "x",
			wantErr: `required flag(s) "username" not set: log in with --username USER --password-stdin, or with --oidc-id-token-stdin`,
		},
		{
			name: "server without scheme", args: []string{"--server", "127.0.0.1:8443", "--username", "admin", "--password-stdin"}, stdin: "x",
			wantErr: "--server: server \"127.0.0.1:8443\" must be a URL like https://HOST:PORT",
		},
		{
			name: "wrong password is shown as the server says it", args: []string{"--username", "admin", "--password-stdin"}, stdin: "nope",
			wantErr: "wrong username or password", wantCalls: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t)
			path := useConfigAt(t)
			args := append([]string{"login"}, tt.args...)
			if !strings.Contains(strings.Join(tt.args, " "), "--server") {
				args = append(args, "--server", f.server.URL)
			}
			_, _, err := runKpanda(t, tt.stdin, args...)
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("error = %v, want %q", err, tt.wantErr)
			}
			if got := len(f.seen()); got != tt.wantCalls {
				t.Errorf("the server received %d requests, want %d", got, tt.wantCalls)
			}
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Errorf("a failed login wrote %s (stat: %v)", path, err)
			}
		})
	}
}

func TestLoginWithCertificateAuthority(t *testing.T) {
	srv := quietServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"token":"tls-token","expiresAt":"2030-01-02T03:04:05Z"}`))
	}), true)
	t.Cleanup(srv.Close)
	path := useConfigAt(t)
	dir := t.TempDir()
	t.Chdir(dir)
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile("ca.pem", caPEM, 0o600); err != nil {
		t.Fatal(err)
	}

	_, _, err := runKpanda(t, "pw", "login", "--server", srv.URL, "--username", "admin", "--password-stdin")
	if err == nil || !strings.Contains(err.Error(), "--certificate-authority") {
		t.Errorf("login to an untrusted server: error = %v, want one pointing at --certificate-authority", err)
	}

	_, _, err = runKpanda(t, "pw", "login", "--server", srv.URL, "--username", "admin", "--password-stdin", "--certificate-authority", "ca.pem")
	if err != nil {
		t.Fatalf("login with the CA: %v", err)
	}
	saved, err := apiclient.LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	// The path is saved absolute: later commands run from other directories.
	if want := filepath.Join(dir, "ca.pem"); saved.CertificateAuthority != want || saved.Token != "tls-token" {
		t.Errorf("saved configuration = %+v, want CA %s and the token", saved, want)
	}
}
