package apiclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// APIError is an error answered by the kpanda apiserver: its HTTP status and the JSON body
// {"code", "message", "reason", "field"}. Message is written for people and is shown as is.
type APIError struct {
	// Status is the HTTP status code of the response.
	Status int `json:"-"`
	// Code is the gRPC-style code: 3 invalid argument, 5 not found, 6 already exists,
	// 7 permission denied, 9 failed precondition, 13 internal, 14 unavailable,
	// 16 unauthenticated.
	Code int `json:"code"`
	// Reason refines Code for programs, e.g. "Unreachable" or "AlreadyIntegrated"; optional.
	Reason string `json:"reason,omitempty"`
	// Field is the request field at fault, e.g. "name" or "addon_setting.helm_operation_base_image"; optional.
	Field string `json:"field,omitempty"`
	// Message says what went wrong and what to do.
	Message string `json:"message"`
}

func (e *APIError) Error() string { return e.Message }

// maxErrorSnippet bounds how much of a body that is not a kpanda error is quoted: a proxy's
// HTML page is no use in a terminal beyond its first line or so.
const maxErrorSnippet = 200

// decodeAPIError turns a failed response into an *APIError. A body that is not kpanda's JSON
// (a proxy or load balancer answered) still gives an error naming the server and status.
func decodeAPIError(server string, status int, body []byte) *APIError {
	e := &APIError{}
	if err := json.Unmarshal(body, e); err != nil || (e.Message == "" && e.Code == 0) {
		e = &APIError{Message: fmt.Sprintf("%s answered %d %s", server, status, http.StatusText(status))}
		if snippet := strings.TrimSpace(string(body)); snippet != "" {
			if len(snippet) > maxErrorSnippet {
				snippet = snippet[:maxErrorSnippet] + "..."
			}
			e.Message += ": " + snippet
		}
	}
	if e.Message == "" {
		e.Message = fmt.Sprintf("%s answered %d %s", server, status, http.StatusText(status))
	}
	e.Status = status
	return e
}

// wrapUnauthenticated adds what to do to a 401: the saved token expired or was revoked.
func wrapUnauthenticated(err *APIError) error {
	return fmt.Errorf("%w; run kpanda login again", err)
}

// transportError explains an error of the HTTP round trip itself: the request never got an
// answer from kpanda, so the person must check the address or the certificate.
func transportError(ctx context.Context, server string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		// Interrupted or timed out by the caller: not the server's fault.
		return fmt.Errorf("request to %s interrupted: %w", server, ctxErr)
	}
	if isUntrustedCertificate(err) {
		return fmt.Errorf("the certificate of the kpanda apiserver at %s is not trusted (pass the CA that signed it with kpanda login --certificate-authority FILE): %w", server, err)
	}
	return fmt.Errorf("cannot reach the kpanda apiserver at %s (check --server, or run kpanda login again): %w", server, err)
}

func isUntrustedCertificate(err error) bool {
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verification *tls.CertificateVerificationError
	return errors.As(err, &unknownAuthority) || errors.As(err, &hostname) ||
		errors.As(err, &invalid) || errors.As(err, &verification)
}
