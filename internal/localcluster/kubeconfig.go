package localcluster

import (
	"fmt"
	"strconv"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// writeKubeconfigs writes the admin kubeconfig (the one users, tests, kube-controller-manager
// and kwok use) and the scheduler's, with the identity RBAC's bootstrap policy expects.
func (c *Cluster) writeKubeconfigs() error {
	server := "https://127.0.0.1:" + strconv.Itoa(c.ports.apiServer)
	files := map[string]*keyPair{
		"kubeconfig":                c.pki.admin,
		"kube-scheduler.kubeconfig": c.pki.scheduler,
	}
	for file, identity := range files {
		config := kubeconfigFor(c.name, server, c.pki.ca.certPEM, identity)
		if err := clientcmd.WriteToFile(*config, c.path(file)); err != nil {
			return fmt.Errorf("writing %s: %w", file, err)
		}
	}
	admin, err := clientcmd.BuildConfigFromFlags("", c.KubeconfigPath())
	if err != nil {
		return fmt.Errorf("loading admin kubeconfig: %w", err)
	}
	admin.QPS, admin.Burst = 100, 200
	c.config = admin
	return nil
}

// kubeconfigFor is a self-contained kubeconfig (certificates embedded) whose cluster, user and
// current context are named after the cluster.
func kubeconfigFor(name, server string, caPEM []byte, identity *keyPair) *clientcmdapi.Config {
	config := clientcmdapi.NewConfig()
	config.Clusters[name] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: caPEM}
	user := name + "-" + identity.cert.Subject.CommonName
	config.AuthInfos[user] = &clientcmdapi.AuthInfo{ClientCertificateData: identity.certPEM, ClientKeyData: identity.keyPEM}
	config.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: user}
	config.CurrentContext = name
	return config
}
