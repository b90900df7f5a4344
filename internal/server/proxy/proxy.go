// Package proxy serves /apis/kpanda.io/v1alpha1/clusters/{cluster}/proxy/{path}: any request
// of the Kubernetes API of a member cluster (get, list, watch, create, update, patch, delete),
// sent as the calling user through impersonation, so the member's RBAC decides.
package proxy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"

	"github.com/kpanda/kpanda/internal/clusters"
	"github.com/kpanda/kpanda/internal/server/rest"
)

// GroupsOf tells the kpanda groups of a user.
type GroupsOf func(r *http.Request, user string) ([]string, error)

// Handler is the proxy.
type Handler struct {
	Members  *clusters.Cache
	GroupsOf GroupsOf
}

// Register adds the route under prefix (".../v1alpha1").
func (h *Handler) Register(mux *http.ServeMux, prefix string) {
	mux.HandleFunc(prefix+"/clusters/{cluster}/proxy/{path...}", h.serve)
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request) {
	identity := rest.IdentityFrom(r.Context())
	cluster := r.PathValue("cluster")
	member, err := h.Members.Get(r.Context(), cluster)
	if err != nil {
		rest.WriteError(w, rest.Errorf(rest.CodeNotFound, "cluster", fmt.Sprintf("cluster %s cannot be reached through kpanda: %v", cluster, err)))
		return
	}
	groups, err := h.GroupsOf(r, identity.User)
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	transport := member.Impersonating(identity.User, groups)
	target, err := url.Parse(member.Config.Host)
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(out *httputil.ProxyRequest) {
			out.SetURL(target)
			out.Out.URL.Path = "/" + r.PathValue("path")
			out.Out.URL.RawPath = ""
			// The caller's kpanda token and any impersonation it asks for are never passed on:
			// the transport sets kpanda's credentials and impersonates the caller only.
			out.Out.Header.Del("Authorization")
			for name := range out.Out.Header {
				if strings.HasPrefix(strings.ToLower(name), "impersonate-") {
					out.Out.Header.Del(name)
				}
			}
		},
		Transport:      transport,
		FlushInterval:  -1,                                           // watches stream
		ModifyResponse: forbiddenAsRBACError(identity.User, cluster), //nolint:bodyclose // it closes the body it replaces
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			rest.WriteError(w, rest.Errorf(rest.CodeUnavailable, "cluster", fmt.Sprintf("cluster %s did not answer: %v", cluster, err)))
		},
	}
	proxy.ServeHTTP(w, r)
}

// forbiddenRE reads verb and resource out of the apiserver's denial, e.g. `User "kpanda:bob"
// cannot get resource "secrets" in API group "" in the namespace "ns1"`.
var forbiddenRE = regexp.MustCompile(`cannot (\S+) resource "([^"]+)"`)

// RBACError is kpanda's form of a member's denial (memberMessage, the apiserver's message; may
// be empty), naming the user and cluster, so a user sees which of their rights is missing where.
// Every handler that acts in a member as the caller answers a 403 with it.
func RBACError(user, cluster, memberMessage string) *rest.Error {
	message := fmt.Sprintf("[RBAC] access this resource is forbidden for user(%s) in cluster(%s)", user, cluster)
	if m := forbiddenRE.FindStringSubmatch(memberMessage); m != nil {
		message = fmt.Sprintf("[RBAC] %s %s is forbidden for user(%s) in cluster(%s)", m[1], m[2], user, cluster)
	} else if memberMessage != "" {
		// Not RBAC's wording (an admission policy refused, say): the member's message is the why.
		message += ": " + memberMessage
	}
	err := rest.Errorf(rest.CodePermissionDenied, "", message)
	err.Reason = "Forbidden"
	return err
}

// forbiddenAsRBACError turns the member's 403 into kpanda's error form, naming the user and
// cluster, so a user sees which of their rights is missing where.
func forbiddenAsRBACError(user, cluster string) func(*http.Response) error {
	return func(resp *http.Response) error {
		if resp.StatusCode != http.StatusForbidden {
			return nil
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
		_ = resp.Body.Close()
		var status struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(body, &status)
		data, _ := json.Marshal(RBACError(user, cluster, status.Message).ErrorBody)
		resp.Body = io.NopCloser(bytes.NewReader(data))
		resp.ContentLength = int64(len(data))
		resp.Header.Set("Content-Length", fmt.Sprint(len(data)))
		resp.Header.Set("Content-Type", "application/json")
		return nil
	}
}
