package helm

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/getter"
	repo "helm.sh/helm/v4/pkg/repo/v1"
)

// fetchTimeout bounds one HTTP request to a chart repository.
const fetchTimeout = 30 * time.Second

// Repo is how to reach one chart repository.
type Repo struct {
	Name                  string
	URL                   string
	Username, Password    string
	CABundle              string
	InsecureSkipTLSVerify bool
}

// FetchIndex downloads and parses the repository's index.yaml with Helm's own code, so an index
// Helm would refuse is refused here with Helm's message.
func (r Repo) FetchIndex(ctx context.Context) (*repo.IndexFile, error) {
	dir, err := os.MkdirTemp("", "kpanda-helmrepo-")
	if err != nil {
		return nil, fmt.Errorf("temporary directory for the index: %w", err)
	}
	defer func() { _ = os.RemoveAll(dir) }()

	getters, err := r.getters()
	if err != nil {
		return nil, err
	}
	chartRepo, err := repo.NewChartRepository(&repo.Entry{Name: r.Name, URL: r.URL, Username: r.Username, Password: r.Password}, getters)
	if err != nil {
		return nil, fmt.Errorf("repository %s: %w", r.URL, err)
	}
	chartRepo.CachePath = dir
	path, err := runWithContext(ctx, chartRepo.DownloadIndexFile)
	if err != nil {
		return nil, fmt.Errorf("fetching %s/index.yaml: %w", r.URL, err)
	}
	index, err := repo.LoadIndexFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the index of %s: %w", r.URL, err)
	}
	return index, nil
}

// DownloadChart fetches and loads the archive of one chart version listed in index.
func (r Repo) DownloadChart(ctx context.Context, version *ChartVersion) (*chart.Chart, error) {
	if len(version.URLs) == 0 {
		return nil, fmt.Errorf("chart %s %s: the index lists no download URL", version.Name, version.Version)
	}
	url, err := repo.ResolveReferenceURL(r.URL, version.URLs[0])
	if err != nil {
		return nil, fmt.Errorf("chart %s %s: %w", version.Name, version.Version, err)
	}
	getters, err := r.getters()
	if err != nil {
		return nil, err
	}
	get, err := getters.ByScheme(schemeOf(url))
	if err != nil {
		return nil, fmt.Errorf("chart %s %s: %w", version.Name, version.Version, err)
	}
	data, err := runWithContext(ctx, func() (*bytes.Buffer, error) {
		// Credentials go only to the repository's own host (Helm's default), never to a
		// chart URL on another host.
		return get.Get(url, getter.WithURL(r.URL), getter.WithBasicAuth(r.Username, r.Password))
	})
	if err != nil {
		return nil, fmt.Errorf("downloading chart %s %s from %s: %w", version.Name, version.Version, url, err)
	}
	loaded, err := loader.LoadArchive(data)
	if err != nil {
		return nil, fmt.Errorf("loading chart %s %s: %w", version.Name, version.Version, err)
	}
	return loaded, nil
}

func (r Repo) getters() (getter.Providers, error) {
	transport, err := r.transport()
	if err != nil {
		return nil, err
	}
	return getter.Getters(getter.WithTimeout(fetchTimeout), getter.WithTransport(transport)), nil
}

// transport trusts CABundle in addition to the system's roots.
func (r Repo) transport() (*http.Transport, error) {
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: r.InsecureSkipTLSVerify} //nolint:gosec // the repo owner's explicit choice
	if r.CABundle != "" {
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM([]byte(r.CABundle)) {
			return nil, errors.New("caBundle: no PEM certificate found; paste the repository's CA certificate (BEGIN CERTIFICATE)")
		}
		tlsConfig.RootCAs = pool
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = tlsConfig
	return transport, nil
}

func schemeOf(url string) string {
	scheme, _, _ := strings.Cut(url, ":")
	return scheme
}

// runWithContext runs fn, which cannot be cancelled, and returns early when ctx ends; fn's own
// timeout (fetchTimeout) bounds how long it lingers.
func runWithContext[T any](ctx context.Context, fn func() (T, error)) (T, error) {
	type result struct {
		value T
		err   error
	}
	done := make(chan result, 1)
	go func() {
		value, err := fn()
		done <- result{value, err}
	}()
	select {
	case r := <-done:
		return r.value, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}
