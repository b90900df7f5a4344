package localcluster

import (
	"fmt"
	"strconv"
	"strings"
)

// Component names: the names of the binaries in bin/k8s and of their logs in the cluster dir.
const (
	etcd                  = "etcd"
	kubeAPIServer         = "kube-apiserver"
	kubeControllerManager = "kube-controller-manager"
	kubeScheduler         = "kube-scheduler"
	kwok                  = "kwok"
)

// serviceCIDR is the Service IP range of every local cluster; clusters never route to each other,
// so they can all use the same one.
const serviceCIDR = "10.96.0.0/16"

func (c *Cluster) etcdArgs() []string {
	client := c.etcdURL()
	peer := "http://127.0.0.1:" + strconv.Itoa(c.ports.etcdPeer)
	return []string{
		"--name=" + c.name,
		"--data-dir=" + c.path("etcd"),
		"--listen-client-urls=" + client,
		"--advertise-client-urls=" + client,
		"--listen-peer-urls=" + peer,
		"--initial-advertise-peer-urls=" + peer,
		"--initial-cluster=" + c.name + "=" + peer,
		// A local cluster is thrown away with its directory: durability buys nothing and fsync
		// is most of etcd's write latency on a shared disk.
		"--unsafe-no-fsync=true",
		"--quota-backend-bytes=" + strconv.Itoa(2<<30),
		// One member elects itself: a short election timeout saves most of a second at start.
		"--heartbeat-interval=10",
		"--election-timeout=100",
		"--log-level=warn",
	}
}

func (c *Cluster) apiServerArgs() []string {
	return []string{
		"--etcd-servers=" + c.etcdURL(),
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(c.ports.apiServer),
		"--tls-cert-file=" + c.pki.path("apiserver.crt"),
		"--tls-private-key-file=" + c.pki.path("apiserver.key"),
		"--client-ca-file=" + c.pki.path("ca.crt"),
		"--service-account-issuer=https://kubernetes.default.svc",
		"--service-account-key-file=" + c.pki.path("sa.pub"),
		"--service-account-signing-key-file=" + c.pki.path("sa.key"),
		"--service-cluster-ip-range=" + serviceCIDR,
		"--authorization-mode=Node,RBAC",
		"--allow-privileged=true",
		// The aggregation layer, so that APIServices (metrics, and seed FAQ 15) behave as in a
		// real cluster.
		"--requestheader-client-ca-file=" + c.pki.path("front-proxy-ca.crt"),
		"--requestheader-allowed-names=front-proxy-client",
		"--requestheader-username-headers=X-Remote-User",
		"--requestheader-group-headers=X-Remote-Group",
		"--requestheader-extra-headers-prefix=X-Remote-Extra-",
		"--proxy-client-cert-file=" + c.pki.path("front-proxy-client.crt"),
		"--proxy-client-key-file=" + c.pki.path("front-proxy-client.key"),
		// The "kubernetes" Service cannot have a loopback endpoint, and nothing in a simulated
		// cluster dials it.
		"--endpoint-reconciler-type=none",
		"--profiling=false",
	}
}

func (c *Cluster) controllerManagerArgs() []string {
	// The controllers run as the cluster admin rather than one ServiceAccount each: issuing
	// ~40 per-controller tokens made kube-controller-manager take 6 s to start on two cores,
	// against 0.3 s this way. RBAC for users is the same either way.
	kubeconfig := c.KubeconfigPath()
	return []string{
		"--kubeconfig=" + kubeconfig,
		"--authentication-kubeconfig=" + kubeconfig,
		"--authorization-kubeconfig=" + kubeconfig,
		"--controllers=" + controllersFlag(c.opts.DisableControllers),
		"--cluster-name=" + c.name,
		"--cluster-signing-cert-file=" + c.pki.path("ca.crt"),
		"--cluster-signing-key-file=" + c.pki.path("ca.key"),
		"--service-account-private-key-file=" + c.pki.path("sa.key"),
		"--root-ca-file=" + c.pki.path("ca.crt"),
		"--service-cluster-ip-range=" + serviceCIDR,
		"--use-service-account-credentials=false",
		"--leader-elect=false",
		"--secure-port=0",
		"--profiling=false",
	}
}

// controllersFlag is kube-controller-manager's --controllers value: every default controller,
// plus the token signers a real cluster (kubeadm) runs, minus the disabled ones.
func controllersFlag(disabled []string) string {
	parts := []string{"*", "bootstrap-signer-controller", "token-cleaner-controller"}
	for _, name := range disabled {
		parts = append(parts, "-"+name)
	}
	return strings.Join(parts, ",")
}

func (c *Cluster) schedulerArgs() []string {
	kubeconfig := c.path("kube-scheduler.kubeconfig")
	return []string{
		"--kubeconfig=" + kubeconfig,
		"--authentication-kubeconfig=" + kubeconfig,
		"--authorization-kubeconfig=" + kubeconfig,
		"--leader-elect=false",
		"--secure-port=0",
		"--profiling=false",
	}
}

func (c *Cluster) kwokArgs() []string {
	return []string{
		"--kubeconfig=" + c.KubeconfigPath(),
		"--config=" + c.binary(kwokStagesFile),
		"--manage-all-nodes=false",
		"--manage-nodes-with-annotation-selector=" + kwokNodeAnnotation + "=fake",
		"--cidr=10.0.0.1/24",
		"--node-ip=10.0.0.1",
		"--server-address=",
	}
}

func (c *Cluster) etcdURL() string { return fmt.Sprintf("http://127.0.0.1:%d", c.ports.etcdClient) }
