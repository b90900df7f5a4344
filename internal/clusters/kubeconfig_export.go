package clusters

import (
	"fmt"
	"os"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// KubeconfigFromRESTConfig writes config as a self-contained kubeconfig (files read and
// embedded), the form kpanda stores in <cluster>-secret. The global cluster registers itself
// with it, from the configuration kpanda itself runs with.
func KubeconfigFromRESTConfig(name string, config *rest.Config) ([]byte, error) {
	caData, err := dataOrFile(config.CAData, config.CAFile)
	if err != nil {
		return nil, err
	}
	certData, err := dataOrFile(config.CertData, config.CertFile)
	if err != nil {
		return nil, err
	}
	keyData, err := dataOrFile(config.KeyData, config.KeyFile)
	if err != nil {
		return nil, err
	}
	token := config.BearerToken
	if token == "" && config.BearerTokenFile != "" {
		data, err := os.ReadFile(config.BearerTokenFile)
		if err != nil {
			return nil, fmt.Errorf("reading token file: %w", err)
		}
		token = string(data)
	}
	kubeconfig := clientcmdapi.NewConfig()
	kubeconfig.Clusters[name] = &clientcmdapi.Cluster{Server: config.Host, CertificateAuthorityData: caData,
		InsecureSkipTLSVerify: config.Insecure, TLSServerName: config.ServerName}
	kubeconfig.AuthInfos[name] = &clientcmdapi.AuthInfo{ClientCertificateData: certData, ClientKeyData: keyData, Token: token}
	kubeconfig.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: name}
	kubeconfig.CurrentContext = name
	return clientcmd.Write(*kubeconfig)
}

func dataOrFile(data []byte, file string) ([]byte, error) {
	if len(data) > 0 || file == "" {
		return data, nil
	}
	read, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", file, err)
	}
	return read, nil
}
