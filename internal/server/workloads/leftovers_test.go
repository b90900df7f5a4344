package workloads_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"helm.sh/helm/v4/pkg/chart/common"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kpanda/kpanda/internal/apiclient/apiclienttest"
	"github.com/kpanda/kpanda/internal/helm"
	"github.com/kpanda/kpanda/internal/localcluster/clustertest"
	"github.com/kpanda/kpanda/internal/server/workloads"
)

const vpaCRD = "verticalpodautoscalers.autoscaling.k8s.io"

var (
	crdGVR = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	vpaGVR = schema.GroupVersionResource{Group: "autoscaling.k8s.io", Version: "v1", Resource: "verticalpodautoscalers"}
)

// vpaCRDYAML is a minimal VerticalPodAutoscaler CRD, as the VPA chart ships in its crds/; a
// *.k8s.io group is protected and needs the approval annotation, as upstream's has.
const vpaCRDYAML = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: verticalpodautoscalers.autoscaling.k8s.io
  annotations:
    api-approved.kubernetes.io: https://github.com/kubernetes/kubernetes/pull/63797
spec:
  group: autoscaling.k8s.io
  scope: Namespaced
  names: {kind: VerticalPodAutoscaler, listKind: VerticalPodAutoscalerList, plural: verticalpodautoscalers, singular: verticalpodautoscaler}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
`

func leftoversPath() string { return "/clusters/" + cluster + "/autoscaling/leftovers" }

// vpaChart is a chart with nothing but the VPA CRD in its crds/ folder.
func vpaChart() *chart.Chart {
	return &chart.Chart{
		Metadata: &chart.Metadata{APIVersion: chart.APIVersionV2, Name: "vpa", Version: "0.1.0"},
		Files:    []*common.File{{Name: "crds/vpa.yaml", Data: []byte(vpaCRDYAML)}},
	}
}

// TestAutoscalingLeftovers follows seed FAQ 9: after `helm uninstall` of VPA its CRD and
// objects stay; kpanda lists them and deletes them on a confirmed request.
func TestAutoscalingLeftovers(t *testing.T) {
	ctx := t.Context()
	t.Cleanup(func() { removeCRD(t, vpaCRD) })
	installAndUninstallVPA(t)

	t.Run("listed", func(t *testing.T) {
		left := vpaLeftover(t)
		if left == nil || !slices.Equal(left.CRDs, []string{vpaCRD}) || left.Objects[vpaCRD] != 1 {
			t.Fatalf("leftover of vpa: %+v, want CRD %s with 1 object", left, vpaCRD)
		}
	})
	t.Run("viewer refused", func(t *testing.T) {
		token := viewerToken(t, "lena")
		clustertest.Eventually(t, 30*time.Second, "lena sees the cluster", func(ctx context.Context) error {
			return send(ctx, token, http.MethodGet, "/clusters/"+cluster+"/namespaces/"+namespace+"/deployments", nil, nil)
		})
		err := send(ctx, token, http.MethodDelete, leftoversPath()+"/vpa?confirm=vpa", nil, nil)
		apiclienttest.ExpectError(t, err, http.StatusForbidden, "", "")
		err = send(ctx, token, http.MethodGet, leftoversPath(), nil, nil)
		apiclienttest.ExpectError(t, err, http.StatusForbidden, "", "")
	})
	t.Run("refusals", func(t *testing.T) {
		for _, query := range []string{"", "?confirm=cronhpa"} {
			err := send(ctx, adminToken, http.MethodDelete, leftoversPath()+"/vpa"+query, nil, nil)
			apiclienttest.ExpectError(t, err, http.StatusBadRequest, "confirm", `"vpa"`)
		}
		err := send(ctx, adminToken, http.MethodDelete, leftoversPath()+"/hpa?confirm=hpa", nil, nil)
		apiclienttest.ExpectError(t, err, http.StatusNotFound, "addon", "vpa, cronhpa")
		if _, err := dyn.Resource(crdGVR).Get(ctx, vpaCRD, metav1.GetOptions{}); err != nil {
			t.Fatalf("a refused delete removed the CRD: %v", err)
		}
	})
	t.Run("deleted", func(t *testing.T) {
		var removed workloads.Leftover
		if err := send(ctx, adminToken, http.MethodDelete, leftoversPath()+"/vpa?confirm=vpa", nil, &removed); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(removed.CRDs, []string{vpaCRD}) || removed.Objects[vpaCRD] != 1 {
			t.Errorf("removed %+v", removed)
		}
		clustertest.Eventually(t, time.Minute, "the CRD is gone", func(ctx context.Context) error {
			_, err := dyn.Resource(crdGVR).Get(ctx, vpaCRD, metav1.GetOptions{})
			if apierrors.IsNotFound(err) {
				return nil
			}
			if err != nil {
				return err
			}
			return errors.New("still there")
		})
		if left := vpaLeftover(t); left != nil {
			t.Errorf("after delete, leftover %+v", left)
		}
	})
}

// TestAutoscalingLeftoversInstalled: the CRD of an add-on whose controller runs is in use, not
// left over, and is not deleted.
func TestAutoscalingLeftoversInstalled(t *testing.T) {
	ctx := t.Context()
	installCRD(t, vpaCRDYAML, vpaGVR)
	recommender := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "vpa-recommender", Namespace: namespace},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr[int32](0),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "vpa-recommender"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "vpa-recommender"}},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "recommender", Image: "registry.k8s.io/pause:3.10"}}},
			},
		},
	}
	if _, err := kube.AppsV1().Deployments(namespace).Create(ctx, recommender, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = kube.AppsV1().Deployments(namespace).Delete(context.Background(), recommender.Name, metav1.DeleteOptions{})
	})
	if left := vpaLeftover(t); left != nil {
		t.Errorf("vpa is installed but listed as leftover %+v", left)
	}
	err := send(ctx, adminToken, http.MethodDelete, leftoversPath()+"/vpa?confirm=vpa", nil, nil)
	apiclienttest.ExpectError(t, err, http.StatusConflict, "addon", "uninstall it first")
	if _, err := dyn.Resource(crdGVR).Get(ctx, vpaCRD, metav1.GetOptions{}); err != nil {
		t.Fatalf("the refused delete removed the CRD: %v", err)
	}
}

// installAndUninstallVPA installs the VPA chart, makes one VerticalPodAutoscaler and uninstalls
// the release as `helm uninstall` would: the CRD must stay, FAQ 9's premise.
func installAndUninstallVPA(t *testing.T) {
	t.Helper()
	ctx := t.Context()
	releases, err := helm.NewReleases(env.Members[0].RESTConfig(), namespace, io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := releases.Install(ctx, "vpa", vpaChart(), nil, helm.Options{Timeout: time.Minute}); err != nil {
		t.Fatal(err)
	}
	vpa := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "autoscaling.k8s.io/v1", "kind": "VerticalPodAutoscaler",
		"metadata": map[string]any{"name": "web", "namespace": namespace},
		"spec":     map[string]any{"targetRef": map[string]any{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}},
	}}
	clustertest.Eventually(t, 30*time.Second, "a VerticalPodAutoscaler is created", func(ctx context.Context) error {
		_, err := dyn.Resource(vpaGVR).Namespace(namespace).Create(ctx, vpa, metav1.CreateOptions{})
		return err
	})
	if err := releases.Uninstall("vpa", helm.Options{Timeout: time.Minute}); err != nil {
		t.Fatal(err)
	}
	if _, err := dyn.Resource(crdGVR).Get(ctx, vpaCRD, metav1.GetOptions{}); err != nil {
		t.Fatalf("helm uninstall removed the CRD, which FAQ 9 says it does not: %v", err)
	}
}

// vpaLeftover is vpa's item of GET .../autoscaling/leftovers as admin, or nil.
func vpaLeftover(t *testing.T) *workloads.Leftover {
	t.Helper()
	var list workloads.LeftoverList
	if err := send(t.Context(), adminToken, http.MethodGet, leftoversPath(), nil, &list); err != nil {
		t.Fatal(err)
	}
	for i := range list.Items {
		if list.Items[i].Addon == "vpa" {
			return &list.Items[i]
		}
	}
	return nil
}
