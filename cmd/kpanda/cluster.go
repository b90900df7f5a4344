package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	clusterv1alpha1 "github.com/kpanda/kpanda/api/cluster/v1alpha1"
	"github.com/kpanda/kpanda/internal/apiclient"
)

// The cluster verbs are thin: they read flags and files, call internal/apiclient and print.
// The server decides everything else and its error messages are shown as they are.

func clusterCommand() *cobra.Command {
	cmd := groupCommand(&cobra.Command{
		Use:     "cluster",
		Aliases: []string{"clusters"},
		Short:   "Integrate, list, inspect, configure and detach clusters",
	})
	cmd.AddCommand(
		clusterIntegrateCommand(),
		clusterVerifyCommand(),
		clusterListCommand(),
		clusterGetCommand(),
		clusterDetachCommand(),
		clusterSettingsCommand(),
	)
	return cmd
}

// groupCommand makes cmd, which only holds subcommands, refuse an unknown subcommand: cobra
// would print the help and exit 0, and a script would take a typo for success.
func groupCommand(cmd *cobra.Command) *cobra.Command {
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return fmt.Errorf("unknown command %q for %q; run %q for the list", args[0], cmd.CommandPath(), cmd.CommandPath()+" --help")
		}
		return cmd.Help()
	}
	return cmd
}

// clusterName is the Args check of the verbs that take one cluster NAME.
func clusterName(cmd *cobra.Command, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("%s takes one argument, the cluster NAME; got %d", cmd.CommandPath(), len(args))
	}
	return nil
}

// newClient is a client for the server of the last kpanda login.
func newClient() (*apiclient.Client, error) {
	path, err := apiclient.ConfigPath()
	if err != nil {
		return nil, err
	}
	config, err := apiclient.LoadConfig(path)
	if err != nil {
		return nil, err
	}
	return apiclient.New(config), nil
}

// readInput reads the file a flag names, or stdin for "-". An empty file is refused here: the
// server could only say that the request is empty, not which file was.
func readInput(cmd *cobra.Command, flag, path string) ([]byte, error) {
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(cmd.InOrStdin())
		path = "stdin"
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read --%s: %w", flag, err)
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		return nil, fmt.Errorf("--%s %s is empty", flag, path)
	}
	return data, nil
}

func clusterIntegrateCommand() *cobra.Command {
	var kubeconfig, alias string
	cmd := &cobra.Command{
		Use:   "integrate NAME --kubeconfig FILE [--alias ALIAS]",
		Short: "Integrate an existing cluster from its kubeconfig",
		Long: `Integrates an existing cluster: kpanda stores the kubeconfig and reaches the cluster with it
from then on. The cluster starts in phase Joining and becomes Running once kpanda reached it.
Use "kpanda cluster verify" first to check a kubeconfig without integrating it.`,
		Args: clusterName,
	}
	out := addOutputFlag(cmd, outputText, outputJSON)
	cmd.Flags().StringVar(&kubeconfig, "kubeconfig", "", "kubeconfig file of the cluster (- for stdin); its current context is used")
	cmd.Flags().StringVar(&alias, "alias", "", "display name of the cluster")
	_ = cmd.MarkFlagRequired("kubeconfig") // cannot fail: the flag exists
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.check(); err != nil {
			return err
		}
		data, err := readInput(cmd, "kubeconfig", kubeconfig)
		if err != nil {
			return err
		}
		client, err := newClient()
		if err != nil {
			return err
		}
		cluster, err := client.IntegrateCluster(cmd.Context(), apiclient.IntegrateRequest{Name: args[0], Alias: alias, Kubeconfig: string(data)})
		if err != nil {
			return err
		}
		if out.value == outputJSON {
			return printJSON(cmd.OutOrStdout(), cluster)
		}
		// A Cluster just created has no status yet (status is a subresource); it is Joining.
		phase := cluster.Status.Phase
		if phase == "" {
			phase = clusterv1alpha1.ClusterJoining
		}
		_, err = fmt.Fprintf(cmd.OutOrStdout(), "cluster %s integrated (phase %s)\n", args[0], phase)
		return err
	}
	return cmd
}

func clusterVerifyCommand() *cobra.Command {
	var kubeconfig string
	cmd := &cobra.Command{
		Use:   "verify --kubeconfig FILE",
		Short: "Check that kpanda can manage the cluster of a kubeconfig, without integrating it",
		Args:  cobra.NoArgs,
	}
	out := addOutputFlag(cmd, outputText, outputJSON)
	cmd.Flags().StringVar(&kubeconfig, "kubeconfig", "", "kubeconfig file of the cluster (- for stdin); its current context is used")
	_ = cmd.MarkFlagRequired("kubeconfig") // cannot fail: the flag exists
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if err := out.check(); err != nil {
			return err
		}
		data, err := readInput(cmd, "kubeconfig", kubeconfig)
		if err != nil {
			return err
		}
		client, err := newClient()
		if err != nil {
			return err
		}
		result, err := client.VerifyKubeconfig(cmd.Context(), string(data))
		if err != nil {
			return err
		}
		if out.value == outputJSON {
			return printJSON(cmd.OutOrStdout(), result)
		}
		tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 8, 1, ' ', 0)
		fmt.Fprintf(tw, "server:\t%s\n", result.Server)
		fmt.Fprintf(tw, "version:\t%s\n", result.Version)
		fmt.Fprintf(tw, "kube-system UID:\t%s\n", result.KubeSystemID)
		return tw.Flush()
	}
	return cmd
}

func clusterListCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the clusters you may see",
		Long: `Lists the clusters you may see. NODES is ready/total; CPU (cores) and MEMORY are the
capacity of all nodes together.`,
		Args: cobra.NoArgs,
	}
	out := addOutputFlag(cmd, outputTable, outputJSON, outputWide)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		client, err := out.client()
		if err != nil {
			return err
		}
		list, err := client.ListClusters(cmd.Context())
		if err != nil {
			return err
		}
		if out.value == outputJSON {
			return printJSON(cmd.OutOrStdout(), newClusterListDocument(list.Items))
		}
		if len(list.Items) == 0 {
			// As kubectl does: nothing on stdout, so that scripts reading rows see none.
			_, err := fmt.Fprintln(cmd.ErrOrStderr(), "No clusters found.")
			return err
		}
		return printClusterTable(cmd.OutOrStdout(), list.Items, out.value == outputWide, time.Now())
	}
	return cmd
}

func clusterGetCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "get NAME",
		Short: "Show one cluster",
		Args:  clusterName,
	}
	out := addOutputFlag(cmd, outputTable, outputJSON, outputYAML, outputWide)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		client, err := out.client()
		if err != nil {
			return err
		}
		cluster, err := client.GetCluster(cmd.Context(), args[0])
		if err != nil {
			return err
		}
		return printCluster(cmd.OutOrStdout(), cluster, out.value)
	}
	return cmd
}

func printCluster(w io.Writer, cluster *clusterv1alpha1.Cluster, format string) error {
	switch format {
	case outputJSON:
		return printJSON(w, cluster)
	case outputYAML:
		return printYAML(w, cluster)
	default:
		return printClusterTable(w, []clusterv1alpha1.Cluster{*cluster}, format == outputWide, time.Now())
	}
}

func clusterDetachCommand() *cobra.Command {
	var confirm string
	cmd := &cobra.Command{
		Use:   "detach NAME --confirm NAME",
		Short: "Detach a cluster from kpanda (the cluster itself keeps running)",
		Long: `Detaches a cluster: kpanda removes what it installed in the cluster and forgets it. The
cluster itself and its workloads are not deleted. --confirm must repeat the name.`,
		Args: clusterName,
	}
	out := addOutputFlag(cmd, outputText, outputJSON)
	cmd.Flags().StringVar(&confirm, "confirm", "", "the cluster name again, to confirm")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.check(); err != nil {
			return err
		}
		name := args[0]
		if err := checkConfirm(name, confirm); err != nil {
			return err
		}
		client, err := newClient()
		if err != nil {
			return err
		}
		cluster, err := client.DetachCluster(cmd.Context(), name, confirm)
		if err != nil {
			return err
		}
		if out.value == outputJSON {
			return printJSON(cmd.OutOrStdout(), cluster)
		}
		_, err = fmt.Fprintf(cmd.OutOrStdout(), "cluster %s is being detached (phase %s)\n", name, orDash(string(cluster.Status.Phase)))
		return err
	}
	return cmd
}

// checkConfirm refuses a detach whose --confirm does not repeat the name before anything is
// sent: detaching the wrong cluster cannot be undone by the command.
func checkConfirm(name, confirm string) error {
	again := fmt.Sprintf("type the cluster name again with --confirm %s to detach it", name)
	if confirm == "" {
		return errors.New(again)
	}
	if confirm != name {
		return fmt.Errorf("--confirm %q is not the cluster name %q: %s", confirm, name, again)
	}
	return nil
}

func clusterSettingsCommand() *cobra.Command {
	cmd := groupCommand(&cobra.Command{
		Use:   "settings",
		Short: "Show and change the settings of a cluster (its <cluster>-setting document)",
	})
	cmd.AddCommand(clusterSettingsGetCommand(), clusterSettingsSetCommand())
	return cmd
}

func clusterSettingsGetCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "get NAME",
		Short: "Show the settings document of a cluster, defaults filled in",
		Args:  clusterName,
	}
	out := addOutputFlag(cmd, outputJSON)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		client, err := out.client()
		if err != nil {
			return err
		}
		document, err := client.GetClusterSettings(cmd.Context(), args[0])
		if err != nil {
			return err
		}
		return printRawJSON(cmd.OutOrStdout(), document)
	}
	return cmd
}

func clusterSettingsSetCommand() *cobra.Command {
	var file string
	var sets []string
	cmd := &cobra.Command{
		Use:   "set NAME (--file FILE | --set PATH=VALUE ...)",
		Short: "Change the settings of a cluster",
		Long: `Changes the settings of a cluster, either as a whole (--file: a complete settings document in
JSON, as "kpanda cluster settings get" prints it; fields left out get their defaults) or one
value at a time (--set, repeatable: a dotted path and a value). Changes apply to the next Helm
operation or refresh, without restarting anything.`,
		Example: `  kpanda cluster settings set member1 --set addon_setting.helm_operation_base_image=registry.local/kpanda-shell:v0.1.0
  kpanda cluster settings set member1 --set addon_setting.helm_operation_job_template_resources.limits.memory=600Mi
  kpanda cluster settings get member1 > s.json && vi s.json && kpanda cluster settings set member1 --file s.json`,
		Args: clusterName,
	}
	out := addOutputFlag(cmd, outputText, outputJSON)
	cmd.Flags().StringVar(&file, "file", "", "a whole settings document in JSON (- for stdin)")
	// StringArray, not StringSlice: a value may contain commas.
	cmd.Flags().StringArrayVar(&sets, "set", nil, "PATH=VALUE to change one setting, e.g. addon_setting.helm_repo_refresh_interval=300 (repeatable)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.check(); err != nil {
			return err
		}
		stored, err := setSettings(cmd, args[0], file, sets)
		if err != nil {
			return err
		}
		if out.value == outputJSON {
			return printRawJSON(cmd.OutOrStdout(), stored)
		}
		_, err = fmt.Fprintf(cmd.OutOrStdout(), "settings of cluster %s updated\n", args[0])
		return err
	}
	return cmd
}

// setSettings sends --file or --set and returns the document the server stored. All local
// checks come before the configuration is read, so that they do not need a login.
func setSettings(cmd *cobra.Command, name, file string, sets []string) ([]byte, error) {
	switch {
	case file == "" && len(sets) == 0:
		return nil, errors.New("say what to change: --file FILE (a whole settings document, - for stdin) or --set PATH=VALUE (repeatable)")
	case file != "" && len(sets) > 0:
		return nil, errors.New("use either --file or --set, not both: --file replaces the whole document")
	}
	var document []byte
	var values map[string]string
	var err error
	if file != "" {
		document, err = readInput(cmd, "file", file)
	} else {
		values, err = parseSets(sets)
	}
	if err != nil {
		return nil, err
	}
	client, err := newClient()
	if err != nil {
		return nil, err
	}
	if document != nil {
		return client.ReplaceClusterSettings(cmd.Context(), name, document)
	}
	return client.SetClusterSettings(cmd.Context(), name, values)
}

// parseSets turns PATH=VALUE flags into the "set" map of the PATCH body. The value is
// everything after the first "=", so values may contain "=". One path given twice is refused
// rather than letting one of the values silently win.
func parseSets(sets []string) (map[string]string, error) {
	values := make(map[string]string, len(sets))
	for _, s := range sets {
		path, value, ok := strings.Cut(s, "=")
		path = strings.TrimSpace(path)
		if !ok || path == "" {
			return nil, fmt.Errorf("--set %q: want PATH=VALUE, e.g. addon_setting.helm_operation_base_image=IMAGE", s)
		}
		if _, dup := values[path]; dup {
			return nil, fmt.Errorf("--set %s is given twice: give each setting once", path)
		}
		values[path] = value
	}
	return values, nil
}
