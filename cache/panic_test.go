package cache_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
)

// panicky panics when it is encoded, as a buggy MarshalJSON would.
type panicky struct{ N int }

func (panicky) MarshalJSON() ([]byte, error) { panic("boom in MarshalJSON") }

// TestStorePanics checks that a Codec or Weigher that panics while a value
// is stored does not take the process down: a load hands its value to its
// waiters unstored, counted as a codec error, and gives its lease back;
// Set returns a *PanicError.
//
// Found in the second review of the cache package (commit 8b16f2e,
// "cache: second review"); the test was in review2_fixes_test.go.
func TestStorePanics(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		remote bool
		cfg    prodready.Base
		opts   *cache.Options
	}{
		// The default weigher no longer encodes the value (it walks it, see
		// deepsize.go), so no user code of the value runs there.
		{"memory Weigher", false, prodready.Base{CacheMaxMemory: prodready.MemorySize{Bytes: 1 << 20}}, &cache.Options{Weigher: func(string, any) int { panic("boom in Weigher") }}},
		{"remote codec", true, prodready.Base{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var c *cache.Cache[panicky]
			var server *fakeServer
			if tt.remote {
				server = newFakeServer()
				cfg := prodready.Base{CacheBackend: prodready.CacheRedis, CacheURL: fakeURL(t), CacheNamespace: "ns"}
				var err error
				c, err = cache.NewWithBackend[panicky](t.Context(), cfg, tt.opts, &fakeLocker{fakeBackend{s: server, ns: "ns"}})
				if err != nil {
					t.Fatal(err)
				}
			} else {
				var err error
				c, err = cache.New[panicky](t.Context(), tt.cfg, tt.opts)
				if err != nil {
					t.Fatal(err)
				}
			}
			defer c.Close()
			v, err := c.GetOrLoad(t.Context(), "k", func(context.Context) (panicky, error) { return panicky{1}, nil })
			if err != nil || v.N != 1 {
				t.Fatalf("GetOrLoad = %+v, %v, want the loaded value", v, err)
			}
			if got := c.Stats().CodecErrors; got != 1 {
				t.Errorf("CodecErrors = %d, want 1", got)
			}
			if _, ok, err := c.Get(t.Context(), "k"); ok || err != nil {
				t.Errorf("Get = %v, %v, want a miss: the value was not stored", ok, err)
			}
			if server != nil {
				server.mu.Lock()
				n := len(server.locks)
				server.mu.Unlock()
				if n != 0 {
					t.Errorf("%d leases held after the load, want 0", n)
				}
			}
			err = c.Set(t.Context(), "k", panicky{2})
			if pe := (*cache.PanicError)(nil); !errors.As(err, &pe) {
				t.Fatalf("Set = %v, want a *PanicError", err)
			}
		})
	}
}

// TestUnmarshalPanic checks that a Codec that panics while it decodes an
// entry makes a miss counted as a codec error, not a crash.
//
// Found in the second review of the cache package (commit 8b16f2e,
// "cache: second review"); the test was in review2_fixes_test.go.
func TestUnmarshalPanic(t *testing.T) {
	t.Parallel()
	server := newFakeServer()
	server.put("ns", "k", cache.EncodeEnvelope[unpanicky](nil, false, math.MaxInt64, 0, time.Hour, []byte(`{}`)))
	cfg := prodready.Base{CacheBackend: prodready.CacheRedis, CacheURL: fakeURL(t), CacheNamespace: "ns"}
	c, err := cache.NewWithBackend[unpanicky](t.Context(), cfg, nil, &fakeBackend{s: server, ns: "ns"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, ok, err := c.Get(t.Context(), "k"); ok || err != nil {
		t.Fatalf("Get = %v, %v, want a miss", ok, err)
	}
	if got := c.Stats().CodecErrors; got != 1 {
		t.Fatalf("CodecErrors = %d, want 1", got)
	}
}

type unpanicky struct{}

func (*unpanicky) UnmarshalJSON([]byte) error { panic("boom in UnmarshalJSON") }
