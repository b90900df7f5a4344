package clusters

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Observation is what one probe of a member saw.
type Observation struct {
	Version       string
	KubeSystemUID string
	NodesTotal    int32
	NodesReady    int32
	Capacity      map[string]resource.Quantity
	Allocatable   map[string]resource.Quantity
	Pods          int32
}

// summedResources are the node resources a cluster's status adds up.
var summedResources = []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourcePods}

var podsResource = schema.GroupVersionResource{Version: "v1", Resource: "pods"}

// Probe reads a member's version, identity, nodes and pod count. Lists are served from the
// apiserver's watch cache (resourceVersion 0) and pods as metadata only, so a probe stays cheap
// for the member however many pods it runs.
func (m *Member) Probe(ctx context.Context) (*Observation, error) {
	version, err := m.Client.Discovery().ServerVersionWithContext(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading version: %w", err)
	}
	kubeSystem, err := m.Client.CoreV1().Namespaces().Get(ctx, metav1.NamespaceSystem, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("reading namespace kube-system: %w", err)
	}
	nodes, err := m.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{ResourceVersion: "0"})
	if err != nil {
		return nil, fmt.Errorf("listing nodes: %w", err)
	}
	pods, err := m.Metadata.Resource(podsResource).List(ctx, metav1.ListOptions{ResourceVersion: "0"})
	if err != nil {
		return nil, fmt.Errorf("listing pods: %w", err)
	}
	observation := &Observation{
		Version:       version.GitVersion,
		KubeSystemUID: string(kubeSystem.UID),
		Pods:          int32(len(pods.Items)),
	}
	observation.addNodes(nodes.Items)
	return observation, nil
}

func (o *Observation) addNodes(nodes []corev1.Node) {
	o.Capacity, o.Allocatable = map[string]resource.Quantity{}, map[string]resource.Quantity{}
	for _, node := range nodes {
		o.NodesTotal++
		if nodeReady(node) {
			o.NodesReady++
		}
		for _, name := range summedResources {
			addQuantity(o.Capacity, name, node.Status.Capacity)
			addQuantity(o.Allocatable, name, node.Status.Allocatable)
		}
	}
}

func addQuantity(sum map[string]resource.Quantity, name corev1.ResourceName, from corev1.ResourceList) {
	value, ok := from[name]
	if !ok {
		return
	}
	total := sum[string(name)]
	total.Add(value)
	sum[string(name)] = total
}

func nodeReady(node corev1.Node) bool {
	for _, condition := range node.Status.Conditions {
		if condition.Type == corev1.NodeReady {
			return condition.Status == corev1.ConditionTrue
		}
	}
	return false
}
