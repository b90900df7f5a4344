package apiclient

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigRoundTripAndPermissions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new-dir", "config.json")
	want := Config{Server: "https://kpanda.example:8443", Token: "tok", CertificateAuthority: "/etc/ca.pem"}
	if err := SaveConfig(path, want); err != nil {
		t.Fatalf("SaveConfig: %v", err)
	}
	got, err := LoadConfig(path)
	if err != nil {
		t.Fatalf("LoadConfig: %v", err)
	}
	if got != want {
		t.Errorf("LoadConfig = %+v, want %+v", got, want)
	}
	assertMode(t, path, 0o600)
	assertMode(t, filepath.Dir(path), 0o700|os.ModeDir)

	// Saving again replaces the file and keeps it private.
	want.Token = "tok2"
	if err := SaveConfig(path, want); err != nil {
		t.Fatalf("SaveConfig again: %v", err)
	}
	if got, _ := LoadConfig(path); got.Token != "tok2" {
		t.Errorf("token after second save = %q, want tok2", got.Token)
	}
	assertMode(t, path, 0o600)
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only config.json (no temporary files left)", len(entries))
	}
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode() != want {
		t.Errorf("mode of %s = %v, want %v", path, info.Mode(), want)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name        string
		path        string
		notLoggedIn bool
		wantIn      []string
	}{
		{"missing file", filepath.Join(dir, "absent.json"), true, []string{"absent.json", "does not exist", "kpanda login"}},
		{"no token", write("notoken.json", `{"server":"https://x"}`), true, []string{"no server or token", "kpanda login"}},
		{"not JSON", write("bad.json", `{"server":`), false, []string{"bad.json", "not valid JSON", "kpanda login"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadConfig(tt.path)
			if err == nil {
				t.Fatal("LoadConfig succeeded, want an error")
			}
			if got := errors.Is(err, ErrNotLoggedIn); got != tt.notLoggedIn {
				t.Errorf("errors.Is(err, ErrNotLoggedIn) = %v, want %v (err: %v)", got, tt.notLoggedIn, err)
			}
			for _, s := range tt.wantIn {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
}

func TestConfigPath(t *testing.T) {
	t.Setenv(ConfigEnv, "/somewhere/kpanda.json")
	if p, err := ConfigPath(); err != nil || p != "/somewhere/kpanda.json" {
		t.Errorf("ConfigPath with $%s = %q, %v", ConfigEnv, p, err)
	}
	t.Setenv(ConfigEnv, "")
	t.Setenv("HOME", "/home/someone")
	if p, err := ConfigPath(); err != nil || p != "/home/someone/.kpanda/config.json" {
		t.Errorf("ConfigPath default = %q, %v", p, err)
	}
}

func TestNormalizeServer(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{in: "https://127.0.0.1:8443", want: "https://127.0.0.1:8443"},
		{in: "https://kpanda.example/", want: "https://kpanda.example"},
		{in: "http://kpanda.example/prefix/", want: "http://kpanda.example/prefix"},
		{in: "127.0.0.1:8443", wantErr: true},
		{in: "kpanda.example", wantErr: true},
		{in: "ftp://kpanda.example", wantErr: true},
		{in: "https://kpanda.example?x=1", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := NormalizeServer(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("NormalizeServer(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}
