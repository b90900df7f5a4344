package helm

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	helmv1alpha1 "github.com/kpanda/kpanda/api/helm/v1alpha1"
	"github.com/kpanda/kpanda/internal/helmoperation"
	"github.com/kpanda/kpanda/internal/server/rest"
)

// refreshWait bounds how long POST .../refresh?wait=true waits for the controller.
const refreshWait = 30 * time.Second

// RepoRequest is the body of POST /helmrepos. Username and Password are stored in a Secret of
// the member and never sent back.
type RepoRequest struct {
	Name                  string `json:"name"`
	URL                   string `json:"url"`
	Username              string `json:"username,omitempty"`
	Password              string `json:"password,omitempty"`
	CABundle              string `json:"caBundle,omitempty"`
	InsecureSkipTLSVerify bool   `json:"insecureSkipTLSVerify,omitempty"`
}

// Repo is a HelmRepo as the API shows it: where it is and how its last refresh went, without
// its credentials.
type Repo struct {
	Name                  string       `json:"name"`
	URL                   string       `json:"url"`
	Authenticated         bool         `json:"authenticated"`
	CABundle              string       `json:"caBundle,omitempty"`
	InsecureSkipTLSVerify bool         `json:"insecureSkipTLSVerify,omitempty"`
	ChartCount            int          `json:"chartCount"`
	LastRefreshTime       *metav1.Time `json:"lastRefreshTime,omitempty"`
	LastRefreshRequest    string       `json:"lastRefreshRequest,omitempty"`
	// Ready says whether the last refresh succeeded; Message says why not, or what it found.
	Ready             bool        `json:"ready"`
	Message           string      `json:"message,omitempty"`
	CreationTimestamp metav1.Time `json:"creationTimestamp"`
}

// RepoList is the answer of GET /helmrepos.
type RepoList struct {
	Items []Repo `json:"items"`
}

func repoView(r *helmv1alpha1.HelmRepo) Repo {
	view := Repo{
		Name: r.Name, URL: r.Spec.URL, Authenticated: r.Spec.AuthSecretName != "",
		CABundle: r.Spec.CABundle, InsecureSkipTLSVerify: r.Spec.InsecureSkipTLSVerify,
		ChartCount: r.Status.ChartCount, LastRefreshTime: r.Status.LastRefreshTime,
		LastRefreshRequest: r.Status.LastRefreshRequest, CreationTimestamp: r.CreationTimestamp,
	}
	if ready := meta.FindStatusCondition(r.Status.Conditions, helmv1alpha1.ConditionReady); ready != nil {
		view.Ready, view.Message = ready.Status == metav1.ConditionTrue, ready.Message
	} else {
		view.Message = "Not refreshed yet"
	}
	return view
}

// authSecretName is the Secret of repo's credentials in the member's kpanda-system.
func authSecretName(repo string) string { return "helmrepo-" + repo + "-auth" }

func repoNotFound(name string) error {
	return rest.Errorf(rest.CodeNotFound, "name", fmt.Sprintf("helm repo %s not found; GET .../helmrepos lists the cluster's repos", name))
}

// listRepos reads with kpanda's identity: repos are cluster-scoped, and everyone who sees the
// cluster needs to know where its charts come from (credentials are never shown).
func (h *Handler) listRepos(w http.ResponseWriter, r *http.Request, c *call) {
	own, err := h.asKpanda(c)
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	var repos helmv1alpha1.HelmRepoList
	if err := own.List(r.Context(), &repos); err != nil {
		rest.WriteError(w, err)
		return
	}
	items := make([]Repo, 0, len(repos.Items))
	for i := range repos.Items {
		items = append(items, repoView(&repos.Items[i]))
	}
	sort.Slice(items, func(i, j int) bool { return items[i].Name < items[j].Name })
	rest.WriteJSON(w, http.StatusOK, RepoList{Items: items})
}

func (h *Handler) getRepo(w http.ResponseWriter, r *http.Request, c *call) {
	own, err := h.asKpanda(c)
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	repo, err := readRepo(r.Context(), own, r.PathValue("name"))
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	rest.WriteJSON(w, http.StatusOK, repoView(repo))
}

func readRepo(ctx context.Context, cl client.Reader, name string) (*helmv1alpha1.HelmRepo, error) {
	var repo helmv1alpha1.HelmRepo
	if err := cl.Get(ctx, client.ObjectKey{Name: name}, &repo); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, repoNotFound(name)
		}
		return nil, err
	}
	return &repo, nil
}

func checkRepoRequest(req *RepoRequest) error {
	if err := checkRepoName(req.Name); err != nil {
		return err
	}
	if err := checkRepoURL(req.URL); err != nil {
		return err
	}
	if req.Password != "" && req.Username == "" {
		return invalid("username", "a password was given without a username; give both for HTTP basic auth, or neither")
	}
	return checkCABundle(req.CABundle)
}

// createRepo writes the credentials Secret before the HelmRepo: the controller refreshes a new
// repo at once, and a missing Secret would fail that refresh until the next interval.
func (h *Handler) createRepo(w http.ResponseWriter, r *http.Request, c *call) {
	var req RepoRequest
	if err := rest.ReadJSON(r, &req); err != nil {
		rest.WriteError(w, err)
		return
	}
	if err := checkRepoRequest(&req); err != nil {
		rest.WriteError(w, err)
		return
	}
	cl, ok := c.callerClient(w)
	if !ok {
		return
	}
	repo, err := c.createRepo(r.Context(), cl, &req)
	if err != nil {
		rest.WriteError(w, err)
		return
	}
	rest.WriteJSON(w, http.StatusCreated, repoView(repo))
}

func (c *call) createRepo(ctx context.Context, cl client.Client, req *RepoRequest) (*helmv1alpha1.HelmRepo, error) {
	// Refuse an existing name before touching its Secret: the write below would replace the
	// credentials of the repo already there.
	var existing helmv1alpha1.HelmRepo
	if err := cl.Get(ctx, client.ObjectKey{Name: req.Name}, &existing); err == nil {
		return nil, rest.Errorf(rest.CodeAlreadyExists, "name", fmt.Sprintf("helm repo %s already exists in cluster %s; delete it first or choose another name", req.Name, c.Cluster))
	} else if !apierrors.IsNotFound(err) {
		return nil, c.MemberError(err)
	}
	repo := &helmv1alpha1.HelmRepo{
		ObjectMeta: metav1.ObjectMeta{Name: req.Name},
		Spec:       helmv1alpha1.HelmRepoSpec{URL: req.URL, CABundle: req.CABundle, InsecureSkipTLSVerify: req.InsecureSkipTLSVerify},
	}
	var secret *corev1.Secret
	if req.Username != "" {
		var err error
		if secret, err = c.writeCredentials(ctx, cl, req); err != nil {
			return nil, err
		}
		repo.Spec.AuthSecretName = secret.Name
	}
	if err := cl.Create(ctx, repo); err != nil {
		if secret != nil {
			_ = cl.Delete(ctx, secret) // best effort: nothing refers to it
		}
		if apierrors.IsAlreadyExists(err) {
			return nil, rest.Errorf(rest.CodeAlreadyExists, "name", fmt.Sprintf("helm repo %s already exists in cluster %s", req.Name, c.Cluster))
		}
		return nil, c.MemberError(err)
	}
	if secret != nil {
		// The Secret goes with the repo when the repo is deleted.
		patch := client.MergeFrom(secret.DeepCopy())
		if err := controllerutil.SetOwnerReference(repo, secret, scheme); err != nil {
			return nil, fmt.Errorf("owner of Secret %s: %w", secret.Name, err)
		}
		if err := cl.Patch(ctx, secret, patch); err != nil {
			return nil, c.MemberError(err)
		}
	}
	return repo, nil
}

// writeCredentials creates (or, left over from an attempt that failed, replaces) the Secret.
func (c *call) writeCredentials(ctx context.Context, cl client.Client, req *RepoRequest) (*corev1.Secret, error) {
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: helmoperation.Namespace, Name: authSecretName(req.Name)}}
	_, err := controllerutil.CreateOrUpdate(ctx, cl, secret, func() error {
		secret.Type = corev1.SecretTypeOpaque
		secret.Data = map[string][]byte{helmoperation.UsernameKey: []byte(req.Username), helmoperation.PasswordKey: []byte(req.Password)}
		return nil
	})
	if err != nil {
		return nil, c.MemberError(err)
	}
	return secret, nil
}

// deleteRepo deletes the repo and the credentials kpanda stored for it. The Secret's owner
// reference would have the garbage collector remove it too, but only once the collector
// watches the HelmRepo kind; credentials should not outlive their repo by a minute.
func (h *Handler) deleteRepo(w http.ResponseWriter, r *http.Request, c *call) {
	cl, ok := c.callerClient(w)
	if !ok {
		return
	}
	ctx, name := r.Context(), r.PathValue("name")
	repo, err := readRepo(ctx, cl, name)
	if err != nil {
		rest.WriteError(w, c.MemberError(err))
		return
	}
	if err := cl.Delete(ctx, repo); err != nil {
		if apierrors.IsNotFound(err) {
			err = repoNotFound(name)
		}
		rest.WriteError(w, c.MemberError(err))
		return
	}
	// Only a Secret kpanda named for this repo: one a person referred to by hand is theirs.
	if repo.Spec.AuthSecretName == authSecretName(name) {
		secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: helmoperation.Namespace, Name: repo.Spec.AuthSecretName}}
		if err := cl.Delete(ctx, secret); client.IgnoreNotFound(err) != nil {
			rest.WriteError(w, c.MemberError(err))
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// refreshRepo asks the controller for a refresh by writing the time into the annotation it
// watches; with ?wait=true it waits for the refresh to be done and answers its outcome.
func (h *Handler) refreshRepo(w http.ResponseWriter, r *http.Request, c *call) {
	cl, ok := c.callerClient(w)
	if !ok {
		return
	}
	ctx, name := r.Context(), r.PathValue("name")
	repo, err := readRepo(ctx, cl, name)
	if err != nil {
		rest.WriteError(w, c.MemberError(err))
		return
	}
	requested := time.Now().UTC().Format(time.RFC3339Nano)
	patch := client.MergeFrom(repo.DeepCopy())
	if repo.Annotations == nil {
		repo.Annotations = map[string]string{}
	}
	repo.Annotations[helmv1alpha1.RefreshRequestedAnnotation] = requested
	if err := cl.Patch(ctx, repo, patch); err != nil {
		rest.WriteError(w, c.MemberError(err))
		return
	}
	if wantWait, _ := strconv.ParseBool(r.URL.Query().Get("wait")); !wantWait {
		rest.WriteJSON(w, http.StatusAccepted, repoView(repo))
		return
	}
	if repo, err = waitRefreshed(ctx, cl, name, requested); err != nil {
		rest.WriteError(w, err)
		return
	}
	rest.WriteJSON(w, http.StatusOK, repoView(repo))
}

func waitRefreshed(ctx context.Context, cl client.Reader, name, requested string) (*helmv1alpha1.HelmRepo, error) {
	var repo *helmv1alpha1.HelmRepo
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, refreshWait, true, func(ctx context.Context) (bool, error) {
		var err error
		repo, err = readRepo(ctx, cl, name)
		return err == nil && repo.Status.LastRefreshRequest == requested, err
	})
	if err != nil {
		if repo != nil {
			return nil, rest.Errorf(rest.CodeUnavailable, "", fmt.Sprintf("the refresh of helm repo %s was requested but not done within %s; is the controller-manager running? GET the repo later to see its outcome", name, refreshWait))
		}
		return nil, err
	}
	return repo, nil
}
