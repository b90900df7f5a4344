// Package crd installs kpanda's CustomResourceDefinitions into a cluster at start-up.
package crd

import (
	"context"
	"fmt"
	"io/fs"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"
)

// fieldManager owns the CRD fields kpanda applies; server-side apply with it makes Install
// idempotent and lets a newer kpanda take over fields an older one set (safe across upgrades).
const fieldManager = "kpanda"

// Install applies the CRDs of manifests whose file names match patterns (config/crd's Global or
// Member) and waits until each is Established, so callers can create objects of the new kinds
// right after.
func Install(ctx context.Context, config *rest.Config, manifests fs.FS, patterns []string) error {
	client, err := apiextensionsclient.NewForConfig(config)
	if err != nil {
		return fmt.Errorf("building CRD client: %w", err)
	}
	var files []string
	for _, pattern := range patterns {
		matched, err := fs.Glob(manifests, pattern)
		if err != nil {
			return fmt.Errorf("listing CRD manifests %s: %w", pattern, err)
		}
		files = append(files, matched...)
	}
	for _, file := range files {
		name, err := apply(ctx, client, manifests, file)
		if err != nil {
			return err
		}
		if err := waitEstablished(ctx, client, name); err != nil {
			return err
		}
	}
	return nil
}

func apply(ctx context.Context, client apiextensionsclient.Interface, manifests fs.FS, file string) (string, error) {
	data, err := fs.ReadFile(manifests, file)
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", file, err)
	}
	var crd apiextensionsv1.CustomResourceDefinition
	if err := yaml.Unmarshal(data, &crd); err != nil {
		return "", fmt.Errorf("parsing %s: %w", file, err)
	}
	body, err := yaml.YAMLToJSON(data)
	if err != nil {
		return "", fmt.Errorf("converting %s: %w", file, err)
	}
	_, err = client.ApiextensionsV1().CustomResourceDefinitions().Patch(ctx, crd.Name, types.ApplyPatchType, body,
		metav1.PatchOptions{FieldManager: fieldManager, Force: new(true)})
	if err != nil {
		return "", fmt.Errorf("applying CRD %s: %w", crd.Name, err)
	}
	return crd.Name, nil
}

func waitEstablished(ctx context.Context, client apiextensionsclient.Interface, name string) error {
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		crd, err := client.ApiextensionsV1().CustomResourceDefinitions().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		for _, condition := range crd.Status.Conditions {
			if condition.Type == apiextensionsv1.Established && condition.Status == apiextensionsv1.ConditionTrue {
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		return fmt.Errorf("waiting for CRD %s to be established: %w", name, err)
	}
	return nil
}
