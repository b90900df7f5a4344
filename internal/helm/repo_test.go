package helm_test

import (
	"context"
	"strings"
	"testing"

	"github.com/kpanda/kpanda/internal/helm"
	"github.com/kpanda/kpanda/internal/helm/helmtest"
)

func TestFetchIndexAndDownloadChart(t *testing.T) {
	for _, tc := range []struct {
		name      string
		serverOpt helmtest.Options
		user      string
		pass      string
		wantErr   string
	}{
		{name: "open repo"},
		{name: "basic auth", serverOpt: helmtest.Options{Username: "u", Password: "p"}, user: "u", pass: "p"},
		{name: "wrong password", serverOpt: helmtest.Options{Username: "u", Password: "p"}, user: "u", pass: "x", wantErr: "401"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			server, err := helmtest.NewRepo(tc.serverOpt)
			if err != nil {
				t.Fatal(err)
			}
			defer server.Close()
			if err := server.AddChart(helmtest.DeploymentChart("web", "0.1.0")); err != nil {
				t.Fatal(err)
			}
			r := helm.Repo{Name: "test", URL: server.URL(), Username: tc.user, Password: tc.pass}
			raw, err := r.FetchIndex(context.Background())
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("FetchIndex error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			index := helm.NewIndex(raw)
			version, err := index.Find("web", "")
			if err != nil {
				t.Fatal(err)
			}
			ch, err := r.DownloadChart(context.Background(), version)
			if err != nil {
				t.Fatal(err)
			}
			if ch.Metadata.Name != "web" || ch.Metadata.Version != "0.1.0" || len(ch.Templates) != 2 {
				t.Fatalf("downloaded chart %s %s with %d templates", ch.Metadata.Name, ch.Metadata.Version, len(ch.Templates))
			}
		})
	}
}

func TestIndexListsNewChartOnlyAfterFetch(t *testing.T) {
	server, err := helmtest.NewRepo(helmtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	if err := server.AddChart(helmtest.DeploymentChart("web", "0.1.0")); err != nil {
		t.Fatal(err)
	}
	r := helm.Repo{URL: server.URL()}
	raw, err := r.FetchIndex(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	before := helm.NewIndex(raw)
	if err := server.AddChart(helmtest.DeploymentChart("web", "0.2.0")); err != nil {
		t.Fatal(err)
	}
	if _, err := before.Find("web", "0.2.0"); err == nil {
		t.Fatal("the old index lists 0.2.0")
	}
	raw, err = r.FetchIndex(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	after := helm.NewIndex(raw)
	if v, err := after.Find("web", ""); err != nil || v.Version != "0.2.0" {
		t.Fatalf("newest after refresh = %v, %v; want 0.2.0", v, err)
	}
	encoded, err := after.Encode()
	if err != nil {
		t.Fatal(err)
	}
	decoded, err := helm.DecodeIndex(encoded)
	if err != nil || len(decoded.Charts["web"]) != 2 {
		t.Fatalf("decoded %v, %v", decoded, err)
	}
}
