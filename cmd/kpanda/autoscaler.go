package main

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/kpanda/kpanda/internal/apiclient"
	"github.com/kpanda/kpanda/internal/workload"
)

// The vpa and cronhpa verbs manage the VerticalPodAutoscaler and CronHorizontalPodAutoscaler of
// a workload, the add-ons' autoscalers: one per workload, named as the workload.

// autoscalerCommands are the subcommands of kpanda workload for the add-ons' autoscalers.
func autoscalerCommands() []*cobra.Command {
	return []*cobra.Command{vpaCommand(), cronHPACommand()}
}

func vpaCommand() *cobra.Command {
	cmd := groupCommand(&cobra.Command{
		Use:   "vpa",
		Short: "Size the pods of a workload from their use with a VerticalPodAutoscaler (the vpa add-on)",
	})
	cmd.AddCommand(vpaSetCommand(),
		autoscalerGetCommand("vpa", func(cmd *cobra.Command, c *apiclient.Client, t *appTarget, kind, name string) (any, error) {
			return c.GetVPA(cmd.Context(), t.cluster, t.namespace, kind, name)
		}),
		autoscalerDeleteCommand("vpa", func(cmd *cobra.Command, c *apiclient.Client, t *appTarget, kind, name string) error {
			return c.DeleteVPA(cmd.Context(), t.cluster, t.namespace, kind, name)
		}),
		autoscalerListCommand("VerticalPodAutoscalers", func(cmd *cobra.Command, c *apiclient.Client, t *appTarget) ([]workload.VPA, error) {
			list, err := c.ListVPAs(cmd.Context(), t.cluster, t.namespace)
			if err != nil {
				return nil, err
			}
			return list.Items, nil
		}, printVPATable))
	return cmd
}

func cronHPACommand() *cobra.Command {
	cmd := groupCommand(&cobra.Command{
		Use:   "cronhpa",
		Short: "Scale a workload on a schedule with a CronHorizontalPodAutoscaler (the cronhpa add-on)",
	})
	cmd.AddCommand(cronHPASetCommand(),
		autoscalerGetCommand("cronhpa", func(cmd *cobra.Command, c *apiclient.Client, t *appTarget, kind, name string) (any, error) {
			return c.GetCronHPA(cmd.Context(), t.cluster, t.namespace, kind, name)
		}),
		autoscalerDeleteCommand("cronhpa", func(cmd *cobra.Command, c *apiclient.Client, t *appTarget, kind, name string) error {
			return c.DeleteCronHPA(cmd.Context(), t.cluster, t.namespace, kind, name)
		}),
		autoscalerListCommand("CronHorizontalPodAutoscalers", func(cmd *cobra.Command, c *apiclient.Client, t *appTarget) ([]workload.CronHPA, error) {
			list, err := c.ListCronHPAs(cmd.Context(), t.cluster, t.namespace)
			if err != nil {
				return nil, err
			}
			return list.Items, nil
		}, printCronHPATable))
	return cmd
}

func vpaSetCommand() *cobra.Command {
	var kind string
	var form workload.VPAForm
	var containers []string
	cmd := &cobra.Command{
		Use:   "set KIND NAME [--mode MODE] [--container SPEC]... --cluster C -n NS",
		Short: "Create or replace the VerticalPodAutoscaler of a Deployment, StatefulSet or DaemonSet",
		Long: `Create or replace the VerticalPodAutoscaler of a workload. --mode is when its
recommendations reach the pods: Off (the default: only recommend, nothing restarts), Initial
(when a pod is created), Recreate or Auto (evict pods whose requests are off).

--container bounds one container ("*" for every container without its own), e.g.
  --container 'name=app,min-cpu=100m,max-cpu=2,max-memory=1Gi,resources=cpu+memory'
  --container 'name=istio-proxy,mode=Off'`,
		Args: workloadArgs(true, &kind),
	}
	target := addWorkloadTarget(cmd)
	cmd.Flags().StringVar(&form.UpdateMode, "mode", "", "update mode: "+strings.Join(workload.VPAModes, ", ")+" (default Off)")
	cmd.Flags().StringArrayVar(&containers, "container", nil, "a container's policy: name=,mode=,min-cpu=,min-memory=,max-cpu=,max-memory=,resources=cpu+memory (repeatable)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		var err error
		if form.Containers, err = containerPolicies(containers); err != nil {
			return err
		}
		client, err := newClient()
		if err != nil {
			return err
		}
		vpa, err := client.PutVPA(cmd.Context(), target.cluster, target.namespace, kind, args[1], form)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(cmd.OutOrStdout(), "vpa %s/%s set: %s %s, update mode %s\n", target.namespace, vpa.Name, strings.ToLower(vpa.TargetKind), vpa.TargetName, vpa.UpdateMode)
		return err
	}
	return cmd
}

func cronHPASetCommand() *cobra.Command {
	var kind string
	var jobs []string
	var form workload.CronHPAForm
	cmd := &cobra.Command{
		Use:   "set KIND NAME --job SPEC... [--exclude-date CRON]... --cluster C -n NS",
		Short: "Create or replace the CronHorizontalPodAutoscaler of a Deployment or StatefulSet",
		Long: `Create or replace the CronHorizontalPodAutoscaler of a workload. Each --job sets the
replicas to size at the times of schedule, a cron expression of six fields with seconds first:
  --job 'name=up,schedule=0 0 8 * * 1-5,size=10' --job 'name=down,schedule=0 0 20 * * 1-5,size=2'
Add run-once to a job to run it once only. --exclude-date skips days, e.g. '* * * 25 12 *'.
When the workload has a HorizontalPodAutoscaler the jobs scale through it, as the controller
requires: they raise the HPA's minimum (and maximum when needed) rather than fight it. kpanda
keeps that so when the HPA is added or deleted later.`,
		Args: workloadArgs(true, &kind),
	}
	target := addWorkloadTarget(cmd)
	cmd.Flags().StringArrayVar(&jobs, "job", nil, "a job: name=,schedule=,size=[,run-once] (repeatable)")
	cmd.Flags().StringArrayVar(&form.ExcludeDates, "exclude-date", nil, "a six-field cron expression of days to skip (repeatable)")
	_ = cmd.MarkFlagRequired("job") // cannot fail: the flag exists
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		var err error
		if form.Jobs, err = cronJobs(jobs); err != nil {
			return err
		}
		client, err := newClient()
		if err != nil {
			return err
		}
		cron, err := client.PutCronHPA(cmd.Context(), target.cluster, target.namespace, kind, args[1], form)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(cmd.OutOrStdout(), "cronhpa %s/%s set: %d jobs, scaling %s %s\n", target.namespace, cron.Name, len(cron.Jobs), cron.Target.Kind, cron.Target.Name)
		return err
	}
	return cmd
}

// autoscalerGetCommand is get KIND NAME of an autoscaler, printed as YAML or JSON.
func autoscalerGetCommand(what string, get func(*cobra.Command, *apiclient.Client, *appTarget, string, string) (any, error)) *cobra.Command {
	var kind string
	cmd := &cobra.Command{
		Use:   "get KIND NAME --cluster C -n NS",
		Short: "Show the " + what + " of a workload",
		Args:  workloadArgs(true, &kind),
	}
	target := addWorkloadTarget(cmd)
	out := addOutputFlag(cmd, outputYAML, outputJSON)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		client, err := out.client()
		if err != nil {
			return err
		}
		item, err := get(cmd, client, target, kind, args[1])
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

func autoscalerDeleteCommand(what string, remove func(*cobra.Command, *apiclient.Client, *appTarget, string, string) error) *cobra.Command {
	var kind string
	cmd := &cobra.Command{
		Use:     "delete KIND NAME --cluster C -n NS",
		Aliases: []string{"rm"},
		Short:   "Delete the " + what + " of a workload",
		Args:    workloadArgs(true, &kind),
	}
	target := addWorkloadTarget(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		client, err := newClient()
		if err != nil {
			return err
		}
		if err := remove(cmd, client, target, kind, args[1]); err != nil {
			return err
		}
		_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s %s/%s deleted\n", what, target.namespace, args[1])
		return err
	}
	return cmd
}

// autoscalerListCommand lists the add-on's autoscalers of a namespace: list fetches them, table
// prints them for people; -o json prints {"items": [...]}, the API's own form.
func autoscalerListCommand[T any](plural string, list func(*cobra.Command, *apiclient.Client, *appTarget) ([]T, error), table func(io.Writer, []T) error) *cobra.Command {
	cmd := &cobra.Command{Use: "list --cluster C -n NS", Aliases: []string{"ls"}, Short: "List the " + plural + " of a namespace", Args: cobra.NoArgs}
	target := addWorkloadTarget(cmd)
	out := addOutputFlag(cmd, outputTable, outputJSON)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		client, err := out.client()
		if err != nil {
			return err
		}
		items, err := list(cmd, client, target)
		if err != nil {
			return err
		}
		if out.value == outputJSON {
			return printJSON(cmd.OutOrStdout(), struct {
				Items []T `json:"items"`
			}{items})
		}
		return table(cmd.OutOrStdout(), items)
	}
	return cmd
}

func printVPATable(w io.Writer, items []workload.VPA) error {
	tw := tabwriter.NewWriter(w, 0, 8, 3, ' ', 0)
	fmt.Fprintln(tw, "NAME\tTARGET\tMODE\tRECOMMENDED")
	for _, v := range items {
		var recommended []string
		for _, r := range v.Recommendations {
			recommended = append(recommended, fmt.Sprintf("%s: cpu %s, memory %s", r.Container, orDash(r.Target["cpu"]), orDash(r.Target["memory"])))
		}
		fmt.Fprintf(tw, "%s\t%s/%s\t%s\t%s\n", v.Name, v.TargetKind, v.TargetName, orDash(v.UpdateMode), orDash(strings.Join(recommended, "; ")))
	}
	return tw.Flush()
}

func printCronHPATable(w io.Writer, items []workload.CronHPA) error {
	tw := tabwriter.NewWriter(w, 0, 8, 3, ' ', 0)
	fmt.Fprintln(tw, "NAME\tTARGET\tJOBS")
	for _, c := range items {
		jobs := make([]string, 0, len(c.Jobs))
		for _, j := range c.Jobs {
			jobs = append(jobs, fmt.Sprintf("%s (%s -> %d)", j.Name, j.Schedule, j.TargetSize))
		}
		fmt.Fprintf(tw, "%s\t%s/%s\t%s\n", c.Name, c.Target.Kind, c.Target.Name, orDash(strings.Join(jobs, ", ")))
	}
	return tw.Flush()
}

// cronJobs reads the --job specs.
func cronJobs(specs []string) ([]workload.CronHPAJob, error) {
	jobs := make([]workload.CronHPAJob, 0, len(specs))
	for _, spec := range specs {
		fields, err := parseSpec("--job", spec, []string{"name", "schedule", "size"}, []string{"run-once"})
		if err != nil {
			return nil, err
		}
		job := workload.CronHPAJob{Name: fields["name"], Schedule: fields["schedule"], RunOnce: fields["run-once"] == "true"}
		size, err := strconv.ParseInt(fields["size"], 10, 32)
		if err != nil {
			return nil, fmt.Errorf("--job %q: size must be a whole number of replicas, got %q", spec, fields["size"])
		}
		job.TargetSize = int32(size)
		jobs = append(jobs, job)
	}
	return jobs, nil
}

// containerPolicies reads the --container specs.
func containerPolicies(specs []string) ([]workload.VPAContainerPolicy, error) {
	var policies []workload.VPAContainerPolicy
	keys := []string{"name", "mode", "min-cpu", "min-memory", "max-cpu", "max-memory", "resources"}
	for _, spec := range specs {
		fields, err := parseSpec("--container", spec, keys, nil)
		if err != nil {
			return nil, err
		}
		p := workload.VPAContainerPolicy{Name: fields["name"], Mode: fields["mode"],
			MinAllowed: bounds(fields, "min-"), MaxAllowed: bounds(fields, "max-")}
		if r := fields["resources"]; r != "" {
			p.ControlledResources = strings.Split(r, "+")
		}
		policies = append(policies, p)
	}
	return policies, nil
}

// bounds are the quantities of fields whose keys start with prefix (min-cpu -> cpu).
func bounds(fields map[string]string, prefix string) map[string]string {
	out := map[string]string{}
	for key, value := range fields {
		if resource, ok := strings.CutPrefix(key, prefix); ok && value != "" {
			out[resource] = value
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// parseSpec reads "key=value,key=value,flag" for the flag called name. A piece without "=" that
// is not a flag continues the previous value: a cron schedule has commas of its own
// ("0 0 8,20 * * *") but never an "=". flags are keys that may go without a value ("true").
func parseSpec(name, spec string, keys, flags []string) (map[string]string, error) {
	fields := map[string]string{}
	last := ""
	for _, piece := range strings.Split(spec, ",") {
		key, value, hasValue := strings.Cut(piece, "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		switch {
		case !hasValue && slices.Contains(flags, key):
			fields[key], last = "true", ""
		case !hasValue && last != "":
			fields[last] += "," + strings.TrimSpace(piece)
		case !hasValue || !slices.Contains(append(slices.Clone(keys), flags...), key):
			return nil, fmt.Errorf("%s %q: %q is not one of %s", name, spec, piece, strings.Join(append(slices.Clone(keys), flags...), ", "))
		case fields[key] != "":
			return nil, fmt.Errorf("%s %q: %s is given twice", name, spec, key)
		case slices.Contains(flags, key):
			on, err := strconv.ParseBool(value)
			if err != nil {
				return nil, fmt.Errorf("%s %q: %s is true or false, got %q", name, spec, key, value)
			}
			fields[key], last = strconv.FormatBool(on), ""
		default:
			fields[key], last = value, key
		}
	}
	return fields, nil
}
