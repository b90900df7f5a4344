package workloads_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/kpanda/kpanda/internal/apiclient"
	"github.com/kpanda/kpanda/internal/apiclient/apiclienttest"
	"github.com/kpanda/kpanda/internal/localcluster/clustertest"
	"github.com/kpanda/kpanda/internal/workload"
)

// TestNamespaceViewer: an NS Viewer reads the workloads, pods, Services, Ingresses, ConfigMaps
// and PersistentVolumeClaims of their namespace and gets the member's RBAC refusal, in kpanda's
// form, on every write and on every read of Secrets; a user who does not see the
// cluster learns nothing of it.
func TestNamespaceViewer(t *testing.T) {
	ctx := t.Context()
	const name = "viewed"
	if _, err := admin.CreateWorkload(ctx, cluster, namespace, apiclient.Deployments, apiclient.WorkloadRequest{Form: form(workload.KindDeployment, name)}); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, apiclient.Deployments, name, workload.StatusRunning)
	createViewed(t, name)
	for _, user := range []string{"vera", "nobody"} {
		if _, err := admin.CreateUser(ctx, user, "pw-"+user); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := admin.Grant(ctx, apiclient.GrantRequest{Role: "ns-viewer", User: "vera", Cluster: cluster, Namespace: namespace}); err != nil {
		t.Fatal(err)
	}
	vera, err := login(ctx, "vera", "pw-vera")
	if err != nil {
		t.Fatal(err)
	}
	clustertest.Eventually(t, 30*time.Second, "vera reads the deployments", func(ctx context.Context) error {
		_, err := vera.ListWorkloads(ctx, cluster, namespace, apiclient.Deployments)
		return err
	})

	t.Run("reads", func(t *testing.T) {
		var pod string
		reads := map[string]func() error{
			"get deployment": func() error {
				_, err := vera.GetWorkload(ctx, cluster, namespace, apiclient.Deployments, name)
				return err
			},
			"list jobs": func() error {
				_, err := vera.ListWorkloads(ctx, cluster, namespace, apiclient.Jobs)
				return err
			},
			"list pods": func() error {
				pods, err := vera.ListPods(ctx, cluster, namespace, workload.AppLabel+"="+name)
				if err == nil && len(pods.Items) > 0 {
					pod = pods.Items[0].Name
				}
				return err
			},
			"namespaces": func() error {
				list, err := vera.ListNamespaces(ctx, cluster)
				if err == nil && (len(list.Items) != 1 || list.Items[0].Name != namespace) {
					return fmt.Errorf("vera sees namespaces %+v", list.Items)
				}
				return err
			},
		}
		for _, what := range []string{"get deployment", "list jobs", "list pods", "namespaces"} {
			if err := reads[what](); err != nil {
				t.Errorf("%s: %v", what, err)
			}
		}
		for what, read := range viewerReadsResources(ctx, vera, name) {
			if err := read(); err != nil {
				t.Errorf("%s: %v", what, err)
			}
		}
		if pod == "" {
			t.Fatal("no pod to read")
		}
		if _, err := vera.GetPod(ctx, cluster, namespace, pod); err != nil {
			t.Errorf("get pod: %v", err)
		}
		if _, err := vera.PodEvents(ctx, cluster, namespace, pod); err != nil {
			t.Errorf("pod events: %v", err)
		}
	})

	t.Run("writes", func(t *testing.T) {
		installAutoscalerCRDs(t) // for the VPA and CronHPA rows: without the add-ons they are 409s
		// NS View reads VPAs and CronHPAs, so with one in place the viewer's put is refused at
		// the update and the delete at the delete.
		if _, err := admin.PutVPA(ctx, cluster, namespace, apiclient.Deployments, name, workload.VPAForm{}); err != nil {
			t.Fatal(err)
		}
		if _, err := admin.PutCronHPA(ctx, cluster, namespace, apiclient.Deployments, name,
			workload.CronHPAForm{Jobs: []workload.CronHPAJob{{Name: "up", Schedule: "0 0 8 * * *", TargetSize: 2}}}); err != nil {
			t.Fatal(err)
		}
		writes := []struct {
			what, verb string
			call       func() error
		}{
			{"create", "create deployments", func() error {
				_, err := vera.CreateWorkload(ctx, cluster, namespace, apiclient.Deployments, apiclient.WorkloadRequest{Form: form(workload.KindDeployment, "mine")})
				return err
			}},
			{"update", "update deployments", func() error {
				_, err := vera.UpdateWorkload(ctx, cluster, namespace, apiclient.Deployments, name, apiclient.WorkloadRequest{Form: form(workload.KindDeployment, name)})
				return err
			}},
			{"delete", "delete deployments", func() error { return vera.DeleteWorkload(ctx, cluster, namespace, apiclient.Deployments, name) }},
			{"scale", "patch deployments/scale", func() error { return action(ctx, vera, name, "scale", map[string]int{"replicas": 2}) }},
			{"restart", "patch deployments", func() error { return action(ctx, vera, name, "restart", nil) }},
			{"pause", "patch deployments", func() error { return action(ctx, vera, name, "pause", nil) }},
			{"resume", "patch deployments", func() error { return action(ctx, vera, name, "resume", nil) }},
			{"rollback", "patch deployments", func() error { return action(ctx, vera, name, "rollback", map[string]int{"revision": 1}) }},
			{"create job", "create jobs", func() error {
				_, err := vera.CreateWorkload(ctx, cluster, namespace, apiclient.Jobs, apiclient.WorkloadRequest{Form: form(workload.KindJob, "mine")})
				return err
			}},
			{"create namespace", "create namespaces", func() error {
				_, err := vera.CreateNamespace(ctx, cluster, apiclient.NamespaceRequest{Name: "vera-ns"})
				return err
			}},
			{"create custom resource", "create configmaps", func() error {
				_, err := vera.CreateCustomResource(ctx, cluster, "", "v1", "configmaps", namespace, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: mine}\n")
				return err
			}},
			{"delete custom resource", "delete configmaps", func() error {
				return vera.DeleteCustomResource(ctx, cluster, "", "v1", "configmaps", namespace, "kube-root-ca.crt")
			}},
			{"put vpa", "update verticalpodautoscalers", func() error {
				_, err := vera.PutVPA(ctx, cluster, namespace, apiclient.Deployments, name, workload.VPAForm{})
				return err
			}},
			{"delete vpa", "delete verticalpodautoscalers", func() error { return vera.DeleteVPA(ctx, cluster, namespace, apiclient.Deployments, name) }},
			{"put cronhpa", "update cronhorizontalpodautoscalers", func() error {
				_, err := vera.PutCronHPA(ctx, cluster, namespace, apiclient.Deployments, name,
					workload.CronHPAForm{Jobs: []workload.CronHPAJob{{Name: "up", Schedule: "0 0 8 * * *", TargetSize: 2}}})
				return err
			}},
			{"delete cronhpa", "delete cronhorizontalpodautoscalers", func() error {
				return vera.DeleteCronHPA(ctx, cluster, namespace, apiclient.Deployments, name)
			}},
		}
		for _, refused := range viewerRefusedResources(ctx, vera, name) {
			writes = append(writes, refused)
		}
		for _, w := range writes {
			t.Run(w.what, func(t *testing.T) {
				err := w.call()
				apiclienttest.ExpectError(t, err, http.StatusForbidden, "", fmt.Sprintf("[RBAC] %s is forbidden for user(vera) in cluster(%s)", w.verb, cluster))
			})
		}
		d, err := admin.GetWorkload(ctx, cluster, namespace, apiclient.Deployments, name)
		if err != nil || d.Status != workload.StatusRunning {
			t.Errorf("the viewed deployment after vera's attempts: %v %+v", err, d)
		}
		expectViewedUnchanged(t, name)
	})

	t.Run("a user who does not see the cluster", func(t *testing.T) {
		nobody, err := login(ctx, "nobody", "pw-nobody")
		if err != nil {
			t.Fatal(err)
		}
		_, err = nobody.ListWorkloads(ctx, cluster, namespace, apiclient.Deployments)
		apiclienttest.ExpectError(t, err, http.StatusNotFound, "cluster", "not found")
	})
}

// action runs a Deployment action of the API as c.
func action(ctx context.Context, c *apiclient.Client, name, action string, body any) error {
	_, err := c.WorkloadAction(ctx, cluster, namespace, apiclient.Deployments, name, action, body)
	return err
}
