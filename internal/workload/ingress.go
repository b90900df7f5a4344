package workload

import (
	"slices"

	networkingv1 "k8s.io/api/networking/v1"
)

// Ingresses have no form: their rules (hosts, paths, backends, TLS) are written as YAML.

// IngressSummary is what a list shows of an Ingress, as kubectl's columns.
type IngressSummary struct {
	Class string `json:"class,omitempty"`
	// Hosts are the hosts of the rules; a rule without a host serves every host ("*").
	Hosts []string `json:"hosts"`
	// Addresses are where the ingress controller serves it, once it reported them.
	Addresses []string `json:"addresses,omitempty"`
	TLS       bool     `json:"tls,omitempty"`
}

// IngressSummaryOf summarizes i.
func IngressSummaryOf(i *networkingv1.Ingress) IngressSummary {
	out := IngressSummary{Class: valueOr(i.Spec.IngressClassName, ""), Hosts: []string{}, TLS: len(i.Spec.TLS) > 0}
	for _, rule := range i.Spec.Rules {
		host := firstOf(rule.Host, "*")
		if !slices.Contains(out.Hosts, host) {
			out.Hosts = append(out.Hosts, host)
		}
	}
	for _, lb := range i.Status.LoadBalancer.Ingress {
		out.Addresses = append(out.Addresses, firstOf(lb.IP, lb.Hostname))
	}
	return out
}
