package inventory

import (
	"cmp"
	"container/heap"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	"k8s.io/client-go/tools/cache"
)

// labelIndex indexes rows by "key=value" of each label, so that a selector such as app=web
// reads the few rows that carry the label instead of scanning the cluster's every row.
const labelIndex = "label"

func indexers() cache.Indexers {
	return cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc, labelIndex: labelIndexValues}
}

func labelIndexValues(obj any) ([]string, error) {
	row, ok := obj.(*Row)
	if !ok {
		return nil, nil
	}
	values := make([]string, 0, len(row.Labels))
	for k, v := range row.Labels {
		values = append(values, k+"="+v)
	}
	return values, nil
}

// eachMatch calls yield with every row of the scope that passes the filters, in any order.
func eachMatch(indexer cache.Indexer, scope Scope, q Query, yield func(*Row)) {
	name := strings.ToLower(q.Name)
	inScope := func(*Row) bool { return true }
	if !scope.AllNamespaces {
		inScope = func(r *Row) bool { return slices.Contains(scope.Namespaces, r.Namespace) }
	}
	for _, obj := range candidates(indexer, scope, q.Selector) {
		row, ok := obj.(*Row)
		if ok && inScope(row) && q.Selector.Matches(labels.Set(row.Labels)) && strings.Contains(row.Name, name) {
			yield(row)
		}
	}
}

// candidates are the rows that may match: those of the selector's most selective
// equality-based requirement when it has one, else those of the scope's namespaces, else all.
func candidates(indexer cache.Indexer, scope Scope, selector labels.Selector) []any {
	if keys, ok := indexedValues(selector); ok {
		var out []any
		for _, key := range keys {
			rows, _ := indexer.ByIndex(labelIndex, key) // the index exists: indexers() adds it
			out = append(out, rows...)
		}
		return out
	}
	if scope.AllNamespaces {
		return indexer.List()
	}
	var out []any
	for _, ns := range scope.Namespaces {
		rows, _ := indexer.ByIndex(cache.NamespaceIndex, ns)
		out = append(out, rows...)
	}
	return out
}

// indexedValues are the "key=value" index values of the first requirement of selector that
// only rows with one of those labels can meet (=, ==, in); false when it has none.
func indexedValues(selector labels.Selector) ([]string, bool) {
	requirements, selectable := selector.Requirements()
	if !selectable {
		return nil, false
	}
	for _, r := range requirements {
		switch r.Operator() {
		case selection.Equals, selection.DoubleEquals, selection.In:
			values := r.ValuesUnsorted()
			keys := make([]string, len(values))
			for i, v := range values {
				keys[i] = r.Key() + "=" + v
			}
			return keys, true
		}
	}
	return nil, false
}

// addFrom adds the rows of cluster that come after the continue position to the page until it
// holds limit items; when rows are left over the page gets a continue token. Only the rows the
// page takes are put in order (a heap keeps the smallest), never all of a cluster's.
func (p *Page) addFrom(cluster string, rows []*Row, after position, limit int) {
	if p.Continue != "" || cluster < after.Cluster {
		return
	}
	if after != (position{}) {
		rows = slices.DeleteFunc(rows, func(r *Row) bool { return !after.before(cluster, r) })
	}
	want := len(rows)
	if limit > 0 {
		want = min(want, limit-len(p.Items))
	}
	for _, r := range smallest(rows, want) {
		p.Items = append(p.Items, itemOf(cluster, r))
	}
	if want < len(rows) {
		last := p.Items[len(p.Items)-1]
		p.Continue = position{Cluster: last.Cluster, Namespace: last.Namespace, Name: last.Name}.encode()
	}
}

func compareRows(a, b *Row) int {
	return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
}

// smallest returns the n first rows in namespace and name order.
func smallest(rows []*Row, n int) []*Row {
	if n <= 0 {
		return nil
	}
	if n*4 >= len(rows) {
		slices.SortFunc(rows, compareRows)
		return rows[:n]
	}
	h := &largestOnTop{}
	for _, r := range rows {
		if h.Len() < n {
			heap.Push(h, r)
		} else if compareRows(r, (*h)[0]) < 0 {
			(*h)[0] = r
			heap.Fix(h, 0)
		}
	}
	out := []*Row(*h)
	slices.SortFunc(out, compareRows)
	return out
}

// largestOnTop is a heap of rows whose root is the last in order: the one to drop when a
// smaller row comes.
type largestOnTop []*Row

func (h largestOnTop) Len() int           { return len(h) }
func (h largestOnTop) Less(i, j int) bool { return compareRows(h[i], h[j]) > 0 }
func (h largestOnTop) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *largestOnTop) Push(x any)        { *h = append(*h, x.(*Row)) }
func (h *largestOnTop) Pop() any {
	old := *h
	last := old[len(old)-1]
	*h = old[:len(old)-1]
	return last
}
