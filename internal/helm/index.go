package helm

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	repo "helm.sh/helm/v4/pkg/repo/v1"
)

// Index is the part of a repository index kpanda keeps (in a member ConfigMap, gzipped): enough
// to list and search charts and to download any version, without the rest of each Chart.yaml.
type Index struct {
	Charts map[string][]ChartVersion `json:"charts"`
}

// ChartVersion is one version of one chart, newest first within Index.Charts.
type ChartVersion struct {
	Name        string    `json:"name"`
	Version     string    `json:"version"`
	AppVersion  string    `json:"appVersion,omitempty"`
	Description string    `json:"description,omitempty"`
	Icon        string    `json:"icon,omitempty"`
	Keywords    []string  `json:"keywords,omitempty"`
	Deprecated  bool      `json:"deprecated,omitempty"`
	Created     time.Time `json:"created,omitzero"`
	URLs        []string  `json:"urls"`
	Digest      string    `json:"digest,omitempty"`
}

// NewIndex keeps what kpanda needs of a Helm index.
func NewIndex(index *repo.IndexFile) *Index {
	index.SortEntries()
	out := &Index{Charts: make(map[string][]ChartVersion, len(index.Entries))}
	for name, versions := range index.Entries {
		for _, v := range versions {
			if v == nil || v.Metadata == nil || v.Removed {
				continue
			}
			out.Charts[name] = append(out.Charts[name], ChartVersion{
				Name: name, Version: v.Version, AppVersion: v.AppVersion, Description: v.Description,
				Icon: v.Icon, Keywords: v.Keywords, Deprecated: v.Deprecated, Created: v.Created,
				URLs: v.URLs, Digest: v.Digest,
			})
		}
	}
	return out
}

// Search returns the newest version of every chart whose name, description or keywords contain
// query (case-insensitive; empty matches all), sorted by name.
func (i *Index) Search(query string) []ChartVersion {
	query = strings.ToLower(query)
	var found []ChartVersion
	for _, versions := range i.Charts {
		if len(versions) > 0 && matches(versions[0], query) {
			found = append(found, versions[0])
		}
	}
	sort.Slice(found, func(a, b int) bool { return found[a].Name < found[b].Name })
	return found
}

func matches(v ChartVersion, query string) bool {
	if query == "" || strings.Contains(strings.ToLower(v.Name), query) || strings.Contains(strings.ToLower(v.Description), query) {
		return true
	}
	for _, k := range v.Keywords {
		if strings.Contains(strings.ToLower(k), query) {
			return true
		}
	}
	return false
}

// Find returns version (empty: the newest that is not a pre-release) of chart name.
func (i *Index) Find(name, version string) (*ChartVersion, error) {
	versions, ok := i.Charts[name]
	if !ok || len(versions) == 0 {
		return nil, fmt.Errorf("chart %q is not in the repository index (refresh the repo if it was just pushed)", name)
	}
	for _, v := range versions {
		if version == v.Version || (version == "" && !strings.Contains(v.Version, "-")) {
			return &v, nil
		}
	}
	if version == "" {
		return &versions[0], nil
	}
	return nil, fmt.Errorf("chart %q has no version %q in the repository index (refresh the repo if it was just pushed)", name, version)
}

// Count is the number of charts.
func (i *Index) Count() int { return len(i.Charts) }

// Encode gzips the JSON of the index.
func (i *Index) Encode() ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(i); err != nil {
		return nil, fmt.Errorf("encoding the chart index: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("encoding the chart index: %w", err)
	}
	return buf.Bytes(), nil
}

// DecodeIndex reads what Encode wrote.
func DecodeIndex(data []byte) (*Index, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("decoding the chart index: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("decoding the chart index: %w", err)
	}
	var index Index
	if err := json.Unmarshal(raw, &index); err != nil {
		return nil, fmt.Errorf("decoding the chart index: %w", err)
	}
	return &index, nil
}
