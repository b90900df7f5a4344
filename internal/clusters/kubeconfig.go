package clusters

import (
	"bytes"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// DialTimeout bounds connecting to a member's apiserver, so that an unreachable host fails in
// seconds rather than after the operating system's TCP timeout (minutes).
const DialTimeout = 5 * time.Second

// exportHint is how to get a kubeconfig kpanda can use: --raw keeps the credentials, --minify
// keeps only the current context, --flatten embeds files the kubeconfig refers to.
const exportHint = "export the kubeconfig again with kubectl config view --raw --minify --flatten"

// RESTConfigFromKubeconfig builds the client configuration of the current context of a
// kubeconfig (file contents). It fails with a *VerifyError (Malformed or NoCurrentContext) when
// the kubeconfig cannot be used.
//
// The kubeconfig is untrusted input (users upload it), so only self-contained kubeconfigs are
// accepted: a file reference (certificate-authority, client-certificate, client-key, tokenFile)
// would make kpanda read, and send, its own files (for example its service-account token), and
// an exec or auth-provider plugin would run a command of the uploader's choosing on kpanda's
// servers.
//
// Connecting is bounded by DialTimeout, but requests are not: Config.Timeout would also end
// every watch after that long, so callers bound requests with their contexts.
func RESTConfigFromKubeconfig(kubeconfig []byte) (*rest.Config, error) {
	config, err := parseKubeconfig(kubeconfig)
	if err != nil {
		return nil, err
	}
	current, err := currentContext(config)
	if err != nil {
		return nil, err
	}
	cluster, user := config.Clusters[current.Cluster], config.AuthInfos[current.AuthInfo]
	if err := checkServer(current.Cluster, cluster); err != nil {
		return nil, err
	}
	if err := checkSelfContained(current, cluster, user); err != nil {
		return nil, err
	}
	restConfig, err := clientcmd.NewDefaultClientConfig(*config, &clientcmd.ConfigOverrides{}).ClientConfig()
	if err != nil {
		return nil, malformed(fmt.Sprintf("kubeconfig cannot be used (%v): %s", err, exportHint), err)
	}
	// Checked here, the one function every client of a member goes through, so that bad
	// certificate or key data is a Malformed kubeconfig wherever it is found.
	if _, err := rest.TLSConfigFor(restConfig); err != nil {
		return nil, malformed(fmt.Sprintf("kubeconfig's certificate data cannot be used (%v): %s", err, exportHint), err)
	}
	restConfig.Dial = (&net.Dialer{Timeout: DialTimeout, KeepAlive: 30 * time.Second}).DialContext
	return restConfig, nil
}

func parseKubeconfig(kubeconfig []byte) (*clientcmdapi.Config, error) {
	if len(bytes.TrimSpace(kubeconfig)) == 0 {
		return nil, malformed("kubeconfig is empty: "+exportHint, nil)
	}
	config, err := clientcmd.Load(kubeconfig)
	if err != nil {
		return nil, malformed(fmt.Sprintf("kubeconfig is not valid YAML/kubeconfig: %v; %s", err, exportHint), err)
	}
	// clientcmd.Load accepts any YAML mapping, so a file that is not a kubeconfig at all parses
	// into an empty one.
	if len(config.Clusters) == 0 && len(config.Contexts) == 0 {
		return nil, malformed("kubeconfig defines no clusters and no contexts: is it a kubeconfig? "+exportHint, nil)
	}
	return config, nil
}

// currentContext returns the current context once it names a cluster and a user that exist.
func currentContext(config *clientcmdapi.Config) (*clientcmdapi.Context, error) {
	name := config.CurrentContext
	if name == "" {
		return nil, noCurrentContext("kubeconfig has no current-context; set one with kubectl config use-context (contexts: " + names(config.Contexts) + ")")
	}
	current, ok := config.Contexts[name]
	if !ok {
		return nil, noCurrentContext(fmt.Sprintf("kubeconfig's current-context %q is not one of its contexts (%s); set an existing one with kubectl config use-context", name, names(config.Contexts)))
	}
	if err := checkNames(name, "cluster", current.Cluster, config.Clusters); err != nil {
		return nil, err
	}
	if err := checkNames(name, "user", current.AuthInfo, config.AuthInfos); err != nil {
		return nil, err
	}
	return current, nil
}

// checkNames checks that context contextName names an entry of section (clusters or users).
func checkNames[V any](contextName, kind, name string, section map[string]V) error {
	if name == "" {
		return noCurrentContext(fmt.Sprintf("context %q names no %s; set one with kubectl config set-context %s --%s=NAME", contextName, kind, contextName, kind))
	}
	if _, ok := section[name]; !ok {
		return noCurrentContext(fmt.Sprintf("context %q names %s %q, which the kubeconfig does not define (%ss: %s): %s", contextName, kind, name, kind, names(section), exportHint))
	}
	return nil
}

// checkServer insists on a server URL with a scheme, naming the field and the fix (clientcmd
// would say "no server found", or pass a bare host:port on as https).
func checkServer(name string, cluster *clientcmdapi.Cluster) error {
	if cluster.Server == "" {
		return malformed(fmt.Sprintf("kubeconfig's cluster %q has no server; set it with kubectl config set-cluster %s --server=https://HOST:PORT", name, name), nil)
	}
	u, err := url.Parse(cluster.Server)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return malformed(fmt.Sprintf("kubeconfig's cluster %q has server %q, which is not a URL like https://HOST:PORT; set it with kubectl config set-cluster %s --server=https://HOST:PORT", name, cluster.Server, name), err)
	}
	return nil
}

// checkSelfContained rejects what would make kpanda read its own files or run commands; see
// RESTConfigFromKubeconfig.
func checkSelfContained(current *clientcmdapi.Context, cluster *clientcmdapi.Cluster, user *clientcmdapi.AuthInfo) error {
	files := []struct{ field, path string }{
		{"certificate-authority of cluster " + quote(current.Cluster), cluster.CertificateAuthority},
		{"client-certificate of user " + quote(current.AuthInfo), user.ClientCertificate},
		{"client-key of user " + quote(current.AuthInfo), user.ClientKey},
		{"tokenFile of user " + quote(current.AuthInfo), user.TokenFile},
	}
	for _, f := range files {
		if f.path != "" {
			return malformed(fmt.Sprintf("kubeconfig refers to file %s (%s), which kpanda does not read; it needs a self-contained kubeconfig: %s", f.path, f.field, exportHint), nil)
		}
	}
	if user.Exec != nil {
		return malformed(fmt.Sprintf("kubeconfig's user %q gets its credentials by running %q (exec plugin), which kpanda does not run: use a kubeconfig with a token or client certificate, for example of a ServiceAccount bound to cluster-admin", current.AuthInfo, user.Exec.Command), nil)
	}
	if user.AuthProvider != nil {
		return malformed(fmt.Sprintf("kubeconfig's user %q gets its credentials from auth-provider %q, which kpanda does not run: use a kubeconfig with a token or client certificate, for example of a ServiceAccount bound to cluster-admin", current.AuthInfo, user.AuthProvider.Name), nil)
	}
	return nil
}

// hasCredentials tells whether requests made with config identify a user at all; without
// credentials the apiserver treats them as system:anonymous.
func hasCredentials(config *rest.Config) bool {
	return config.BearerToken != "" || len(config.CertData) > 0 || config.Username != ""
}

// names lists the keys of a kubeconfig section, for messages.
func names[V any](m map[string]V) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, quote(k))
	}
	if len(keys) == 0 {
		return "none"
	}
	slices.Sort(keys)
	return strings.Join(keys, ", ")
}

func quote(s string) string { return fmt.Sprintf("%q", s) }
