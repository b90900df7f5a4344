package workload

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// expectFieldErrors asserts that errs is empty when field is, or that its first error is on
// field and says phrase.
func expectFieldErrors(t *testing.T, errs []*FieldError, field, phrase string) {
	t.Helper()
	if field == "" {
		if len(errs) > 0 {
			t.Fatalf("want no errors, got %v", errs)
		}
		return
	}
	if len(errs) == 0 {
		t.Fatalf("want an error on %s, got none", field)
	}
	if errs[0].Field != field || !strings.Contains(errs[0].Message, phrase) {
		t.Errorf("want %s: ...%s..., got %v", field, phrase, errs)
	}
}

func goodService() ServiceForm {
	return ServiceForm{Name: "web", Type: "NodePort", Selector: map[string]string{AppLabel: "web"}, Ports: []ServicePort{
		{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8080), NodePort: 30080},
		{Name: "metrics", Port: 9090, TargetPort: intstr.FromString("metrics")},
	}}
}

func TestServiceValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*ServiceForm)
		field  string // the first error's field; "" for a valid form
		phrase string
	}{
		{"valid", func(*ServiceForm) {}, "", ""},
		{"cluster IP without node ports", func(f *ServiceForm) { f.Type = ""; f.Ports[0].NodePort = 0 }, "", ""},
		{"load balancer", func(f *ServiceForm) { f.Type = "LoadBalancer" }, "", ""},
		{"one port needs no name", func(f *ServiceForm) { f.Ports = f.Ports[:1]; f.Ports[0].Name = "" }, "", ""},
		{"no selector", func(f *ServiceForm) { f.Selector = nil }, "", ""},
		{"same port, other protocol", func(f *ServiceForm) { f.Ports[1].Port = 80; f.Ports[1].Protocol = "UDP" }, "", ""},
		{"node port bounds", func(f *ServiceForm) { f.Ports[0].NodePort = MinNodePort; f.Ports[1].NodePort = MaxNodePort }, "", ""},
		{"name missing", func(f *ServiceForm) { f.Name = "" }, "name", "is required"},
		{"name starts with a digit", func(f *ServiceForm) { f.Name = "1web" }, "name", "start with an alphabetic character"},
		{"name with a dot", func(f *ServiceForm) { f.Name = "web.app" }, "name", "DNS-1035 label"},
		{"name of 64", func(f *ServiceForm) { f.Name = "w" + strings.Repeat("a", 63) }, "name", "at most 63"},
		{"name of 63", func(f *ServiceForm) { f.Name = "w" + strings.Repeat("a", 62) }, "", ""},
		{"unknown type", func(f *ServiceForm) { f.Type = "ExternalName" }, "type", "ClusterIP, NodePort or LoadBalancer"},
		{"bad selector value", func(f *ServiceForm) { f.Selector = map[string]string{"tier": "front end"} }, "selector[tier]", "value"},
		{"no ports", func(f *ServiceForm) { f.Ports = nil }, "ports", "at least one port"},
		{"port 0", func(f *ServiceForm) { f.Ports[1].Port = 0 }, "ports[1].port", "1 to 65535"},
		{"port 65536", func(f *ServiceForm) { f.Ports[0].Port = 65536 }, "ports[0].port", "1 to 65535"},
		{"target port out of range", func(f *ServiceForm) { f.Ports[0].TargetPort = intstr.FromInt32(70000) }, "ports[0].targetPort", "1 to 65535"},
		{"target port name", func(f *ServiceForm) { f.Ports[1].TargetPort = intstr.FromString("not_a_name") }, "ports[1].targetPort", "neither a port number nor a port name"},
		{"node port below range", func(f *ServiceForm) { f.Ports[1].NodePort = 29999 }, "ports[1].nodePort", "30000 to 32767"},
		{"node port above range", func(f *ServiceForm) { f.Ports[1].NodePort = 32768 }, "ports[1].nodePort", "30000 to 32767"},
		{"node port of a ClusterIP Service", func(f *ServiceForm) { f.Type = "ClusterIP" }, "ports[0].nodePort", "only a NodePort or LoadBalancer"},
		{"bad protocol", func(f *ServiceForm) { f.Ports[0].Protocol = "HTTP" }, "ports[0].protocol", "TCP, UDP or SCTP"},
		{"unnamed port among several", func(f *ServiceForm) { f.Ports[1].Name = "" }, "ports[1].name", "several ports"},
		{"port name not a label", func(f *ServiceForm) { f.Ports[1].Name = "Metrics" }, "ports[1].name", "RFC 1123"},
		{"port name twice", func(f *ServiceForm) { f.Ports[1].Name = "http" }, "ports[1].name", "name http is already used by ports[0]"},
		{"port number twice", func(f *ServiceForm) { f.Ports[1].Port = 80 }, "ports[1].port", "port 80/TCP is already used by ports[0]"},
		{"node port twice", func(f *ServiceForm) { f.Ports[1].NodePort = 30080 }, "ports[1].nodePort", "node port 30080/TCP is already used by ports[0]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := goodService()
			tc.change(&f)
			expectFieldErrors(t, f.Validate(), tc.field, tc.phrase)
		})
	}
}

func TestServiceApplyKeepsWhatTheFormDoesNotDescribe(t *testing.T) {
	stored := &corev1.Service{Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeClusterIP, ClusterIP: "10.0.0.7", SessionAffinity: corev1.ServiceAffinityClientIP}}
	stored.Labels = map[string]string{"team": "shop"}
	f := goodService()
	f.Ports[1].TargetPort = intstr.IntOrString{} // defaults to the port
	if errs := f.ApplyTo(stored); len(errs) > 0 {
		t.Fatal(errs)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"name", stored.Name, "web"},
		{"type", stored.Spec.Type, corev1.ServiceTypeNodePort},
		{"cluster IP kept", stored.Spec.ClusterIP, "10.0.0.7"},
		{"session affinity kept", stored.Spec.SessionAffinity, corev1.ServiceAffinityClientIP},
		{"labels kept", stored.Labels["team"], "shop"},
		{"selector", stored.Spec.Selector[AppLabel], "web"},
		{"protocol default", stored.Spec.Ports[0].Protocol, corev1.ProtocolTCP},
		{"node port", stored.Spec.Ports[0].NodePort, int32(30080)},
		{"target port default", stored.Spec.Ports[1].TargetPort, intstr.FromInt32(9090)},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestServiceSummary(t *testing.T) {
	s := &corev1.Service{Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, ClusterIP: "10.0.0.9",
		Ports: []corev1.ServicePort{{Name: "http", Port: 80, NodePort: 30080, Protocol: corev1.ProtocolTCP}, {Name: "dns", Port: 53, Protocol: corev1.ProtocolUDP}}}}
	s.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: "192.0.2.1"}, {Hostname: "lb.example"}}
	got := ServiceSummaryOf(s)
	if got.Type != "LoadBalancer" || got.ClusterIP != "10.0.0.9" || strings.Join(got.ExternalIPs, ",") != "192.0.2.1,lb.example" {
		t.Errorf("summary %+v", got)
	}
	if len(got.Ports) != 2 || got.Ports[0].String() != "80:30080/TCP" || got.Ports[1].String() != "53/UDP" {
		t.Errorf("ports %v", got.Ports)
	}
}
