package main

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	clusterv1alpha1 "github.com/kpanda/kpanda/api/cluster/v1alpha1"
	helmv1alpha1 "github.com/kpanda/kpanda/api/helm/v1alpha1"
	"github.com/kpanda/kpanda/internal/apiclient"
)

// fakeHelm is the Helm part of the REST contract, just enough to see what the helm and app
// verbs send and how they show the answers. Like fakeAPI it decides nothing the real server
// decides; an app it is told about moves through the phases it is given, one per GET.
type fakeHelm struct {
	*fakeAPI

	repos map[string]apiclient.HelmRepo
	// phases are what GET of an app answers, one after the other (the last one repeats).
	phases []helmv1alpha1.HelmReleasePhase
	// failure is the Ready message of an app that ends Failed.
	failure string
	app     *helmv1alpha1.HelmRelease
	gone    bool
	// leftAfterUninstall, when set, is listed as an add-on's leftover CRDs once the app is gone.
	leftAfterUninstall *apiclient.AutoscalingLeftover
}

func newFakeHelm(t *testing.T) *fakeHelm {
	t.Helper()
	pollInterval = time.Millisecond
	api := &fakeAPI{t: t, clusters: map[string]*clusterv1alpha1.Cluster{}, settings: map[string]json.RawMessage{}}
	f := &fakeHelm{fakeAPI: api, repos: map[string]apiclient.HelmRepo{}}
	const base = apiclient.APIPrefix + "/clusters/{cluster}"
	const app = base + "/namespaces/{namespace}/helmreleases/{name}"
	mux := http.NewServeMux()
	route := func(pattern string, h http.HandlerFunc) { mux.HandleFunc(pattern, api.authed(h)) }
	route("POST "+base+"/helmrepos", f.addRepo)
	route("GET "+base+"/helmrepos", f.listRepos)
	route("GET "+base+"/helmrepos/{name}", f.getRepo)
	route("POST "+base+"/helmrepos/{name}/refresh", f.getRepo)
	route("DELETE "+base+"/helmrepos/{name}", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	route("GET "+base+"/charts", f.charts)
	route("GET "+base+"/helmrepos/{repo}/charts/{chart}", f.charts)
	route("GET "+base+"/helmrepos/{repo}/charts/{chart}/versions/{version}", f.showChart)
	route("POST "+base+"/namespaces/{namespace}/helmreleases", f.install)
	route("GET "+app, f.getApp)
	route("PUT "+app, f.upgrade)
	route("DELETE "+app, func(w http.ResponseWriter, _ *http.Request) { f.gone = true; w.WriteHeader(http.StatusAccepted) })
	route("GET "+app+"/operations", f.operations)
	route("GET "+app+"/revisions", f.revisions)
	route("GET "+base+"/autoscaling/leftovers", f.leftovers)
	route("DELETE "+base+"/autoscaling/leftovers/{addon}", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, f.leftAfterUninstall)
	})
	api.server = quietServer(api.record(mux), false)
	t.Cleanup(api.server.Close)
	return f
}

func (f *fakeHelm) leftovers(w http.ResponseWriter, _ *http.Request) {
	list := apiclient.AutoscalingLeftoverList{Items: []apiclient.AutoscalingLeftover{}}
	if f.gone && f.leftAfterUninstall != nil {
		list.Items = append(list.Items, *f.leftAfterUninstall)
	}
	writeJSON(w, http.StatusOK, list)
}

func (f *fakeHelm) addRepo(w http.ResponseWriter, r *http.Request) {
	var in apiclient.HelmRepoRequest
	if err := decodeBody(r, &in); err != nil {
		badRequest(w, err)
		return
	}
	repo, ok := f.repos[in.Name]
	if !ok {
		repo = apiclient.HelmRepo{Name: in.Name, URL: in.URL}
	}
	f.repos[in.Name] = repo
	writeJSON(w, http.StatusCreated, apiclient.HelmRepo{Name: in.Name, URL: in.URL})
}

func (f *fakeHelm) listRepos(w http.ResponseWriter, _ *http.Request) {
	items := []apiclient.HelmRepo{}
	for _, r := range f.repos {
		items = append(items, r)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (f *fakeHelm) getRepo(w http.ResponseWriter, r *http.Request) {
	repo, ok := f.repos[r.PathValue("name")]
	if !ok {
		writeError(w, http.StatusNotFound, map[string]any{"code": 5, "field": "name", "message": "helm repo not found"})
		return
	}
	writeJSON(w, http.StatusOK, repo)
}

func (f *fakeHelm) charts(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, apiclient.ChartList{Items: []apiclient.ChartVersion{
		{Repo: "public", Name: "web", Version: "0.2.0", AppVersion: "1.2", Description: "A web server"},
		{Repo: "public", Name: "web", Version: "0.1.0", AppVersion: "1.1", Description: "A web server"},
	}, Unindexed: map[bool][]string{true: {"late"}}[r.PathValue("chart") == ""]})
}

func (f *fakeHelm) showChart(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, apiclient.ChartDetail{
		ChartVersion: apiclient.ChartVersion{Repo: r.PathValue("repo"), Name: r.PathValue("chart"), Version: r.PathValue("version"), AppVersion: "1.2"},
		Metadata:     json.RawMessage(`{"name":"web"}`), Readme: "# web\n", Values: "replicas: 1\n",
	})
}

func (f *fakeHelm) install(w http.ResponseWriter, r *http.Request) {
	var in apiclient.InstallRequest
	if err := decodeBody(r, &in); err != nil {
		badRequest(w, err)
		return
	}
	f.app = &helmv1alpha1.HelmRelease{
		ObjectMeta: metav1.ObjectMeta{Namespace: r.PathValue("namespace"), Name: in.Name, Generation: 1},
		Spec:       helmv1alpha1.HelmReleaseSpec{Chart: in.Chart, Values: in.Values},
	}
	writeJSON(w, http.StatusCreated, f.app)
}

// getApp answers the next phase; the last one is settled for the current generation.
func (f *fakeHelm) getApp(w http.ResponseWriter, _ *http.Request) {
	if f.app == nil || f.gone {
		writeError(w, http.StatusNotFound, map[string]any{"code": 5, "field": "name", "message": "app not found"})
		return
	}
	phase := f.phases[0]
	if len(f.phases) > 1 {
		f.phases = f.phases[1:]
		f.app.Status.CurrentOperation = "op-1"
	} else {
		f.app.Status.CurrentOperation, f.app.Status.ObservedGeneration = "", f.app.Generation
		ready := metav1.Condition{Type: helmv1alpha1.ConditionReady, Status: metav1.ConditionTrue, Reason: "Done", Message: "Install of web succeeded: revision 1"}
		if phase == helmv1alpha1.ReleaseFailed {
			ready.Status, ready.Message = metav1.ConditionFalse, f.failure
		}
		meta.SetStatusCondition(&f.app.Status.Conditions, ready)
	}
	f.app.Status.Phase = phase
	writeJSON(w, http.StatusOK, f.app)
}

func (f *fakeHelm) upgrade(w http.ResponseWriter, r *http.Request) {
	var in apiclient.UpgradeRequest
	if err := decodeBody(r, &in); err != nil {
		badRequest(w, err)
		return
	}
	f.app.Generation++
	if in.Version != "" {
		f.app.Spec.Chart.Version = in.Version
	}
	writeJSON(w, http.StatusOK, apiclient.UpgradeResult{Release: f.app, ValuesDiff: "--- values (before)\n+++ values (after)\n@@ -1 +1 @@\n-replicas: 1\n+replicas: 2\n"})
}

func (f *fakeHelm) operations(w http.ResponseWriter, _ *http.Request) {
	start := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	writeJSON(w, http.StatusOK, apiclient.HelmOperationList{Items: []apiclient.HelmOperation{
		{Name: "web-install-1-abcde", Type: helmv1alpha1.OperationInstall, User: "kpanda:admin", Phase: helmv1alpha1.OperationSucceeded, Start: &start, End: &start, Result: "Install of web succeeded: revision 1"},
	}})
}

func (f *fakeHelm) revisions(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, apiclient.HelmRevisionList{Items: []apiclient.HelmRevision{
		{Revision: 1, Status: "deployed", Chart: "web-0.1.0", ChartVersion: "0.1.0", AppVersion: "1.1", Description: "Install complete"},
	}})
}
