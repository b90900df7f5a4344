package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kpanda/kpanda/internal/apiclient"
)

type loginOptions struct {
	server                string
	username              string
	passwordStdin         bool
	oidcIDTokenStdin      bool
	certificateAuthority  string
	insecureSkipTLSVerify bool
}

func loginCommand() *cobra.Command {
	opts := loginOptions{}
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Log in to a kpanda apiserver and save the token for the other commands",
		Long: `Logs in with a username and a password read from stdin, or with an ID token of the OIDC
provider the apiserver trusts (--oidc-id-token-stdin), and saves the server, the token and the
TLS settings in $KPANDA_CONFIG (default ~/.kpanda/config.json, readable by you only).
Without --server, the server (and its TLS settings) of the last login is used again.`,
		Example: `  printf '%s' "$PASSWORD" | kpanda login --server https://127.0.0.1:8443 --username admin --password-stdin
  printf '%s' "$ID_TOKEN" | kpanda login --server https://127.0.0.1:8443 --oidc-id-token-stdin`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runLogin(cmd, opts)
		},
	}
	flags := cmd.Flags()
	flags.StringVar(&opts.server, "server", "", "URL of the kpanda apiserver, e.g. https://127.0.0.1:8443")
	flags.StringVar(&opts.username, "username", "", "user to log in as")
	flags.BoolVar(&opts.passwordStdin, "password-stdin", false, "read the password from stdin")
	flags.BoolVar(&opts.oidcIDTokenStdin, "oidc-id-token-stdin", false, "log in with an ID token of the apiserver's OIDC provider, read from stdin (no --username)")
	flags.StringVar(&opts.certificateAuthority, "certificate-authority", "", "PEM file of the CA that signed the apiserver's certificate")
	flags.BoolVar(&opts.insecureSkipTLSVerify, "insecure-skip-tls-verify", false, "do not check the apiserver's certificate (insecure; for development)")
	return cmd
}

func runLogin(cmd *cobra.Command, opts loginOptions) error {
	if err := checkLoginMode(opts); err != nil {
		return err
	}
	path, err := apiclient.ConfigPath()
	if err != nil {
		return err
	}
	config, err := loginConfig(cmd, opts, path)
	if err != nil {
		return err
	}
	if opts.oidcIDTokenStdin {
		return runOIDCLogin(cmd, path, config)
	}
	password, err := readPassword(cmd.InOrStdin())
	if err != nil {
		return err
	}
	result, err := apiclient.New(config).Login(cmd.Context(), opts.username, password)
	if err != nil {
		return err
	}
	config.Token = result.Token
	if err := apiclient.SaveConfig(path, config); err != nil {
		return err
	}
	_, err = fmt.Fprintf(cmd.OutOrStdout(), "Logged in to %s as %s (token expires %s)\n",
		config.Server, opts.username, expiry(result.ExpiresAt))
	return err
}

// checkLoginMode refuses flags that mix the two ways of logging in or leave out what one needs.
// Secrets come from stdin only: an argument or a prompt would leave them in the shell history
// or need a terminal; stdin works in scripts and keeps them out of `ps`.
func checkLoginMode(opts loginOptions) error {
	switch {
	case opts.oidcIDTokenStdin && (opts.passwordStdin || opts.username != ""):
		return errors.New("--oidc-id-token-stdin logs in as the user the ID token names: leave out --username and --password-stdin")
	case opts.oidcIDTokenStdin:
		return nil
	case opts.username == "":
		return errors.New(`required flag(s) "username" not set: log in with --username USER --password-stdin, or with --oidc-id-token-stdin`)
	case !opts.passwordStdin:
		return errors.New("pipe the password into kpanda login with --password-stdin, e.g. printf '%s' \"$PASSWORD\" | kpanda login --server URL --username USER --password-stdin")
	}
	return nil
}

func expiry(t time.Time) string {
	if t.IsZero() {
		return "at a time the server did not say"
	}
	return t.Local().Format(time.RFC3339)
}

// loginConfig is where and how to log in: the flags, or the saved configuration for what the
// flags leave out, so that logging in again after the token expired needs no --server.
func loginConfig(cmd *cobra.Command, opts loginOptions, path string) (apiclient.Config, error) {
	if opts.server == "" {
		saved, err := apiclient.LoadConfig(path)
		if err != nil || saved.Server == "" {
			return apiclient.Config{}, errors.New("--server is required: no earlier login to take it from")
		}
		opts.server = saved.Server
		if !cmd.Flags().Changed("certificate-authority") && !cmd.Flags().Changed("insecure-skip-tls-verify") {
			opts.certificateAuthority, opts.insecureSkipTLSVerify = saved.CertificateAuthority, saved.InsecureSkipTLSVerify
		}
	}
	server, err := apiclient.NormalizeServer(opts.server)
	if err != nil {
		return apiclient.Config{}, fmt.Errorf("--server: %w", err)
	}
	config := apiclient.Config{Server: server, InsecureSkipTLSVerify: opts.insecureSkipTLSVerify}
	if opts.certificateAuthority != "" {
		// Saved absolute, because later commands run from other directories.
		if config.CertificateAuthority, err = filepath.Abs(opts.certificateAuthority); err != nil {
			return apiclient.Config{}, fmt.Errorf("--certificate-authority: %w", err)
		}
	}
	return config, nil
}

// maxPasswordBytes bounds what is read from stdin: a password is short, and a mistakenly
// piped file should not be read whole.
const maxPasswordBytes = 4096

// readPassword reads the password from stdin and drops the line ending that echo and here
// documents add; other whitespace may be part of the password.
func readPassword(stdin io.Reader) (string, error) {
	data, err := io.ReadAll(io.LimitReader(stdin, maxPasswordBytes+1))
	if err != nil {
		return "", fmt.Errorf("reading the password from stdin: %w", err)
	}
	if len(data) > maxPasswordBytes {
		return "", fmt.Errorf("stdin holds more than %d bytes: pipe only the password into --password-stdin", maxPasswordBytes)
	}
	password := strings.TrimSuffix(strings.TrimSuffix(string(data), "\n"), "\r")
	if password == "" {
		return "", errors.New("the password read from stdin is empty: pipe the password into --password-stdin")
	}
	return password, nil
}
