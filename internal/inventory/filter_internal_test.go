package inventory

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/tools/cache"
)

// rowsIndexer holds n rows spread over namespaces a..c with labels app=app-<i%5> and tier.
func rowsIndexer(t *testing.T, n int) cache.Indexer {
	t.Helper()
	idx := cache.NewIndexer(cache.MetaNamespaceKeyFunc, indexers())
	for i := range n {
		row := &Row{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("pod-%03d", i), Namespace: []string{"a", "b", "c"}[i%3],
			Labels: map[string]string{"app": fmt.Sprintf("app-%d", i%5), "tier": []string{"web", "db"}[i%2]}}}
		if err := idx.Add(row); err != nil {
			t.Fatal(err)
		}
	}
	return idx
}

// scanned is what a plain scan of every row finds: the reference the indexed path must equal.
func scanned(idx cache.Indexer, scope Scope, selector labels.Selector) []string {
	var out []string
	for _, obj := range idx.List() {
		r := obj.(*Row)
		if (scope.AllNamespaces || slices.Contains(scope.Namespaces, r.Namespace)) && selector.Matches(labels.Set(r.Labels)) {
			out = append(out, r.Namespace+"/"+r.Name)
		}
	}
	slices.Sort(out)
	return out
}

func TestIndexedMatchesEqualAScan(t *testing.T) {
	idx := rowsIndexer(t, 300)
	for _, expr := range []string{"", "app=app-1", "app==app-2,tier=web", "app in (app-1,app-3)", "tier!=web", "app notin (app-0),tier", "!tier", "app=none"} {
		for _, scope := range []Scope{{AllNamespaces: true}, {Namespaces: []string{"b"}}, {Namespaces: []string{"a", "c"}}} {
			selector, err := labels.Parse(expr)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			eachMatch(idx, scope, Query{Selector: selector}, func(r *Row) { got = append(got, r.Namespace+"/"+r.Name) })
			slices.Sort(got)
			if want := scanned(idx, scope, selector); !slices.Equal(got, want) {
				t.Errorf("%q in %+v: %d rows, a scan finds %d", expr, scope, len(got), len(want))
			}
		}
	}
}

func TestSmallestIsTheHeadOfTheSortedRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 7, 100, 250, 1000} {
		idx := rowsIndexer(t, 1000)
		var rows []*Row
		for _, obj := range idx.List() {
			rows = append(rows, obj.(*Row))
		}
		rng.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
		sorted := slices.SortedFunc(slices.Values(rows), compareRows)
		if got := smallest(rows, n); !slices.Equal(got, sorted[:n]) {
			t.Errorf("smallest %d of 1000 differ from the sorted head", n)
		}
	}
}

func TestAddFromPagesWithoutGapsOrRepeats(t *testing.T) {
	idx := rowsIndexer(t, 95)
	var all []*Row
	for _, obj := range idx.List() {
		all = append(all, obj.(*Row))
	}
	var seen []string
	after := position{}
	for pages := 0; ; pages++ {
		if pages > 20 {
			t.Fatal("paging does not end")
		}
		page := &Page{}
		for _, cluster := range []string{"east", "west"} {
			page.addFrom(cluster, slices.Clone(all), after, 10)
		}
		for _, it := range page.Items {
			seen = append(seen, it.Cluster+"/"+it.Namespace+"/"+it.Name)
		}
		if page.Continue == "" {
			break
		}
		var err error
		if after, err = decodeContinue(page.Continue); err != nil {
			t.Fatal(err)
		}
	}
	if len(seen) != 190 || !slices.IsSorted(seen) || len(slices.Compact(slices.Clone(seen))) != 190 {
		t.Errorf("paged %d keys (sorted %v), want 190 distinct in order", len(seen), slices.IsSorted(seen))
	}
}
