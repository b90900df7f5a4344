package clusters_test

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/utils/ptr"

	"github.com/kpanda/kpanda/internal/clusters"
	"github.com/kpanda/kpanda/internal/localcluster"
	"github.com/kpanda/kpanda/internal/localcluster/clustertest"
)

var env clustertest.Env

func TestMain(m *testing.M) { os.Exit(env.Run(m, clustertest.Options{Members: 2})) }

func TestVerifyAcceptsAdminKubeconfig(t *testing.T) {
	clusterOfUID := map[string]string{}
	for _, c := range env.Members {
		t.Run(c.Name(), func(t *testing.T) {
			facts, err := clusters.Verify(t.Context(), encode(t, load(t, c)))
			if err != nil {
				t.Fatalf("Verify of %s's admin kubeconfig: %v", c.Name(), err)
			}
			if want := c.RESTConfig().Host; facts.Server != want {
				t.Errorf("Server = %q, want %q", facts.Server, want)
			}
			if facts.Version != "v1.37.2" {
				t.Errorf("Version = %q, want v1.37.2", facts.Version)
			}
			if want := kubeSystemUID(t, c); facts.KubeSystemUID != want {
				t.Errorf("KubeSystemUID = %q, want %q (the UID of kube-system read with the admin client)", facts.KubeSystemUID, want)
			}
			if other, dup := clusterOfUID[facts.KubeSystemUID]; dup {
				t.Errorf("%s and %s both have kube-system UID %s: the UID would not tell clusters apart", other, c.Name(), facts.KubeSystemUID)
			}
			clusterOfUID[facts.KubeSystemUID] = c.Name()
		})
	}
}

// rejection is a kubeconfig Verify must refuse, and what it must say: each case lists the cause
// and the advice the message has to contain.
type rejection struct {
	name       string
	kubeconfig func(t *testing.T) []byte
	timeout    time.Duration // of the caller's context; default none
	reason     clusters.Reason
	says       []string
}

func TestVerifyRejects(t *testing.T) {
	member1, member2 := env.Members[0], env.Members[1]
	cases := []rejection{
		{
			name:       "not YAML",
			kubeconfig: func(*testing.T) []byte { return []byte("{{{ this is not yaml") },
			reason:     clusters.Malformed,
			says:       []string{"not valid YAML/kubeconfig", "kubectl config view --raw --minify"},
		},
		{
			name:       "empty",
			kubeconfig: func(*testing.T) []byte { return []byte("\n") },
			reason:     clusters.Malformed,
			says:       []string{"empty", "kubectl config view --raw --minify"},
		},
		{
			name:       "YAML but not a kubeconfig",
			kubeconfig: func(*testing.T) []byte { return []byte("greeting: hello\n") },
			reason:     clusters.Malformed,
			says:       []string{"no clusters and no contexts", "kubectl config view --raw --minify"},
		},
		{
			name: "no current-context",
			kubeconfig: edit(member1, func(_ *testing.T, c *clientcmdapi.Config) {
				c.CurrentContext = ""
			}),
			reason: clusters.NoCurrentContext,
			says:   []string{"no current-context", "kubectl config use-context", member1.Name()},
		},
		{
			name: "current-context names a missing context",
			kubeconfig: edit(member1, func(_ *testing.T, c *clientcmdapi.Config) {
				c.CurrentContext = "gone"
			}),
			reason: clusters.NoCurrentContext,
			says:   []string{`"gone"`, "kubectl config use-context"},
		},
		{
			name: "context names a missing user",
			kubeconfig: edit(member1, func(_ *testing.T, c *clientcmdapi.Config) {
				c.Contexts[c.CurrentContext].AuthInfo = "nobody"
			}),
			reason: clusters.NoCurrentContext,
			says:   []string{`user "nobody"`, "kubectl config view --raw --minify --flatten"},
		},
		{
			name: "certificate-authority-data is not a certificate",
			kubeconfig: edit(member1, func(_ *testing.T, c *clientcmdapi.Config) {
				cluster(c).CertificateAuthorityData = []byte("not a certificate")
			}),
			reason: clusters.Malformed,
			says:   []string{"certificate data", "kubectl config view --raw --minify --flatten"},
		},
		{
			name: "token from a file",
			kubeconfig: edit(member1, func(t *testing.T, c *clientcmdapi.Config) {
				tokenFile := filepath.Join(t.TempDir(), "token")
				if err := os.WriteFile(tokenFile, []byte("secret"), 0o600); err != nil {
					t.Fatal(err)
				}
				*user(c) = clientcmdapi.AuthInfo{TokenFile: tokenFile}
			}),
			reason: clusters.Malformed,
			says:   []string{"tokenFile", "self-contained", "kubectl config view --raw --minify --flatten"},
		},
		{
			name:       "credentials from an exec plugin",
			kubeconfig: edit(member1, execPlugin),
			reason:     clusters.Malformed,
			says:       []string{"exec plugin", "does not run", "use a kubeconfig with a token or client certificate"},
		},
		{
			name: "nothing listens on the port",
			kubeconfig: edit(member1, func(t *testing.T, c *clientcmdapi.Config) {
				cluster(c).Server = "https://" + closedAddress(t)
			}),
			reason: clusters.Unreachable,
			says:   []string{"cannot reach https://127.0.0.1:", "(connection refused)", "check the server address"},
		},
		{
			name:       "apiserver stopped",
			kubeconfig: stoppedAPIServer(member2),
			reason:     clusters.Unreachable,
			says:       []string{"cannot reach " + member2.RESTConfig().Host, "(connection refused)", "check the server address"},
		},
		{
			name: "server never answers",
			kubeconfig: edit(member1, func(t *testing.T, c *clientcmdapi.Config) {
				cluster(c).Server = "https://" + silentAddress(t)
			}),
			timeout: 2 * time.Second,
			reason:  clusters.Unreachable,
			says:    []string{"no answer in time", "check the server address"},
		},
		{
			name: "CA of another cluster",
			kubeconfig: edit(member1, func(t *testing.T, c *clientcmdapi.Config) {
				cluster(c).CertificateAuthorityData = readFile(t, filepath.Join(member2.Dir(), "pki", "ca.crt"))
			}),
			reason: clusters.UntrustedCertificate,
			says:   []string{"not signed by the kubeconfig's certificate-authority-data", "x509:", "export the kubeconfig again"},
		},
		{
			name: "server name the certificate does not hold",
			kubeconfig: edit(member1, func(_ *testing.T, c *clientcmdapi.Config) {
				cluster(c).TLSServerName = "not-the-apiserver.example"
			}),
			reason: clusters.UntrustedCertificate,
			says:   []string{"not valid for the address", "not-the-apiserver.example", "set tls-server-name"},
		},
		{
			name: "credentials of another cluster",
			kubeconfig: edit(member1, func(t *testing.T, c *clientcmdapi.Config) {
				*user(c) = *user(load(t, member2))
			}),
			reason: clusters.Unauthorized,
			says:   []string{"rejected the kubeconfig's credentials (401)", "export the kubeconfig again"},
		},
		{
			name: "no credentials",
			kubeconfig: edit(member1, func(_ *testing.T, c *clientcmdapi.Config) {
				*user(c) = clientcmdapi.AuthInfo{}
			}),
			reason: clusters.Unauthorized,
			says:   []string{"no credentials", "anonymous", "kubectl config view --raw --minify --flatten"},
		},
		{
			name:       "ServiceAccount without RBAC",
			kubeconfig: edit(member1, serviceAccountToken(member1)),
			reason:     clusters.Forbidden,
			says:       []string{"may not read namespace kube-system (403", "kpanda needs cluster-admin"},
		},
		{
			// kpanda's version gate cannot meet a real old apiserver here (bin/k8s holds only
			// v1.37.2), so a TLS server answers /version as Kubernetes v1.16.3 does.
			name:       "Kubernetes v1.16",
			kubeconfig: fakeAPIServer(`{"gitVersion":"v1.16.3","major":"1","minor":"16"}`),
			reason:     clusters.UnsupportedVersion,
			says:       []string{"cluster runs v1.16.3", "supports v1.18 and later", "upgrade the cluster"},
		},
		{
			name:       "not a Kubernetes API server",
			kubeconfig: fakeAPIServer(""),
			reason:     clusters.Unreachable,
			says:       []string{"does not answer as a working Kubernetes API server", "404", "check the server address"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			kubeconfig := tc.kubeconfig(t)
			ctx := t.Context()
			if tc.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.timeout)
				defer cancel()
			}
			facts, err := clusters.Verify(ctx, kubeconfig)
			if err == nil {
				t.Fatalf("Verify accepted the kubeconfig (facts %+v), want reason %s", facts, tc.reason)
			}
			expectVerifyError(t, err, tc.reason, tc.says...)
		})
	}
}

// TestVerifyCanceled checks that a canceled caller gets its cancellation back, not a verdict
// on the cluster.
func TestVerifyCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := clusters.Verify(ctx, encode(t, load(t, env.Members[0])))
	var verr *clusters.VerifyError
	if !errors.Is(err, context.Canceled) || errors.As(err, &verr) {
		t.Fatalf("Verify with a canceled context: %v (%T), want context.Canceled and no *VerifyError", err, err)
	}
}

func TestRESTConfigFromKubeconfigReachesTheCluster(t *testing.T) {
	c := env.Members[0]
	config, err := clusters.RESTConfigFromKubeconfig(encode(t, load(t, c)))
	if err != nil {
		t.Fatalf("RESTConfigFromKubeconfig: %v", err)
	}
	if config.Dial == nil {
		t.Errorf("config has no dialer: an unreachable host would take the OS's TCP timeout to fail")
	}
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		t.Fatal(err)
	}
	ns, err := client.CoreV1().Namespaces().Get(t.Context(), metav1.NamespaceSystem, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("reading kube-system with the config: %v", err)
	}
	if want := kubeSystemUID(t, c); string(ns.UID) != want {
		t.Errorf("kube-system UID through the config = %s, want %s: the config reaches another cluster", ns.UID, want)
	}
}

func expectVerifyError(t *testing.T, err error, reason clusters.Reason, says ...string) {
	t.Helper()
	var verr *clusters.VerifyError
	if !errors.As(err, &verr) {
		t.Fatalf("Verify: %v (%T), want a *VerifyError with reason %s", err, err, reason)
	}
	if verr.Reason != reason {
		t.Errorf("Reason = %s, want %s (message %q)", verr.Reason, reason, verr.Message)
	}
	if verr.Error() != verr.Message {
		t.Errorf("Error() = %q, want the Message %q", verr.Error(), verr.Message)
	}
	for _, s := range says {
		if !strings.Contains(verr.Message, s) {
			t.Errorf("message %q does not say %q", verr.Message, s)
		}
	}
	t.Logf("%s: %s\n  underlying: %s", verr.Reason, verr.Message, chain(verr.Err))
}

// chain lists the types of an error chain, to see what a case really produced.
func chain(err error) string {
	var types []string
	for err != nil {
		types = append(types, fmt.Sprintf("%T", err))
		err = errors.Unwrap(err)
	}
	if len(types) == 0 {
		return "none"
	}
	return strings.Join(types, " > ")
}

// edit returns the admin kubeconfig of c changed by change.
func edit(c *localcluster.Cluster, change func(*testing.T, *clientcmdapi.Config)) func(*testing.T) []byte {
	return func(t *testing.T) []byte {
		config := load(t, c)
		change(t, config)
		return encode(t, config)
	}
}

func load(t *testing.T, c *localcluster.Cluster) *clientcmdapi.Config {
	t.Helper()
	config, err := clientcmd.Load(readFile(t, c.KubeconfigPath()))
	if err != nil {
		t.Fatalf("loading the kubeconfig of %s: %v", c.Name(), err)
	}
	return config
}

func encode(t *testing.T, config *clientcmdapi.Config) []byte {
	t.Helper()
	data, err := clientcmd.Write(*config)
	if err != nil {
		t.Fatalf("encoding kubeconfig: %v", err)
	}
	return data
}

func cluster(c *clientcmdapi.Config) *clientcmdapi.Cluster {
	return c.Clusters[c.Contexts[c.CurrentContext].Cluster]
}

func user(c *clientcmdapi.Config) *clientcmdapi.AuthInfo {
	return c.AuthInfos[c.Contexts[c.CurrentContext].AuthInfo]
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func kubeSystemUID(t *testing.T, c *localcluster.Cluster) string {
	t.Helper()
	ns, err := adminClient(t, c).CoreV1().Namespaces().Get(t.Context(), metav1.NamespaceSystem, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("reading kube-system of %s: %v", c.Name(), err)
	}
	return string(ns.UID)
}

func adminClient(t *testing.T, c *localcluster.Cluster) kubernetes.Interface {
	t.Helper()
	client, err := kubernetes.NewForConfig(c.RESTConfig())
	if err != nil {
		t.Fatalf("client for %s: %v", c.Name(), err)
	}
	return client
}

// execPlugin makes the user's credentials come from a command that leaves a mark, and checks
// after the test that Verify did not run it.
func execPlugin(t *testing.T, c *clientcmdapi.Config) {
	marker := filepath.Join(t.TempDir(), "exec-plugin-ran")
	*user(c) = clientcmdapi.AuthInfo{Exec: &clientcmdapi.ExecConfig{
		APIVersion:      "client.authentication.k8s.io/v1",
		Command:         "/bin/sh",
		Args:            []string{"-c", "touch " + marker},
		InteractiveMode: clientcmdapi.NeverExecInteractiveMode,
	}}
	t.Cleanup(func() {
		if _, err := os.Stat(marker); err == nil {
			t.Errorf("Verify ran the kubeconfig's exec plugin")
		}
	})
}

// serviceAccountToken makes the user a new ServiceAccount of c, which authenticates but has no
// RBAC bindings.
func serviceAccountToken(c *localcluster.Cluster) func(*testing.T, *clientcmdapi.Config) {
	return func(t *testing.T, config *clientcmdapi.Config) {
		ctx, client := t.Context(), adminClient(t, c)
		sa, err := client.CoreV1().ServiceAccounts(metav1.NamespaceDefault).Create(ctx,
			&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{GenerateName: "verify-no-rbac-"}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("creating ServiceAccount: %v", err)
		}
		t.Cleanup(func() {
			_ = client.CoreV1().ServiceAccounts(sa.Namespace).Delete(context.Background(), sa.Name, metav1.DeleteOptions{})
		})
		token, err := client.CoreV1().ServiceAccounts(sa.Namespace).CreateToken(ctx, sa.Name,
			&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](600)}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("requesting a token for ServiceAccount %s: %v", sa.Name, err)
		}
		*user(config) = clientcmdapi.AuthInfo{Token: token.Status.Token}
	}
}

// stoppedAPIServer stops c's kube-apiserver for the test and starts it again afterwards.
func stoppedAPIServer(c *localcluster.Cluster) func(*testing.T) []byte {
	return func(t *testing.T) []byte {
		kubeconfig := encode(t, load(t, c))
		c.StopAPIServer()
		t.Cleanup(func() {
			// t.Context() is already canceled when cleanups run.
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			if err := c.StartAPIServer(ctx); err != nil {
				t.Errorf("restarting the kube-apiserver of %s: %v", c.Name(), err)
			}
		})
		return kubeconfig
	}
}

// fakeAPIServer serves version (a /version body) over TLS, or 404 for everything if version is
// empty, and returns a kubeconfig that trusts it.
func fakeAPIServer(version string) func(*testing.T) []byte {
	return func(t *testing.T) []byte {
		server := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if version == "" || r.URL.Path != "/version" {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(version))
		}))
		t.Cleanup(server.Close)
		ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: server.Certificate().Raw})
		config := clientcmdapi.NewConfig()
		config.Clusters["fake"] = &clientcmdapi.Cluster{Server: server.URL, CertificateAuthorityData: ca}
		config.AuthInfos["fake"] = &clientcmdapi.AuthInfo{Token: "any"}
		config.Contexts["fake"] = &clientcmdapi.Context{Cluster: "fake", AuthInfo: "fake"}
		config.CurrentContext = "fake"
		return encode(t, config)
	}
}

// closedAddress is a local address nothing listens on.
func closedAddress(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// silentAddress is a local address that accepts connections (the kernel does, into the
// backlog) but never answers.
func silentAddress(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l.Addr().String()
}
