// Package server is kpanda's apiserver: the REST API of DESIGN §2 over the global cluster,
// with login, bearer-token authentication, health, metrics and the OpenAPI document. It keeps
// no state of its own, so any number of replicas can run.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	crdmanifests "github.com/kpanda/kpanda/config/crd"
	"github.com/kpanda/kpanda/internal/auth"
	memberclusters "github.com/kpanda/kpanda/internal/clusters"
	"github.com/kpanda/kpanda/internal/controller"
	"github.com/kpanda/kpanda/internal/controller/binding"
	"github.com/kpanda/kpanda/internal/crd"
	"github.com/kpanda/kpanda/internal/integration"
	"github.com/kpanda/kpanda/internal/inventory"
	"github.com/kpanda/kpanda/internal/server/clusters"
	helmapps "github.com/kpanda/kpanda/internal/server/helm"
	"github.com/kpanda/kpanda/internal/server/iam"
	inventoryapi "github.com/kpanda/kpanda/internal/server/inventory"
	"github.com/kpanda/kpanda/internal/server/proxy"
	restconv "github.com/kpanda/kpanda/internal/server/rest"
	"github.com/kpanda/kpanda/internal/server/workloads"
	"github.com/kpanda/kpanda/web"
)

// APIPrefix is the root of kpanda's REST API.
const APIPrefix = "/apis/kpanda.io/v1alpha1"

// Options configure the apiserver.
type Options struct {
	// Listen is the address to serve on, e.g. 127.0.0.1:8443.
	Listen string
	// TLSCertFile and TLSKeyFile, when both set, make the server speak HTTPS.
	TLSCertFile, TLSKeyFile string
	// TokenTTL is how long a login lasts.
	TokenTTL time.Duration
	// OIDC, when its IssuerURL is set, lets users of that identity provider log in.
	OIDC auth.OIDCOptions
	Log  *slog.Logger
}

// Server is a configured apiserver, ready to Serve.
type Server struct {
	opts     Options
	handler  http.Handler
	listener net.Listener
	oidc     *auth.OIDC // nil when OIDC is not configured
	// inventory holds the watch caches of lists across clusters; Serve stops them.
	inventory *inventory.Inventory
	// AdminPassword is the bootstrap admin's password when this start created the admin, else
	// empty: it is shown once and never stored in clear.
	AdminPassword string
}

// New prepares the apiserver against the global cluster of config: it makes sure the bootstrap
// admin and the token signing key exist and binds the listen address.
func New(ctx context.Context, config *rest.Config, opts Options) (*Server, error) {
	if opts.TokenTTL == 0 {
		opts.TokenTTL = auth.DefaultTokenTTL
	}
	global, err := client.New(config, client.Options{Scheme: controller.Scheme()})
	if err != nil {
		return nil, fmt.Errorf("building client: %w", err)
	}
	// The apiserver may start before the controller-manager: it needs the iam kinds at once.
	if err := crd.Install(ctx, config, crdmanifests.Manifests, crdmanifests.Global); err != nil {
		return nil, err
	}
	password, _, err := auth.Bootstrap(ctx, global)
	if err != nil {
		return nil, fmt.Errorf("bootstrapping the admin user: %w", err)
	}
	if err := iam.EnsureBootstrapAdmin(ctx, global, auth.AdminUser); err != nil {
		return nil, err
	}
	tokens, err := auth.NewTokenIssuer(ctx, global)
	if err != nil {
		return nil, fmt.Errorf("loading the token signing key: %w", err)
	}
	var oidc *auth.OIDC
	if opts.OIDC.IssuerURL != "" {
		if oidc, err = auth.NewOIDC(opts.OIDC); err != nil {
			return nil, err
		}
	}
	listener, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return nil, fmt.Errorf("--listen %s: %w", opts.Listen, err)
	}
	s := &Server{opts: opts, listener: listener, oidc: oidc, AdminPassword: password}
	members := memberclusters.NewCache(global)
	s.inventory = inventory.New(members, inventory.Options{Log: opts.Log})
	s.handler = s.routes(auth.NewAuthenticator(global), tokens, []registrar{
		&clusters.Handler{Client: global, Registry: &integration.Service{Client: global}},
		&iam.Handler{Client: global, Members: members},
		&helmapps.Handler{Global: global, Members: members},
		&workloads.Handler{Global: global, Members: members},
		&inventoryapi.Handler{Global: global, Inventory: s.inventory},
		&proxy.Handler{Members: members, GroupsOf: func(r *http.Request, user string) ([]string, error) {
			snapshot, err := binding.LoadSnapshot(r.Context(), global)
			if err != nil {
				return nil, err
			}
			// The groups of the caller's token (OIDC) count as Group membership does.
			return snapshot.WithGroups(user, restconv.IdentityFrom(r.Context()).Groups).GroupsOf(user), nil
		}},
	})
	return s, nil
}

// registrar is a REST resource that adds its routes to the API.
type registrar interface {
	Register(mux *http.ServeMux, prefix string)
}

// URL is where the server answers.
func (s *Server) URL() string {
	scheme := "http"
	if s.tls() {
		scheme = "https"
	}
	return scheme + "://" + s.listener.Addr().String()
}

func (s *Server) tls() bool { return s.opts.TLSCertFile != "" && s.opts.TLSKeyFile != "" }

// Serve answers requests until ctx ends, then shuts down gracefully.
func (s *Server) Serve(ctx context.Context) error {
	httpServer := &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
	go s.inventory.Run(ctx)
	done := make(chan error, 1)
	go func() {
		if s.tls() {
			done <- httpServer.ServeTLS(s.listener, s.opts.TLSCertFile, s.opts.TLSKeyFile)
		} else {
			done <- httpServer.Serve(s.listener)
		}
	}()
	select {
	case err := <-done:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := httpServer.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func (s *Server) routes(authenticator *auth.Authenticator, tokens *auth.TokenIssuer, resources []registrar) http.Handler {
	registry := prometheus.NewRegistry()
	registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	requests := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "kpanda_apiserver_request_duration_seconds", Help: "Duration of REST requests by route and status code.",
	}, []string{"route", "code"})
	registry.MustRegister(requests)

	public := http.NewServeMux()
	public.HandleFunc("GET /healthz", ok)
	public.HandleFunc("GET /readyz", ok)
	public.Handle("GET /metrics", promhttp.HandlerFor(registry, promhttp.HandlerOpts{}))
	public.HandleFunc("GET /openapi/v3", serveOpenAPI)
	public.Handle("POST "+APIPrefix+"/login", &loginHandler{authenticator: authenticator, tokens: tokens, ttl: s.opts.TokenTTL})
	oidcLogin := &oidcLoginHandler{oidc: s.oidc, authenticator: authenticator, tokens: tokens, ttl: s.opts.TokenTTL}
	public.HandleFunc("GET "+APIPrefix+"/login/oidc", oidcLogin.config)
	public.HandleFunc("POST "+APIPrefix+"/login/oidc", oidcLogin.login)

	private := http.NewServeMux()
	for _, resource := range resources {
		resource.Register(private, APIPrefix)
	}
	private.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		restconv.WriteError(w, restconv.Errorf(restconv.CodeNotFound, "", fmt.Sprintf("no such endpoint: %s %s; GET /openapi/v3 lists the API", r.Method, r.URL.Path)))
	})
	public.Handle("/", withConsole(web.Handler(), authenticate(tokens, authenticator, private)))
	return instrument(requests, public)
}

// withConsole sends page loads (GET and HEAD outside the API's paths) to the web console,
// which is public like any login page: its files hold no data, and every call it makes to the
// API carries the user's token. Everything else goes to api, as before the console existed.
func withConsole(console, api http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if (r.Method == http.MethodGet || r.Method == http.MethodHead) && !isAPIPath(r.URL.Path) {
			console.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
}

// apiRoots are the first path segments that belong to the API and the server's own endpoints,
// so that a mistyped API path keeps getting the API's JSON error rather than the console.
var apiRoots = []string{"apis", "api", "openapi", "metrics", "healthz", "readyz", "livez"}

func isAPIPath(path string) bool {
	first, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	return slices.Contains(apiRoots, first)
}

func ok(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }

// authenticate admits requests carrying a valid bearer token of a user that still exists and
// is not disabled, and records who sent them.
func authenticate(tokens *auth.TokenIssuer, users *auth.Authenticator, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !found || token == "" {
			restconv.WriteError(w, restconv.Errorf(restconv.CodeUnauthenticated, "",
				"no bearer token: log in first (POST "+APIPrefix+"/login, or kpanda login) and send Authorization: Bearer TOKEN"))
			return
		}
		identity, err := tokens.Verify(token)
		if err == nil {
			err = users.CheckActive(r.Context(), identity.User)
		}
		if err != nil {
			restconv.WriteError(w, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(restconv.WithIdentity(r.Context(), identity)))
	})
}

// instrument records each request's duration by route pattern (not raw path, which would
// make one series per cluster name).
func instrument(requests *prometheus.HistogramVec, next *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started := time.Now()
		recorder := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(recorder, r)
		_, pattern := next.Handler(r)
		requests.WithLabelValues(pattern, fmt.Sprint(recorder.status)).Observe(time.Since(started).Seconds())
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}
