package main

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kpanda/kpanda/internal/controller"
	"github.com/kpanda/kpanda/internal/server"
)

func apiserverCommand() *cobra.Command {
	var kubeconfig string
	opts := server.Options{}
	cmd := &cobra.Command{
		Use:   "apiserver",
		Short: "Serve kpanda's REST API over the global service cluster",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			config, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
			if err != nil {
				return fmt.Errorf("--kubeconfig: %w", err)
			}
			opts.Log = slog.Default()
			s, err := server.New(cmd.Context(), config, opts)
			if err != nil {
				return err
			}
			if s.AdminPassword != "" {
				fmt.Fprintf(cmd.OutOrStdout(), "Created the bootstrap admin. Log in as admin with password %s\nIt is shown only this once and stored hashed; keep it.\n", s.AdminPassword)
			}
			slog.Info("Serving the kpanda API", "url", s.URL())
			return s.Serve(cmd.Context())
		},
	}
	cmd.Flags().StringVar(&kubeconfig, "kubeconfig", "", "kubeconfig of the global service cluster (default: in-cluster)")
	cmd.Flags().StringVar(&opts.Listen, "listen", "127.0.0.1:8443", "address to serve on")
	cmd.Flags().StringVar(&opts.TLSCertFile, "tls-cert-file", "", "serving certificate (with --tls-private-key-file: HTTPS)")
	cmd.Flags().StringVar(&opts.TLSKeyFile, "tls-private-key-file", "", "serving key")
	cmd.Flags().DurationVar(&opts.TokenTTL, "token-ttl", 12*time.Hour, "how long a login lasts")
	addOIDCFlags(cmd, &opts.OIDC)
	return cmd
}

func controllerManagerCommand() *cobra.Command {
	var kubeconfig string
	opts := controller.Options{}
	cmd := &cobra.Command{
		Use:   "controller-manager",
		Short: "Run kpanda's controllers against the global service cluster",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			config, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
			if err != nil {
				return fmt.Errorf("--kubeconfig: %w", err)
			}
			return controller.Run(cmd.Context(), config, opts)
		},
	}
	cmd.Flags().StringVar(&kubeconfig, "kubeconfig", "", "kubeconfig of the global service cluster (default: in-cluster)")
	cmd.Flags().BoolVar(&opts.LeaderElection, "leader-elect", true, "elect one active replica among several")
	cmd.Flags().StringVar(&opts.MetricsAddr, "metrics-bind-address", "127.0.0.1:8080", "address of /metrics (0 disables)")
	cmd.Flags().StringVar(&opts.HealthAddr, "health-probe-bind-address", "127.0.0.1:8081", "address of /healthz and /readyz (0 disables)")
	cmd.Flags().DurationVar(&opts.ProbeInterval, "cluster-probe-interval", 10*time.Second, "how often each member cluster is probed")
	return cmd
}
