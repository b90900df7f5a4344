//go:build tools

// Package tools pins controller-gen, which `make generate` runs to write deepcopy functions and
// CRD YAML from the types in api/.
package tools

import _ "sigs.k8s.io/controller-tools/cmd/controller-gen"
