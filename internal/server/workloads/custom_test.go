package workloads_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kpanda/kpanda/internal/apiclient/apiclienttest"
	"github.com/kpanda/kpanda/internal/localcluster/clustertest"
)

var widgets = schema.GroupVersionResource{Group: "test.kpanda.io", Version: "v1", Resource: "widgets"}

// installWidgets installs a namespaced CRD in the member, as its admin.
func installWidgets(t *testing.T) {
	t.Helper()
	crds, err := apiextensionsclient.NewForConfig(env.Members[0].RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	open := true
	crd := &apiextensionsv1.CustomResourceDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: "widgets.test.kpanda.io"},
		Spec: apiextensionsv1.CustomResourceDefinitionSpec{
			Group: widgets.Group, Scope: apiextensionsv1.NamespaceScoped,
			Names: apiextensionsv1.CustomResourceDefinitionNames{Plural: "widgets", Singular: "widget", Kind: "Widget", ListKind: "WidgetList"},
			Versions: []apiextensionsv1.CustomResourceDefinitionVersion{{Name: "v1", Served: true, Storage: true,
				Schema: &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: &apiextensionsv1.JSONSchemaProps{Type: "object", XPreserveUnknownFields: &open}}}},
		},
	}
	if _, err := crds.ApiextensionsV1().CustomResourceDefinitions().Create(t.Context(), crd, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
}

func TestCustomResources(t *testing.T) {
	ctx := t.Context()
	installWidgets(t)

	t.Run("the CRD is listed", func(t *testing.T) {
		clustertest.Eventually(t, 30*time.Second, "widgets listed", func(ctx context.Context) error {
			list, err := admin.ListCRDs(ctx, cluster)
			if err != nil {
				return err
			}
			for _, crd := range list.Items {
				if crd.Name == "widgets.test.kpanda.io" {
					if crd.Kind != "Widget" || crd.Scope != "Namespaced" || len(crd.Versions) != 1 || crd.Versions[0] != "v1" || crd.Group != widgets.Group {
						return fmt.Errorf("listed as %+v", crd)
					}
					return nil
				}
			}
			return fmt.Errorf("not among %d CRDs", len(list.Items))
		})
	})

	manifest := "apiVersion: test.kpanda.io/v1\nkind: Widget\nmetadata:\n  name: w1\nspec:\n  size: 3\n"
	clustertest.Eventually(t, 30*time.Second, "widget created", func(ctx context.Context) error {
		_, err := admin.CreateCustomResource(ctx, cluster, widgets.Group, "v1", "widgets", namespace, manifest)
		return err
	})
	got, err := admin.GetCustomResource(ctx, cluster, widgets.Group, "v1", "widgets", namespace, "w1")
	if err != nil {
		t.Fatal(err)
	}
	if spec, _ := got["spec"].(map[string]any); spec["size"] != float64(3) {
		t.Errorf("read back %v", got)
	}
	list, err := admin.ListCustomResources(ctx, cluster, widgets.Group, "v1", "widgets", namespace)
	if err != nil || len(list.Items) != 1 {
		t.Fatalf("list: %v %+v", err, list)
	}
	_, err = admin.CreateCustomResource(ctx, cluster, widgets.Group, "v1", "widgets", namespace, manifest)
	apiclienttest.ExpectError(t, err, http.StatusConflict, "name", "already exists")

	// A stuck object (a finalizer nobody removes) is deleted from the UI as any other; that
	// kpanda's own controllers then finish the deletion is their business (seed FAQ 5).
	if err := admin.DeleteCustomResource(ctx, cluster, widgets.Group, "v1", "widgets", namespace, "w1"); err != nil {
		t.Fatal(err)
	}
	if _, err := dyn.Resource(widgets).Namespace(namespace).Get(ctx, "w1", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("w1 after delete: %v", err)
	}
	_, err = admin.GetCustomResource(ctx, cluster, widgets.Group, "v1", "widgets", namespace, "w1")
	apiclienttest.ExpectError(t, err, http.StatusNotFound, "", "not found")

	t.Run("core group and cluster scope", func(t *testing.T) {
		list, err := admin.ListCustomResources(ctx, cluster, "", "v1", "namespaces", "")
		if err != nil || len(list.Items) == 0 {
			t.Fatalf("namespaces through customresources/core: %v", err)
		}
	})
}
