package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kpanda/kpanda/internal/apiclient"
	"github.com/kpanda/kpanda/internal/auth"
)

// addOIDCFlags adds the apiserver's --oidc-* flags, named as kube-apiserver names its own.
func addOIDCFlags(cmd *cobra.Command, opts *auth.OIDCOptions) {
	flags := cmd.Flags()
	flags.StringVar(&opts.IssuerURL, "oidc-issuer-url", "", "https URL of the OpenID Connect provider whose ID tokens log users in (empty: OIDC off)")
	flags.StringVar(&opts.ClientID, "oidc-client-id", "", "client ID kpanda is registered under at the provider; ID tokens must be issued for it (aud)")
	flags.StringVar(&opts.UsernameClaim, "oidc-username-claim", auth.DefaultOIDCUsernameClaim, "ID token claim that is the kpanda user name (an unverified email is refused)")
	flags.StringVar(&opts.GroupsClaim, "oidc-groups-claim", auth.DefaultOIDCGroupsClaim, "ID token claim that lists the user's groups; grants to those groups apply")
	flags.StringVar(&opts.CAFile, "oidc-ca-file", "", "PEM file of the CA that signed the provider's certificate (default: the system's roots)")
}

// maxIDTokenBytes bounds what --oidc-id-token-stdin reads: ID tokens are a few KiB.
const maxIDTokenBytes = 64 << 10

// readIDToken reads an ID token from stdin, without the surrounding whitespace that echo and
// files add (a JWT has none of its own).
func readIDToken(stdin io.Reader) (string, error) {
	data, err := io.ReadAll(io.LimitReader(stdin, maxIDTokenBytes+1))
	if err != nil {
		return "", fmt.Errorf("reading the ID token from stdin: %w", err)
	}
	if len(data) > maxIDTokenBytes {
		return "", fmt.Errorf("stdin holds more than %d bytes: pipe only the ID token into --oidc-id-token-stdin", maxIDTokenBytes)
	}
	token := strings.TrimSpace(string(data))
	if token == "" {
		return "", errors.New("the ID token read from stdin is empty: pipe the id_token your identity provider issued into --oidc-id-token-stdin")
	}
	return token, nil
}

// runOIDCLogin is kpanda login --oidc-id-token-stdin: the ID token is exchanged for a kpanda
// token, saved as a password login's is.
func runOIDCLogin(cmd *cobra.Command, path string, config apiclient.Config) error {
	idToken, err := readIDToken(cmd.InOrStdin())
	if err != nil {
		return err
	}
	result, err := apiclient.New(config).LoginOIDC(cmd.Context(), idToken)
	if err != nil {
		return err
	}
	config.Token = result.Token
	if err := apiclient.SaveConfig(path, config); err != nil {
		return err
	}
	groups := ""
	if len(result.Groups) > 0 {
		groups = " in groups " + strings.Join(result.Groups, ", ")
	}
	_, err = fmt.Fprintf(cmd.OutOrStdout(), "Logged in to %s as %s%s (token expires %s)\n", config.Server, result.User, groups, expiry(result.ExpiresAt))
	return err
}
