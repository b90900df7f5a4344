package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

// built is what a Vite build leaves in dist/app.
var built = fstest.MapFS{
	"index.html":              {Data: []byte(`<!doctype html><div id="root"></div>`)},
	"assets/index-abc123.js":  {Data: []byte(`console.log("kpanda")`)},
	"assets/index-abc123.css": {Data: []byte(`body{}`)},
	"favicon.svg":             {Data: []byte(`<svg/>`)},
}

func TestHandlerServesTheSinglePageApp(t *testing.T) {
	handler := newHandler(built)
	for _, tc := range []struct {
		path, wantType, wantCache, wantBody string
		wantStatus                          int
	}{
		{"/", "text/html; charset=utf-8", "no-cache", `<div id="root">`, http.StatusOK},
		{"/index.html", "text/html; charset=utf-8", "no-cache", `<div id="root">`, http.StatusOK},
		{"/clusters/member-1/apps", "text/html; charset=utf-8", "no-cache", `<div id="root">`, http.StatusOK},
		{"/assets/index-abc123.js", "text/javascript; charset=utf-8", "public, max-age=31536000, immutable", "kpanda", http.StatusOK},
		{"/assets/index-abc123.css", "text/css; charset=utf-8", "public, max-age=31536000, immutable", "body", http.StatusOK},
		{"/favicon.svg", "image/svg+xml", "no-cache", "<svg/>", http.StatusOK},
		{"/assets/gone-000.js", "text/plain; charset=utf-8", "", "404", http.StatusNotFound},
		{"/assets", "text/html; charset=utf-8", "no-cache", `<div id="root">`, http.StatusOK},
	} {
		t.Run(tc.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
			if rec.Code != tc.wantStatus {
				t.Errorf("status %d, want %d", rec.Code, tc.wantStatus)
			}
			if got := rec.Header().Get("Content-Type"); got != tc.wantType {
				t.Errorf("Content-Type %q, want %q", got, tc.wantType)
			}
			if got := rec.Header().Get("Cache-Control"); got != tc.wantCache {
				t.Errorf("Cache-Control %q, want %q", got, tc.wantCache)
			}
			if !strings.Contains(rec.Body.String(), tc.wantBody) {
				t.Errorf("body %q does not contain %q", rec.Body.String(), tc.wantBody)
			}
		})
	}
}

func TestHandlerRefusesWrites(t *testing.T) {
	rec := httptest.NewRecorder()
	newHandler(built).ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST / answered %d, want 405", rec.Code)
	}
}

func TestHandlerSaysHowToBuildAMissingConsole(t *testing.T) {
	rec := httptest.NewRecorder()
	newHandler(fstest.MapFS{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/clusters", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503", rec.Code)
	}
	if got := rec.Header().Get("Content-Type"); got != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q, want HTML", got)
	}
	if body := rec.Body.String(); !strings.Contains(body, "kpanda UI not built") || !strings.Contains(body, "make ui") {
		t.Errorf("the page does not say how to build the console:\n%s", body)
	}
}

// The embedded files always include the committed placeholder, so Handler works whether or
// not the console was built.
func TestEmbeddedHandlerAnswers(t *testing.T) {
	rec := httptest.NewRecorder()
	Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusOK && rec.Code != http.StatusServiceUnavailable {
		t.Errorf("GET / answered %d", rec.Code)
	}
}
