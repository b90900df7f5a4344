package main

import (
	"github.com/spf13/cobra"

	"github.com/kpanda/kpanda/internal/helmoperation"
)

// helmOperationCommand is what the Job of a Helm operation runs (DESIGN §4).
func helmOperationCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:    "helm-operation",
		Short:  "Run Helm operations inside a member cluster (used by the operation Jobs)",
		Hidden: true,
	}
	var namespace, name string
	run := &cobra.Command{
		Use:   "run --namespace NS --name OPERATION",
		Short: "Run one HelmOperation and report its result in its status",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return helmoperation.RunInCluster(cmd.Context(), namespace, name, cmd.ErrOrStderr())
		},
	}
	run.Flags().StringVar(&namespace, "namespace", "", "namespace of the HelmOperation")
	run.Flags().StringVar(&name, "name", "", "name of the HelmOperation")
	_ = run.MarkFlagRequired("namespace")
	_ = run.MarkFlagRequired("name")
	cmd.AddCommand(run)
	return cmd
}
