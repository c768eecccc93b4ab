package cachetest

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/prodready/prodready/cache"
)

func testRefreshAhead(t *testing.T, s *suite) {
	c := s.open(t, config{ttl: 100 * time.Second, opts: cache.Options{Jitter: -1, RefreshAhead: 0.2}})
	var n atomic.Int64
	if _, err := c.GetOrLoad(t.Context(), "k", loaderOf(&n, item(1))); err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(50 * time.Second) // before the window: no refresh
	if got, err := c.GetOrLoad(t.Context(), "k", loaderOf(&n, item(9))); err != nil || got.ID != 1 {
		t.Fatalf("GetOrLoad at 50s = %+v, %v, want %+v", got, err, item(1))
	}
	if n.Load() != 1 {
		t.Fatalf("loader calls at 50s = %d, want 1", n.Load())
	}

	s.clock.Advance(35 * time.Second) // 85s: in the last 20%
	g := newGate(item(2))
	for i := range 5 {
		got, err := c.GetOrLoad(t.Context(), "k", g.load)
		if err != nil || got.ID != 1 {
			t.Fatalf("GetOrLoad #%d in the refresh window = %+v, %v, want the old %+v", i, got, err, item(1))
		}
	}
	g.waitStarted(t)
	close(g.release)
	eventually(t, "refreshed value stored", func() bool {
		v, _ := mustGet(t, c, "k")
		return v.ID == 2
	})
	if got := g.calls.Load(); got != 1 {
		t.Fatalf("background reloads = %d, want 1", got)
	}
	// The refreshed entry lives a full TTL from 85s: past the old expiry at
	// 100s it is still there.
	s.clock.Advance(20 * time.Second)
	wantItem(t, c, "k", item(2))
}

// testPerCallTTLRefresh checks that refresh-ahead follows an entry's own
// TTL: its window is RefreshAhead times that TTL, and the reload is stored
// with it again, not with the configured TTL.
func testPerCallTTLRefresh(t *testing.T, s *suite) {
	c := s.open(t, config{ttl: time.Hour, opts: cache.Options{Jitter: -1, RefreshAhead: 0.2}})
	var n atomic.Int64
	if err := c.SetWithTTL(t.Context(), "short", item(1), 10*time.Second); err != nil {
		t.Fatal(err)
	}
	// 0.2 × 1h would put a 10s entry in its window at once.
	if got, err := c.GetOrLoad(t.Context(), "short", loaderOf(&n, item(9))); err != nil || got.ID != 1 {
		t.Fatalf("GetOrLoad = %+v, %v, want %+v", got, err, item(1))
	}
	// A miss after a Delete runs its loader after any earlier load of the
	// key returned (one loader per key at a time): a refresh, if one had
	// started, is over when it returns.
	if err := c.Delete(t.Context(), "short"); err != nil {
		t.Fatal(err)
	}
	var m atomic.Int64
	if _, err := c.GetOrLoad(t.Context(), "short", loaderOf(&m, item(1))); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 0 {
		t.Fatalf("refreshes of a fresh 10s entry = %d, want 0", n.Load())
	}
	if err := c.SetWithTTL(t.Context(), "short", item(1), 10*time.Second); err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(11 * time.Second)
	wantMissing(t, c, "short")

	if err := c.SetWithTTL(t.Context(), "k", item(1), 100*time.Second); err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(85 * time.Second) // in the last 20% of 100s
	g := newGate(item(2))
	if got, err := c.GetOrLoad(t.Context(), "k", g.load); err != nil || got.ID != 1 {
		t.Fatalf("GetOrLoad in the window = %+v, %v, want the old %+v", got, err, item(1))
	}
	g.waitStarted(t)
	close(g.release)
	eventually(t, "refreshed value stored", func() bool {
		v, _ := mustGet(t, c, "k")
		return v.ID == 2
	})
	s.clock.Advance(90 * time.Second) // 175s: within 100s of the refresh at 85s
	wantItem(t, c, "k", item(2))
	s.clock.Advance(20 * time.Second) // 195s: past it, far within the hour
	wantMissing(t, c, "k")
}
