// Package crd embeds the CustomResourceDefinitions that controller-gen writes into this folder
// (`make generate`), so the kpanda binary can install them.
package crd

import "embed"

// Manifests holds one YAML file per CRD.
//
//go:embed *.yaml
var Manifests embed.FS

// File patterns of Manifests, by the cluster the CRDs belong in (DESIGN §2).
var (
	// Global are the CRDs of the global service cluster.
	Global = []string{"cluster.kpanda.io_*.yaml", "iam.kpanda.io_*.yaml"}
	// Member are the CRDs every member cluster gets.
	Member = []string{"helm.kpanda.io_*.yaml"}
)
