package workloads_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kpanda/kpanda/internal/apiclient"
	"github.com/kpanda/kpanda/internal/apiclient/apiclienttest"
	"github.com/kpanda/kpanda/internal/localcluster/clustertest"
	"github.com/kpanda/kpanda/internal/workload"
)

func resourceGVR(plural string) schema.GroupVersionResource {
	if plural == apiclient.Ingresses {
		return schema.GroupVersionResource{Group: "networking.k8s.io", Version: "v1", Resource: plural}
	}
	return schema.GroupVersionResource{Version: "v1", Resource: plural}
}

// storedResource reads an object as the member's admin: what the apiserver holds.
func storedResource(t *testing.T, plural, name string) *unstructured.Unstructured {
	t.Helper()
	u, err := dyn.Resource(resourceGVR(plural)).Namespace(namespace).Get(t.Context(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("reading %s/%s: %v", plural, name, err)
	}
	return u
}

func waitResourceGone(t *testing.T, plural, name string) {
	t.Helper()
	clustertest.Eventually(t, 30*time.Second, plural+"/"+name+" gone", func(ctx context.Context) error {
		_, err := dyn.Resource(resourceGVR(plural)).Namespace(namespace).Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading it: %w", err)
		}
		return errors.New("still there")
	})
}

// Valid forms of each kind named name.
func serviceForm(name string) *workload.ServiceForm {
	return &workload.ServiceForm{Name: name, Selector: map[string]string{workload.AppLabel: name},
		Ports: []workload.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8080)}}}
}

func configMapForm(name string) *workload.ConfigMapForm {
	return &workload.ConfigMapForm{Name: name, Data: map[string]string{"app.yaml": "level: info\n", "mode": "fast"}}
}

func secretForm(name string) *workload.SecretForm {
	return &workload.SecretForm{Name: name, StringData: map[string]string{"user": "admin", "password": "s3cret"}}
}

func pvcForm(name string) *workload.PVCForm {
	return &workload.PVCForm{Name: name, AccessModes: []string{"ReadWriteOnce"}, Size: "1Gi"}
}

// manifest is a valid manifest of the kind of plural named name.
func resourceManifest(plural, name string) string {
	header := fmt.Sprintf("apiVersion: v1\nkind: %s\nmetadata:\n  name: %s\n", map[string]string{
		apiclient.Services: "Service", apiclient.ConfigMaps: "ConfigMap", apiclient.Secrets: "Secret", apiclient.PersistentVolumeClaims: "PersistentVolumeClaim",
	}[plural], name)
	switch plural {
	case apiclient.Services:
		return header + "spec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n"
	case apiclient.ConfigMaps:
		return header + "data: {greeting: hello}\n"
	case apiclient.Secrets:
		return header + "stringData: {token: t0ken}\n"
	case apiclient.PersistentVolumeClaims:
		return header + "spec:\n  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 1Gi}}\n"
	}
	return fmt.Sprintf(`apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: %s
spec:
  rules:
  - host: shop.example
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
`, name)
}

func TestResourcesFromTheForm(t *testing.T) {
	ctx := t.Context()
	t.Run("Service", func(t *testing.T) {
		created, err := admin.CreateResource(ctx, cluster, namespace, apiclient.Services, apiclient.ResourceRequest{Form: serviceForm("form-svc")})
		if err != nil {
			t.Fatal(err)
		}
		s := created.Service
		if s == nil || s.Type != "ClusterIP" || s.ClusterIP == "" || len(s.Ports) != 1 || s.Ports[0].TargetPort != intstr.FromInt32(8080) {
			t.Fatalf("created %+v", created.Service)
		}
		// Something the form does not describe, set by someone else, outlives an edit.
		if _, err := kube.CoreV1().Services(namespace).Patch(ctx, "form-svc", "application/merge-patch+json", []byte(`{"metadata":{"labels":{"team":"shop"}}}`), metav1.PatchOptions{}); err != nil {
			t.Fatal(err)
		}
		f := serviceForm("form-svc")
		f.Type = "NodePort"
		f.Ports = append(f.Ports, workload.ServicePort{Name: "admin", Port: 9090, NodePort: 30091})
		if _, err := admin.UpdateResource(ctx, cluster, namespace, apiclient.Services, "form-svc", apiclient.ResourceRequest{Form: f}); err != nil {
			t.Fatal(err)
		}
		svc, err := kube.CoreV1().Services(namespace).Get(ctx, "form-svc", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if svc.Spec.Type != corev1.ServiceTypeNodePort || svc.Spec.ClusterIP != s.ClusterIP || svc.Labels["team"] != "shop" ||
			len(svc.Spec.Ports) != 2 || svc.Spec.Ports[1].NodePort != 30091 || svc.Spec.Ports[0].NodePort == 0 {
			t.Errorf("stored after the edit: type %s, clusterIP %s (was %s), labels %v, ports %+v", svc.Spec.Type, svc.Spec.ClusterIP, s.ClusterIP, svc.Labels, svc.Spec.Ports)
		}
		got, err := admin.GetResource(ctx, cluster, namespace, apiclient.Services, "form-svc")
		if err != nil || got.Service.Ports[1].String() != "9090:30091/TCP" {
			t.Errorf("get: %v %+v", err, got)
		}
		deleteAndWait(t, apiclient.Services, "form-svc")
	})
	t.Run("ConfigMap", func(t *testing.T) {
		created, err := admin.CreateResource(ctx, cluster, namespace, apiclient.ConfigMaps, apiclient.ResourceRequest{Form: configMapForm("form-cm")})
		if err != nil || created.ConfigMap == nil || created.ConfigMap.Count != 2 {
			t.Fatalf("created: %v %+v", err, created)
		}
		f := &workload.ConfigMapForm{Name: "form-cm", Data: map[string]string{"mode": "slow"}}
		if _, err := admin.UpdateResource(ctx, cluster, namespace, apiclient.ConfigMaps, "form-cm", apiclient.ResourceRequest{Form: f}); err != nil {
			t.Fatal(err)
		}
		cm, err := kube.CoreV1().ConfigMaps(namespace).Get(ctx, "form-cm", metav1.GetOptions{})
		if err != nil || !reflect.DeepEqual(cm.Data, f.Data) {
			t.Errorf("stored data after the edit: %v %v", err, cm.Data)
		}
		deleteAndWait(t, apiclient.ConfigMaps, "form-cm")
	})
	t.Run("Secret", func(t *testing.T) {
		created, err := admin.CreateResource(ctx, cluster, namespace, apiclient.Secrets, apiclient.ResourceRequest{Form: secretForm("form-secret")})
		if err != nil {
			t.Fatal(err)
		}
		if created.Secret == nil || created.Secret.Type != "Opaque" || strings.Join(created.Secret.Keys, ",") != "password,user" {
			t.Errorf("created %+v", created.Secret)
		}
		expectNoValues(t, "the answer to create", created)
		f := &workload.SecretForm{Name: "form-secret", StringData: map[string]string{"password": "n3w"}}
		if _, err := admin.UpdateResource(ctx, cluster, namespace, apiclient.Secrets, "form-secret", apiclient.ResourceRequest{Form: f}); err != nil {
			t.Fatal(err)
		}
		secret, err := kube.CoreV1().Secrets(namespace).Get(ctx, "form-secret", metav1.GetOptions{})
		if err != nil || len(secret.Data) != 1 || string(secret.Data["password"]) != "n3w" || secret.Type != corev1.SecretTypeOpaque {
			t.Errorf("stored after the edit: %v %s %v", err, secret.Type, secret.Data)
		}
		deleteAndWait(t, apiclient.Secrets, "form-secret")
	})
	t.Run("PersistentVolumeClaim", func(t *testing.T) {
		created, err := admin.CreateResource(ctx, cluster, namespace, apiclient.PersistentVolumeClaims, apiclient.ResourceRequest{Form: pvcForm("form-pvc")})
		if err != nil {
			t.Fatal(err)
		}
		if c := created.PersistentVolumeClaim; c == nil || c.Request != "1Gi" || strings.Join(c.AccessModes, ",") != "ReadWriteOnce" {
			t.Errorf("created %+v", created.PersistentVolumeClaim)
		}
		// No provisioner in the test cluster: the claim waits for a volume.
		clustertest.Eventually(t, 30*time.Second, "the claim Pending", func(ctx context.Context) error {
			got, err := admin.GetResource(ctx, cluster, namespace, apiclient.PersistentVolumeClaims, "form-pvc")
			if err != nil {
				return err
			}
			if got.PersistentVolumeClaim.Phase != "Pending" {
				return fmt.Errorf("phase %q", got.PersistentVolumeClaim.Phase)
			}
			return nil
		})
		// The same form again is an edit that changes nothing, and is allowed.
		if _, err := admin.UpdateResource(ctx, cluster, namespace, apiclient.PersistentVolumeClaims, "form-pvc", apiclient.ResourceRequest{Form: pvcForm("form-pvc")}); err != nil {
			t.Fatal(err)
		}
		deleteAndWait(t, apiclient.PersistentVolumeClaims, "form-pvc")
	})
}

func deleteAndWait(t *testing.T, plural, name string) {
	t.Helper()
	if err := admin.DeleteResource(t.Context(), cluster, namespace, plural, name); err != nil {
		t.Fatalf("delete %s/%s: %v", plural, name, err)
	}
	waitResourceGone(t, plural, name)
}

// expectNoValues asserts that r shows no value of a Secret anywhere.
func expectNoValues(t *testing.T, what string, r *apiclient.Resource) {
	t.Helper()
	if r.Values != nil {
		t.Errorf("%s has values: %+v", what, r.Values)
	}
	for _, field := range []string{"data", "stringData"} {
		if _, found := r.Object[field]; found {
			t.Errorf("%s has the object's %s", what, field)
		}
	}
	if annotations, _, _ := unstructured.NestedStringMap(r.Object, "metadata", "annotations"); annotations["kubectl.kubernetes.io/last-applied-configuration"] != "" {
		t.Errorf("%s has kubectl's last applied manifest", what)
	}
}

func TestResourcesFromYAML(t *testing.T) {
	ctx := t.Context()
	for _, plural := range []string{apiclient.Services, apiclient.Ingresses, apiclient.ConfigMaps, apiclient.Secrets, apiclient.PersistentVolumeClaims} {
		t.Run(plural, func(t *testing.T) {
			name := "yaml-" + plural
			if _, err := admin.CreateResource(ctx, cluster, namespace, plural, apiclient.ResourceRequest{YAML: resourceManifest(plural, name)}); err != nil {
				t.Fatal(err)
			}
			list, err := admin.ListResources(ctx, cluster, namespace, plural)
			if err != nil || !listHas(list, name) {
				t.Fatalf("list: %v %+v", err, list)
			}
			// The manifest without a namespace, with a label: a replace as kubectl's.
			edited := strings.Replace(resourceManifest(plural, name), "metadata:\n", "metadata:\n  labels: {edited: \"yes\"}\n", 1)
			updated, err := admin.UpdateResource(ctx, cluster, namespace, plural, name, apiclient.ResourceRequest{YAML: edited})
			if err != nil {
				t.Fatal(err)
			}
			if updated.Name != name || storedResource(t, plural, name).GetLabels()["edited"] != "yes" {
				t.Errorf("after the update: %+v, stored labels %v", updated, storedResource(t, plural, name).GetLabels())
			}
			got, err := admin.GetResource(ctx, cluster, namespace, plural, name)
			if err != nil {
				t.Fatal(err)
			}
			checkSummary(t, plural, got)
			deleteAndWait(t, plural, name)
		})
	}
}

func listHas(list *apiclient.ResourceList, name string) bool {
	for _, item := range list.Items {
		if item.Name == name {
			return true
		}
	}
	return false
}

// checkSummary asserts the summary of the manifest of plural.
func checkSummary(t *testing.T, plural string, r *apiclient.Resource) {
	t.Helper()
	var ok bool
	switch plural {
	case apiclient.Services:
		ok = r.Service != nil && r.Service.Type == "ClusterIP" && r.Service.ClusterIP != "" && r.Service.Ports[0].String() == "80/TCP"
	case apiclient.Ingresses:
		ok = r.Ingress != nil && strings.Join(r.Ingress.Hosts, ",") == "shop.example"
	case apiclient.ConfigMaps:
		ok = r.ConfigMap != nil && r.ConfigMap.Count == 1 && r.ConfigMap.Keys[0] == "greeting"
	case apiclient.Secrets:
		ok = r.Secret != nil && r.Secret.Type == "Opaque" && strings.Join(r.Secret.Keys, ",") == "token"
		expectNoValues(t, "a plain get", r)
	case apiclient.PersistentVolumeClaims:
		ok = r.PersistentVolumeClaim != nil && r.PersistentVolumeClaim.Request == "1Gi"
	}
	if !ok || r.Created.IsZero() {
		t.Errorf("summary of %s: %+v", plural, r)
	}
}

// TestSecretValues: a Secret's values are in no answer but the one that asks for them.
func TestSecretValues(t *testing.T) {
	ctx := t.Context()
	const applied = `apiVersion: v1
kind: Secret
metadata:
  name: applied
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"data":{"token":"c2VjcmV0"}}'
type: Opaque
data:
  token: c2VjcmV0
  keystore: /u0=
`
	created, err := admin.CreateResource(ctx, cluster, namespace, apiclient.Secrets, apiclient.ResourceRequest{YAML: applied})
	if err != nil {
		t.Fatal(err)
	}
	expectNoValues(t, "the answer to create", created)
	list, err := admin.ListResources(ctx, cluster, namespace, apiclient.Secrets)
	if err != nil || !listHas(list, "applied") {
		t.Fatalf("list: %v", err)
	}
	for i := range list.Items {
		expectNoValues(t, "the list's "+list.Items[i].Name, &list.Items[i])
	}
	plain, err := admin.GetResource(ctx, cluster, namespace, apiclient.Secrets, "applied")
	if err != nil {
		t.Fatal(err)
	}
	expectNoValues(t, "a plain get", plain)
	if strings.Join(plain.Secret.Keys, ",") != "keystore,token" {
		t.Errorf("keys %v", plain.Secret.Keys)
	}
	revealed, err := admin.GetSecretValues(ctx, cluster, namespace, "applied")
	if err != nil {
		t.Fatal(err)
	}
	if v := revealed.Values; v == nil || v.Text["token"] != "secret" || v.Base64["keystore"] != "/u0=" || len(v.Text) != 1 {
		t.Errorf("values %+v", revealed.Values)
	}
	// Kubernetes still holds the annotation; kpanda only leaves it out of its answers.
	if storedResource(t, apiclient.Secrets, "applied").GetAnnotations()["kubectl.kubernetes.io/last-applied-configuration"] == "" {
		t.Error("the stored Secret lost its annotation")
	}
	t.Run("bad values parameter", func(t *testing.T) {
		for _, query := range []string{"secrets/applied?values=maybe", "configmaps/kube-root-ca.crt?values=true"} {
			status, body := getAsAdmin(t, "/namespaces/"+namespace+"/"+query)
			if status != http.StatusBadRequest || !strings.Contains(body, `"field":"values"`) {
				t.Errorf("%s: %d %s", query, status, body)
			}
		}
	})
}

// getAsAdmin sends GET path (under the cluster) as admin and returns the status and body.
func getAsAdmin(t *testing.T, path string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, baseURL+apiclient.APIPrefix+"/clusters/"+cluster+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// TestResourceBadInput: each bad create is refused with the field at fault and creates
// nothing.
func TestResourceBadInput(t *testing.T) {
	ctx := t.Context()
	const name = "refused"
	tests := []struct {
		name   string
		plural string
		req    apiclient.ResourceRequest
		field  string
		phrase string
	}{
		{"service name not DNS-1035", apiclient.Services, apiclient.ResourceRequest{Form: changed(serviceForm(name), func(f *workload.ServiceForm) { f.Name = "1refused" })}, "name", "DNS-1035"},
		{"node port of a ClusterIP Service", apiclient.Services, apiclient.ResourceRequest{Form: changed(serviceForm(name), func(f *workload.ServiceForm) { f.Ports[0].NodePort = 30100 })},
			"ports[0].nodePort", "only a NodePort or LoadBalancer"},
		{"node port out of range", apiclient.Services, apiclient.ResourceRequest{Form: changed(serviceForm(name), func(f *workload.ServiceForm) {
			f.Type = "NodePort"
			f.Ports = append(f.Ports, workload.ServicePort{Name: "admin", Port: 9090, NodePort: 8080})
		})}, "ports[1].nodePort", "30000 to 32767"},
		{"port twice", apiclient.Services, apiclient.ResourceRequest{Form: changed(serviceForm(name), func(f *workload.ServiceForm) {
			f.Ports = append(f.Ports, workload.ServicePort{Name: "again", Port: 80})
		})}, "ports[1].port", "already used by ports[0]"},
		{"port 0", apiclient.Services, apiclient.ResourceRequest{Form: changed(serviceForm(name), func(f *workload.ServiceForm) { f.Ports[0].Port = 0 })}, "ports[0].port", "1 to 65535"},
		{"configmap key", apiclient.ConfigMaps, apiclient.ResourceRequest{Form: &workload.ConfigMapForm{Name: name, Data: map[string]string{"a/b": "x"}}}, "data[a/b]", "key"},
		{"tls secret without its key", apiclient.Secrets, apiclient.ResourceRequest{Form: &workload.SecretForm{Name: name, Type: "kubernetes.io/tls", StringData: map[string]string{"tls.crt": "c"}}},
			"stringData[tls.key]", "required"},
		{"claim of size 0", apiclient.PersistentVolumeClaims, apiclient.ResourceRequest{Form: changed(pvcForm(name), func(f *workload.PVCForm) { f.Size = "0" })}, "size", "greater than 0"},
		{"claim access mode", apiclient.PersistentVolumeClaims, apiclient.ResourceRequest{Form: changed(pvcForm(name), func(f *workload.PVCForm) { f.AccessModes = []string{"RWO"} })},
			"accessModes[0]", "ReadWriteOnce"},
		{"ingress form", apiclient.Ingresses, apiclient.ResourceRequest{Form: map[string]string{"name": name}}, "form", "send the object as yaml"},
		{"form of another kind", apiclient.ConfigMaps, apiclient.ResourceRequest{Form: serviceForm(name)}, "form", "unknown field"},
		{"yaml of another kind", apiclient.ConfigMaps, apiclient.ResourceRequest{YAML: resourceManifest(apiclient.Secrets, name)}, "yaml", "takes v1 ConfigMap"},
		{"yaml of another group", apiclient.Ingresses, apiclient.ResourceRequest{YAML: strings.Replace(resourceManifest(apiclient.Ingresses, name), "networking.k8s.io/v1", "extensions/v1beta1", 1)},
			"yaml", "takes networking.k8s.io/v1 Ingress"},
		{"yaml of another namespace", apiclient.Secrets, apiclient.ResourceRequest{YAML: strings.Replace(resourceManifest(apiclient.Secrets, name), "metadata:\n", "metadata:\n  namespace: default\n", 1)},
			"yaml", "metadata.namespace is \"default\""},
		{"yaml not yaml", apiclient.Services, apiclient.ResourceRequest{YAML: "{{"}, "yaml", "not one YAML object"},
		{"both form and yaml", apiclient.ConfigMaps, apiclient.ResourceRequest{Form: configMapForm(name), YAML: resourceManifest(apiclient.ConfigMaps, name)}, "", "exactly one of form and yaml"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := admin.CreateResource(ctx, cluster, namespace, tc.plural, tc.req)
			apiclienttest.ExpectError(t, err, http.StatusBadRequest, tc.field, tc.phrase)
			if _, err := dyn.Resource(resourceGVR(tc.plural)).Namespace(namespace).Get(ctx, name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
				t.Errorf("a refused create left %s/%s: %v", tc.plural, name, err)
			}
		})
	}
}

func changed[F any](form *F, edit func(*F)) *F {
	edit(form)
	return form
}

// TestRefusedUpdateChangesNothing: a refused update names the field and leaves the stored
// object as it was.
func TestRefusedUpdateChangesNothing(t *testing.T) {
	ctx := t.Context()
	for plural, req := range map[string]apiclient.ResourceRequest{
		apiclient.Services:               {Form: serviceForm("kept")},
		apiclient.ConfigMaps:             {Form: configMapForm("kept")},
		apiclient.Secrets:                {Form: secretForm("kept")},
		apiclient.PersistentVolumeClaims: {Form: pvcForm("kept")},
		apiclient.Ingresses:              {YAML: resourceManifest(apiclient.Ingresses, "kept")},
	} {
		if _, err := admin.CreateResource(ctx, cluster, namespace, plural, req); err != nil {
			t.Fatal(err)
		}
	}
	// The volume controller writes the claim's status once; compare after that.
	clustertest.Eventually(t, 30*time.Second, "the claim Pending", func(ctx context.Context) error {
		c, err := kube.CoreV1().PersistentVolumeClaims(namespace).Get(ctx, "kept", metav1.GetOptions{})
		if err == nil && c.Status.Phase != corev1.ClaimPending {
			err = fmt.Errorf("phase %q", c.Status.Phase)
		}
		return err
	})
	tests := []struct {
		name   string
		plural string
		req    apiclient.ResourceRequest
		field  string
		phrase string
	}{
		{"service node port out of range", apiclient.Services, apiclient.ResourceRequest{Form: changed(serviceForm("kept"), func(f *workload.ServiceForm) {
			f.Type = "NodePort"
			f.Ports[0].NodePort = 40000
		})}, "ports[0].nodePort", "30000 to 32767"},
		{"service renamed by the form", apiclient.Services, apiclient.ResourceRequest{Form: serviceForm("other")}, "name", "cannot be renamed"},
		{"service renamed by the yaml", apiclient.Services, apiclient.ResourceRequest{YAML: resourceManifest(apiclient.Services, "other")}, "yaml", "cannot be renamed"},
		{"configmap of another namespace", apiclient.ConfigMaps, apiclient.ResourceRequest{YAML: strings.Replace(resourceManifest(apiclient.ConfigMaps, "kept"), "metadata:\n", "metadata:\n  namespace: default\n", 1)},
			"yaml", "metadata.namespace"},
		{"secret of another type", apiclient.Secrets, apiclient.ResourceRequest{Form: &workload.SecretForm{Name: "kept", Type: "example.com/other"}}, "type", "cannot change"},
		{"claim shrinks", apiclient.PersistentVolumeClaims, apiclient.ResourceRequest{Form: changed(pvcForm("kept"), func(f *workload.PVCForm) { f.Size = "500Mi" })}, "size", "cannot shrink"},
		{"unbound claim grows", apiclient.PersistentVolumeClaims, apiclient.ResourceRequest{Form: changed(pvcForm("kept"), func(f *workload.PVCForm) { f.Size = "2Gi" })}, "size", "only a bound claim can grow"},
		{"claim of another class", apiclient.PersistentVolumeClaims, apiclient.ResourceRequest{Form: changed(pvcForm("kept"), func(f *workload.PVCForm) { f.StorageClassName = "fast" })},
			"storageClassName", "cannot change"},
		{"claim access modes", apiclient.PersistentVolumeClaims, apiclient.ResourceRequest{Form: changed(pvcForm("kept"), func(f *workload.PVCForm) { f.AccessModes = []string{"ReadWriteMany"} })},
			"accessModes", "cannot change"},
		{"ingress form", apiclient.Ingresses, apiclient.ResourceRequest{Form: map[string]string{"name": "kept"}}, "form", "no form"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := storedResource(t, tc.plural, "kept")
			_, err := admin.UpdateResource(ctx, cluster, namespace, tc.plural, "kept", tc.req)
			apiclienttest.ExpectError(t, err, http.StatusBadRequest, tc.field, tc.phrase)
			after := storedResource(t, tc.plural, "kept")
			if after.GetResourceVersion() != before.GetResourceVersion() || !reflect.DeepEqual(after.Object, before.Object) {
				t.Errorf("a refused update changed the stored %s:\nbefore %v\nafter  %v", tc.plural, before.Object, after.Object)
			}
		})
	}
}

// createViewed creates one object of each resource kind named name, as admin, for a viewer to
// read and to fail to change.
func createViewed(t *testing.T, name string) {
	t.Helper()
	for plural, req := range map[string]apiclient.ResourceRequest{
		apiclient.Services:               {Form: serviceForm(name)},
		apiclient.ConfigMaps:             {Form: configMapForm(name)},
		apiclient.Secrets:                {Form: secretForm(name)},
		apiclient.PersistentVolumeClaims: {Form: pvcForm(name)},
		apiclient.Ingresses:              {YAML: resourceManifest(apiclient.Ingresses, name)},
	} {
		if _, err := admin.CreateResource(t.Context(), cluster, namespace, plural, req); err != nil {
			t.Fatal(err)
		}
	}
}

// viewableResources are the resource kinds an NS Viewer reads: all but Secrets, which the
// role template ns-view leaves out (internal/authz).
var viewableResources = []string{apiclient.Services, apiclient.Ingresses, apiclient.ConfigMaps, apiclient.PersistentVolumeClaims}

// viewerReadsResources reads the objects createViewed made, as c.
func viewerReadsResources(ctx context.Context, c *apiclient.Client, name string) map[string]func() error {
	reads := map[string]func() error{}
	for _, plural := range viewableResources {
		reads["list "+plural] = func() error {
			list, err := c.ListResources(ctx, cluster, namespace, plural)
			if err == nil && !listHas(list, name) {
				err = fmt.Errorf("%s missing in %+v", name, list.Items)
			}
			return err
		}
		reads["get "+plural] = func() error {
			_, err := c.GetResource(ctx, cluster, namespace, plural, name)
			return err
		}
	}
	return reads
}

// viewerRefusal is a call an NS Viewer makes and the right the member says they lack.
type viewerRefusal struct {
	what, verb string
	call       func() error
}

// viewerRefusedResources are the calls on the objects createViewed made that the member
// refuses an NS Viewer: every write, and every read of Secrets. An update reads the object
// first, so of a Secret the missing right is get.
func viewerRefusedResources(ctx context.Context, c *apiclient.Client, name string) []viewerRefusal {
	forms := map[string]apiclient.ResourceRequest{
		apiclient.Services:               {Form: serviceForm(name)},
		apiclient.ConfigMaps:             {Form: configMapForm(name)},
		apiclient.Secrets:                {Form: secretForm(name)},
		apiclient.PersistentVolumeClaims: {Form: pvcForm(name)},
		apiclient.Ingresses:              {YAML: resourceManifest(apiclient.Ingresses, name)},
	}
	var out []viewerRefusal
	for _, plural := range append(slices.Clone(viewableResources), apiclient.Secrets) {
		req := forms[plural]
		newReq := req
		if req.YAML != "" {
			newReq.YAML = resourceManifest(plural, "mine")
		} else {
			newReq.Form = renamed(req.Form, "mine")
		}
		updateVerb := "update " + plural
		if plural == apiclient.Secrets {
			updateVerb = "get secrets"
		}
		out = append(out,
			viewerRefusal{"create " + plural, "create " + plural, func() error {
				_, err := c.CreateResource(ctx, cluster, namespace, plural, newReq)
				return err
			}},
			viewerRefusal{"update " + plural, updateVerb, func() error {
				_, err := c.UpdateResource(ctx, cluster, namespace, plural, name, req)
				return err
			}},
			viewerRefusal{"delete " + plural, "delete " + plural, func() error { return c.DeleteResource(ctx, cluster, namespace, plural, name) }},
		)
	}
	return append(out,
		viewerRefusal{"list secrets", "list secrets", func() error {
			_, err := c.ListResources(ctx, cluster, namespace, apiclient.Secrets)
			return err
		}},
		viewerRefusal{"get secret", "get secrets", func() error {
			_, err := c.GetResource(ctx, cluster, namespace, apiclient.Secrets, name)
			return err
		}},
		viewerRefusal{"get secret values", "get secrets", func() error {
			_, err := c.GetSecretValues(ctx, cluster, namespace, name)
			return err
		}},
	)
}

// renamed is a copy of a form of this file named name.
func renamed(form any, name string) any {
	switch f := form.(type) {
	case *workload.ServiceForm:
		return changed(serviceForm(name), func(g *workload.ServiceForm) { g.Selector = f.Selector })
	case *workload.ConfigMapForm:
		return configMapForm(name)
	case *workload.SecretForm:
		return secretForm(name)
	case *workload.PVCForm:
		return pvcForm(name)
	}
	panic(fmt.Sprintf("no form %T", form))
}

// expectViewedUnchanged asserts that the objects createViewed made are as admin made them.
func expectViewedUnchanged(t *testing.T, name string) {
	t.Helper()
	secret, err := kube.CoreV1().Secrets(namespace).Get(t.Context(), name, metav1.GetOptions{})
	if err != nil || string(secret.Data["password"]) != "s3cret" {
		t.Errorf("the viewed Secret: %v %v", err, secret.Data)
	}
	cm, err := kube.CoreV1().ConfigMaps(namespace).Get(t.Context(), name, metav1.GetOptions{})
	if err != nil || !reflect.DeepEqual(cm.Data, configMapForm(name).Data) {
		t.Errorf("the viewed ConfigMap: %v %v", err, cm.Data)
	}
	for _, plural := range viewableResources {
		if u := storedResource(t, plural, name); u.GetDeletionTimestamp() != nil {
			t.Errorf("the viewed %s is being deleted", plural)
		}
	}
	for _, plural := range append(slices.Clone(viewableResources), apiclient.Secrets) {
		if _, err := dyn.Resource(resourceGVR(plural)).Namespace(namespace).Get(t.Context(), "mine", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Errorf("the viewer created %s/mine: %v", plural, err)
		}
	}
}
