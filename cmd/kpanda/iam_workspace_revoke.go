package main

import (
	"github.com/spf13/cobra"

	"github.com/kpanda/kpanda/internal/apiclient"
)

// The verbs that undo add-member, bind-namespace and share-cluster, and delete a workspace.
// The server removes the bindings that the removed entries gave; naming something that is not
// there is the server's error, which names the flag's field.

func workspaceRemoveMemberCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "remove-member NAME (--user USER | --group GROUP)",
		Short: "Take a user or group out of a workspace; it loses what the workspace gave it",
		Args:  oneArg(workspaceArg),
	}
	out := addOutputFlag(cmd, outputText, outputJSON)
	subject := addSubjectFlags(cmd, "to remove")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.check(); err != nil {
			return err
		}
		if err := subject.check(); err != nil {
			return err
		}
		client, err := newClient()
		if err != nil {
			return err
		}
		in := apiclient.WorkspaceMemberRequest{User: subject.user, Group: subject.group}
		ws, err := client.RemoveWorkspaceMember(cmd.Context(), args[0], in)
		if err != nil {
			return err
		}
		return printDone(cmd, out, ws, "%s removed from workspace %s", subject, args[0])
	}
	return cmd
}

func workspaceUnbindNamespaceCommand() *cobra.Command {
	var cluster, namespace string
	cmd := &cobra.Command{
		Use:   "unbind-namespace NAME --cluster CLUSTER --namespace NAMESPACE",
		Short: "Take a namespace out of a workspace; its members lose their role there",
		Args:  oneArg(workspaceArg),
	}
	out := addOutputFlag(cmd, outputText, outputJSON)
	cmd.Flags().StringVar(&cluster, "cluster", "", "the cluster of the namespace")
	cmd.Flags().StringVar(&namespace, "namespace", "", "the namespace to unbind")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.check(); err != nil {
			return err
		}
		if err := requireValues("the namespace to unbind and its cluster", namedFlag{"cluster", cluster}, namedFlag{"namespace", namespace}); err != nil {
			return err
		}
		client, err := newClient()
		if err != nil {
			return err
		}
		ws, err := client.UnbindWorkspaceNamespace(cmd.Context(), args[0], cluster, namespace)
		if err != nil {
			return err
		}
		return printDone(cmd, out, ws, "namespace %s of cluster %s unbound from workspace %s", namespace, cluster, args[0])
	}
	return cmd
}

func workspaceUnshareClusterCommand() *cobra.Command {
	var cluster string
	cmd := &cobra.Command{
		Use:   "unshare-cluster NAME --cluster CLUSTER",
		Short: "Stop sharing a cluster with a workspace: its members no longer see it through the workspace",
		Args:  oneArg(workspaceArg),
	}
	out := addOutputFlag(cmd, outputText, outputJSON)
	cmd.Flags().StringVar(&cluster, "cluster", "", "the cluster to stop sharing")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.check(); err != nil {
			return err
		}
		if err := requireValues("the cluster to stop sharing", namedFlag{"cluster", cluster}); err != nil {
			return err
		}
		client, err := newClient()
		if err != nil {
			return err
		}
		ws, err := client.UnshareWorkspaceCluster(cmd.Context(), args[0], cluster)
		if err != nil {
			return err
		}
		return printDone(cmd, out, ws, "cluster %s no longer shared with workspace %s", cluster, args[0])
	}
	return cmd
}

func workspaceDeleteCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a workspace; its members lose everything it gave them",
		Args:  oneArg(workspaceArg),
		RunE: func(cmd *cobra.Command, args []string) error {
			client, err := newClient()
			if err != nil {
				return err
			}
			if err := client.DeleteWorkspace(cmd.Context(), args[0]); err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write([]byte("workspace " + args[0] + " deleted\n"))
			return err
		},
	}
}
