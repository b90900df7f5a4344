// Package web holds kpanda's web console: the TypeScript + React source (built by `make ui`
// into dist/app) and the http.Handler that serves the built files from the kpanda binary.
package web

import (
	"bytes"
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// dist always holds the committed dist/README.md, so the pattern matches on a clean clone
// where the UI was never built; "all:" keeps build files whose names start with _ or '.'.
//
//go:embed all:dist
var dist embed.FS

// appDir is where Vite writes the build (vite.config.ts: build.outDir). Vite empties it on
// every build, which is why the committed placeholder lives one level up.
const appDir = "dist/app"

// notBuiltPage is served in place of the console when the binary was built without it.
const notBuiltPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kpanda UI not built</title></head>
<body style="font-family: sans-serif; margin: 3rem">
<h1>kpanda UI not built — run <code>make ui</code> (needs Node.js and npm)</h1>
<p>This kpanda binary was built before the web console was. The REST API under
<code>/apis/kpanda.io/v1alpha1</code> works as usual; run <code>make ui</code>, then
<code>make build</code>, to embed the console.</p>
</body></html>
`

// Handler serves the built console as a single-page app: files as they are, index.html for
// any other path (the app's own routes such as /clusters/member-1), and a page saying how to
// build the console when it is missing.
func Handler() http.Handler {
	app, err := fs.Sub(dist, appDir)
	if err != nil {
		// fs.Sub fails only for an invalid path, and appDir is a constant.
		panic(err)
	}
	return newHandler(app)
}

// newHandler serves the console from app, the contents of a Vite build.
func newHandler(app fs.FS) http.Handler {
	index, err := fs.ReadFile(app, "index.html")
	if err != nil {
		return http.HandlerFunc(serveNotBuilt)
	}
	return &spaHandler{app: app, files: http.FileServerFS(app), index: index}
}

func serveNotBuilt(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = w.Write([]byte(notBuiltPage))
}

type spaHandler struct {
	app   fs.FS
	files http.Handler
	index []byte
}

// assetsPrefix is where Vite puts files whose names carry a hash of their content.
const assetsPrefix = "/assets/"

func (h *spaHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	switch {
	case name != "" && name != "index.html" && isFile(h.app, name):
		if strings.HasPrefix("/"+name, assetsPrefix) {
			// The name changes whenever the content does: a browser may keep it for good.
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		h.files.ServeHTTP(w, r)
	case strings.HasPrefix("/"+name, assetsPrefix):
		// A missing asset is an error, not a page: answering index.html would hand the browser
		// HTML where it expects a script, with a confusing error.
		http.NotFound(w, r)
	default:
		h.serveIndex(w, r)
	}
}

// serveIndex answers the app's entry page, never cached so that a new build is picked up at
// the next load.
func (h *spaHandler) serveIndex(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	http.ServeContent(w, r, "index.html", time.Time{}, bytes.NewReader(h.index))
}

func isFile(fsys fs.FS, name string) bool {
	info, err := fs.Stat(fsys, name)
	return err == nil && !info.IsDir()
}
