package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	"github.com/kpanda/kpanda/internal/apiclient"
	"github.com/kpanda/kpanda/internal/workload"
)

// The workload verbs read and change the Deployments, StatefulSets, DaemonSets, Jobs and
// CronJobs of a cluster, with the caller's rights in it, and follow kubectl's words. list, get,
// create, replace and delete also take the objects that go with workloads (resource.go).

// workloadKinds maps what a user may type to the API's collection, as kubectl's short names.
var workloadKinds = map[string]string{
	"deployment": apiclient.Deployments, "deployments": apiclient.Deployments, "deploy": apiclient.Deployments,
	"statefulset": apiclient.StatefulSets, "statefulsets": apiclient.StatefulSets, "sts": apiclient.StatefulSets,
	"daemonset": apiclient.DaemonSets, "daemonsets": apiclient.DaemonSets, "ds": apiclient.DaemonSets,
	"job": apiclient.Jobs, "jobs": apiclient.Jobs,
	"cronjob": apiclient.CronJobs, "cronjobs": apiclient.CronJobs, "cj": apiclient.CronJobs,
}

func workloadKind(kind string) (string, error) {
	if plural, ok := workloadKinds[strings.ToLower(kind)]; ok {
		return plural, nil
	}
	return "", fmt.Errorf("unknown workload kind %q: use deployments (deploy), statefulsets (sts), daemonsets (ds), jobs or cronjobs (cj)", kind)
}

// addWorkloadTarget adds the cluster and namespace flags every workload verb has.
func addWorkloadTarget(cmd *cobra.Command) *appTarget {
	t := &appTarget{}
	cmd.Flags().StringVar(&t.cluster, "cluster", "", "the cluster (kpanda cluster list shows them)")
	cmd.Flags().StringVarP(&t.namespace, "namespace", "n", "default", "the namespace")
	_ = cmd.MarkFlagRequired("cluster") // cannot fail: the flag exists
	return t
}

func workloadCommand() *cobra.Command {
	cmd := groupCommand(&cobra.Command{
		Use:     "workload",
		Aliases: []string{"workloads", "wl"},
		Short:   "List, create, change and delete the workloads of a cluster and their Services, Ingresses, ConfigMaps, Secrets and PVCs, and read their pods",
	})
	cmd.AddCommand(workloadListCommand(), workloadGetCommand(), workloadCreateCommand(), workloadReplaceCommand(), workloadDeleteCommand(),
		workloadScaleCommand(), workloadActionCommand("restart", "Restart the pods, as kubectl rollout restart"),
		workloadActionCommand("pause", "Pause a Deployment's rollouts, or suspend a CronJob"),
		workloadActionCommand("resume", "Resume a Deployment's rollouts, or a suspended CronJob"),
		workloadRollbackCommand(), workloadPodsCommand(), workloadLogsCommand(), leftoversCommand())
	cmd.AddCommand(autoscalerCommands()...) // vpa, cronhpa: autoscaler.go
	return cmd
}

// workloadArgs checks KIND [NAME] and resolves KIND.
func workloadArgs(withName bool, kind *string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		want, usage := 1, "KIND"
		if withName {
			want, usage = 2, "KIND NAME"
		}
		if len(args) != want {
			return fmt.Errorf("expected %s, got %d arguments", usage, len(args))
		}
		var err error
		*kind, err = workloadKind(args[0])
		return err
	}
}

func workloadListCommand() *cobra.Command {
	var kind string
	cmd := &cobra.Command{
		Use:     "list KIND --cluster C -n NS",
		Aliases: []string{"ls"},
		Short:   "List the workloads of a kind with their status (Running, Waiting, Completed, ...), or the Services, Ingresses, ConfigMaps, Secrets or PVCs",
		Args:    anyKindArgs(false, &kind),
	}
	target := addWorkloadTarget(cmd)
	out := addOutputFlag(cmd, outputTable, outputJSON)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		client, err := out.client()
		if err != nil {
			return err
		}
		if isResource(kind) {
			return listResources(cmd, client, target, kind, out.value)
		}
		list, err := client.ListWorkloads(cmd.Context(), target.cluster, target.namespace, kind)
		if err != nil {
			return err
		}
		if out.value == outputJSON {
			if list.Items == nil {
				list.Items = []apiclient.Workload{}
			}
			return printJSON(cmd.OutOrStdout(), list)
		}
		if len(list.Items) == 0 {
			_, err := fmt.Fprintf(cmd.ErrOrStderr(), "No %s found in namespace %s.\n", kind, target.namespace)
			return err
		}
		return printWorkloadTable(cmd.OutOrStdout(), list.Items, time.Now())
	}
	return cmd
}

func printWorkloadTable(w io.Writer, items []apiclient.Workload, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 8, 3, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSTATUS\tAGE\tDESCRIPTION")
	for _, item := range items {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", item.Name, item.Status, age(item.Created, now), orDash(item.Description))
	}
	return tw.Flush()
}

func workloadGetCommand() *cobra.Command {
	var kind string
	var showValues bool
	cmd := &cobra.Command{
		Use:   "get KIND NAME --cluster C -n NS [--show-values]",
		Short: "Show one workload (its status) or other object (its summary), and the object as YAML or JSON",
		Args:  anyKindArgs(true, &kind),
	}
	target := addWorkloadTarget(cmd)
	out := addOutputFlag(cmd, outputYAML, outputJSON)
	cmd.Flags().BoolVar(&showValues, "show-values", false, "a Secret's values too, decoded (needs the right to get Secrets)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := checkShowValues(kind, showValues); err != nil {
			return err
		}
		client, err := out.client()
		if err != nil {
			return err
		}
		if isResource(kind) {
			return getResource(cmd, client, target, kind, args[1], showValues, out.value)
		}
		item, err := client.GetWorkload(cmd.Context(), target.cluster, target.namespace, kind, args[1])
		if err != nil {
			return err
		}
		if out.value == outputJSON {
			return printJSON(cmd.OutOrStdout(), item)
		}
		return printYAML(cmd.OutOrStdout(), item)
	}
	return cmd
}

// workloadRequest reads -f: a manifest, or with --form the form (YAML or JSON).
func workloadRequest(cmd *cobra.Command, file string, isForm bool) (apiclient.WorkloadRequest, error) {
	data, err := readInput(cmd, "filename", file)
	if err != nil {
		return apiclient.WorkloadRequest{}, err
	}
	if !isForm {
		return apiclient.WorkloadRequest{YAML: string(data)}, nil
	}
	form := &workload.Form{}
	if err := yaml.UnmarshalStrict(data, form); err != nil {
		return apiclient.WorkloadRequest{}, fmt.Errorf("--filename %s is not a workload form: %w", file, err)
	}
	return apiclient.WorkloadRequest{Form: form}, nil
}

// writeCommand is create or replace: both read -f and print what the server stored.
func writeCommand(use, short string, withName bool, write func(cmd *cobra.Command, client *apiclient.Client, target *appTarget, kind string, args []string, req apiclient.WorkloadRequest) (*apiclient.Workload, error)) *cobra.Command {
	var kind, file string
	var isForm bool
	cmd := &cobra.Command{Use: use, Short: short, Args: anyKindArgs(withName, &kind)}
	target := addWorkloadTarget(cmd)
	cmd.Flags().StringVarP(&file, "filename", "f", "", "the manifest (or with --form the form), a file or - for stdin")
	cmd.Flags().BoolVar(&isForm, "form", false, "-f is a form (of a workload: name, containers, scheduling, ...; or of a service, configmap, secret or pvc) rather than a manifest")
	_ = cmd.MarkFlagRequired("filename") // cannot fail: the flag exists
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if isResource(kind) {
			name := ""
			if withName {
				name = args[1]
			}
			return writeResource(cmd, target, kind, name, file, isForm)
		}
		req, err := workloadRequest(cmd, file, isForm)
		if err != nil {
			return err
		}
		client, err := newClient()
		if err != nil {
			return err
		}
		item, err := write(cmd, client, target, kind, args, req)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s %s/%s %s: %s\n", strings.ToLower(item.Kind), target.namespace, item.Name, strings.Fields(use)[0]+"d", item.Status)
		return err
	}
	return cmd
}

func workloadCreateCommand() *cobra.Command {
	return writeCommand("create KIND -f FILE [--form] --cluster C -n NS", "Create a workload from a manifest or a form", false,
		func(cmd *cobra.Command, client *apiclient.Client, target *appTarget, kind string, _ []string, req apiclient.WorkloadRequest) (*apiclient.Workload, error) {
			return client.CreateWorkload(cmd.Context(), target.cluster, target.namespace, kind, req)
		})
}

func workloadReplaceCommand() *cobra.Command {
	return writeCommand("replace KIND NAME -f FILE [--form] --cluster C -n NS",
		"Replace a workload from a manifest or a form (a form replaces the scheduling policies as a whole)", true,
		func(cmd *cobra.Command, client *apiclient.Client, target *appTarget, kind string, args []string, req apiclient.WorkloadRequest) (*apiclient.Workload, error) {
			return client.UpdateWorkload(cmd.Context(), target.cluster, target.namespace, kind, args[1], req)
		})
}

func workloadDeleteCommand() *cobra.Command {
	var kind string
	cmd := &cobra.Command{
		Use:     "delete KIND NAME --cluster C -n NS",
		Aliases: []string{"rm"},
		Short:   "Delete a workload and its pods, or another object",
		Args:    anyKindArgs(true, &kind),
	}
	target := addWorkloadTarget(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		client, err := newClient()
		if err != nil {
			return err
		}
		remove := client.DeleteWorkload
		if isResource(kind) {
			remove = client.DeleteResource
		}
		if err := remove(cmd.Context(), target.cluster, target.namespace, kind, args[1]); err != nil {
			return err
		}
		_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s %s/%s deleted\n", kind, target.namespace, args[1])
		return err
	}
	return cmd
}

// actionCommand runs one action; body makes its request body from the flags.
func actionCommand(use, short, action string, withKind bool, body func() (any, error)) *cobra.Command {
	var kind string
	cmd := &cobra.Command{Use: use, Short: short}
	if withKind {
		cmd.Args = workloadArgs(true, &kind)
	} else {
		kind = apiclient.Deployments
		cmd.Args = oneName("deployment NAME")
	}
	target := addWorkloadTarget(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		req, err := body()
		if err != nil {
			return err
		}
		client, err := newClient()
		if err != nil {
			return err
		}
		name := args[len(args)-1]
		item, err := client.WorkloadAction(cmd.Context(), target.cluster, target.namespace, kind, name, action, req)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s %s/%s: %s done, %s\n", strings.ToLower(item.Kind), target.namespace, name, action, item.Status)
		return err
	}
	return cmd
}

func workloadActionCommand(action, short string) *cobra.Command {
	cmd := actionCommand(action+" KIND NAME --cluster C -n NS", short, action, true, func() (any, error) { return nil, nil })
	return cmd
}

func workloadScaleCommand() *cobra.Command {
	var replicas int32
	cmd := actionCommand("scale KIND NAME --replicas N --cluster C -n NS", "Set the replicas of a Deployment or StatefulSet", "scale", true,
		func() (any, error) {
			if replicas < 0 {
				return nil, errors.New("--replicas must be 0 or more")
			}
			return map[string]int32{"replicas": replicas}, nil
		})
	cmd.Flags().Int32Var(&replicas, "replicas", 0, "the number of replicas")
	_ = cmd.MarkFlagRequired("replicas") // cannot fail: the flag exists
	return cmd
}

func workloadRollbackCommand() *cobra.Command {
	var revision int64
	cmd := actionCommand("rollback NAME [--to-revision N] --cluster C -n NS",
		"Roll a Deployment back to a revision (default: the previous one), as kubectl rollout undo", "rollback", false,
		func() (any, error) { return map[string]int64{"revision": revision}, nil })
	cmd.Flags().Int64Var(&revision, "to-revision", 0, "the revision to go back to; 0 is the previous one")
	return cmd
}

func workloadPodsCommand() *cobra.Command {
	var selector string
	cmd := &cobra.Command{
		Use:   "pods --cluster C -n NS [-l SELECTOR]",
		Short: "List the pods of a namespace with kubectl's status words",
		Args:  cobra.NoArgs,
	}
	target := addWorkloadTarget(cmd)
	cmd.Flags().StringVarP(&selector, "selector", "l", "", "label selector, e.g. app.kubernetes.io/name=web")
	out := addOutputFlag(cmd, outputTable, outputJSON)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		client, err := out.client()
		if err != nil {
			return err
		}
		list, err := client.ListPods(cmd.Context(), target.cluster, target.namespace, selector)
		if err != nil {
			return err
		}
		if out.value == outputJSON {
			if list.Items == nil {
				list.Items = []apiclient.Pod{}
			}
			return printJSON(cmd.OutOrStdout(), list)
		}
		tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 8, 3, ' ', 0)
		fmt.Fprintln(tw, "NAME\tREADY\tSTATUS\tRESTARTS\tAGE\tNODE")
		now := time.Now()
		for _, p := range list.Items {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", p.Name, p.Ready, p.Status, p.Restarts, age(p.Created, now), orDash(p.Node))
		}
		return tw.Flush()
	}
	return cmd
}

func workloadLogsCommand() *cobra.Command {
	var container string
	var tail int
	cmd := &cobra.Command{
		Use:   "logs POD --cluster C -n NS [-c CONTAINER] [--tail N]",
		Short: "Print the log of a pod's container",
		Args:  oneName("POD"),
	}
	target := addWorkloadTarget(cmd)
	cmd.Flags().StringVarP(&container, "container", "c", "", "the container (needed when the pod has several)")
	cmd.Flags().IntVar(&tail, "tail", 0, "only the last N lines (0: all)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		client, err := newClient()
		if err != nil {
			return err
		}
		log, err := client.PodLog(cmd.Context(), target.cluster, target.namespace, args[0], container, tail)
		if err != nil {
			return err
		}
		_, err = io.WriteString(cmd.OutOrStdout(), log)
		return err
	}
	return cmd
}
