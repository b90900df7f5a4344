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
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/kpanda/kpanda/internal/apiclient"
)

// The helm verbs manage a cluster's chart repositories and read their charts. Like the other
// client verbs they only read flags and files, call internal/apiclient and print.

// pollInterval is how often the verbs that wait look again; tests shorten it.
var pollInterval = time.Second

func helmCommand() *cobra.Command {
	cmd := groupCommand(&cobra.Command{
		Use:   "helm",
		Short: "Manage the Helm chart repositories of a cluster and browse their charts",
	})
	cmd.AddCommand(helmRepoCommand(), helmChartCommand())
	return cmd
}

// addClusterFlag adds the required --cluster flag.
func addClusterFlag(cmd *cobra.Command) *string {
	cluster := new(string)
	cmd.Flags().StringVar(cluster, "cluster", "", "the cluster (kpanda cluster list shows them)")
	_ = cmd.MarkFlagRequired("cluster") // cannot fail: the flag exists
	return cluster
}

// oneName is the Args check of the verbs that take one NAME of what.
func oneName(what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != 1 {
			return fmt.Errorf("%s takes one argument, the %s; got %d", cmd.CommandPath(), what, len(args))
		}
		return nil
	}
}

func helmRepoCommand() *cobra.Command {
	cmd := groupCommand(&cobra.Command{
		Use:     "repo",
		Aliases: []string{"repos"},
		Short:   "Add, list, refresh and delete chart repositories",
	})
	cmd.AddCommand(helmRepoAddCommand(), helmRepoListCommand(), helmRepoRefreshCommand(), helmRepoDeleteCommand())
	return cmd
}

func helmRepoAddCommand() *cobra.Command {
	var (
		req           apiclient.HelmRepoRequest
		passwordStdin bool
		caFile        string
		noWait        bool
	)
	cmd := &cobra.Command{
		Use:   "add NAME --url URL --cluster C [--username U --password-stdin] [--ca-file F] [--insecure-skip-tls-verify]",
		Short: "Add a chart repository to a cluster",
		Long: `Adds a chart repository to a cluster and waits for its first refresh (the index is read
at once, then every helm_repo_refresh_interval seconds of the cluster's settings). The
credentials are stored in a Secret of the cluster and never shown again. Only a cluster's
admins may add repositories.`,
		Args: oneName("repository NAME"),
	}
	cluster := addClusterFlag(cmd)
	cmd.Flags().StringVar(&req.URL, "url", "", "the repository's base URL (index.yaml is read below it)")
	cmd.Flags().StringVar(&req.Username, "username", "", "user name for HTTP basic auth")
	cmd.Flags().BoolVar(&passwordStdin, "password-stdin", false, "read the basic auth password from stdin")
	cmd.Flags().StringVar(&caFile, "ca-file", "", "PEM file of the CA that signed the repository's certificate")
	cmd.Flags().BoolVar(&req.InsecureSkipTLSVerify, "insecure-skip-tls-verify", false, "accept any certificate from the repository")
	cmd.Flags().BoolVar(&noWait, "no-wait", false, "return without waiting for the first refresh")
	_ = cmd.MarkFlagRequired("url") // cannot fail: the flag exists
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		req.Name = args[0]
		if err := readRepoSecrets(cmd, &req, passwordStdin, caFile); err != nil {
			return err
		}
		client, err := newClient()
		if err != nil {
			return err
		}
		if _, err := client.AddHelmRepo(cmd.Context(), *cluster, req); err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "helm repo %s added to cluster %s\n", req.Name, *cluster)
		if noWait {
			return nil
		}
		return waitFirstRefresh(cmd.Context(), client, *cluster, req.Name, cmd.OutOrStdout())
	}
	return cmd
}

func readRepoSecrets(cmd *cobra.Command, req *apiclient.HelmRepoRequest, passwordStdin bool, caFile string) error {
	if passwordStdin {
		if req.Username == "" {
			return errors.New("--password-stdin needs --username")
		}
		data, err := io.ReadAll(cmd.InOrStdin())
		if err != nil {
			return fmt.Errorf("cannot read the password from stdin: %w", err)
		}
		req.Password = strings.TrimRight(string(data), "\r\n")
	}
	if caFile != "" {
		data, err := readInput(cmd, "ca-file", caFile)
		if err != nil {
			return err
		}
		req.CABundle = string(data)
	}
	return nil
}

// firstRefreshWait bounds how long repo add waits for the controller-manager.
const firstRefreshWait = 45 * time.Second

// waitFirstRefresh waits until the repo was refreshed once and says how it went: a repository
// that cannot be read (wrong URL or password) is an error now, not a surprise at install time.
func waitFirstRefresh(ctx context.Context, client *apiclient.Client, cluster, name string, out io.Writer) error {
	fmt.Fprintf(out, "waiting for the first refresh of %s...\n", name)
	var repo *apiclient.HelmRepo
	err := wait.PollUntilContextTimeout(ctx, pollInterval, firstRefreshWait, true, func(ctx context.Context) (bool, error) {
		var err error
		repo, err = client.GetHelmRepo(ctx, cluster, name)
		return err == nil && repo.LastRefreshTime != nil, err
	})
	if err != nil {
		if repo != nil {
			return fmt.Errorf("helm repo %s was added but not refreshed within %s; see kpanda helm repo list --cluster %s", name, firstRefreshWait, cluster)
		}
		return err
	}
	return refreshOutcome(repo, out)
}

func refreshOutcome(repo *apiclient.HelmRepo, out io.Writer) error {
	if !repo.Ready {
		return fmt.Errorf("helm repo %s cannot be read: %s", repo.Name, repo.Message)
	}
	_, err := fmt.Fprintf(out, "helm repo %s refreshed: %d charts\n", repo.Name, repo.ChartCount)
	return err
}

func helmRepoListCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "list --cluster C",
		Aliases: []string{"ls"},
		Short:   "List a cluster's chart repositories and how their last refresh went",
		Args:    cobra.NoArgs,
	}
	cluster := addClusterFlag(cmd)
	out := addOutputFlag(cmd, outputTable, outputJSON)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		client, err := out.client()
		if err != nil {
			return err
		}
		list, err := client.ListHelmRepos(cmd.Context(), *cluster)
		if err != nil {
			return err
		}
		if out.value == outputJSON {
			if list.Items == nil {
				list.Items = []apiclient.HelmRepo{}
			}
			return printJSON(cmd.OutOrStdout(), list)
		}
		if len(list.Items) == 0 {
			_, err := fmt.Fprintln(cmd.ErrOrStderr(), "No helm repos found.")
			return err
		}
		return printRepoTable(cmd.OutOrStdout(), list.Items, time.Now())
	}
	return cmd
}

func printRepoTable(w io.Writer, repos []apiclient.HelmRepo, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 8, 3, ' ', 0)
	fmt.Fprintln(tw, "NAME\tURL\tCHARTS\tREADY\tLAST REFRESH\tMESSAGE")
	for _, r := range repos {
		last := "-"
		if r.LastRefreshTime != nil {
			last = age(*r.LastRefreshTime, now) + " ago"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%t\t%s\t%s\n", r.Name, r.URL, r.ChartCount, r.Ready, last, orDash(r.Message))
	}
	return tw.Flush()
}

func helmRepoRefreshCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "refresh NAME --cluster C",
		Short: "Read a repository's index now and wait for the outcome",
		Args:  oneName("repository NAME"),
	}
	cluster := addClusterFlag(cmd)
	out := addOutputFlag(cmd, outputText, outputJSON)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		client, err := out.client()
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "refreshing %s...\n", args[0])
		repo, err := client.RefreshHelmRepo(cmd.Context(), *cluster, args[0], true)
		if err != nil {
			return err
		}
		if out.value == outputJSON {
			return printJSON(cmd.OutOrStdout(), repo)
		}
		return refreshOutcome(repo, cmd.OutOrStdout())
	}
	return cmd
}

func helmRepoDeleteCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "delete NAME --cluster C",
		Aliases: []string{"remove", "rm"},
		Short:   "Delete a chart repository and its stored credentials",
		Long:    "Deletes a chart repository; apps installed from it keep running, but cannot be upgraded from it.",
		Args:    oneName("repository NAME"),
	}
	cluster := addClusterFlag(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		client, err := newClient()
		if err != nil {
			return err
		}
		if err := client.DeleteHelmRepo(cmd.Context(), *cluster, args[0]); err != nil {
			return err
		}
		_, err = fmt.Fprintf(cmd.OutOrStdout(), "helm repo %s deleted from cluster %s\n", args[0], *cluster)
		return err
	}
	return cmd
}

func helmChartCommand() *cobra.Command {
	cmd := groupCommand(&cobra.Command{
		Use:     "chart",
		Aliases: []string{"charts"},
		Short:   "Browse the charts of a cluster's repositories",
	})
	cmd.AddCommand(helmChartListCommand(), helmChartShowCommand())
	return cmd
}

func helmChartListCommand() *cobra.Command {
	var repo, search string
	cmd := &cobra.Command{
		Use:     "list --cluster C [--repo R] [--search Q]",
		Aliases: []string{"ls", "search"},
		Short:   "List the newest version of each chart, as of the repositories' last refresh",
		Args:    cobra.NoArgs,
	}
	cluster := addClusterFlag(cmd)
	out := addOutputFlag(cmd, outputTable, outputJSON)
	cmd.Flags().StringVar(&repo, "repo", "", "only the charts of this repository")
	cmd.Flags().StringVar(&search, "search", "", "only charts whose name, description or keywords contain this")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		client, err := out.client()
		if err != nil {
			return err
		}
		list, err := client.SearchCharts(cmd.Context(), *cluster, repo, search)
		if err != nil {
			return err
		}
		if out.value == outputJSON {
			if list.Items == nil {
				list.Items = []apiclient.ChartVersion{}
			}
			return printJSON(cmd.OutOrStdout(), list)
		}
		for _, r := range list.Unindexed {
			fmt.Fprintf(cmd.ErrOrStderr(), "warning: helm repo %s has no index yet; refresh it (kpanda helm repo refresh %s --cluster %s)\n", r, r, *cluster)
		}
		if len(list.Items) == 0 {
			_, err := fmt.Fprintln(cmd.ErrOrStderr(), "No charts found.")
			return err
		}
		return printChartTable(cmd.OutOrStdout(), list.Items)
	}
	return cmd
}

func printChartTable(w io.Writer, charts []apiclient.ChartVersion) error {
	tw := tabwriter.NewWriter(w, 0, 8, 3, ' ', 0)
	fmt.Fprintln(tw, "CHART\tVERSION\tAPP VERSION\tDESCRIPTION")
	for _, c := range charts {
		fmt.Fprintf(tw, "%s/%s\t%s\t%s\t%s\n", c.Repo, c.Name, c.Version, orDash(c.AppVersion), orDash(c.Description))
	}
	return tw.Flush()
}

// splitChart reads REPO/CHART.
func splitChart(ref string) (repo, chart string, err error) {
	repo, chart, ok := strings.Cut(ref, "/")
	if !ok || repo == "" || chart == "" || strings.Contains(chart, "/") {
		return "", "", fmt.Errorf("chart %q: write it as REPO/CHART, e.g. bitnami/nginx", ref)
	}
	return repo, chart, nil
}

func helmChartShowCommand() *cobra.Command {
	var version string
	cmd := &cobra.Command{
		Use:   "show REPO/CHART --cluster C [--version V]",
		Short: "Show a chart version's metadata, README and default values",
		Long:  "Shows a chart version (the newest without --version): its metadata, README and default values.yaml.",
		Args:  oneName("chart as REPO/CHART"),
	}
	cluster := addClusterFlag(cmd)
	out := addOutputFlag(cmd, outputText, outputJSON)
	cmd.Flags().StringVar(&version, "version", "", "chart version (default: the newest)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.check(); err != nil {
			return err
		}
		repo, chart, err := splitChart(args[0])
		if err != nil {
			return err
		}
		client, err := newClient()
		if err != nil {
			return err
		}
		if version == "" {
			if version, err = newestVersion(cmd.Context(), client, *cluster, repo, chart); err != nil {
				return err
			}
		}
		detail, err := client.ShowChart(cmd.Context(), *cluster, repo, chart, version)
		if err != nil {
			return err
		}
		if out.value == outputJSON {
			return printJSON(cmd.OutOrStdout(), detail)
		}
		return printChartDetail(cmd.OutOrStdout(), detail)
	}
	return cmd
}

func newestVersion(ctx context.Context, client *apiclient.Client, cluster, repo, chart string) (string, error) {
	versions, err := client.ChartVersions(ctx, cluster, repo, chart)
	if err != nil {
		return "", err
	}
	if len(versions.Items) == 0 {
		return "", fmt.Errorf("chart %s/%s lists no versions", repo, chart)
	}
	return versions.Items[0].Version, nil
}

func printChartDetail(w io.Writer, d *apiclient.ChartDetail) error {
	tw := tabwriter.NewWriter(w, 0, 8, 1, ' ', 0)
	fmt.Fprintf(tw, "chart:\t%s/%s\n", d.Repo, d.Name)
	fmt.Fprintf(tw, "version:\t%s\n", d.Version)
	fmt.Fprintf(tw, "app version:\t%s\n", orDash(d.AppVersion))
	fmt.Fprintf(tw, "description:\t%s\n", orDash(d.Description))
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n--- README\n%s\n--- values.yaml\n%s", strings.TrimRight(d.Readme, "\n"), d.Values)
	return err
}
