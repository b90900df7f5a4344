package helm

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"time"

	"helm.sh/helm/v4/pkg/action"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/kube"
	releasecommon "helm.sh/helm/v4/pkg/release/common"
	release "helm.sh/helm/v4/pkg/release/v1"
	"helm.sh/helm/v4/pkg/storage/driver"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"
)

// Releases runs Helm actions on the releases of one namespace, with the identity of config
// (kpanda's runner passes a config that impersonates the requesting user). Helm's storage is
// its default, Secrets in that namespace, so `helm list` sees the same releases.
type Releases struct {
	cfg       *action.Configuration
	namespace string
}

// NewReleases prepares Helm for namespace; log receives Helm's own log lines. discovery, when not
// nil, is a cache of the cluster's discovery shared between calls.
func NewReleases(config *rest.Config, namespace string, log io.Writer, discovery *Discovery) (*Releases, error) {
	getter, err := newRESTClientGetter(config, namespace, discovery)
	if err != nil {
		return nil, fmt.Errorf("helm client: %w", err)
	}
	cfg := action.NewConfiguration(action.ConfigurationSetLogger(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelInfo})))
	if err := cfg.Init(getter, namespace, "secret"); err != nil {
		return nil, fmt.Errorf("helm client: %w", err)
	}
	return &Releases{cfg: cfg, namespace: namespace}, nil
}

// Options are the choices of one install or upgrade.
type Options struct {
	Wait    bool
	Atomic  bool
	Timeout time.Duration
}

func (o Options) waitStrategy() kube.WaitStrategy {
	if o.Wait || o.Atomic {
		return kube.StatusWatcherStrategy
	}
	return kube.HookOnlyStrategy
}

// ParseValues reads a YAML document of chart values; an empty one is no values.
func ParseValues(values string) (map[string]any, error) {
	parsed := map[string]any{}
	if err := yaml.Unmarshal([]byte(values), &parsed); err != nil {
		return nil, fmt.Errorf("values: not a YAML map: %w", err)
	}
	return parsed, nil
}

// Install installs ch as release name.
func (r *Releases) Install(ctx context.Context, name string, ch *chart.Chart, values map[string]any, opts Options) (*release.Release, error) {
	install := action.NewInstall(r.cfg)
	install.ReleaseName, install.Namespace = name, r.namespace
	install.WaitStrategy, install.Timeout = opts.waitStrategy(), opts.Timeout
	install.RollbackOnFailure = opts.Atomic
	install.ServerSideApply = true
	rel, err := install.RunWithContext(ctx, ch, values)
	return asRelease(rel, err)
}

// Upgrade upgrades release name to ch with values (the values replace, not merge with, the
// previous ones: the HelmRelease spec is the whole truth).
func (r *Releases) Upgrade(ctx context.Context, name string, ch *chart.Chart, values map[string]any, opts Options) (*release.Release, error) {
	upgrade := action.NewUpgrade(r.cfg)
	upgrade.Namespace = r.namespace
	upgrade.WaitStrategy, upgrade.Timeout = opts.waitStrategy(), opts.Timeout
	upgrade.RollbackOnFailure = opts.Atomic
	upgrade.ServerSideApply = "auto"
	rel, err := upgrade.RunWithContext(ctx, name, ch, values)
	return asRelease(rel, err)
}

// Rollback returns release name to revision.
func (r *Releases) Rollback(name string, revision int, opts Options) (*release.Release, error) {
	rollback := action.NewRollback(r.cfg)
	rollback.Version = revision
	rollback.WaitStrategy, rollback.Timeout = opts.waitStrategy(), opts.Timeout
	rollback.ServerSideApply = "auto"
	if err := rollback.Run(name); err != nil {
		return nil, err
	}
	return r.Last(name)
}

// Uninstall removes release name and its history; a release that is already gone is not an error.
func (r *Releases) Uninstall(name string, opts Options) error {
	uninstall := action.NewUninstall(r.cfg)
	uninstall.IgnoreNotFound = true
	uninstall.WaitStrategy, uninstall.Timeout = opts.waitStrategy(), opts.Timeout
	_, err := uninstall.Run(name)
	return err
}

// Last returns the newest revision of release name, or nil when it has none.
func (r *Releases) Last(name string) (*release.Release, error) {
	rel, err := r.cfg.Releases.Last(name)
	if errors.Is(err, driver.ErrReleaseNotFound) {
		return nil, nil
	}
	return asRelease(rel, err)
}

// History returns every stored revision of release name, oldest first.
func (r *Releases) History(name string) ([]*release.Release, error) {
	all, err := r.cfg.Releases.History(name)
	if errors.Is(err, driver.ErrReleaseNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := make([]*release.Release, 0, len(all))
	for _, one := range all {
		rel, err := asRelease(one, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, rel)
	}
	sortByRevision(out)
	return out, nil
}

// UnlockPending marks the newest revision of history (as History returns it) failed when it is
// stuck in a pending state (an operation died mid-way), so that the next action may proceed —
// what Flux's helm-controller does. It reports whether it changed anything.
func (r *Releases) UnlockPending(history []*release.Release) (bool, error) {
	if len(history) == 0 {
		return false, nil
	}
	last := history[len(history)-1]
	if last.Info == nil || !last.Info.Status.IsPending() {
		return false, nil
	}
	last.Info.Status = releasecommon.StatusFailed
	last.Info.Description = "Marked failed by kpanda: the operation that left it pending ended without finishing"
	if err := r.cfg.Releases.Update(last); err != nil {
		return false, fmt.Errorf("unlocking release %s: %w", last.Name, err)
	}
	return true, nil
}

func asRelease(rel any, err error) (*release.Release, error) {
	if err != nil {
		if typed, ok := rel.(*release.Release); ok && typed != nil {
			return typed, err
		}
		return nil, err
	}
	typed, ok := rel.(*release.Release)
	if !ok {
		return nil, fmt.Errorf("helm returned a release of type %T, expected a v1 release", rel)
	}
	return typed, nil
}

func sortByRevision(releases []*release.Release) {
	slices.SortFunc(releases, func(a, b *release.Release) int { return cmp.Compare(a.Version, b.Version) })
}
