package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/util/wait"

	helmv1alpha1 "github.com/kpanda/kpanda/api/helm/v1alpha1"
	"github.com/kpanda/kpanda/internal/apiclient"
)

// The app verbs install and change Helm apps. The server records the wish (a HelmRelease) and
// the controller-manager carries it out; the verbs then follow the app until its operation
// ended, printing each phase, unless --no-wait-for-result.

// defaultAppTimeout is Helm's default, which the server also applies when none is given.
const defaultAppTimeout = 5 * time.Minute

// resultGrace is added to an app's timeout for how long a verb follows its operation: the
// operation may queue behind another and report a little after Helm gave up.
const resultGrace = 2 * time.Minute

func appCommand() *cobra.Command {
	cmd := groupCommand(&cobra.Command{
		Use:     "app",
		Aliases: []string{"apps"},
		Short:   "Install, upgrade, roll back, uninstall and list Helm apps of a cluster",
	})
	cmd.AddCommand(appInstallCommand(), appUpgradeCommand(), appRollbackCommand(), appUninstallCommand(), appListCommand(), appHistoryCommand())
	return cmd
}

// appTarget is the cluster and namespace flags every app verb has.
type appTarget struct {
	cluster, namespace string
}

func addAppTarget(cmd *cobra.Command) *appTarget {
	t := &appTarget{}
	cmd.Flags().StringVar(&t.cluster, "cluster", "", "the cluster (kpanda cluster list shows them)")
	cmd.Flags().StringVarP(&t.namespace, "namespace", "n", "default", "the namespace of the app")
	_ = cmd.MarkFlagRequired("cluster") // cannot fail: the flag exists
	return t
}

// operationFlags are the options of an install or upgrade.
type operationFlags struct {
	wait, atomic, noWaitForResult bool
	timeout                       time.Duration
}

func addOperationFlags(cmd *cobra.Command) *operationFlags {
	f := &operationFlags{}
	cmd.Flags().BoolVar(&f.wait, "wait", false, "the operation succeeds only once the app's resources are ready")
	cmd.Flags().BoolVar(&f.atomic, "atomic", false, "undo the operation if it fails (implies --wait)")
	cmd.Flags().DurationVar(&f.timeout, "timeout", 0, "bound of the Helm operation, e.g. 10m (default 5m)")
	addNoWaitFlag(cmd, &f.noWaitForResult)
	return f
}

func addNoWaitFlag(cmd *cobra.Command, noWait *bool) {
	cmd.Flags().BoolVar(noWait, "no-wait-for-result", false, "return once the request is recorded, without following the operation")
}

func (f *operationFlags) timeoutText() string {
	if f.timeout <= 0 {
		return ""
	}
	return f.timeout.String()
}

func (f *operationFlags) resultWait() time.Duration {
	if f.timeout > 0 {
		return f.timeout + resultGrace
	}
	return defaultAppTimeout + resultGrace
}

func appInstallCommand() *cobra.Command {
	var chartRef, version, valuesFile string
	cmd := &cobra.Command{
		Use:   "install NAME --cluster C -n NS --chart REPO/CHART [--version V] [--values FILE] [--wait --atomic --timeout D]",
		Short: "Install a chart as an app and follow it until it is deployed or failed",
		Long: `Installs a chart of one of the cluster's repositories as app NAME (the Helm release name) in
namespace NS, with your rights in that namespace. Without --version the newest version is
installed and pinned. The command follows the operation and fails with its message if it fails.`,
		Args: oneName("app NAME"),
	}
	target := addAppTarget(cmd)
	ops := addOperationFlags(cmd)
	cmd.Flags().StringVar(&chartRef, "chart", "", "the chart, as REPO/CHART")
	cmd.Flags().StringVar(&version, "version", "", "chart version (default: the newest)")
	cmd.Flags().StringVarP(&valuesFile, "values", "f", "", "YAML file of chart values (- for stdin)")
	_ = cmd.MarkFlagRequired("chart") // cannot fail: the flag exists
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		repo, chart, err := splitChart(chartRef)
		if err != nil {
			return err
		}
		values, err := readValues(cmd, valuesFile)
		if err != nil {
			return err
		}
		client, err := newClient()
		if err != nil {
			return err
		}
		rel, err := client.InstallApp(cmd.Context(), target.cluster, target.namespace, apiclient.InstallRequest{
			Name: args[0], Chart: helmv1alpha1.ChartRef{Repo: repo, Name: chart, Version: version},
			Values: values, Wait: ops.wait, Atomic: ops.atomic, Timeout: ops.timeoutText(),
		})
		if err != nil {
			return err
		}
		out := cmd.OutOrStdout()
		fmt.Fprintf(out, "app %s: installing %s/%s %s in namespace %s of cluster %s\n", rel.Name, repo, chart, rel.Spec.Chart.Version, rel.Namespace, target.cluster)
		if ops.noWaitForResult {
			return nil
		}
		return followApp(cmd.Context(), client, target, rel.Name, rel.Generation, ops.resultWait(), out)
	}
	return cmd
}

// readValues reads --values, or nothing when it was not given.
func readValues(cmd *cobra.Command, path string) (string, error) {
	if path == "" {
		return "", nil
	}
	data, err := readInput(cmd, "values", path)
	return string(data), err
}

func appUpgradeCommand() *cobra.Command {
	var version, valuesFile string
	cmd := &cobra.Command{
		Use:   "upgrade NAME --cluster C -n NS [--version V] [--values FILE] [--wait --atomic --timeout D]",
		Short: "Change an app's chart version, values or options, show the values diff and follow it",
		Long: `Upgrades app NAME: to chart version --version, and/or with the values of --values (which replace
the app's values). What is not given stays as it is. The diff of the values is printed.`,
		Args: oneName("app NAME"),
	}
	target := addAppTarget(cmd)
	ops := addOperationFlags(cmd)
	cmd.Flags().StringVar(&version, "version", "", "chart version to upgrade to (default: keep the current one)")
	cmd.Flags().StringVarP(&valuesFile, "values", "f", "", "YAML file of chart values replacing the current ones (- for stdin)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		req, err := upgradeRequest(cmd, version, valuesFile, ops)
		if err != nil {
			return err
		}
		client, err := newClient()
		if err != nil {
			return err
		}
		result, err := client.UpgradeApp(cmd.Context(), target.cluster, target.namespace, args[0], req)
		if err != nil {
			return err
		}
		out := cmd.OutOrStdout()
		if result.ValuesDiff == "" {
			fmt.Fprintln(out, "values unchanged")
		} else {
			fmt.Fprint(out, result.ValuesDiff)
		}
		rel := result.Release
		fmt.Fprintf(out, "app %s: upgrading to %s/%s %s\n", rel.Name, rel.Spec.Chart.Repo, rel.Spec.Chart.Name, rel.Spec.Chart.Version)
		if ops.noWaitForResult {
			return nil
		}
		return followApp(cmd.Context(), client, target, rel.Name, rel.Generation, ops.resultWait(), out)
	}
	return cmd
}

// upgradeRequest sends only what was given on the command line.
func upgradeRequest(cmd *cobra.Command, version, valuesFile string, ops *operationFlags) (apiclient.UpgradeRequest, error) {
	req := apiclient.UpgradeRequest{Version: version, Timeout: ops.timeoutText()}
	if valuesFile != "" {
		values, err := readValues(cmd, valuesFile)
		if err != nil {
			return req, err
		}
		req.Values = &values
	}
	if cmd.Flags().Changed("wait") {
		req.Wait = &ops.wait
	}
	if cmd.Flags().Changed("atomic") {
		req.Atomic = &ops.atomic
	}
	return req, nil
}

func appRollbackCommand() *cobra.Command {
	var revision int
	var noWait bool
	cmd := &cobra.Command{
		Use:   "rollback NAME --cluster C -n NS --revision N",
		Short: "Return an app to the chart version and values of a Helm revision",
		Long:  "Rolls app NAME back to Helm revision N (kpanda app history lists them) and follows the operation.",
		Args:  oneName("app NAME"),
	}
	target := addAppTarget(cmd)
	cmd.Flags().IntVar(&revision, "revision", 0, "the Helm revision to return to")
	addNoWaitFlag(cmd, &noWait)
	_ = cmd.MarkFlagRequired("revision") // cannot fail: the flag exists
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		client, err := newClient()
		if err != nil {
			return err
		}
		rel, err := client.RollbackApp(cmd.Context(), target.cluster, target.namespace, args[0], revision)
		if err != nil {
			return err
		}
		out := cmd.OutOrStdout()
		fmt.Fprintf(out, "app %s: rolling back to revision %d (chart version %s)\n", rel.Name, revision, rel.Spec.Chart.Version)
		if noWait {
			return nil
		}
		return followApp(cmd.Context(), client, target, rel.Name, rel.Generation, helmTimeout(rel)+resultGrace, out)
	}
	return cmd
}

func helmTimeout(rel *helmv1alpha1.HelmRelease) time.Duration {
	if rel.Spec.Timeout != nil && rel.Spec.Timeout.Duration > 0 {
		return rel.Spec.Timeout.Duration
	}
	return defaultAppTimeout
}

func appUninstallCommand() *cobra.Command {
	var noWait, removeCRDs bool
	cmd := &cobra.Command{
		Use:   "uninstall NAME --cluster C -n NS [--remove-crds]",
		Short: "Uninstall an app and wait until it is gone",
		Long: `Uninstall an app and wait until it is gone. Helm never deletes the CRDs a chart installed; when
the app was an autoscaling add-on (VPA, CronHPA) whose CRDs stay behind, the command says so and
how to remove them, or removes them with --remove-crds (seed FAQ 9).`,
		Args: oneName("app NAME"),
	}
	target := addAppTarget(cmd)
	addNoWaitFlag(cmd, &noWait)
	cmd.Flags().BoolVar(&removeCRDs, "remove-crds", false, "also delete the CRDs (and their objects) an autoscaling add-on leaves behind")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if removeCRDs && noWait {
			return errors.New("--remove-crds waits for the uninstall to end; drop --no-wait-for-result")
		}
		client, err := newClient()
		if err != nil {
			return err
		}
		ctx := cmd.Context()
		// Leftovers present before the uninstall are not this app's.
		before, err := leftoverAddons(ctx, client, target.cluster)
		if err != nil {
			return err
		}
		if err := client.UninstallApp(ctx, target.cluster, target.namespace, args[0]); err != nil {
			return err
		}
		out := cmd.OutOrStdout()
		fmt.Fprintf(out, "app %s: uninstalling\n", args[0])
		if noWait {
			return nil
		}
		if err := waitGone(ctx, client, target, args[0], out); err != nil {
			return err
		}
		return offerLeftovers(ctx, client, target.cluster, before, removeCRDs, out)
	}
	return cmd
}

func waitGone(ctx context.Context, client *apiclient.Client, target *appTarget, name string, out io.Writer) error {
	err := wait.PollUntilContextTimeout(ctx, pollInterval, defaultAppTimeout+resultGrace, true, func(ctx context.Context) (bool, error) {
		_, err := client.GetApp(ctx, target.cluster, target.namespace, name)
		var apiErr *apiclient.APIError
		if errors.As(err, &apiErr) && apiErr.Status == 404 {
			return true, nil
		}
		return false, err
	})
	if err != nil {
		return fmt.Errorf("app %s: %w", name, err)
	}
	_, err = fmt.Fprintf(out, "app %s uninstalled\n", name)
	return err
}

// followApp prints each phase of the app until the operation of generation ended, and fails
// with the operation's message if it failed.
func followApp(ctx context.Context, client *apiclient.Client, target *appTarget, name string, generation int64, limit time.Duration, out io.Writer) error {
	var rel *helmv1alpha1.HelmRelease
	lastPhase := helmv1alpha1.HelmReleasePhase("")
	err := wait.PollUntilContextTimeout(ctx, pollInterval, limit, true, func(ctx context.Context) (bool, error) {
		var err error
		if rel, err = client.GetApp(ctx, target.cluster, target.namespace, name); err != nil {
			return false, err
		}
		if phase := rel.Status.Phase; phase != "" && phase != lastPhase {
			fmt.Fprintf(out, "app %s: %s\n", name, phase)
			lastPhase = phase
		}
		return settled(rel, generation), nil
	})
	if err != nil {
		if rel != nil && !settled(rel, generation) {
			return fmt.Errorf("app %s did not finish within %s (phase %s); kpanda app history %s -n %s --cluster %s shows its operations", name, limit, orDash(string(rel.Status.Phase)), name, target.namespace, target.cluster)
		}
		return err
	}
	return appOutcome(rel)
}

// settled says whether the operation applying generation ended.
func settled(rel *helmv1alpha1.HelmRelease, generation int64) bool {
	return rel.Status.ObservedGeneration >= generation && rel.Status.CurrentOperation == "" &&
		(rel.Status.Phase == helmv1alpha1.ReleaseDeployed || rel.Status.Phase == helmv1alpha1.ReleaseFailed)
}

func appOutcome(rel *helmv1alpha1.HelmRelease) error {
	message := ""
	if ready := meta.FindStatusCondition(rel.Status.Conditions, helmv1alpha1.ConditionReady); ready != nil {
		message = ready.Message
	}
	if rel.Status.Phase == helmv1alpha1.ReleaseFailed {
		return fmt.Errorf("app %s failed: %s", rel.Name, orDash(message))
	}
	return nil
}

func appListCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "list --cluster C [-n NS]",
		Aliases: []string{"ls"},
		Short:   "List the apps of a namespace, or of every namespace you may list",
		Args:    cobra.NoArgs,
	}
	var cluster, namespace string
	cmd.Flags().StringVar(&cluster, "cluster", "", "the cluster (kpanda cluster list shows them)")
	cmd.Flags().StringVarP(&namespace, "namespace", "n", "", "the namespace (default: all namespaces)")
	_ = cmd.MarkFlagRequired("cluster") // cannot fail: the flag exists
	out := addOutputFlag(cmd, outputTable, outputJSON)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		client, err := out.client()
		if err != nil {
			return err
		}
		list, err := client.ListApps(cmd.Context(), cluster, namespace)
		if err != nil {
			return err
		}
		if out.value == outputJSON {
			if list.Items == nil {
				list.Items = []helmv1alpha1.HelmRelease{}
			}
			return printJSON(cmd.OutOrStdout(), map[string]any{"items": list.Items})
		}
		if len(list.Items) == 0 {
			_, err := fmt.Fprintln(cmd.ErrOrStderr(), "No apps found.")
			return err
		}
		return printAppTable(cmd.OutOrStdout(), list.Items, time.Now())
	}
	return cmd
}

func printAppTable(w io.Writer, apps []helmv1alpha1.HelmRelease, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 8, 3, ' ', 0)
	fmt.Fprintln(tw, "NAMESPACE\tNAME\tCHART\tVERSION\tPHASE\tREVISION\tAGE")
	for _, a := range apps {
		fmt.Fprintf(tw, "%s\t%s\t%s/%s\t%s\t%s\t%d\t%s\n", a.Namespace, a.Name, a.Spec.Chart.Repo, a.Spec.Chart.Name,
			orDash(a.Spec.Chart.Version), orDash(string(a.Status.Phase)), a.Status.Revision, age(a.CreationTimestamp.Time, now))
	}
	return tw.Flush()
}

// appHistory is the document of app history -o json.
type appHistory struct {
	Operations []apiclient.HelmOperation `json:"operations"`
	Revisions  []apiclient.HelmRevision  `json:"revisions"`
}

func appHistoryCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "history NAME --cluster C -n NS",
		Short: "Show an app's operations (who did what, and how it ended) and Helm revisions",
		Args:  oneName("app NAME"),
	}
	target := addAppTarget(cmd)
	out := addOutputFlag(cmd, outputTable, outputJSON)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		client, err := out.client()
		if err != nil {
			return err
		}
		history, err := readHistory(cmd.Context(), client, target, args[0])
		if err != nil {
			return err
		}
		if out.value == outputJSON {
			return printJSON(cmd.OutOrStdout(), history)
		}
		return printHistory(cmd.OutOrStdout(), history)
	}
	return cmd
}

func readHistory(ctx context.Context, client *apiclient.Client, target *appTarget, name string) (*appHistory, error) {
	ops, err := client.AppOperations(ctx, target.cluster, target.namespace, name)
	if err != nil {
		return nil, err
	}
	revisions, err := client.AppRevisions(ctx, target.cluster, target.namespace, name)
	if err != nil {
		return nil, err
	}
	h := &appHistory{Operations: ops.Items, Revisions: revisions.Items}
	if h.Operations == nil {
		h.Operations = []apiclient.HelmOperation{}
	}
	if h.Revisions == nil {
		h.Revisions = []apiclient.HelmRevision{}
	}
	return h, nil
}

func printHistory(w io.Writer, h *appHistory) error {
	tw := tabwriter.NewWriter(w, 0, 8, 3, ' ', 0)
	fmt.Fprintln(tw, "OPERATION\tTYPE\tUSER\tPHASE\tSTART\tEND\tRESULT")
	for _, op := range h.Operations {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", op.Name, op.Type, op.User, orDash(string(op.Phase)),
			timeOrDash(op.Start), timeOrDash(op.End), orDash(firstLine(op.Result)))
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "REVISION\tSTATUS\tCHART\tAPP VERSION\tUPDATED\tDESCRIPTION")
	for _, r := range h.Revisions {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", r.Revision, r.Status, r.Chart, orDash(r.AppVersion),
			timeOrDash(&r.Updated), orDash(r.Description))
	}
	return tw.Flush()
}

func timeOrDash(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "-"
	}
	return t.Local().Format(time.DateTime)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
