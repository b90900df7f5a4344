package localcluster

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

const pollInterval = 50 * time.Millisecond

// waitFor polls ready until it returns true, ctx ends, or the watched process exits (then the
// error carries the end of its log, which says why).
func (c *Cluster) waitFor(ctx context.Context, watched *process, what string, ready func(context.Context) bool) error {
	started := time.Now()
	defer func() { c.log.Debug("Waited", "for", what, "took", time.Since(started).Round(time.Millisecond)) }()
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	for {
		if watched != nil && watched.exited() {
			return fmt.Errorf("waiting for %s: %w: %w", what, errProcessExited, watched.exitError())
		}
		attempt, cancel := context.WithTimeout(ctx, 2*time.Second)
		ok := ready(attempt)
		cancel()
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", what, ctx.Err())
		case <-ticker.C:
		}
	}
}

func etcdHealthy(ctx context.Context, url string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/health", nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	defer func() { _ = resp.Body.Close() }()
	var health struct {
		Health string `json:"health"`
	}
	return resp.StatusCode == http.StatusOK && json.NewDecoder(resp.Body).Decode(&health) == nil && health.Health == "true"
}
