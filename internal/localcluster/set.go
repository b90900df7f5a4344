package localcluster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
)

// GlobalClusterName is the name of the global service cluster (DESIGN §1).
const GlobalClusterName = "kpanda-global-cluster"

// MemberName is the name of the i-th (1-based) member cluster of a set.
func MemberName(i int) string { return fmt.Sprintf("member-%d", i) }

// SetOptions configure a global cluster and its member clusters.
type SetOptions struct {
	// Members is the number of member clusters.
	Members int
	// Dir, if set, holds one sub-directory per cluster, named after it; otherwise each cluster
	// gets a temporary directory.
	Dir string
	// Cluster is applied to every cluster; its Name and Dir are set per cluster.
	Cluster Options
	// Parallel bounds how many clusters start at once; default 4. Starting is CPU-bound: twenty
	// kube-apiservers booting together on two cores all miss their deadline.
	Parallel int
}

// Set is a global cluster and its members, started together.
type Set struct {
	Global  *Cluster
	Members []*Cluster
}

// StartSet starts the global cluster and the members in parallel. On error every cluster that
// did start is stopped again.
func StartSet(ctx context.Context, opts SetOptions) (*Set, error) {
	if opts.Members < 0 {
		return nil, fmt.Errorf("members: must be 0 or more, got %d", opts.Members)
	}
	names := []string{GlobalClusterName}
	for i := 1; i <= opts.Members; i++ {
		names = append(names, MemberName(i))
	}
	if opts.Parallel <= 0 {
		opts.Parallel = 4
	}
	clusters := make([]*Cluster, len(names))
	errs := make([]error, len(names))
	slots := make(chan struct{}, opts.Parallel)
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			clusterOpts := opts.Cluster
			clusterOpts.Name = name
			if opts.Dir != "" {
				clusterOpts.Dir = filepath.Join(opts.Dir, name)
			}
			if clusterOpts.Log == nil {
				clusterOpts.Log = slog.New(slog.DiscardHandler)
			}
			clusters[i], errs[i] = Start(ctx, clusterOpts)
		})
	}
	wg.Wait()
	set := &Set{Global: clusters[0], Members: clusters[1:]}
	if err := errors.Join(errs...); err != nil {
		set.Stop()
		return nil, err
	}
	return set, nil
}

// All lists the global cluster first, then the members in order.
func (s *Set) All() []*Cluster {
	return append([]*Cluster{s.Global}, s.Members...)
}

// Stop stops every cluster of the set, in parallel.
func (s *Set) Stop() {
	var wg sync.WaitGroup
	for _, c := range s.All() {
		if c != nil {
			wg.Go(c.Stop)
		}
	}
	wg.Wait()
}
