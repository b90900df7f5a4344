package localcluster_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"os"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/kpanda/kpanda/internal/localcluster"
	"github.com/kpanda/kpanda/internal/localcluster/clustertest"
)

var env clustertest.Env

func TestMain(m *testing.M) {
	if os.Getenv(ownerHelperEnv) != "" {
		runOwnerHelper()
		return
	}
	os.Exit(env.Run(m, clustertest.Options{Members: 2}))
}

func clientFor(t *testing.T, c *localcluster.Cluster) kubernetes.Interface {
	t.Helper()
	client, err := kubernetes.NewForConfig(c.RESTConfig())
	if err != nil {
		t.Fatalf("client for %s: %v", c.Name(), err)
	}
	return client
}

func TestEveryClusterReportsPinnedVersion(t *testing.T) {
	all := append([]*localcluster.Cluster{env.Global}, env.Members...)
	if len(all) != 3 {
		t.Fatalf("want a global and two member clusters, got %d clusters", len(all))
	}
	for _, c := range all {
		t.Run(c.Name(), func(t *testing.T) {
			version, err := clientFor(t, c).Discovery().ServerVersion()
			if err != nil {
				t.Fatalf("server version: %v", err)
			}
			if version.GitVersion != "v1.37.2" {
				t.Errorf("cluster %s reports %s, want v1.37.2 (is bin/k8s built with the version stamp?)", c.Name(), version.GitVersion)
			}
		})
	}
}

func TestClustersAreSeparate(t *testing.T) {
	ctx := t.Context()
	seen := map[string]string{}
	for _, c := range append([]*localcluster.Cluster{env.Global}, env.Members...) {
		ns, err := clientFor(t, c).CoreV1().Namespaces().Get(ctx, "kube-system", metav1.GetOptions{})
		if err != nil {
			t.Fatalf("%s: %v", c.Name(), err)
		}
		if other, dup := seen[string(ns.UID)]; dup {
			t.Errorf("clusters %s and %s share kube-system UID %s: they are one cluster", other, c.Name(), ns.UID)
		}
		seen[string(ns.UID)] = c.Name()
	}
}

func TestDeploymentPodsRun(t *testing.T) {
	ctx := t.Context()
	client := clientFor(t, env.Members[0])
	labels := map[string]string{"app": "web"}
	deployment := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](3),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "nginx"}}},
			},
		},
	}
	if _, err := client.AppsV1().Deployments("default").Create(ctx, deployment, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating deployment: %v", err)
	}
	var running int
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		pods, err := client.CoreV1().Pods("default").List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
		if err != nil {
			return false, err
		}
		running = 0
		for _, pod := range pods.Items {
			if pod.Status.Phase == corev1.PodRunning && pod.Spec.NodeName != "" {
				running++
			}
		}
		return running == 3, nil
	})
	if err != nil {
		t.Fatalf("want 3 Running pods within 30 s, have %d: %v", running, err)
	}
}

func TestJobCompletes(t *testing.T) {
	ctx := t.Context()
	client := clientFor(t, env.Members[1])
	job := &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: "once", Namespace: "default"},
		Spec: batchv1.JobSpec{
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
				RestartPolicy: corev1.RestartPolicyNever,
				Containers:    []corev1.Container{{Name: "once", Image: "busybox"}},
			}},
		},
	}
	if _, err := client.BatchV1().Jobs("default").Create(ctx, job, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating job: %v", err)
	}
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		got, err := client.BatchV1().Jobs("default").Get(ctx, "once", metav1.GetOptions{})
		return err == nil && got.Status.Succeeded == 1, err
	})
	if err != nil {
		t.Fatalf("job did not complete within 30 s: %v", err)
	}
}

func TestApprovedCSRIsSigned(t *testing.T) {
	certificate := requestApprovedCertificate(t, env.Global, "alice", 20*time.Second)
	if certificate == nil {
		t.Fatal("approved CSR got no certificate within 20 s")
	}
	if certificate.Subject.CommonName != "alice" {
		t.Errorf("certificate is for %q, want alice", certificate.Subject.CommonName)
	}
}

func TestCSRIsNotSignedWithCSRSigningDisabled(t *testing.T) {
	c, err := localcluster.Start(t.Context(), localcluster.Options{Name: "no-csrsigning", DisableControllers: []string{"csrsigning"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	if certificate := requestApprovedCertificate(t, c, "bob", 8*time.Second); certificate != nil {
		t.Fatalf("with csrsigning disabled the CSR was signed anyway: %v", certificate.Subject)
	}
}

// requestApprovedCertificate creates a kube-apiserver-client CSR for user, approves it, and
// returns the issued certificate, or nil if none arrives within timeout.
func requestApprovedCertificate(t *testing.T, c *localcluster.Cluster, user string, timeout time.Duration) *x509.Certificate {
	t.Helper()
	ctx := t.Context()
	client := clientFor(t, c)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	request, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: user}}, key)
	if err != nil {
		t.Fatal(err)
	}
	csr := &certificatesv1.CertificateSigningRequest{
		ObjectMeta: metav1.ObjectMeta{Name: "console-" + user},
		Spec: certificatesv1.CertificateSigningRequestSpec{
			Request:    pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: request}),
			SignerName: certificatesv1.KubeAPIServerClientSignerName,
			Usages:     []certificatesv1.KeyUsage{certificatesv1.UsageClientAuth},
		},
	}
	created, err := client.CertificatesV1().CertificateSigningRequests().Create(ctx, csr, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating CSR: %v", err)
	}
	created.Status.Conditions = append(created.Status.Conditions, certificatesv1.CertificateSigningRequestCondition{
		Type: certificatesv1.CertificateApproved, Status: corev1.ConditionTrue, Reason: "Test", Message: "approved by test",
	})
	if _, err := client.CertificatesV1().CertificateSigningRequests().UpdateApproval(ctx, created.Name, created, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("approving CSR: %v", err)
	}
	var issued []byte
	_ = wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		got, err := client.CertificatesV1().CertificateSigningRequests().Get(ctx, created.Name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		issued = got.Status.Certificate
		return len(issued) > 0, nil
	})
	if len(issued) == 0 {
		return nil
	}
	block, _ := pem.Decode(issued)
	if block == nil {
		t.Fatalf("issued certificate is not PEM: %q", issued)
	}
	certificate, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatalf("parsing issued certificate: %v", err)
	}
	return certificate
}

func TestAPIServerStopAndRestart(t *testing.T) {
	ctx := t.Context()
	c := env.Members[1]
	client := clientFor(t, c)
	marker := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "survives-restart", Namespace: "default"}}
	if _, err := client.CoreV1().ConfigMaps("default").Create(ctx, marker, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	c.StopAPIServer()
	if _, err := client.Discovery().ServerVersion(); err == nil {
		t.Fatal("apiserver still answers after StopAPIServer")
	} else if !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("want connection refused from a stopped apiserver, got %v", err)
	}
	if _, ok := c.PIDs()["kube-apiserver"]; ok {
		t.Error("PIDs still lists kube-apiserver after StopAPIServer")
	}

	if err := c.StartAPIServer(ctx); err != nil {
		t.Fatalf("restarting apiserver: %v", err)
	}
	if _, err := client.CoreV1().ConfigMaps("default").Get(ctx, "survives-restart", metav1.GetOptions{}); err != nil {
		t.Fatalf("the same client and data after restart: %v", err)
	}
	if err := c.StartAPIServer(ctx); err == nil {
		t.Error("StartAPIServer on a running apiserver: want an error")
	}
}

func TestUnavailableAPIServiceBlocksNamespaceDeletion(t *testing.T) {
	ctx := t.Context()
	c := env.Global
	client := clientFor(t, c)
	err := c.AddAPIService(ctx, localcluster.APIService{Group: "metrics.example.io", Version: "v1beta1", ServiceNamespace: "default", ServiceName: "does-not-exist"})
	if err != nil {
		t.Fatal(err)
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "stuck"}}
	if _, err := client.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := client.CoreV1().Namespaces().Delete(ctx, "stuck", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	var last *corev1.Namespace
	err = wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		got, err := client.CoreV1().Namespaces().Get(ctx, "stuck", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		last = got
		for _, condition := range got.Status.Conditions {
			if condition.Type == corev1.NamespaceDeletionDiscoveryFailure && condition.Status == corev1.ConditionTrue {
				return strings.Contains(condition.Message, "metrics.example.io/v1beta1"), nil
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("namespace did not report the discovery failure of the APIService: %v; status %+v", err, last.Status)
	}
	if last.Status.Phase != corev1.NamespaceTerminating {
		t.Errorf("namespace phase %s, want Terminating", last.Status.Phase)
	}
}

func TestStartRejectsBadOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts localcluster.Options
		want string
	}{
		{"negative nodes", localcluster.Options{Nodes: -1}, "nodes"},
		{"bin dir without binaries", localcluster.Options{BinDir: t.TempDir()}, "make k8s-bin"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := localcluster.Start(t.Context(), tc.opts)
			if err == nil {
				c.Stop()
				t.Fatal("want an error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}
