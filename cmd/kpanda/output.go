package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/kpanda/kpanda/internal/apiclient"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/duration"
	"sigs.k8s.io/yaml"

	clusterv1alpha1 "github.com/kpanda/kpanda/api/cluster/v1alpha1"
)

// Output formats of -o.
const (
	outputTable = "table"
	outputWide  = "wide"
	outputJSON  = "json"
	outputYAML  = "yaml"
	outputText  = "text"
)

// outputFlag is the -o flag of one command and the formats it accepts.
type outputFlag struct {
	value   string
	allowed []string
}

// addOutputFlag adds -o to cmd; the first allowed format is the default.
func addOutputFlag(cmd *cobra.Command, allowed ...string) *outputFlag {
	o := &outputFlag{allowed: allowed}
	cmd.Flags().StringVarP(&o.value, "output", "o", allowed[0], "output format: "+strings.Join(allowed, ", "))
	return o
}

// check refuses an unknown format before anything is sent to the server, so that a typo in -o
// does not integrate or detach a cluster and then fail to say so.
func (o *outputFlag) check() error {
	if !slices.Contains(o.allowed, o.value) {
		return fmt.Errorf("unknown output format %q for -o: use one of %s", o.value, strings.Join(o.allowed, ", "))
	}
	return nil
}

// client checks the format, then connects: the first steps of every verb with -o.
func (o *outputFlag) client() (*apiclient.Client, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	return newClient()
}

func printJSON(w io.Writer, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding JSON: %w", err)
	}
	_, err = fmt.Fprintf(w, "%s\n", data)
	return err
}

// printRawJSON indents a document received from the server without decoding it, so that its
// fields and their order are shown as the server sent them.
func printRawJSON(w io.Writer, raw []byte) error {
	var out bytes.Buffer
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		return fmt.Errorf("the server sent invalid JSON: %w", err)
	}
	out.WriteByte('\n')
	_, err := w.Write(out.Bytes())
	return err
}

func printYAML(w io.Writer, v any) error {
	data, err := yaml.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding YAML: %w", err)
	}
	_, err = w.Write(data)
	return err
}

// clusterListDocument is the JSON of `cluster list -o json`: the API's {"items": [...]}, with
// an empty list written as [] so that scripts can iterate over it.
type clusterListDocument struct {
	Items []clusterv1alpha1.Cluster `json:"items"`
}

func newClusterListDocument(items []clusterv1alpha1.Cluster) clusterListDocument {
	if items == nil {
		items = []clusterv1alpha1.Cluster{}
	}
	return clusterListDocument{Items: items}
}

// printClusterTable writes the clusters as a table; wide adds the columns that identify and
// locate a cluster. now is a parameter so that AGE can be tested.
func printClusterTable(w io.Writer, clusters []clusterv1alpha1.Cluster, wide bool, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 8, 3, ' ', 0)
	header := "NAME\tALIAS\tPHASE\tVERSION\tNODES\tCPU\tMEMORY\tAGE"
	if wide {
		header += "\tPODS\tMODE\tPROVIDER\tKUBESYSTEMID\tAPI-ENDPOINT"
	}
	fmt.Fprintln(tw, header)
	for i := range clusters {
		fmt.Fprintln(tw, strings.Join(clusterRow(&clusters[i], wide, now), "\t"))
	}
	return tw.Flush()
}

func clusterRow(c *clusterv1alpha1.Cluster, wide bool, now time.Time) []string {
	capacity := c.Status.Resources.Capacity
	row := []string{
		c.Name,
		orDash(c.Spec.Alias),
		orDash(string(c.Status.Phase)),
		orDash(c.Status.KubernetesVersion),
		fmt.Sprintf("%d/%d", c.Status.Nodes.Ready, c.Status.Nodes.Total),
		formatCPU(capacity, "cpu"),
		formatMemory(capacity, "memory"),
		age(c.CreationTimestamp.Time, now),
	}
	if wide {
		row = append(row,
			strconv.Itoa(int(c.Status.PodCount)),
			orDash(string(c.Spec.Mode)),
			orDash(c.Spec.Provider),
			orDash(c.Status.KubeSystemID),
			orDash(c.Status.APIEndpoint),
		)
	}
	return row
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// age is written the way kubectl writes it, so that both tools agree on one cluster.
func age(created, now time.Time) string {
	if created.IsZero() {
		return "-"
	}
	return duration.HumanDuration(now.Sub(created))
}

// formatCPU writes cores as a plain number ("8", "7.5"): "7500m" is harder to read in a table.
func formatCPU(list map[string]resource.Quantity, name string) string {
	q, ok := list[name]
	if !ok {
		return "-"
	}
	return strconv.FormatFloat(float64(q.MilliValue())/1000, 'f', -1, 64)
}

// formatMemory writes bytes in the largest binary unit that keeps the number at least 1
// ("15.6Gi", "16Gi"): nodes report memory in Ki, and a sum of them like "16374584Ki" is hard to read.
func formatMemory(list map[string]resource.Quantity, name string) string {
	q, ok := list[name]
	if !ok {
		return "-"
	}
	value := float64(q.Value())
	unit := ""
	for _, u := range []string{"Ki", "Mi", "Gi", "Ti", "Pi"} {
		if value < 1024 {
			break
		}
		value /= 1024
		unit = u
	}
	return strings.TrimSuffix(strconv.FormatFloat(value, 'f', 1, 64), ".0") + unit
}
