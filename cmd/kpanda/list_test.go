package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	clusterv1alpha1 "github.com/kpanda/kpanda/api/cluster/v1alpha1"
	"github.com/kpanda/kpanda/internal/apiclient"
)

// newFakeMultiCluster answers GET /multicluster/{resource} with two pages of one pod each, and
// one cluster left out; it decides nothing.
func newFakeMultiCluster(t *testing.T) *fakeAPI {
	t.Helper()
	f := &fakeAPI{t: t, clusters: map[string]*clusterv1alpha1.Cluster{}, settings: map[string]json.RawMessage{}}
	created := time.Now().Add(-2 * time.Hour)
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+apiclient.APIPrefix+"/multicluster/{resource}", f.authed(func(w http.ResponseWriter, r *http.Request) {
		page := apiclient.MultiClusterPage{Total: 2, Unavailable: []apiclient.UnavailableCluster{{Cluster: "far", Message: "cluster not reachable"}}}
		if r.URL.Query().Get("continue") == "" {
			page.Items = []apiclient.MultiClusterItem{{Cluster: "east", Namespace: "shop", Name: "web-1", Status: "Running", Ready: "1/1", Node: "n1", Created: created}}
			page.Continue = "next"
		} else {
			page.Items = []apiclient.MultiClusterItem{{Cluster: "west", Namespace: "shop", Name: "web-2", Status: "Pending", Ready: "0/1", Created: created}}
		}
		writeJSON(w, http.StatusOK, page)
	}))
	f.server = quietServer(f.record(mux), false)
	t.Cleanup(f.server.Close)
	return f
}

func TestListAcrossClusters(t *testing.T) {
	t.Run("first page, filters sent", func(t *testing.T) {
		f := newFakeMultiCluster(t)
		f.loggedIn(t)
		stdout, stderr, err := runKpanda(t, "", "list", "po", "-l", "app=web", "--cluster", "east,west", "-n", "shop", "--name", "web", "--limit", "1")
		if err != nil {
			t.Fatal(err)
		}
		sent := f.only(t)
		if sent.Path != apiclient.APIPrefix+"/multicluster/pods" ||
			sent.Query != "cluster=east%2Cwest&labelSelector=app%3Dweb&limit=1&name=web&namespace=shop" {
			t.Errorf("sent %s?%s", sent.Path, sent.Query)
		}
		for _, want := range []string{"CLUSTER", "east", "web-1", "1/1", "Running", "n1", "120m"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("stdout %q lacks %q", stdout, want)
			}
		}
		for _, want := range []string{"Cluster far left out: cluster not reachable", "1 of 2 pods", "--continue next"} {
			if !strings.Contains(stderr, want) {
				t.Errorf("stderr %q lacks %q", stderr, want)
			}
		}
	})
	t.Run("all pages as JSON", func(t *testing.T) {
		f := newFakeMultiCluster(t)
		f.loggedIn(t)
		stdout, _, err := runKpanda(t, "", "list", "pods", "--all", "-o", "json")
		if err != nil {
			t.Fatal(err)
		}
		var page apiclient.MultiClusterPage
		if err := json.Unmarshal([]byte(stdout), &page); err != nil {
			t.Fatalf("%v: %s", err, stdout)
		}
		if len(page.Items) != 2 || page.Items[1].Name != "web-2" || page.Continue != "" || len(f.seen()) != 2 {
			t.Errorf("page %+v after %d requests", page, len(f.seen()))
		}
	})
	t.Run("unknown kind is refused before sending", func(t *testing.T) {
		f := newFakeMultiCluster(t)
		f.loggedIn(t)
		_, _, err := runKpanda(t, "", "list", "secrets")
		if err == nil || !strings.Contains(err.Error(), `unknown kind "secrets"`) || len(f.seen()) != 0 {
			t.Errorf("err %v after %d requests", err, len(f.seen()))
		}
	})
}
