// Command stages prints the kwok configuration that internal/localcluster passes to kwok: the
// stage definitions shipped inside the pinned kwok module, so they always match the kwok binary
// and never come from the network.
package main

import (
	"fmt"
	"strings"

	nodefast "sigs.k8s.io/kwok/kustomize/stage/node/fast"
	nodeheartbeat "sigs.k8s.io/kwok/kustomize/stage/node/heartbeat"
	podfast "sigs.k8s.io/kwok/kustomize/stage/pod/fast"
)

func main() {
	stages := []string{
		nodefast.DefaultNodeInit,
		nodeheartbeat.DefaultNodeHeartbeat,
		podfast.DefaultPodReady,
		podfast.DefaultPodComplete,
		podfast.DefaultPodDelete,
	}
	for i, stage := range stages {
		stages[i] = strings.TrimSpace(stage)
	}
	fmt.Println(strings.Join(stages, "\n---\n"))
}
