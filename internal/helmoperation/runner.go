package helmoperation

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	chart "helm.sh/helm/v4/pkg/chart/v2"
	releasecommon "helm.sh/helm/v4/pkg/release/common"
	release "helm.sh/helm/v4/pkg/release/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv1alpha1 "github.com/kpanda/kpanda/api/helm/v1alpha1"
	"github.com/kpanda/kpanda/internal/helm"
)

// Runner runs operations in one member cluster.
type Runner struct {
	// Client acts as kpanda itself: it reads repos, their credentials and indexes, and writes
	// the operation's status. Never used for the Helm action.
	Client client.Client
	// Config reaches the member; the runner adds the operation's user as impersonation.
	Config *rest.Config
	// Log, when set, receives the runner's log as well as the status' tail.
	Log io.Writer
	// Discovery, when set, is the member's discovery cache shared between runs (local
	// executor); a Job's single run discovers afresh.
	Discovery *helm.Discovery
}

// Run performs operation namespace/name and reports its result in its status. The returned error
// is only about the report itself: a failed Helm action is a reported failure, not an error.
func (r *Runner) Run(ctx context.Context, namespace, name string) error {
	var op helmv1alpha1.HelmOperation
	if err := r.Client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, &op); err != nil {
		return fmt.Errorf("reading helm operation %s/%s: %w", namespace, name, err)
	}
	if op.Status.Reported {
		return nil
	}
	// Marking the operation Running and preparing the action (clients, history, chart) overlap:
	// both wait on the apiserver, neither needs the other. The action and the report wait for
	// the mark, so Running is never written after the report. The mark patches a copy: the
	// client decodes the answer into the object it is given, which must not be the one the
	// action is reading at the same time.
	marked := make(chan error, 1)
	running := op.DeepCopy()
	go func() { marked <- r.markRunning(ctx, running) }()
	waitMarked := sync.OnceValue(func() error { return <-marked })
	tail := &logTail{}
	var log io.Writer = tail
	if r.Log != nil {
		log = io.MultiWriter(tail, r.Log)
	}
	rel, actionErr := r.perform(ctx, &op, log, waitMarked)
	if err := waitMarked(); err != nil {
		return err
	}
	if actionErr != nil {
		fmt.Fprintf(log, "Error: %v\n", actionErr)
	}
	return r.report(ctx, &op, rel, actionErr, tail.String())
}

func (r *Runner) markRunning(ctx context.Context, op *helmv1alpha1.HelmOperation) error {
	status := helmv1alpha1.HelmOperationStatus{Phase: helmv1alpha1.OperationRunning, StartTime: op.Status.StartTime}
	if status.StartTime == nil {
		now := metav1.Now()
		status.StartTime = &now
	}
	return r.patchStatus(ctx, op, status)
}

// perform runs the Helm action of op as op's user. It reads what the action needs first, then
// waits until op is marked Running before it writes anything.
func (r *Runner) perform(ctx context.Context, op *helmv1alpha1.HelmOperation, log io.Writer, waitMarked func() error) (*release.Release, error) {
	ctx, cancel := context.WithTimeout(ctx, op.Spec.Timeout.Duration+time.Minute)
	defer cancel()
	releases, err := helm.NewReleases(r.userConfig(op), op.Namespace, log, r.Discovery)
	if err != nil {
		return nil, err
	}
	history, err := releases.History(op.Spec.Release)
	if err != nil {
		return nil, err
	}
	var ch *chart.Chart
	if op.Spec.Type == helmv1alpha1.OperationInstall || op.Spec.Type == helmv1alpha1.OperationUpgrade {
		if ch, err = r.loadChart(ctx, op, log); err != nil {
			return nil, err
		}
	}
	if err := waitMarked(); err != nil {
		return nil, err
	}
	// A release left pending by an operation that died would refuse every later action.
	if unlocked, err := releases.UnlockPending(history); err != nil {
		return nil, err
	} else if unlocked {
		fmt.Fprintf(log, "Release %s was stuck in a pending state; marked it failed so this operation can proceed\n", op.Spec.Release)
	}
	opts := helm.Options{Wait: op.Spec.Wait, Atomic: op.Spec.Atomic, Timeout: op.Spec.Timeout.Duration}
	switch op.Spec.Type {
	case helmv1alpha1.OperationInstall, helmv1alpha1.OperationUpgrade:
		values, err := helm.ParseValues(op.Spec.Values)
		if err != nil {
			return nil, err
		}
		return installOrUpgrade(ctx, releases, history, op.Spec.Release, ch, values, opts, log)
	case helmv1alpha1.OperationRollback:
		fmt.Fprintf(log, "Rolling back %s to revision %d\n", op.Spec.Release, op.Spec.Revision)
		return releases.Rollback(op.Spec.Release, op.Spec.Revision, opts)
	case helmv1alpha1.OperationUninstall:
		fmt.Fprintf(log, "Uninstalling %s\n", op.Spec.Release)
		return nil, releases.Uninstall(op.Spec.Release, opts)
	}
	return nil, fmt.Errorf("type: unknown operation type %q", op.Spec.Type)
}

// loadChart resolves op's chart in its repo's stored index and downloads it.
func (r *Runner) loadChart(ctx context.Context, op *helmv1alpha1.HelmOperation, log io.Writer) (*chart.Chart, error) {
	chartRef := op.Spec.Chart
	if chartRef == nil {
		return nil, fmt.Errorf("chart: an %s operation needs a chart", op.Spec.Type)
	}
	access, err := RepoAccess(ctx, r.Client, chartRef.Repo)
	if err != nil {
		return nil, err
	}
	index, err := ReadIndex(ctx, r.Client, chartRef.Repo)
	if err != nil {
		return nil, err
	}
	version, err := index.Find(chartRef.Name, chartRef.Version)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "Downloading chart %s/%s %s\n", chartRef.Repo, chartRef.Name, version.Version)
	return access.DownloadChart(ctx, version)
}

// installOrUpgrade installs when the release was never deployed and upgrades otherwise: a first
// install that failed leaves a revision behind that a second install would collide with.
func installOrUpgrade(ctx context.Context, releases *helm.Releases, history []*release.Release, name string, ch *chart.Chart, values map[string]any, opts helm.Options, log io.Writer) (*release.Release, error) {
	switch {
	case everDeployed(history):
		fmt.Fprintf(log, "Upgrading %s to %s %s\n", name, ch.Metadata.Name, ch.Metadata.Version)
		return releases.Upgrade(ctx, name, ch, values, opts)
	case len(history) > 0:
		fmt.Fprintf(log, "Release %s was never deployed; removing its failed revisions before installing\n", name)
		if err := releases.Uninstall(name, opts); err != nil {
			return nil, err
		}
	}
	fmt.Fprintf(log, "Installing %s from %s %s\n", name, ch.Metadata.Name, ch.Metadata.Version)
	return releases.Install(ctx, name, ch, values, opts)
}

func everDeployed(history []*release.Release) bool {
	for _, rel := range history {
		if rel.Info != nil && rel.Info.Status != releasecommon.StatusFailed && !rel.Info.Status.IsPending() {
			return true
		}
	}
	return false
}

func (r *Runner) userConfig(op *helmv1alpha1.HelmOperation) *rest.Config {
	config := rest.CopyConfig(r.Config)
	config.Impersonate = rest.ImpersonationConfig{UserName: op.Spec.User, Groups: op.Spec.Groups}
	return config
}

// report writes the runner's result; it is the only place an operation is marked finished by
// its runner.
func (r *Runner) report(ctx context.Context, op *helmv1alpha1.HelmOperation, rel *release.Release, actionErr error, logTail string) error {
	// Report even when ctx ended (timeout, shutdown): an operation must never be left without
	// a result when one is known.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	now := metav1.Now()
	status := helmv1alpha1.HelmOperationStatus{StartTime: op.Status.StartTime, CompletionTime: &now, Reported: true, LogTail: logTail, JobName: op.Status.JobName}
	if rel != nil {
		status.Revision = rel.Version
		if rel.Chart != nil && rel.Chart.Metadata != nil {
			status.ChartVersion, status.AppVersion = rel.Chart.Metadata.Version, rel.Chart.Metadata.AppVersion
		}
	}
	complete := metav1.Condition{Type: helmv1alpha1.ConditionComplete, Status: metav1.ConditionTrue, Reason: "Succeeded", LastTransitionTime: now}
	if actionErr != nil {
		status.Phase, status.Result = helmv1alpha1.OperationFailed, actionErr.Error()
		complete.Status, complete.Reason = metav1.ConditionFalse, "HelmError"
	} else {
		status.Phase, status.Result = helmv1alpha1.OperationSucceeded, succeededMessage(op, rel)
	}
	complete.Message = status.Result
	status.Conditions = []metav1.Condition{complete}
	return r.patchStatus(ctx, op, status)
}

func succeededMessage(op *helmv1alpha1.HelmOperation, rel *release.Release) string {
	if rel == nil {
		return fmt.Sprintf("%s of %s succeeded", op.Spec.Type, op.Spec.Release)
	}
	return fmt.Sprintf("%s of %s succeeded: revision %d", op.Spec.Type, op.Spec.Release, rel.Version)
}

// patchStatus merges status into op's: one request, no read first and no conflict to retry.
// The runner is the only writer of the fields it sets (the controller only fails operations
// that can no longer report), so there is nothing to lose by not locking.
func (r *Runner) patchStatus(ctx context.Context, op *helmv1alpha1.HelmOperation, status helmv1alpha1.HelmOperationStatus) error {
	patch, err := json.Marshal(map[string]any{"status": status})
	if err != nil {
		return fmt.Errorf("reporting on helm operation %s/%s: %w", op.Namespace, op.Name, err)
	}
	if err := r.Client.Status().Patch(ctx, op, client.RawPatch(types.MergePatchType, patch)); err != nil {
		return fmt.Errorf("reporting on helm operation %s/%s: %w", op.Namespace, op.Name, err)
	}
	return nil
}
