package workload

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
)

// The node port range of a default kube-apiserver (--service-node-port-range).
const (
	MinNodePort = 30000
	MaxNodePort = 32767
)

// ServiceForm is what a person fills in to expose pods: a Service of type ClusterIP,
// NodePort or LoadBalancer selecting pods by label.
type ServiceForm struct {
	Name string `json:"name"`
	// Type is ClusterIP (the default), NodePort or LoadBalancer.
	Type     string            `json:"type,omitempty"`
	Selector map[string]string `json:"selector,omitempty"`
	Ports    []ServicePort     `json:"ports"`
}

// ServicePort is one port of a Service, in the form and in a Service's summary.
type ServicePort struct {
	// Name is required when the Service has several ports.
	Name string `json:"name,omitempty"`
	Port int32  `json:"port"`
	// TargetPort is the pods' port, a number or the name of a container port; the default is
	// Port.
	TargetPort intstr.IntOrString `json:"targetPort,omitzero"`
	Protocol   string             `json:"protocol,omitempty"` // TCP (default), UDP, SCTP
	// NodePort, for NodePort and LoadBalancer Services; 0 lets Kubernetes choose one.
	NodePort int32 `json:"nodePort,omitempty"`
}

// String writes p as kubectl's PORT(S) column does: 80/TCP, 80:30080/TCP.
func (p ServicePort) String() string {
	protocol := p.Protocol
	if protocol == "" {
		protocol = string(corev1.ProtocolTCP)
	}
	if p.NodePort != 0 {
		return fmt.Sprintf("%d:%d/%s", p.Port, p.NodePort, protocol)
	}
	return fmt.Sprintf("%d/%s", p.Port, protocol)
}

// serviceType is the form's type with its default.
func (f *ServiceForm) serviceType() corev1.ServiceType {
	if f.Type == "" {
		return corev1.ServiceTypeClusterIP
	}
	return corev1.ServiceType(f.Type)
}

// FormName is the name of the Service the form describes.
func (f *ServiceForm) FormName() string { return f.Name }

// Validate returns every rule f breaks, in field order; none when it is good.
func (f *ServiceForm) Validate() []*FieldError {
	errs := ValidateServiceName("name", f.Name)
	withNodePorts := false
	switch f.serviceType() {
	case corev1.ServiceTypeClusterIP:
	case corev1.ServiceTypeNodePort, corev1.ServiceTypeLoadBalancer:
		withNodePorts = true
	default:
		errs = append(errs, fieldErr("type", "must be ClusterIP, NodePort or LoadBalancer, got %q", f.Type))
	}
	for _, key := range keysInOrder(f.Selector) {
		field := "selector[" + key + "]"
		errs = append(errs, labelKeyErrors(field, key)...)
		for _, msg := range validation.IsValidLabelValue(f.Selector[key]) {
			errs = append(errs, fieldErr(field, "value %q: %s", f.Selector[key], msg))
		}
	}
	return append(errs, f.validatePorts(withNodePorts)...)
}

// validatePorts checks each port and that no two share a name, a port or a node port: the
// apiserver would refuse the Service, and a person should learn which port is at fault.
func (f *ServiceForm) validatePorts(withNodePorts bool) []*FieldError {
	if len(f.Ports) == 0 {
		return []*FieldError{fieldErr("ports", "a Service needs at least one port")}
	}
	var errs []*FieldError
	names, ports, nodePorts := map[string]string{}, map[string]string{}, map[string]string{}
	for i, p := range f.Ports {
		path := fmt.Sprintf("ports[%d]", i)
		errs = append(errs, p.validateName(path, len(f.Ports) > 1)...)
		errs = append(errs, p.validateNumbers(path, withNodePorts)...)
		protocol, protocolErrs := p.protocol(path)
		errs = append(errs, protocolErrs...)
		errs = append(errs, taken(names, p.Name, path, "name", "name")...)
		errs = append(errs, taken(ports, fmt.Sprintf("%d/%s", p.Port, protocol), path, "port", "port")...)
		if p.NodePort != 0 {
			errs = append(errs, taken(nodePorts, fmt.Sprintf("%d/%s", p.NodePort, protocol), path, "nodePort", "node port")...)
		}
	}
	return errs
}

// taken records value as used by the port at path, or says which earlier port has it. An
// empty value is never taken.
func taken(seen map[string]string, value, path, field, what string) []*FieldError {
	if value == "" {
		return nil
	}
	if other, dup := seen[value]; dup {
		return []*FieldError{fieldErr(path+"."+field, "%s %s is already used by %s", what, value, other)}
	}
	seen[value] = path
	return nil
}

func (p ServicePort) validateName(path string, required bool) []*FieldError {
	if p.Name == "" {
		if required {
			return []*FieldError{fieldErr(path+".name", "is required when a Service has several ports")}
		}
		return nil
	}
	var errs []*FieldError
	for _, msg := range validation.IsDNS1123Label(p.Name) {
		errs = append(errs, fieldErr(path+".name", "%q: %s", p.Name, msg))
	}
	return errs
}

func (p ServicePort) validateNumbers(path string, withNodePorts bool) []*FieldError {
	var errs []*FieldError
	if p.Port < 1 || p.Port > 65535 {
		errs = append(errs, fieldErr(path+".port", "must be 1 to 65535, got %d", p.Port))
	}
	switch {
	case p.TargetPort.Type == intstr.String:
		for _, msg := range validation.IsValidPortName(p.TargetPort.StrVal) {
			errs = append(errs, fieldErr(path+".targetPort", "%q is neither a port number nor a port name: %s", p.TargetPort.StrVal, msg))
		}
	case p.TargetPort.IntVal < 0 || p.TargetPort.IntVal > 65535: // 0: the same as port
		errs = append(errs, fieldErr(path+".targetPort", "must be 1 to 65535 (or a container port's name), got %d", p.TargetPort.IntVal))
	}
	switch {
	case p.NodePort == 0:
	case !withNodePorts:
		errs = append(errs, fieldErr(path+".nodePort", "only a NodePort or LoadBalancer Service has node ports; leave it 0"))
	case p.NodePort < MinNodePort || p.NodePort > MaxNodePort:
		errs = append(errs, fieldErr(path+".nodePort", "must be %d to %d (or 0 to let Kubernetes choose), got %d", MinNodePort, MaxNodePort, p.NodePort))
	}
	return errs
}

// protocol is p's protocol with its default.
func (p ServicePort) protocol(path string) (corev1.Protocol, []*FieldError) {
	switch corev1.Protocol(p.Protocol) {
	case "":
		return corev1.ProtocolTCP, nil
	case corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP:
		return corev1.Protocol(p.Protocol), nil
	}
	return corev1.Protocol(p.Protocol), []*FieldError{fieldErr(path+".protocol", "must be TCP, UDP or SCTP, got %q", p.Protocol)}
}

// ApplyTo makes s, a new Service or the stored one, what f describes: its name, type, selector
// and ports. What the form does not describe (the cluster IP, session affinity, labels, ...)
// is kept; the apiserver keeps a port's node port when the form leaves it 0. f must be valid.
func (f *ServiceForm) ApplyTo(s *corev1.Service) []*FieldError {
	s.Name = f.Name
	s.Spec.Type = f.serviceType()
	s.Spec.Selector = f.Selector
	s.Spec.Ports = make([]corev1.ServicePort, 0, len(f.Ports))
	for _, p := range f.Ports {
		protocol, _ := p.protocol("")
		target := p.TargetPort
		if target.Type == intstr.Int && target.IntVal == 0 {
			target = intstr.FromInt32(p.Port)
		}
		s.Spec.Ports = append(s.Spec.Ports, corev1.ServicePort{Name: p.Name, Port: p.Port, TargetPort: target, Protocol: protocol, NodePort: p.NodePort})
	}
	return nil
}

// ServiceSummary is what a list shows of a Service.
type ServiceSummary struct {
	Type      string `json:"type"`
	ClusterIP string `json:"clusterIP,omitempty"`
	// ExternalIPs are the load balancer's addresses and the Service's external IPs.
	ExternalIPs []string          `json:"externalIPs,omitempty"`
	Selector    map[string]string `json:"selector,omitempty"`
	Ports       []ServicePort     `json:"ports"`
}

// ServiceSummaryOf summarizes s.
func ServiceSummaryOf(s *corev1.Service) ServiceSummary {
	out := ServiceSummary{Type: string(s.Spec.Type), ClusterIP: s.Spec.ClusterIP, Selector: s.Spec.Selector, Ports: []ServicePort{}}
	for _, ingress := range s.Status.LoadBalancer.Ingress {
		out.ExternalIPs = append(out.ExternalIPs, firstOf(ingress.IP, ingress.Hostname))
	}
	out.ExternalIPs = append(out.ExternalIPs, s.Spec.ExternalIPs...)
	if s.Spec.Type == corev1.ServiceTypeExternalName {
		out.ExternalIPs = append(out.ExternalIPs, s.Spec.ExternalName)
	}
	for _, p := range s.Spec.Ports {
		out.Ports = append(out.Ports, ServicePort{Name: p.Name, Port: p.Port, TargetPort: p.TargetPort, Protocol: string(p.Protocol), NodePort: p.NodePort})
	}
	return out
}

// firstOf is the first of values that is not empty.
func firstOf(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
