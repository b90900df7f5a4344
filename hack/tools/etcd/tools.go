//go:build tools

// Package tools pins the etcd server that internal/localcluster runs as the store of each
// local cluster. It is its own module so that etcd's dependencies never move Kubernetes'.
package tools

import _ "go.etcd.io/etcd/server/v3"
