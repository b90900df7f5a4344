package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	"github.com/kpanda/kpanda/internal/apiclient"
	"github.com/kpanda/kpanda/internal/workload"
)

// The objects that go with workloads (Services, Ingresses, ConfigMaps, Secrets and
// PersistentVolumeClaims) are KINDs of the workload verbs list, get, create, replace and
// delete, with kubectl's short names.

var resourceKinds = map[string]string{
	"service": apiclient.Services, "services": apiclient.Services, "svc": apiclient.Services,
	"ingress": apiclient.Ingresses, "ingresses": apiclient.Ingresses, "ing": apiclient.Ingresses,
	"configmap": apiclient.ConfigMaps, "configmaps": apiclient.ConfigMaps, "cm": apiclient.ConfigMaps,
	"secret": apiclient.Secrets, "secrets": apiclient.Secrets,
	"persistentvolumeclaim": apiclient.PersistentVolumeClaims, "persistentvolumeclaims": apiclient.PersistentVolumeClaims, "pvc": apiclient.PersistentVolumeClaims,
}

// resourceForms make an empty form of each kind that has one; -f --form is read into it.
var resourceForms = map[string]func() any{
	apiclient.Services:               func() any { return &workload.ServiceForm{} },
	apiclient.ConfigMaps:             func() any { return &workload.ConfigMapForm{} },
	apiclient.Secrets:                func() any { return &workload.SecretForm{} },
	apiclient.PersistentVolumeClaims: func() any { return &workload.PVCForm{} },
}

// isResource says whether a resolved KIND is one of these objects rather than a workload.
func isResource(plural string) bool {
	for _, p := range resourceKinds {
		if p == plural {
			return true
		}
	}
	return false
}

// anyKindArgs checks KIND [NAME] and resolves KIND, a workload kind or one of these objects.
func anyKindArgs(withName bool, kind *string) cobra.PositionalArgs {
	workloadOnly := workloadArgs(withName, kind)
	want := 1
	if withName {
		want = 2
	}
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == want {
			if plural, ok := resourceKinds[strings.ToLower(args[0])]; ok {
				*kind = plural
				return nil
			}
		}
		err := workloadOnly(cmd, args)
		if err != nil && strings.HasPrefix(err.Error(), "unknown workload kind") {
			err = fmt.Errorf("%w, or services (svc), ingresses (ing), configmaps (cm), secrets or persistentvolumeclaims (pvc)", err)
		}
		return err
	}
}

func listResources(cmd *cobra.Command, client *apiclient.Client, target *appTarget, kind, format string) error {
	list, err := client.ListResources(cmd.Context(), target.cluster, target.namespace, kind)
	if err != nil {
		return err
	}
	if format == outputJSON {
		if list.Items == nil {
			list.Items = []apiclient.Resource{}
		}
		return printJSON(cmd.OutOrStdout(), list)
	}
	if len(list.Items) == 0 {
		_, err := fmt.Fprintf(cmd.ErrOrStderr(), "No %s found in namespace %s.\n", kind, target.namespace)
		return err
	}
	return printResourceTable(cmd.OutOrStdout(), kind, list.Items, time.Now())
}

// resourceColumns are the columns of a kind's table after NAME and before AGE, as kubectl's.
var resourceColumns = map[string]struct {
	header string
	row    func(*apiclient.Resource) []string
}{
	apiclient.Services: {"TYPE\tCLUSTER-IP\tEXTERNAL-IP\tPORT(S)", func(r *apiclient.Resource) []string {
		s := orEmpty(r.Service)
		ports := make([]string, 0, len(s.Ports))
		for _, p := range s.Ports {
			ports = append(ports, p.String())
		}
		return []string{s.Type, orDash(s.ClusterIP), joinOrDash(s.ExternalIPs), joinOrDash(ports)}
	}},
	apiclient.Ingresses: {"CLASS\tHOSTS\tADDRESS", func(r *apiclient.Resource) []string {
		i := orEmpty(r.Ingress)
		return []string{orDash(i.Class), joinOrDash(i.Hosts), joinOrDash(i.Addresses)}
	}},
	apiclient.ConfigMaps: {"DATA", func(r *apiclient.Resource) []string {
		return []string{fmt.Sprint(orEmpty(r.ConfigMap).Count)}
	}},
	apiclient.Secrets: {"TYPE\tKEYS", func(r *apiclient.Resource) []string {
		s := orEmpty(r.Secret)
		return []string{s.Type, joinOrDash(s.Keys)}
	}},
	apiclient.PersistentVolumeClaims: {"STATUS\tVOLUME\tCAPACITY\tACCESS MODES\tSTORAGECLASS", func(r *apiclient.Resource) []string {
		c := orEmpty(r.PersistentVolumeClaim)
		return []string{c.Phase, orDash(c.Volume), orDash(c.Capacity), joinOrDash(shortAccessModes(c.AccessModes)), orDash(c.StorageClass)}
	}},
}

func printResourceTable(w io.Writer, kind string, items []apiclient.Resource, now time.Time) error {
	columns := resourceColumns[kind]
	tw := tabwriter.NewWriter(w, 0, 8, 3, ' ', 0)
	fmt.Fprintf(tw, "NAME\t%s\tAGE\n", columns.header)
	for i := range items {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", items[i].Name, strings.Join(columns.row(&items[i]), "\t"), age(items[i].Created, now))
	}
	return tw.Flush()
}

// orEmpty is *p, or the zero value when the server sent no summary.
func orEmpty[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

func joinOrDash(values []string) string { return orDash(strings.Join(values, ",")) }

// shortAccessModes writes access modes as kubectl does: RWO, ROX, RWX, RWOP.
func shortAccessModes(modes []string) []string {
	short := map[string]string{"ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX", "ReadWriteOncePod": "RWOP"}
	out := make([]string, 0, len(modes))
	for _, m := range modes {
		out = append(out, firstNonEmpty(short[m], m))
	}
	return out
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// getResource shows one object; a Secret's values only with --show-values.
func getResource(cmd *cobra.Command, client *apiclient.Client, target *appTarget, kind, name string, showValues bool, format string) error {
	var item *apiclient.Resource
	var err error
	if showValues {
		item, err = client.GetSecretValues(cmd.Context(), target.cluster, target.namespace, name)
	} else {
		item, err = client.GetResource(cmd.Context(), target.cluster, target.namespace, kind, name)
	}
	if err != nil {
		return err
	}
	if format == outputJSON {
		return printJSON(cmd.OutOrStdout(), item)
	}
	return printYAML(cmd.OutOrStdout(), item)
}

// checkShowValues refuses --show-values on anything but a Secret, before anything is sent.
func checkShowValues(kind string, showValues bool) error {
	if showValues && kind != apiclient.Secrets {
		return fmt.Errorf("--show-values is for secrets; %s are shown whole", kind)
	}
	return nil
}

// resourceRequest reads -f: a manifest, or with --form the form of kind (YAML or JSON).
func resourceRequest(cmd *cobra.Command, kind, file string, isForm bool) (apiclient.ResourceRequest, error) {
	newForm, hasForm := resourceForms[kind]
	if isForm && !hasForm {
		return apiclient.ResourceRequest{}, fmt.Errorf("%s have no form; give their manifest with -f and no --form", kind)
	}
	data, err := readInput(cmd, "filename", file)
	if err != nil {
		return apiclient.ResourceRequest{}, err
	}
	if !isForm {
		return apiclient.ResourceRequest{YAML: string(data)}, nil
	}
	form := newForm()
	if err := yaml.UnmarshalStrict(data, form); err != nil {
		return apiclient.ResourceRequest{}, fmt.Errorf("--filename %s is not a form of %s: %w", file, kind, err)
	}
	return apiclient.ResourceRequest{Form: form}, nil
}

// writeResource creates (name "") or replaces an object from -f and says what was stored.
func writeResource(cmd *cobra.Command, target *appTarget, kind, name, file string, isForm bool) error {
	req, err := resourceRequest(cmd, kind, file, isForm)
	if err != nil {
		return err
	}
	client, err := newClient()
	if err != nil {
		return err
	}
	var item *apiclient.Resource
	verb := "created"
	if name == "" {
		item, err = client.CreateResource(cmd.Context(), target.cluster, target.namespace, kind, req)
	} else {
		verb = "replaced"
		item, err = client.UpdateResource(cmd.Context(), target.cluster, target.namespace, kind, name, req)
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s %s/%s %s\n", strings.ToLower(item.Kind), target.namespace, item.Name, verb)
	return err
}
