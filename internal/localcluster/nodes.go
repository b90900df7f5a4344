package localcluster

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// kwokNodeAnnotation marks the nodes kwok simulates (see kwokArgs).
const kwokNodeAnnotation = "kwok.x-k8s.io/node"

// waitWorkloadReady creates the simulated nodes and waits until workloads can run: every node
// Ready (kwok took it over) and the default ServiceAccount present (kube-controller-manager
// runs; without it pod creation is refused).
func (c *Cluster) waitWorkloadReady(ctx context.Context) error {
	client, err := kubernetes.NewForConfig(c.config)
	if err != nil {
		return fmt.Errorf("building client: %w", err)
	}
	for i := range c.opts.Nodes {
		if _, err := client.CoreV1().Nodes().Create(ctx, simulatedNode(c.nodeName(i)), metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("creating node %s: %w", c.nodeName(i), err)
		}
	}
	c.mu.Lock()
	kwokProcess, controllers := c.procs[kwok], c.procs[kubeControllerManager]
	c.mu.Unlock()
	err = c.waitFor(ctx, kwokProcess, "simulated nodes to be Ready", func(ctx context.Context) bool {
		nodes, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		return err == nil && countReady(nodes.Items) >= c.opts.Nodes
	})
	if err != nil {
		return err
	}
	return c.waitFor(ctx, controllers, "the default ServiceAccount", func(ctx context.Context) bool {
		_, err := client.CoreV1().ServiceAccounts(metav1.NamespaceDefault).Get(ctx, "default", metav1.GetOptions{})
		return err == nil
	})
}

func (c *Cluster) nodeName(i int) string { return fmt.Sprintf("%s-node-%d", c.name, i) }

func countReady(nodes []corev1.Node) int {
	ready := 0
	for _, node := range nodes {
		for _, condition := range node.Status.Conditions {
			if condition.Type == corev1.NodeReady && condition.Status == corev1.ConditionTrue {
				ready++
			}
		}
	}
	return ready
}

// simulatedNode is a Node as a kubelet would register it, with room for many pods; kwok then
// keeps its status and runs its pods.
func simulatedNode(name string) *corev1.Node {
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("32"),
		corev1.ResourceMemory: resource.MustParse("256Gi"),
		corev1.ResourcePods:   resource.MustParse("110"),
	}
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name:        name,
			Annotations: map[string]string{kwokNodeAnnotation: "fake", "node.alpha.kubernetes.io/ttl": "0"},
			Labels: map[string]string{
				"kubernetes.io/hostname": name,
				"kubernetes.io/os":       "linux",
				"kubernetes.io/arch":     "amd64",
				"type":                   "kwok",
			},
		},
		Status: corev1.NodeStatus{Capacity: capacity, Allocatable: capacity},
	}
}
