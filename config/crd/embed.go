// Package crd embeds the CustomResourceDefinitions that controller-gen writes into this folder
// (`make generate`), so the kpanda binary can install them.
package crd

import "embed"

// Manifests holds one YAML file per CRD.
//
//go:embed *.yaml
var Manifests embed.FS
