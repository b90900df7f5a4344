//go:build tools

// Package tools pins kwok, which simulates the nodes of each local cluster so that pods reach
// Running and Jobs complete without a container runtime.
package tools

import _ "sigs.k8s.io/kwok/cmd/kwok"
