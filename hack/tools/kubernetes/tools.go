//go:build tools

// Package tools pins the Kubernetes control-plane binaries that internal/localcluster runs.
// `make k8s-bin` builds them into bin/k8s; kpanda itself never imports them.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
