package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	clusterv1alpha1 "github.com/kpanda/kpanda/api/cluster/v1alpha1"
	"github.com/kpanda/kpanda/internal/apiclient"
	"github.com/kpanda/kpanda/internal/workload"
)

// newFakeAutoscalers answers the VPA and CronHPA routes with one object each; cluster "bare"
// has neither add-on. It decides nothing else: it shows what the verbs send and print.
func newFakeAutoscalers(t *testing.T) *fakeAPI {
	t.Helper()
	f := &fakeAPI{t: t, clusters: map[string]*clusterv1alpha1.Cluster{}, settings: map[string]json.RawMessage{}}
	vpa := workload.VPA{Name: "web", Namespace: "shop", TargetKind: "Deployment", TargetName: "web", UpdateMode: "Recreate",
		Containers:      []workload.VPAContainerPolicy{{Name: "app", MaxAllowed: map[string]string{"memory": "1Gi"}}},
		Recommendations: []workload.VPARecommendation{{Container: "app", Target: map[string]string{"cpu": "250m", "memory": "256Mi"}}}}
	cron := workload.CronHPA{Name: "web", Namespace: "shop", Target: workload.ScaleTargetRef{APIVersion: "autoscaling/v2", Kind: "HorizontalPodAutoscaler", Name: "web"},
		Jobs: []workload.CronHPAJob{{Name: "up", Schedule: "0 0 8 * * *", TargetSize: 5}, {Name: "down", Schedule: "0 0 20 * * *", TargetSize: 2}}}
	answer := func(v any) http.HandlerFunc {
		return f.authed(func(w http.ResponseWriter, r *http.Request) {
			if r.PathValue("cluster") == "bare" {
				writeError(w, http.StatusConflict, map[string]any{"code": 10, "reason": "AddonNotInstalled",
					"message": "cluster bare does not serve verticalpodautoscalers (autoscaling.k8s.io/v1): install the vpa add-on"})
				return
			}
			if r.Method == http.MethodDelete {
				w.WriteHeader(http.StatusNoContent)
				return
			}
			writeJSON(w, http.StatusOK, v)
		})
	}
	const ns = apiclient.APIPrefix + "/clusters/{cluster}/namespaces/{namespace}"
	mux := http.NewServeMux()
	mux.HandleFunc(ns+"/{kind}/{name}/vpa", answer(vpa))
	mux.HandleFunc(ns+"/{kind}/{name}/cronhpa", answer(cron))
	mux.HandleFunc("GET "+ns+"/verticalpodautoscalers", answer(apiclient.VPAList{Items: []workload.VPA{vpa}}))
	mux.HandleFunc("GET "+ns+"/cronhorizontalpodautoscalers", answer(apiclient.CronHPAList{Items: []workload.CronHPA{cron}}))
	f.server = quietServer(f.record(mux), false)
	t.Cleanup(f.server.Close)
	return f
}

func TestAutoscalerVerbsSendTheContract(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		method     string
		path, body string // body: the JSON sent, "" for none
		stdout     string
	}{
		{"vpa set with policies", []string{"vpa", "set", "deploy", "web", "--mode", "Recreate",
			"--container", "name=app, min-cpu=100m,max-memory=1Gi,resources=cpu+memory", "--container", "name=istio-proxy,mode=Off"},
			http.MethodPut, "/deployments/web/vpa",
			`{"updateMode":"Recreate","containers":[{"name":"app","minAllowed":{"cpu":"100m"},"maxAllowed":{"memory":"1Gi"},"controlledResources":["cpu","memory"]},{"name":"istio-proxy","mode":"Off"}]}`,
			"vpa shop/web set: deployment web, update mode Recreate"},
		{"vpa set with the defaults", []string{"vpa", "set", "sts", "db"}, http.MethodPut, "/statefulsets/db/vpa", `{}`, "set"},
		{"vpa get", []string{"vpa", "get", "deploy", "web", "-o", "json"}, http.MethodGet, "/deployments/web/vpa", "", `"updateMode": "Recreate"`},
		{"vpa delete", []string{"vpa", "delete", "ds", "agent"}, http.MethodDelete, "/daemonsets/agent/vpa", "", "vpa shop/agent deleted"},
		{"vpa list", []string{"vpa", "list"}, http.MethodGet, "/verticalpodautoscalers", "", "web    Deployment/web   Recreate   app: cpu 250m, memory 256Mi"},
		{"cronhpa set", []string{"cronhpa", "set", "deploy", "web",
			"--job", "name=up,schedule=0 0 8,20 * * 1-5,size=5", "--job", "name=sale,schedule=@date 2026-11-11 00:00:00,size=20,run-once",
			"--exclude-date", "* * * 25 12 *"},
			http.MethodPut, "/deployments/web/cronhpa",
			`{"jobs":[{"name":"up","schedule":"0 0 8,20 * * 1-5","targetSize":5},{"name":"sale","schedule":"@date 2026-11-11 00:00:00","targetSize":20,"runOnce":true}],"excludeDates":["* * * 25 12 *"]}`,
			"cronhpa shop/web set: 2 jobs, scaling HorizontalPodAutoscaler web"},
		{"cronhpa set, run-once=false", []string{"cronhpa", "set", "sts", "db", "--job", "name=up,run-once=false,schedule=0 0 8 * * *,size=0"},
			http.MethodPut, "/statefulsets/db/cronhpa", `{"jobs":[{"name":"up","schedule":"0 0 8 * * *","targetSize":0}]}`, "set"},
		{"cronhpa get", []string{"cronhpa", "get", "deploy", "web"}, http.MethodGet, "/deployments/web/cronhpa", "", "kind: HorizontalPodAutoscaler"},
		{"cronhpa delete", []string{"cronhpa", "rm", "sts", "db"}, http.MethodDelete, "/statefulsets/db/cronhpa", "", "cronhpa shop/db deleted"},
		{"cronhpa list", []string{"cronhpa", "ls"}, http.MethodGet, "/cronhorizontalpodautoscalers", "",
			"web    HorizontalPodAutoscaler/web   up (0 0 8 * * * -> 5), down (0 0 20 * * * -> 2)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAutoscalers(t)
			f.loggedIn(t)
			args := append([]string{"workload"}, tc.args...)
			stdout, _, err := runKpanda(t, "", append(args, "--cluster", "c1", "-n", "shop")...)
			if err != nil {
				t.Fatal(err)
			}
			sent := f.only(t)
			if sent.Method != tc.method || sent.Path != workloadPrefix+tc.path {
				t.Errorf("sent %s %s", sent.Method, sent.Path)
			}
			if tc.body != "" {
				assertSameJSON(t, sent.Body, tc.body)
			}
			if !strings.Contains(stdout, tc.stdout) {
				t.Errorf("stdout %q lacks %q", stdout, tc.stdout)
			}
		})
	}
}

func TestAutoscalerVerbsRefuseBeforeSending(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		phrase string
	}{
		{"a size that is no number", []string{"cronhpa", "set", "deploy", "web", "--job", "name=up,schedule=0 0 8 * * *,size=many"}, "size must be a whole number"},
		{"an unknown job key", []string{"cronhpa", "set", "deploy", "web", "--job", "name=up,when=now"}, `"when=now" is not one of name, schedule, size, run-once`},
		{"a key twice", []string{"cronhpa", "set", "deploy", "web", "--job", "name=up,name=down,size=1"}, "name is given twice"},
		{"run-once that is no bool", []string{"cronhpa", "set", "deploy", "web", "--job", "name=up,size=1,run-once=maybe"}, "run-once is true or false"},
		{"no job", []string{"cronhpa", "set", "deploy", "web"}, `required flag(s) "job" not set`},
		{"an unknown container key", []string{"vpa", "set", "deploy", "web", "--container", "name=app,min-gpu=1"}, `"min-gpu=1" is not one of`},
		{"an unknown kind", []string{"vpa", "get", "pods", "web"}, `unknown workload kind "pods"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAutoscalers(t)
			f.loggedIn(t)
			_, _, err := runKpanda(t, "", append(append([]string{"workload"}, tc.args...), "--cluster", "c1", "-n", "shop")...)
			if err == nil || !strings.Contains(err.Error(), tc.phrase) {
				t.Errorf("err = %v, want %q", err, tc.phrase)
			}
			if n := len(f.seen()); n != 0 {
				t.Errorf("%d requests sent", n)
			}
		})
	}
}

// The server's refusal of a cluster without the add-on reaches the user as it was said.
func TestAutoscalerVerbsShowAMissingAddon(t *testing.T) {
	f := newFakeAutoscalers(t)
	f.loggedIn(t)
	_, _, err := runKpanda(t, "", "workload", "vpa", "set", "deploy", "web", "--cluster", "bare", "-n", "shop")
	if err == nil || !strings.Contains(err.Error(), "install the vpa add-on") {
		t.Errorf("err = %v", err)
	}
}
