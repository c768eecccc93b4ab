package cachetest

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
)

func testTTLExpiry(t *testing.T, s *suite) {
	c := s.open(t, config{ttl: 10 * time.Second, opts: cache.Options{Jitter: -1}})
	mustSet(t, c, "k", item(1))
	s.clock.Advance(9 * time.Second)
	wantItem(t, c, "k", item(1))
	s.clock.Advance(2 * time.Second)
	wantMissing(t, c, "k")

	var n atomic.Int64
	got, err := c.GetOrLoad(t.Context(), "k", loaderOf(&n, item(2)))
	if err != nil || !reflect.DeepEqual(got, item(2)) {
		t.Fatalf("GetOrLoad after expiry = %+v, %v, want %+v, nil", got, err, item(2))
	}
	if n.Load() != 1 {
		t.Fatalf("loader calls = %d, want 1", n.Load())
	}
	s.clock.Advance(9 * time.Second)
	if _, err := c.GetOrLoad(t.Context(), "k", loaderOf(&n, item(3))); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 1 {
		t.Fatalf("loader calls within the TTL = %d, want 1", n.Load())
	}
}

func testPerCallTTL(t *testing.T, s *suite) {
	c := s.open(t, config{ttl: 10 * time.Second, opts: cache.Options{Jitter: -1}})
	tests := []struct {
		key      string
		ttl      time.Duration
		aliveAt3 bool
	}{
		{"short", 2 * time.Second, false},
		{"default", 0, true},
		{"long", time.Minute, true},
	}
	for _, tt := range tests {
		if err := c.SetWithTTL(t.Context(), tt.key, item(1), tt.ttl); err != nil {
			t.Fatalf("SetWithTTL(%q, %v) error = %v", tt.key, tt.ttl, err)
		}
	}
	s.clock.Advance(3 * time.Second)
	for _, tt := range tests {
		if _, ok := mustGet(t, c, tt.key); ok != tt.aliveAt3 {
			t.Errorf("Get(%q) after 3s with ttl %v: ok = %v, want %v", tt.key, tt.ttl, ok, tt.aliveAt3)
		}
	}
	s.clock.Advance(10 * time.Second)
	for _, tt := range tests {
		want := tt.ttl > 13*time.Second
		if _, ok := mustGet(t, c, tt.key); ok != want {
			t.Errorf("Get(%q) after 13s with ttl %v: ok = %v, want %v", tt.key, tt.ttl, ok, want)
		}
	}
}

func testJitterBounds(t *testing.T, s *suite) {
	// Lifetimes are uniform in [80s, 120s]: all alive at 79s, all gone at
	// 121s, and at 100s some of each but for a chance of 2^-49.
	const n = 50
	c := s.open(t, config{ttl: 100 * time.Second, opts: cache.Options{Jitter: 0.2}})
	for i := range n {
		mustSet(t, c, fmt.Sprint("k", i), item(i))
	}
	alive := func() int {
		count := 0
		for i := range n {
			if _, ok := mustGet(t, c, fmt.Sprint("k", i)); ok {
				count++
			}
		}
		return count
	}
	s.clock.Advance(79 * time.Second)
	if got := alive(); got != n {
		t.Fatalf("alive at 79s = %d, want %d (jitter below -20%%)", got, n)
	}
	s.clock.Advance(21 * time.Second)
	if got := alive(); got == 0 || got == n {
		t.Fatalf("alive at 100s = %d of %d, want some but not all (no jitter)", got, n)
	}
	s.clock.Advance(21 * time.Second)
	if got := alive(); got != 0 {
		t.Fatalf("alive at 121s = %d, want 0 (jitter above +20%%)", got)
	}
}

// testHugeTTL checks that "forever" TTLs are cut to MaxTTL rather than
// overflowing into an entry that expires at once, and that a negative TTL
// is an error.
func testHugeTTL(t *testing.T, s *suite) {
	c := s.open(t, config{})
	tests := []struct {
		name string
		ttl  time.Duration
	}{
		{"max int64", math.MaxInt64},
		{"250 years", 250 * 365 * 24 * time.Hour},
		{"MaxTTL", cache.MaxTTL},
	}
	// Jitter draws each lifetime: 20 keys per TTL, so that an overflow
	// that only some draws hit shows.
	for _, tt := range tests {
		for i := range 20 {
			key := fmt.Sprint(tt.name, i)
			if err := c.SetWithTTL(t.Context(), key, item(1), tt.ttl); err != nil {
				t.Fatalf("SetWithTTL(%v) error = %v", tt.ttl, err)
			}
			wantItem(t, c, key, item(1))
		}
	}
	s.clock.Advance(5 * 365 * 24 * time.Hour)
	for _, tt := range tests {
		for i := range 20 {
			wantItem(t, c, fmt.Sprint(tt.name, i), item(1))
		}
	}
	if err := c.SetWithTTL(t.Context(), "negative", item(1), -time.Second); !errors.Is(err, prodready.ErrInvalid) {
		t.Fatalf("SetWithTTL(-1s) error = %v, want ErrInvalid", err)
	}
}
