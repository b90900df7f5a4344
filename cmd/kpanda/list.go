package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/kpanda/kpanda/internal/apiclient"
)

// listKinds maps what a user may type to the resources listed across clusters.
var listKinds = map[string]string{
	"pod": "pods", "pods": "pods", "po": "pods",
	"deployment": apiclient.Deployments, "deployments": apiclient.Deployments, "deploy": apiclient.Deployments,
	"statefulset": apiclient.StatefulSets, "statefulsets": apiclient.StatefulSets, "sts": apiclient.StatefulSets,
	"daemonset": apiclient.DaemonSets, "daemonsets": apiclient.DaemonSets, "ds": apiclient.DaemonSets,
	"job": apiclient.Jobs, "jobs": apiclient.Jobs,
	"cronjob": apiclient.CronJobs, "cronjobs": apiclient.CronJobs, "cj": apiclient.CronJobs,
}

func listAcrossClustersCommand() *cobra.Command {
	var (
		q   apiclient.MultiClusterQuery
		all bool
	)
	cmd := &cobra.Command{
		Use:   "list KIND [-l SELECTOR] [--name TEXT] [--cluster C,...] [-n NS,...]",
		Short: "List pods or workloads across every cluster you may see, a page at a time",
		Long: `List pods, deployments, statefulsets, daemonsets, jobs or cronjobs across the clusters you may
see, sorted by cluster, namespace and name. Answers come from kpanda's watch caches, so a list
over many clusters takes milliseconds once the caches run. A cluster that cannot be listed is
named on stderr; the others are still listed.`,
		Example: "  kpanda list pods -l app=web\n  kpanda list deploy --cluster member-1,member-2 --name shop -o json",
		Args:    cobra.ExactArgs(1),
	}
	cmd.Flags().StringVarP(&q.LabelSelector, "selector", "l", "", "label selector, as kubectl's (app=web,tier!=db)")
	cmd.Flags().StringVar(&q.Name, "name", "", "keep objects whose name contains this text")
	cmd.Flags().StringSliceVar(&q.Clusters, "cluster", nil, "only these clusters (default: every cluster you may see)")
	cmd.Flags().StringSliceVarP(&q.Namespaces, "namespace", "n", nil, "only these namespaces")
	cmd.Flags().IntVar(&q.Limit, "limit", 100, "objects per page (1-500)")
	cmd.Flags().StringVar(&q.Continue, "continue", "", "the continue token a previous page printed")
	cmd.Flags().BoolVar(&all, "all", false, "fetch every page, not only the first")
	out := addOutputFlag(cmd, outputTable, outputJSON)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		resource, ok := listKinds[strings.ToLower(args[0])]
		if !ok {
			return fmt.Errorf("unknown kind %q: use pods (po), deployments (deploy), statefulsets (sts), daemonsets (ds), jobs or cronjobs (cj)", args[0])
		}
		client, err := out.client()
		if err != nil {
			return err
		}
		page, err := fetchPages(cmd, client, resource, q, all)
		if err != nil {
			return err
		}
		for _, u := range page.Unavailable {
			fmt.Fprintf(cmd.ErrOrStderr(), "Cluster %s left out: %s\n", u.Cluster, u.Message)
		}
		if out.value == outputJSON {
			return printJSON(cmd.OutOrStdout(), page)
		}
		return printMultiClusterPage(cmd.OutOrStdout(), cmd.ErrOrStderr(), resource, page, time.Now())
	}
	return cmd
}

// fetchPages gets one page, or with all every page joined into one.
func fetchPages(cmd *cobra.Command, client *apiclient.Client, resource string, q apiclient.MultiClusterQuery, all bool) (*apiclient.MultiClusterPage, error) {
	page, err := client.ListAcrossClusters(cmd.Context(), resource, q)
	for err == nil && all && page.Continue != "" {
		q.Continue = page.Continue
		var next *apiclient.MultiClusterPage
		if next, err = client.ListAcrossClusters(cmd.Context(), resource, q); err == nil {
			next.Items = append(page.Items, next.Items...)
			page = next
		}
	}
	if err != nil {
		return nil, err
	}
	if page.Items == nil {
		page.Items = []apiclient.MultiClusterItem{}
	}
	return page, nil
}

func printMultiClusterPage(w, status io.Writer, resource string, page *apiclient.MultiClusterPage, now time.Time) error {
	if len(page.Items) == 0 {
		_, err := fmt.Fprintf(status, "No %s found.\n", resource)
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 8, 3, ' ', 0)
	pods := resource == "pods"
	if pods {
		fmt.Fprintln(tw, "CLUSTER\tNAMESPACE\tNAME\tREADY\tSTATUS\tRESTARTS\tNODE\tAGE")
	} else {
		fmt.Fprintln(tw, "CLUSTER\tNAMESPACE\tNAME\tREADY\tSTATUS\tAGE")
	}
	for _, it := range page.Items {
		if pods {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", it.Cluster, it.Namespace, it.Name, orDash(it.Ready), it.Status, it.Restarts, orDash(it.Node), age(it.Created, now))
		} else {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", it.Cluster, it.Namespace, it.Name, orDash(it.Ready), it.Status, age(it.Created, now))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	summary := fmt.Sprintf("%d of %d %s.", len(page.Items), page.Total, resource)
	if page.Continue != "" {
		summary += " Next page: --continue " + page.Continue + " (or --all)."
	}
	_, err := fmt.Fprintln(status, summary)
	return err
}
