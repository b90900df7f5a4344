package localcluster

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// certValidity is long enough for any dev session or test run, short enough that a leaked
// credential of a throwaway cluster does not live forever.
const certValidity = 30 * 24 * time.Hour

// keyPair is a certificate with its private key, both PEM-encoded, as written to disk and
// embedded in kubeconfigs.
type keyPair struct {
	cert    *x509.Certificate
	key     crypto.Signer
	certPEM []byte
	keyPEM  []byte
}

// pki holds every credential of one local cluster. It is generated once per cluster and
// survives an apiserver restart, so clients keep working across StopAPIServer/StartAPIServer.
type pki struct {
	dir          string
	ca           *keyPair // signs serving certs, client certs and (in kube-controller-manager) CSRs
	frontProxyCA *keyPair // trusts the aggregator's proxy client, needed for APIServices
	serving      *keyPair
	admin        *keyPair // system:masters
	scheduler    *keyPair // system:kube-scheduler
	frontProxy   *keyPair
	saKey        *keyPair // only key is set: service-account token signing key
}

// newPKI generates a cluster's credentials; the CAs carry the cluster name so that a
// certificate from one local cluster presented to another is easy to tell apart in errors.
func newPKI(dir, cluster string) (*pki, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating pki directory: %w", err)
	}
	p := &pki{dir: dir}
	var err error
	if p.ca, err = newCA(cluster + "-ca"); err != nil {
		return nil, err
	}
	if p.frontProxyCA, err = newCA(cluster + "-front-proxy-ca"); err != nil {
		return nil, err
	}
	servingTemplate := &x509.Certificate{
		Subject:     pkix.Name{CommonName: "kube-apiserver"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:    []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("10.96.0.1")},
	}
	if p.serving, err = p.ca.sign(servingTemplate); err != nil {
		return nil, err
	}
	clients := []struct {
		into   **keyPair
		signer *keyPair
		cn     string
		org    []string
	}{
		{&p.admin, p.ca, "kubernetes-admin", []string{"system:masters"}},
		{&p.scheduler, p.ca, "system:kube-scheduler", nil},
		{&p.frontProxy, p.frontProxyCA, "front-proxy-client", nil},
	}
	for _, c := range clients {
		if *c.into, err = c.signer.sign(clientTemplate(c.cn, c.org)); err != nil {
			return nil, err
		}
	}
	saKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating service-account key: %w", err)
	}
	if p.saKey, err = keyOnly(saKey); err != nil {
		return nil, err
	}
	return p, p.write()
}

func clientTemplate(cn string, orgs []string) *x509.Certificate {
	return &x509.Certificate{
		Subject:     pkix.Name{CommonName: cn, Organization: orgs},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
}

func newCA(cn string) (*keyPair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating CA key: %w", err)
	}
	template := &x509.Certificate{
		Subject:               pkix.Name{CommonName: cn},
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	return certify(template, template, key, key)
}

// sign issues a leaf certificate for template with a fresh key, signed by the CA kp.
func (kp *keyPair) sign(template *x509.Certificate) (*keyPair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating key for %s: %w", template.Subject.CommonName, err)
	}
	template.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
	return certify(template, kp.cert, key, kp.key)
}

func certify(template, parent *x509.Certificate, key *ecdsa.PrivateKey, parentKey crypto.Signer) (*keyPair, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, fmt.Errorf("generating serial number: %w", err)
	}
	template.SerialNumber = serial
	template.NotBefore = time.Now().Add(-time.Hour) // tolerate small clock skew between processes
	template.NotAfter = time.Now().Add(certValidity)
	der, err := x509.CreateCertificate(rand.Reader, template, parent, key.Public(), parentKey)
	if err != nil {
		return nil, fmt.Errorf("signing certificate for %s: %w", template.Subject.CommonName, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parsing certificate for %s: %w", template.Subject.CommonName, err)
	}
	kp, err := keyOnly(key)
	if err != nil {
		return nil, err
	}
	kp.cert = cert
	kp.certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return kp, nil
}

func keyOnly(key *ecdsa.PrivateKey) (*keyPair, error) {
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("encoding private key: %w", err)
	}
	return &keyPair{key: key, keyPEM: pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})}, nil
}

func (p *pki) write() error {
	pubDER, err := x509.MarshalPKIXPublicKey(p.saKey.key.Public())
	if err != nil {
		return fmt.Errorf("encoding service-account public key: %w", err)
	}
	files := map[string][]byte{
		"ca.crt":                 p.ca.certPEM,
		"ca.key":                 p.ca.keyPEM,
		"front-proxy-ca.crt":     p.frontProxyCA.certPEM,
		"apiserver.crt":          p.serving.certPEM,
		"apiserver.key":          p.serving.keyPEM,
		"front-proxy-client.crt": p.frontProxy.certPEM,
		"front-proxy-client.key": p.frontProxy.keyPEM,
		"sa.key":                 p.saKey.keyPEM,
		"sa.pub":                 pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}),
	}
	for name, data := range files {
		if err := os.WriteFile(p.path(name), data, 0o600); err != nil {
			return fmt.Errorf("writing %s: %w", name, err)
		}
	}
	return nil
}

func (p *pki) path(name string) string { return filepath.Join(p.dir, name) }
