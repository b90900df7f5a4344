package helm

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/url"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kpanda/kpanda/internal/helm"
	"github.com/kpanda/kpanda/internal/server/rest"
)

// maxReleaseName is Helm's own limit: release names end up in resource names and labels.
const maxReleaseName = 53

func invalid(field, message string) error {
	return rest.Errorf(rest.CodeInvalidArgument, field, message)
}

// checkRepoName: a HelmRepo's name also names its Secret and index ConfigMap, so it must be a
// DNS-1123 label.
func checkRepoName(name string) error {
	if errs := validation.IsDNS1123Label(name); len(errs) > 0 {
		return invalid("name", fmt.Sprintf("name %q is not a valid repository name: it must be a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters): %s", name, strings.Join(errs, "; ")))
	}
	return nil
}

func checkRepoURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return invalid("url", fmt.Sprintf("url %q is not an http(s) URL; give the repository's base URL, e.g. https://charts.example.com/stable (index.yaml is read below it)", raw))
	}
	return nil
}

// checkCABundle refuses a bundle without certificates now, rather than at the first refresh.
func checkCABundle(bundle string) error {
	if bundle == "" {
		return nil
	}
	rest := []byte(bundle)
	found := false
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if _, err := x509.ParseCertificate(block.Bytes); block.Type == "CERTIFICATE" && err == nil {
			found = true
		}
	}
	if !found {
		return invalid("caBundle", "caBundle holds no PEM certificate; paste the repository's CA certificate (-----BEGIN CERTIFICATE-----)")
	}
	return nil
}

// checkReleaseName applies Helm's rule for release names.
func checkReleaseName(name string) error {
	errs := validation.IsDNS1123Label(name)
	if len(name) > maxReleaseName {
		errs = append(errs, fmt.Sprintf("must be no more than %d characters", maxReleaseName))
	}
	if len(errs) > 0 {
		return invalid("name", fmt.Sprintf("name %q is not a valid release name: Helm requires a DNS-1123 label of at most %d characters (lower-case letters, digits and '-', starting and ending with a letter or digit): %s", name, maxReleaseName, strings.Join(errs, "; ")))
	}
	return nil
}

func checkValues(values string) error {
	if _, err := helm.ParseValues(values); err != nil {
		return invalid("values", fmt.Sprintf("values must be a YAML map of chart values: %v", err))
	}
	return nil
}

// parseTimeout reads a Go duration ("5m", "90s"); empty is the default (nil).
func parseTimeout(raw string) (*time.Duration, error) {
	if raw == "" {
		return nil, nil
	}
	d, err := time.ParseDuration(raw)
	if err != nil || d <= 0 {
		return nil, invalid("timeout", fmt.Sprintf("timeout %q is not a positive duration; write e.g. 5m or 90s", raw))
	}
	return &d, nil
}
