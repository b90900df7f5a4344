// Package apiclient calls the REST API of the kpanda apiserver (DESIGN §2) for the kpanda CLI:
// one typed method per endpoint, the saved login configuration, and errors that say what to
// do. It holds no decisions of its own; the server checks everything.
package apiclient

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"time"
)

// APIPrefix is the path of the kpanda REST API under the server URL.
const APIPrefix = "/apis/kpanda.io/v1alpha1"

// requestTimeout bounds one call. Integrating a cluster makes the server dial the member, which
// it bounds itself (15s); this only stops the CLI from hanging on a server that never answers.
const requestTimeout = 2 * time.Minute

// maxResponseBytes bounds what is read of a response, so a wrong URL serving a huge file does
// not exhaust memory.
const maxResponseBytes = 64 << 20

// Client calls one kpanda apiserver. It is safe for concurrent use.
type Client struct {
	server string
	token  string
	http   *http.Client
	// setupErr is why the client cannot work (a bad server URL, an unreadable CA file). New
	// has no error result, so it is returned by every call instead.
	setupErr error
}

// New returns a client for c. Problems with c (a server that is not a URL, an unreadable
// certificate authority) are reported by the first call.
func New(c Config) *Client {
	client := &Client{token: c.Token}
	server, err := NormalizeServer(c.Server)
	if err != nil {
		client.setupErr = err
		return client
	}
	client.server = server
	tlsConfig, err := tlsConfigFor(c)
	if err != nil {
		client.setupErr = err
		return client
	}
	transport := http.DefaultTransport.(*http.Transport).Clone() // keeps proxy settings from the environment
	transport.TLSClientConfig = tlsConfig
	client.http = &http.Client{Transport: transport, Timeout: requestTimeout}
	return client
}

// Server is the base URL the client calls.
func (c *Client) Server() string { return c.server }

func tlsConfigFor(c Config) (*tls.Config, error) {
	if c.CertificateAuthority != "" && c.InsecureSkipTLSVerify {
		// As kubectl does: one of them is a mistake, and guessing which could hide it.
		return nil, errors.New("a certificate authority and insecure-skip-tls-verify were both given; use one of them")
	}
	config := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: c.InsecureSkipTLSVerify} //nolint:gosec // the user asked for it
	if c.CertificateAuthority == "" {
		return config, nil
	}
	pem, err := os.ReadFile(c.CertificateAuthority)
	if err != nil {
		return nil, fmt.Errorf("cannot read the certificate authority: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("the certificate authority %s holds no PEM certificate", c.CertificateAuthority)
	}
	config.RootCAs = pool
	return config, nil
}

// request is one API call.
type request struct {
	method string
	path   string     // under APIPrefix, already escaped
	query  url.Values // optional
	body   any        // nil, []byte sent as is, or a value encoded as JSON
	out    any        // where to decode a 2xx body; nil to ignore it
	// anonymous calls send no token, and a 401 is not about an expired login.
	anonymous bool
}

// do sends r and decodes the answer. Non-2xx answers are *APIError (a 401 wrapped with what to
// do); failures to get an answer name the server.
func (c *Client) do(ctx context.Context, r request) error {
	if c.setupErr != nil {
		return c.setupErr
	}
	req, err := c.newRequest(ctx, r)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return transportError(ctx, c.server, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return transportError(ctx, c.server, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		apiErr := decodeAPIError(c.server, resp.StatusCode, body)
		if resp.StatusCode == http.StatusUnauthorized && !r.anonymous {
			return wrapUnauthenticated(apiErr)
		}
		return apiErr
	}
	if r.out == nil {
		return nil
	}
	if err := json.Unmarshal(body, r.out); err != nil {
		return fmt.Errorf("unexpected answer from %s to %s %s (is it a kpanda apiserver?): %w", c.server, r.method, r.path, err)
	}
	return nil
}

func (c *Client) newRequest(ctx context.Context, r request) (*http.Request, error) {
	var body io.Reader
	switch b := r.body.(type) {
	case nil:
	case []byte:
		body = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			return nil, fmt.Errorf("encoding the request: %w", err)
		}
		body = bytes.NewReader(data)
	}
	target := c.server + APIPrefix + r.path
	if len(r.query) > 0 {
		target += "?" + r.query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, r.method, target, body)
	if err != nil {
		return nil, fmt.Errorf("building the request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if !r.anonymous {
		if c.token == "" {
			return nil, fmt.Errorf("%w: no token; %s", ErrNotLoggedIn, loginHint)
		}
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	return req, nil
}
