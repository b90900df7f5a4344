// Command kpanda is the one binary of kpanda (DESIGN §1): its subcommands run the servers,
// the dev system and the client verbs. This file only wires flags to internal packages.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/go-logr/logr"
	"github.com/spf13/cobra"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/kpanda/kpanda/internal/devenv"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := rootCommand().ExecuteContext(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}

func rootCommand() *cobra.Command {
	var logLevel slog.Level
	root := &cobra.Command{
		Use:           "kpanda",
		Short:         "kpanda manages many Kubernetes clusters from one place",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRun: func(cmd *cobra.Command, _ []string) {
			handler := slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: logLevel})
			slog.SetDefault(slog.New(handler))
			ctrl.SetLogger(logr.FromSlogHandler(handler)) // controller-runtime logs through the same logger
		},
	}
	root.PersistentFlags().TextVar(&logLevel, "log-level", slog.LevelInfo, "log level: debug, info, warn or error")
	root.AddCommand(devCommand())
	root.AddCommand(loginCommand())
	root.AddCommand(clusterCommand())
	root.AddCommand(userCommand())
	root.AddCommand(iamGroupCommand())
	root.AddCommand(grantCommand())
	root.AddCommand(revokeCommand())
	root.AddCommand(workspaceCommand())
	root.AddCommand(authCommand())
	root.AddCommand(helmCommand())
	root.AddCommand(appCommand())
	root.AddCommand(workloadCommand())
	root.AddCommand(listAcrossClustersCommand())
	root.AddCommand(apiserverCommand())
	root.AddCommand(controllerManagerCommand())
	root.AddCommand(helmOperationCommand())
	return root
}

func devCommand() *cobra.Command {
	opts := devenv.Options{}
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Run the whole system on this machine: a global cluster and member clusters",
		Long: `Starts a global cluster and --members member clusters (real kube-apiservers from
bin/k8s with simulated nodes), the kpanda apiserver and controller-manager, integrates the
members, writes WORKDIR/dev.json (URL, admin login, kubeconfigs), prints the same, and runs
until Ctrl-C, which stops every process it started.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Out = cmd.OutOrStdout()
			opts.Log = slog.Default()
			return devenv.Run(cmd.Context(), opts)
		},
	}
	cmd.Flags().IntVar(&opts.Members, "members", 2, "number of member clusters")
	cmd.Flags().StringVar(&opts.Workdir, "workdir", ".kpanda-dev", "directory for the clusters' data, kubeconfigs, logs and dev.json")
	cmd.Flags().StringVar(&opts.Listen, "listen", "127.0.0.1:8443", "address of the kpanda apiserver")
	cmd.Flags().BoolVar(&opts.Integrate, "integrate", true, "integrate the members as member-1 ... member-N (false: leave them for you to integrate)")
	cmd.Flags().StringVar(&opts.BinDir, "k8s-bin", "", "folder of the Kubernetes binaries (default: bin/k8s of this checkout, or $KPANDA_K8S_BIN)")
	return cmd
}
