package cachetest

import (
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
)

func testGetSetDelete(t *testing.T, s *suite) {
	c := s.open(t, config{})
	tests := []struct {
		name string
		key  string
		v    Item
	}{
		{"plain", "user:1", item(1)},
		{"zero value", "zero", Item{}},
		{"space and unicode", "clé avec espace/é", item(2)},
		{"long key", strings.Repeat("k", 180), item(3)},
		{"empty key", "", item(4)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			wantMissing(t, c, tt.key)
			mustSet(t, c, tt.key, tt.v)
			wantItem(t, c, tt.key, tt.v)
			next := tt.v
			next.ID += 100
			mustSet(t, c, tt.key, next)
			wantItem(t, c, tt.key, next)
			if err := c.Delete(t.Context(), tt.key); err != nil {
				t.Fatalf("Delete(%q) error = %v", tt.key, err)
			}
			wantMissing(t, c, tt.key)
			if err := c.Delete(t.Context(), tt.key); err != nil {
				t.Fatalf("Delete(%q) of a missing key error = %v, want nil", tt.key, err)
			}
		})
	}
}

func testNamespaceIsolation(t *testing.T, s *suite) {
	ns := Namespace(t)
	a := s.open(t, config{namespace: ns + "-a"})
	b := s.open(t, config{namespace: ns + "-b"})
	mustSet(t, a, "shared", item(1))
	mustSet(t, b, "shared", item(2))
	wantItem(t, a, "shared", item(1))
	wantItem(t, b, "shared", item(2))
	mustSet(t, a, "only-a", item(3))
	wantMissing(t, b, "only-a")
	if err := b.Delete(t.Context(), "shared"); err != nil {
		t.Fatal(err)
	}
	wantItem(t, a, "shared", item(1))

	if a.Backend() == prodready.CacheMemory {
		return // nothing is shared between processes or instances
	}
	// Two caches on the same namespace share the server's entries.
	a2 := s.open(t, config{namespace: ns + "-a"})
	wantItem(t, a2, "shared", item(1))
	wantItem(t, a2, "only-a", item(3))
}

// counts is s without its Sizing (the memory backend's bound and
// estimates), so that it compares with ==.
func counts(s cache.Stats) cache.Stats {
	s.Sizing = nil
	return s
}

func testStats(t *testing.T, s *suite) {
	c := s.open(t, config{})
	if got := counts(c.Stats()); got != (cache.Stats{}) {
		t.Fatalf("Stats() of a new cache = %+v, want zero", got)
	}
	wantMissing(t, c, "k") // miss
	mustSet(t, c, "k", item(1))
	wantItem(t, c, "k", item(1)) // hit
	var n atomic.Int64
	if _, err := c.GetOrLoad(t.Context(), "other", loaderOf(&n, item(2))); err != nil { // miss, load
		t.Fatal(err)
	}
	if _, err := c.GetOrLoad(t.Context(), "other", loaderOf(&n, item(2))); err != nil { // hit
		t.Fatal(err)
	}
	got := counts(c.Stats())
	want := cache.Stats{Hits: 2, Misses: 2, Loads: 1}
	if got != want {
		t.Fatalf("Stats() = %+v, want %+v", got, want)
	}
	if r := got.HitRatio(); r != 0.5 {
		t.Fatalf("HitRatio() = %v, want 0.5", r)
	}
	if v := got.LogValue(); v.Kind() != slog.KindGroup || !strings.Contains(v.String(), "hit_ratio") {
		t.Fatalf("LogValue() = %v, want a group with hit_ratio", v)
	}
}
