package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/kpanda/kpanda/internal/apiclient"
)

// The leftovers verbs show and remove the CRDs an uninstalled autoscaling add-on left behind
// (seed FAQ 9: Helm never deletes CRDs, and their objects keep old autoscaling records alive).

func leftoversCommand() *cobra.Command {
	cmd := groupCommand(&cobra.Command{
		Use:   "leftovers",
		Short: "List or remove the CRDs uninstalled autoscaling add-ons (VPA, CronHPA) left behind",
	})
	cmd.AddCommand(leftoversListCommand(), leftoversDeleteCommand())
	return cmd
}

func leftoversListCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "list --cluster C",
		Aliases: []string{"ls"},
		Short:   "List the add-ons' CRDs still in the cluster after their add-on was uninstalled",
		Args:    cobra.NoArgs,
	}
	cluster := addClusterFlag(cmd)
	out := addOutputFlag(cmd, outputTable, outputJSON)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		client, err := out.client()
		if err != nil {
			return err
		}
		list, err := client.ListAutoscalingLeftovers(cmd.Context(), *cluster)
		if err != nil {
			return err
		}
		if out.value == outputJSON {
			return printJSON(cmd.OutOrStdout(), list)
		}
		if len(list.Items) == 0 {
			_, err := fmt.Fprintf(cmd.ErrOrStderr(), "No leftovers in cluster %s.\n", *cluster)
			return err
		}
		return printLeftovers(cmd.OutOrStdout(), list.Items)
	}
	return cmd
}

func printLeftovers(w io.Writer, items []apiclient.AutoscalingLeftover) error {
	tw := tabwriter.NewWriter(w, 0, 8, 3, ' ', 0)
	fmt.Fprintln(tw, "ADDON\tCRD\tOBJECTS")
	for _, left := range items {
		for _, crd := range left.CRDs {
			fmt.Fprintf(tw, "%s\t%s\t%d\n", left.Addon, crd, left.Objects[crd])
		}
	}
	return tw.Flush()
}

func leftoversDeleteCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "delete ADDON --cluster C",
		Short: "Delete an uninstalled add-on's CRDs, and every object of them",
		Args:  oneName("add-on name (vpa or cronhpa)"),
	}
	cluster := addClusterFlag(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		client, err := newClient()
		if err != nil {
			return err
		}
		return removeLeftovers(cmd.Context(), client, *cluster, args[0], cmd.OutOrStdout())
	}
	return cmd
}

func removeLeftovers(ctx context.Context, client *apiclient.Client, cluster, addon string, out io.Writer) error {
	removed, err := client.DeleteAutoscalingLeftovers(ctx, cluster, addon)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(out, "removed the %s add-on's CRDs %s (%s)\n", addon, strings.Join(removed.CRDs, ", "), objectCount(removed))
	return err
}

func objectCount(left *apiclient.AutoscalingLeftover) string {
	n := 0
	for _, count := range left.Objects {
		n += count
	}
	if n == 1 {
		return "1 object"
	}
	return fmt.Sprintf("%d objects", n)
}

// leftoverAddons are the add-ons with leftovers in cluster, or nil when the caller may not
// know (only cluster-wide readers may list CRDs).
func leftoverAddons(ctx context.Context, client *apiclient.Client, cluster string) (map[string]apiclient.AutoscalingLeftover, error) {
	list, err := client.ListAutoscalingLeftovers(ctx, cluster)
	var apiErr *apiclient.APIError
	if errors.As(err, &apiErr) && (apiErr.Status == http.StatusForbidden || apiErr.Status == http.StatusNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	byAddon := map[string]apiclient.AutoscalingLeftover{}
	for _, left := range list.Items {
		byAddon[left.Addon] = left
	}
	return byAddon, nil
}

// offerLeftovers tells, after an uninstall, which add-on CRDs it left behind (those that were
// not leftovers before), and removes them when asked to.
func offerLeftovers(ctx context.Context, client *apiclient.Client, cluster string, before map[string]apiclient.AutoscalingLeftover, remove bool, out io.Writer) error {
	if before == nil {
		return nil
	}
	after, err := leftoverAddons(ctx, client, cluster)
	if err != nil {
		return fmt.Errorf("the app is uninstalled, but its add-on CRDs could not be checked: %w", err)
	}
	for _, addon := range slices.Sorted(maps.Keys(after)) {
		if _, already := before[addon]; already {
			continue
		}
		left := after[addon]
		if remove {
			if err := removeLeftovers(ctx, client, cluster, addon, out); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintf(out, "The uninstall left the %s add-on's CRDs behind (Helm never deletes CRDs): %s, with %s.\n"+
			"Remove them with: kpanda workload leftovers delete %s --cluster %s (or uninstall with --remove-crds)\n",
			addon, strings.Join(left.CRDs, ", "), objectCount(&left), addon, cluster)
	}
	return nil
}
