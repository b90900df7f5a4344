package workloads_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/kpanda/kpanda/internal/apiclient"
	"github.com/kpanda/kpanda/internal/apiclient/apiclienttest"
	"github.com/kpanda/kpanda/internal/localcluster/clustertest"
	"github.com/kpanda/kpanda/internal/workload"
)

// cronHPACRDYAML is a minimal CronHorizontalPodAutoscaler CRD, as kubernetes-cronhpa-controller
// ships one: its group, names and version, with an open schema.
const cronHPACRDYAML = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: cronhorizontalpodautoscalers.autoscaling.alibabacloud.com
spec:
  group: autoscaling.alibabacloud.com
  scope: Namespaced
  names: {kind: CronHorizontalPodAutoscaler, listKind: CronHorizontalPodAutoscalerList, plural: cronhorizontalpodautoscalers, singular: cronhorizontalpodautoscaler, shortNames: [cronhpa]}
  versions:
  - name: v1beta1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
`

// installCRD creates the CRD of crdYAML in the member, deletes it when the test ends, and
// waits until its resource gvr is served: a CRD is stored a moment before it is, and kpanda
// asks the member's discovery.
func installCRD(t *testing.T, crdYAML string, gvr schema.GroupVersionResource) {
	t.Helper()
	crd := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(crdYAML), &crd.Object); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeCRD(t, crd.GetName()) })
	if _, err := dyn.Resource(crdGVR).Create(t.Context(), crd, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	clustertest.Eventually(t, 30*time.Second, gvr.Resource+" are served", func(ctx context.Context) error {
		resources, err := kube.Discovery().ServerResourcesForGroupVersion(gvr.GroupVersion().String())
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(resources.APIResources, func(r metav1.APIResource) bool { return r.Name == gvr.Resource }) {
			return errors.New("not in discovery yet")
		}
		_, err = dyn.Resource(gvr).List(ctx, metav1.ListOptions{})
		return err
	})
}

// removeCRD deletes the CRD name and waits until it is gone, so that later tests see a cluster
// without the add-on.
func removeCRD(t *testing.T, name string) {
	ctx := context.Background()
	err := dyn.Resource(crdGVR).Delete(ctx, name, metav1.DeleteOptions{})
	if apierrors.IsNotFound(err) {
		return
	}
	if err != nil {
		t.Errorf("cleanup: %v", err)
		return
	}
	for range 300 {
		if _, err := dyn.Resource(crdGVR).Get(ctx, name, metav1.GetOptions{}); apierrors.IsNotFound(err) {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Errorf("cleanup: CRD %s not deleted within a minute", name)
}

// installAutoscalerCRDs installs the VPA and CronHPA CRDs for the length of the test.
func installAutoscalerCRDs(t *testing.T) {
	t.Helper()
	installCRD(t, vpaCRDYAML, workload.VPAResource)
	installCRD(t, cronHPACRDYAML, workload.CronHPAResource)
}

// expectNotInstalled asserts the refusal of a cluster without addon, which says to install it.
func expectNotInstalled(t *testing.T, err error, addon string) {
	t.Helper()
	apiclienttest.ExpectError(t, err, http.StatusConflict, "", fmt.Sprintf("install the %s add-on", addon))
	var apiErr *apiclient.APIError
	if errors.As(err, &apiErr) && apiErr.Reason != "AddonNotInstalled" {
		t.Errorf("reason %q, want AddonNotInstalled", apiErr.Reason)
	}
}

// stored reads the object name of gvr in the test namespace as the member's admin.
func stored(t *testing.T, gvr schema.GroupVersionResource, name string) *unstructured.Unstructured {
	t.Helper()
	u, err := dyn.Resource(gvr).Namespace(namespace).Get(t.Context(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("reading %s %s: %v", gvr.Resource, name, err)
	}
	return u
}

// storedString is the string at path of u, "" when there is none.
func storedString(u *unstructured.Unstructured, path ...string) string {
	s, _, _ := unstructured.NestedString(u.Object, path...)
	return s
}

// expectGone asserts that the object name of gvr is no longer in the namespace.
func expectGone(t *testing.T, gvr schema.GroupVersionResource, name string) {
	t.Helper()
	if _, err := dyn.Resource(gvr).Namespace(namespace).Get(t.Context(), name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("%s %s after delete: %v", gvr.Resource, name, err)
	}
}
