package inventory

import (
	"testing"
	"time"
)

func TestAccessCacheAnswersAgeFreshStaleExpired(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	c := newAccessCache(2 * time.Second)
	c.now = func() time.Time { return now }
	key := accessKey{cluster: "east", user: "alice", resource: "pods"}

	if _, fresh, stale := c.get(key); fresh || stale {
		t.Fatal("an answer before any was kept")
	}
	c.put(key, true)
	for _, tc := range []struct {
		after        time.Duration
		fresh, stale bool
	}{
		{0, true, false},
		{999 * time.Millisecond, true, false},
		{time.Second, false, true}, // half the TTL: used, and asked again in the background
		{1999 * time.Millisecond, false, true},
		{2 * time.Second, false, false}, // expired: the caller must wait for the member
	} {
		c.now = func() time.Time { return now.Add(tc.after) }
		allowed, fresh, stale := c.get(key)
		if fresh != tc.fresh || stale != tc.stale || (fresh || stale) && !allowed {
			t.Errorf("after %s: allowed %v fresh %v stale %v, want fresh %v stale %v", tc.after, allowed, fresh, stale, tc.fresh, tc.stale)
		}
	}
}

func TestAccessCacheRefreshesOnceAtATime(t *testing.T) {
	c := newAccessCache(2 * time.Second)
	key := accessKey{cluster: "east", user: "alice", resource: "pods"}
	c.put(key, false)
	if !c.startRefresh(key) {
		t.Fatal("the first refresh was refused")
	}
	if c.startRefresh(key) {
		t.Error("a second refresh started while one runs")
	}
	c.put(key, true) // the refresh's answer
	c.endRefresh(key)
	if !c.startRefresh(key) {
		t.Error("no refresh may start after the last one ended")
	}
	if allowed, fresh, _ := c.get(key); !allowed || !fresh {
		t.Errorf("after the refresh: allowed %v fresh %v", allowed, fresh)
	}
}
