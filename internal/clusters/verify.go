package clusters

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/version"
	apimachineryversion "k8s.io/apimachinery/pkg/version"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// MinimumVersion is the oldest Kubernetes version kpanda manages.
const MinimumVersion = "v1.18.0"

// VerifyTimeout bounds Verify as a whole: a person is waiting for the answer.
const VerifyTimeout = 15 * time.Second

var minimumVersion = version.MustParseGeneric(MinimumVersion)

// Facts is what kpanda learns about a cluster it can reach.
type Facts struct {
	Server        string // the kube-apiserver URL of the current context
	Version       string // e.g. "v1.37.2"
	KubeSystemUID string // UID of namespace kube-system: identifies a cluster across names
}

// Reason says which check of Verify failed; the UI and the CLI branch on it.
type Reason string

// The reasons of Verify, in the order it checks them.
const (
	Malformed            Reason = "Malformed"
	NoCurrentContext     Reason = "NoCurrentContext"
	Unreachable          Reason = "Unreachable"
	UntrustedCertificate Reason = "UntrustedCertificate"
	Unauthorized         Reason = "Unauthorized"
	Forbidden            Reason = "Forbidden"
	UnsupportedVersion   Reason = "UnsupportedVersion"
)

// VerifyError is why a kubeconfig cannot be used. Message names the cause and what to do, and
// is meant to be shown to the user as it is.
type VerifyError struct {
	Reason  Reason
	Message string
	Err     error // the underlying error, if any
}

func (e *VerifyError) Error() string { return e.Message }

func (e *VerifyError) Unwrap() error { return e.Err }

func malformed(message string, err error) *VerifyError {
	return &VerifyError{Reason: Malformed, Message: message, Err: err}
}

func noCurrentContext(message string) *VerifyError {
	return &VerifyError{Reason: NoCurrentContext, Message: message}
}

// Verify parses kubeconfig (file contents), and checks in order: it parses; it has a current
// context that names an existing context/cluster/user; the server is reachable; its
// certificate is trusted; the credentials are accepted; the version is >= MinimumVersion;
// kube-system can be read. It returns the facts or a *VerifyError; only when ctx is canceled
// (not when its deadline passes) is the error ctx's, since then nobody waits for a verdict.
//
// Verify takes at most VerifyTimeout.
func Verify(ctx context.Context, kubeconfig []byte) (*Facts, error) {
	config, err := RESTConfigFromKubeconfig(kubeconfig)
	if err != nil {
		return nil, err
	}
	httpClient, err := rest.HTTPClientFor(config)
	if err != nil {
		return nil, malformed(fmt.Sprintf("kubeconfig cannot be used (%v): %s", err, exportHint), err)
	}
	// The transport is this call's own (the dialer makes it so), so its connections go with it.
	defer httpClient.CloseIdleConnections()
	client, err := kubernetes.NewForConfigAndClient(config, httpClient)
	if err != nil {
		return nil, malformed(fmt.Sprintf("kubeconfig cannot be used (%v): %s", err, exportHint), err)
	}
	verifyCtx, cancel := context.WithTimeout(ctx, VerifyTimeout)
	defer cancel()
	return verify(verifyCtx, config, client)
}

func verify(ctx context.Context, config *rest.Config, client kubernetes.Interface) (*Facts, error) {
	// /version is readable by any authenticated user (and usually by anonymous ones), so it
	// tells reachability, trust and authentication apart before any permission is needed.
	info, err := client.Discovery().ServerVersionWithContext(ctx)
	if err != nil {
		return nil, requestFailed(ctx, config, "read the server version", err)
	}
	if err := checkVersion(info); err != nil {
		return nil, err
	}
	ns, err := client.CoreV1().Namespaces().Get(ctx, metav1.NamespaceSystem, metav1.GetOptions{})
	if err != nil {
		return nil, requestFailed(ctx, config, "read namespace kube-system", err)
	}
	return &Facts{Server: config.Host, Version: info.GitVersion, KubeSystemUID: string(ns.UID)}, nil
}

// checkVersion compares the numeric part of the server's version only, so that vendor builds
// such as v1.30.4-eks-a737599 or v1.28.3+k3s1 count as their upstream version.
func checkVersion(info *apimachineryversion.Info) error {
	serverVersion, err := version.ParseGeneric(info.GitVersion)
	if err != nil {
		// Some distributions stamp gitVersion oddly; major/minor (GKE: "27+") still tell.
		serverVersion, err = version.ParseGeneric(info.Major + "." + strings.TrimSuffix(info.Minor, "+"))
	}
	if err != nil {
		return &VerifyError{Reason: UnsupportedVersion, Err: err, Message: fmt.Sprintf(
			"cluster reports version %q (major %q, minor %q), which kpanda cannot read; kpanda supports %s and later: check that the server is a Kubernetes API server",
			info.GitVersion, info.Major, info.Minor, supported())}
	}
	if !serverVersion.AtLeast(minimumVersion) {
		return &VerifyError{Reason: UnsupportedVersion, Message: fmt.Sprintf(
			"cluster runs %s; kpanda supports %s and later: upgrade the cluster", info.GitVersion, supported())}
	}
	return nil
}

// supported is MinimumVersion as people say it: "v1.18".
func supported() string {
	return fmt.Sprintf("v%d.%d", minimumVersion.Major(), minimumVersion.Minor())
}

// requestFailed turns the error of a request to the server into a VerifyError; doing names the
// request ("read namespace kube-system").
func requestFailed(ctx context.Context, config *rest.Config, doing string, err error) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return fmt.Errorf("verifying the kubeconfig of %s: %w", config.Host, ctx.Err())
	}
	if verr := certificateFailed(config, err); verr != nil {
		return verr
	}
	if verr := apiRefused(config, doing, err); verr != nil {
		return verr
	}
	return &VerifyError{Reason: Unreachable, Err: err, Message: fmt.Sprintf(
		"cannot reach %s (%s): check the server address and that this host can reach it", config.Host, unreachableCause(err))}
}

// certificateFailed explains a server certificate that the client did not accept.
func certificateFailed(config *rest.Config, err error) *VerifyError {
	var (
		unknownAuthority x509.UnknownAuthorityError
		invalid          x509.CertificateInvalidError
		hostname         x509.HostnameError
	)
	var message string
	switch {
	case errors.As(err, &unknownAuthority) && len(config.CAData) == 0:
		message = fmt.Sprintf("the server's certificate at %s is not signed by an authority this host trusts, and the kubeconfig has no certificate-authority-data (%v): %s",
			config.Host, unknownAuthority, exportHint)
	case errors.As(err, &unknownAuthority):
		message = fmt.Sprintf("the server's certificate at %s is not signed by the kubeconfig's certificate-authority-data (%v): export the kubeconfig again from that cluster",
			config.Host, unknownAuthority)
	case errors.As(err, &hostname):
		message = fmt.Sprintf("the server's certificate is not valid for the address %s (%v): use an address the certificate names, or set tls-server-name in the kubeconfig's cluster",
			config.Host, hostname)
	case errors.As(err, &invalid):
		message = fmt.Sprintf("the server's certificate at %s is not valid (%v): check this host's clock, and renew the cluster's certificates if they expired",
			config.Host, invalid)
	default:
		return nil
	}
	return &VerifyError{Reason: UntrustedCertificate, Message: message, Err: err}
}

// apiRefused explains an answer of the apiserver that refuses the request.
func apiRefused(config *rest.Config, doing string, err error) *VerifyError {
	refused := apierrors.IsUnauthorized(err) || apierrors.IsForbidden(err)
	switch {
	case refused && !hasCredentials(config):
		// The apiserver took the request as system:anonymous (403) or does not allow anonymous
		// requests (401): the problem is the missing credentials, not wrong ones or rights.
		return &VerifyError{Reason: Unauthorized, Err: err, Message: fmt.Sprintf(
			"the kubeconfig's user has no credentials (no token or client certificate), so the cluster at %s refused it as anonymous (%v): %s",
			config.Host, err, exportHint)}
	case apierrors.IsUnauthorized(err):
		return &VerifyError{Reason: Unauthorized, Err: err, Message: fmt.Sprintf(
			"the cluster at %s rejected the kubeconfig's credentials (401): they may be expired or from another cluster; export the kubeconfig again from that cluster",
			config.Host)}
	case apierrors.IsForbidden(err):
		return &VerifyError{Reason: Forbidden, Err: err, Message: fmt.Sprintf(
			"the kubeconfig's user may not %s (403: %v): kpanda needs cluster-admin; bind the user to ClusterRole cluster-admin or use an admin kubeconfig",
			doing, err)}
	}
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		// Any other status (404, 5xx, ...): something answers, but not a healthy apiserver.
		return &VerifyError{Reason: Unreachable, Err: err, Message: fmt.Sprintf(
			"the server at %s does not answer as a working Kubernetes API server when asked to %s (%d: %v): check the server address, and the cluster's health",
			config.Host, doing, status.Status().Code, err)}
	}
	return nil
}

// unreachableCause says in a few words why no answer came.
func unreachableCause(err error) string {
	var (
		dnsErr    *net.DNSError
		netErr    net.Error
		recordErr tls.RecordHeaderError
	)
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return fmt.Sprintf("host name %s not found", dnsErr.Name)
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		return "no answer in time"
	case errors.Is(err, syscall.EHOSTUNREACH):
		return "no route to host"
	case errors.Is(err, syscall.ENETUNREACH):
		return "network unreachable"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.As(err, &recordErr):
		return "the server does not speak TLS; is the address http:// rather than https://?"
	}
	return err.Error()
}
