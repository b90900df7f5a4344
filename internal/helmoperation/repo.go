package helmoperation

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv1alpha1 "github.com/kpanda/kpanda/api/helm/v1alpha1"
	"github.com/kpanda/kpanda/internal/helm"
)

// Namespace is where kpanda keeps its objects in a member: repo credentials, chart indexes,
// operation Jobs.
const Namespace = "kpanda-system"

// IndexConfigMapName is the ConfigMap of the member's Namespace holding repo's chart index.
func IndexConfigMapName(repo string) string { return "helmrepo-" + repo + "-index" }

// IndexKey is the key of that ConfigMap's binaryData.
const IndexKey = "index.json.gz"

// Secret keys of a HelmRepo's AuthSecretName.
const (
	UsernameKey = "username"
	PasswordKey = "password"
)

// RepoAccess reads how to reach HelmRepo name: its URL, TLS choices and credentials.
func RepoAccess(ctx context.Context, c client.Reader, name string) (helm.Repo, error) {
	var repo helmv1alpha1.HelmRepo
	if err := c.Get(ctx, client.ObjectKey{Name: name}, &repo); err != nil {
		return helm.Repo{}, fmt.Errorf("helm repo %s: %w", name, err)
	}
	return AccessOf(ctx, c, &repo)
}

// AccessOf is how to reach repo.
func AccessOf(ctx context.Context, c client.Reader, repo *helmv1alpha1.HelmRepo) (helm.Repo, error) {
	access := helm.Repo{
		Name: repo.Name, URL: repo.Spec.URL,
		CABundle: repo.Spec.CABundle, InsecureSkipTLSVerify: repo.Spec.InsecureSkipTLSVerify,
	}
	if repo.Spec.AuthSecretName == "" {
		return access, nil
	}
	var secret corev1.Secret
	if err := c.Get(ctx, client.ObjectKey{Namespace: Namespace, Name: repo.Spec.AuthSecretName}, &secret); err != nil {
		return helm.Repo{}, fmt.Errorf("credentials of helm repo %s (Secret %s/%s): %w", repo.Name, Namespace, repo.Spec.AuthSecretName, err)
	}
	access.Username, access.Password = string(secret.Data[UsernameKey]), string(secret.Data[PasswordKey])
	return access, nil
}

// ReadIndex reads the chart index of HelmRepo name as of its last refresh.
func ReadIndex(ctx context.Context, c client.Reader, name string) (*helm.Index, error) {
	var cm corev1.ConfigMap
	if err := c.Get(ctx, client.ObjectKey{Namespace: Namespace, Name: IndexConfigMapName(name)}, &cm); err != nil {
		return nil, fmt.Errorf("chart index of helm repo %s (not refreshed yet?): %w", name, err)
	}
	return helm.DecodeIndex(cm.BinaryData[IndexKey])
}
