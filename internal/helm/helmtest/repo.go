// Package helmtest serves real Helm chart repositories over HTTP for tests: charts are packaged
// at test time with the Helm SDK and indexed with Helm's own index code, exactly as
// `helm package` and `helm repo index` would.
package helmtest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"time"

	"helm.sh/helm/v4/pkg/chart/common"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
	repo "helm.sh/helm/v4/pkg/repo/v1"
)

// Repo is a chart repository served over HTTP from a temporary directory.
type Repo struct {
	server             *httptest.Server
	dir                string
	username, password string

	mu sync.Mutex
}

// Options configure a Repo.
type Options struct {
	// Username and Password, when set, protect every file with HTTP basic auth.
	Username, Password string
}

// NewRepo starts an empty repository; Close stops it.
func NewRepo(opts Options) (*Repo, error) {
	dir, err := os.MkdirTemp("", "kpanda-chartrepo-")
	if err != nil {
		return nil, err
	}
	r := &Repo{dir: dir, username: opts.Username, password: opts.Password}
	if err := r.writeIndex(); err != nil {
		return nil, err
	}
	r.server = httptest.NewServer(http.HandlerFunc(r.serve))
	return r, nil
}

// URL is the repository's base URL.
func (r *Repo) URL() string { return r.server.URL }

// Close stops the server and removes the files.
func (r *Repo) Close() {
	r.server.Close()
	_ = os.RemoveAll(r.dir)
}

func (r *Repo) serve(w http.ResponseWriter, req *http.Request) {
	if r.username != "" {
		user, pass, ok := req.BasicAuth()
		if !ok || user != r.username || pass != r.password {
			w.Header().Set("WWW-Authenticate", `Basic realm="charts"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	http.FileServer(http.Dir(r.dir)).ServeHTTP(w, req)
}

// AddChart packages a chart and re-indexes the repository; the chart is visible to a client
// only after it fetches the index again.
func (r *Repo) AddChart(ch *chart.Chart) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, err := chartutil.Save(ch, r.dir); err != nil {
		return fmt.Errorf("packaging %s %s: %w", ch.Metadata.Name, ch.Metadata.Version, err)
	}
	return r.writeIndex()
}

func (r *Repo) writeIndex() error {
	index, err := repo.IndexDirectory(r.dir, "")
	if err != nil {
		return fmt.Errorf("indexing %s: %w", r.dir, err)
	}
	index.SortEntries()
	return index.WriteFile(filepath.Join(r.dir, "index.yaml"), 0o644)
}

// DeploymentChart is a chart of one Deployment and one ConfigMap, with a README and values:
// replicas (default 1), image (default "nginx:1.27") and message (written to the ConfigMap).
// The Deployment is named after the release.
func DeploymentChart(name, version string) *chart.Chart {
	now := time.Now()
	file := func(path, data string) *common.File {
		return &common.File{Name: path, Data: []byte(data), ModTime: now}
	}
	values := "replicas: 1\nimage: nginx:1.27\nmessage: hello\n"
	return &chart.Chart{
		Metadata: &chart.Metadata{
			APIVersion: chart.APIVersionV2, Name: name, Version: version, AppVersion: "1.0." + version,
			Description: "A test app of one Deployment", Type: "application",
		},
		Values: map[string]any{"replicas": 1, "image": "nginx:1.27", "message": "hello"},
		Raw:    []*common.File{file("values.yaml", values)},
		Files:  []*common.File{file("README.md", "# "+name+"\n\nA test chart, version "+version+".\n")},
		Templates: []*common.File{
			file("templates/deployment.yaml", deploymentTemplate),
			file("templates/configmap.yaml", configMapTemplate),
		},
		ModTime: now,
	}
}

const deploymentTemplate = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  labels:
    app: {{ .Release.Name }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels:
      app: {{ .Release.Name }}
  template:
    metadata:
      labels:
        app: {{ .Release.Name }}
    spec:
      containers:
      - name: app
        image: {{ .Values.image }}
`

const configMapTemplate = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-config
data:
  message: {{ .Values.message | quote }}
`
