package apiclient

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// ConfigEnv names the environment variable that overrides where the client configuration is
// kept, e.g. to use two kpanda installations side by side.
const ConfigEnv = "KPANDA_CONFIG"

// ErrNotLoggedIn is wrapped by LoadConfig when there is no usable configuration: the person
// has to run kpanda login first.
var ErrNotLoggedIn = errors.New("not logged in")

// loginHint says how to get a configuration; it ends every ErrNotLoggedIn message.
const loginHint = "run kpanda login --server URL --username USER --password-stdin"

// Config is what `kpanda login` saves and every other client verb reads: which apiserver to
// call, the bearer token it issued, and how to trust its certificate.
type Config struct {
	// Server is the base URL of the kpanda apiserver, e.g. https://127.0.0.1:8443.
	Server string `json:"server"`
	// Token is the bearer token returned by POST /login.
	Token string `json:"token"`
	// CertificateAuthority is the path of a PEM file with the CA certificates that the
	// apiserver's certificate must chain to; empty means the system roots.
	CertificateAuthority string `json:"certificateAuthority,omitempty"`
	// InsecureSkipTLSVerify turns off certificate checks (development only).
	InsecureSkipTLSVerify bool `json:"insecureSkipTLSVerify,omitempty"`
}

// ConfigPath is where the configuration lives: $KPANDA_CONFIG, or ~/.kpanda/config.json.
func ConfigPath() (string, error) {
	if p := os.Getenv(ConfigEnv); p != "" {
		return p, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("cannot locate the kpanda configuration (set $%s): %w", ConfigEnv, err)
	}
	return filepath.Join(home, ".kpanda", "config.json"), nil
}

// LoadConfig reads the configuration at path. A missing file, or one without a server or a
// token, is an error wrapping ErrNotLoggedIn that tells the person to run kpanda login.
func LoadConfig(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Config{}, fmt.Errorf("%w: %s does not exist; %s", ErrNotLoggedIn, path, loginHint)
	}
	if err != nil {
		return Config{}, fmt.Errorf("cannot read the kpanda configuration: %w", err)
	}
	var c Config
	if err := json.Unmarshal(data, &c); err != nil {
		return Config{}, fmt.Errorf("the kpanda configuration %s is not valid JSON (%w); %s to write it again", path, err, loginHint)
	}
	if c.Server == "" || c.Token == "" {
		return Config{}, fmt.Errorf("%w: %s has no server or token; %s", ErrNotLoggedIn, path, loginHint)
	}
	return c, nil
}

// SaveConfig writes c to path, readable by its owner only because it holds a token. The
// directory is created with mode 0700 if missing. The file is replaced atomically, so a
// failed login never leaves a half-written configuration behind.
func SaveConfig(path string, c Config) error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding the kpanda configuration: %w", err)
	}
	dir := filepath.Dir(path)
	// Existing directories keep their mode: $KPANDA_CONFIG may point into a shared one.
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating the directory of the kpanda configuration: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".config-*.json") // CreateTemp uses mode 0600
	if err != nil {
		return fmt.Errorf("writing the kpanda configuration: %w", err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }() // fails harmlessly once renamed
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		_ = tmp.Close() // the write error is the one to report
		return fmt.Errorf("writing the kpanda configuration: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing the kpanda configuration: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing the kpanda configuration: %w", err)
	}
	return nil
}

// NormalizeServer checks that server is an http(s) base URL and returns it without a trailing
// slash, so that API paths can be appended to it.
func NormalizeServer(server string) (string, error) {
	// A parse error ("first path segment in URL cannot contain colon" for HOST:PORT) says
	// less than the expected shape does, so both get the same message.
	u, err := url.Parse(strings.TrimSpace(server))
	if err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
		return "", fmt.Errorf("server %q must be a URL like https://HOST:PORT", server)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("server %q must be a URL like https://HOST:PORT, without user, query or fragment", server)
	}
	return strings.TrimRight(u.String(), "/"), nil
}
