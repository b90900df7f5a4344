//go:build tools

// Package tools pins golangci-lint, which `make lint` runs. Its own module keeps the linter's
// many dependencies out of kpanda's go.mod.
package tools

import _ "github.com/golangci/golangci-lint/v2/cmd/golangci-lint"
