package workload

import (
	"strings"
	"testing"

	networkingv1 "k8s.io/api/networking/v1"
)

func TestIngressSummary(t *testing.T) {
	i := &networkingv1.Ingress{Spec: networkingv1.IngressSpec{IngressClassName: ptr("nginx"),
		Rules: []networkingv1.IngressRule{{Host: "shop.example"}, {}, {Host: "shop.example"}},
		TLS:   []networkingv1.IngressTLS{{Hosts: []string{"shop.example"}}}}}
	i.Status.LoadBalancer.Ingress = []networkingv1.IngressLoadBalancerIngress{{IP: "192.0.2.1"}}
	got := IngressSummaryOf(i)
	if got.Class != "nginx" || strings.Join(got.Hosts, ",") != "shop.example,*" || strings.Join(got.Addresses, ",") != "192.0.2.1" || !got.TLS {
		t.Errorf("summary %+v", got)
	}
}
