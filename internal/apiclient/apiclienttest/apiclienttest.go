// Package apiclienttest holds assertions on the answers of kpanda's REST API, for tests that
// call it through internal/apiclient.
package apiclienttest

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/kpanda/kpanda/internal/apiclient"
)

// ExpectError asserts that err is the API's refusal with status and field, its message
// containing phrase; a 403 must carry code 7 (permission denied) as the proxy's do.
func ExpectError(t *testing.T, err error, status int, field, phrase string) {
	t.Helper()
	var apiErr *apiclient.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("want an API error %d (field %q), got %v", status, field, err)
	}
	if apiErr.Status != status || apiErr.Field != field {
		t.Fatalf("want %d with field %q, got %d with field %q: %s", status, field, apiErr.Status, apiErr.Field, apiErr.Message)
	}
	if !strings.Contains(apiErr.Message, phrase) {
		t.Errorf("message %q lacks %q", apiErr.Message, phrase)
	}
	if status == http.StatusForbidden && apiErr.Code != 7 {
		t.Errorf("code %d for a 403, want 7", apiErr.Code)
	}
}
