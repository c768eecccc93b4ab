package cachetest

import (
	"context"
	"encoding/binary"
	"errors"
	"log/slog"
	"math"
	"testing"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
)

// A RawFactory returns a Backend on the same server as the caches of a
// Factory, under namespace, that reads and writes raw entry bytes: what
// anyone who can write to the cache server can do. The suite closes it.
type RawFactory func(t *testing.T, namespace string) cache.Backend

// Envelope offsets (see the envelope format in docs/CACHE.md): the flags
// byte, the expiry, and where the value starts after the 16-byte MAC.
const (
	envFlags   = 1
	envExpires = 2
	envPayload = 50
)

// RunEntryAuth checks that a Cache on the backend never serves an entry
// that was not written by a Cache holding its SecretKey (or a fallback)
// for the same namespace and key: entries forged or altered on the server
// are misses, counted in [cache.Stats].AuthFailures. raw writes the forged
// bytes.
//
// Found: entries were not authenticated, so whoever could write to the
// server could make an entry live past CACHE_TTL, or plant a negative
// entry that made a real item "not found".
func RunEntryAuth(t *testing.T, newCache Factory, raw RawFactory) {
	t.Helper()
	ctx := t.Context()
	type fixture struct {
		clock *Clock
		ns    string
		key   prodready.Secret
		raw   cache.Backend
	}
	setup := func(t *testing.T) *fixture {
		f := &fixture{clock: &Clock{}, ns: Namespace(t), key: Key(t)}
		f.raw = raw(t, f.ns)
		t.Cleanup(func() { _ = f.raw.Close() })
		return f
	}
	// open returns a new Cache (with an empty near cache) of the fixture,
	// under key and fallbacks.
	open := func(t *testing.T, f *fixture, key prodready.Secret, fallbacks ...prodready.Secret) *cache.Cache[Item] {
		t.Helper()
		cfg := prodready.Base{CacheTTL: time.Minute, CacheMaxSize: 100, CacheNamespace: f.ns, SecretKey: key, SecretKeyFallbacks: fallbacks}
		c, err := newCache(t, cfg, &cache.Options{Now: f.clock.Now, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatalf("new cache: %v", err)
		}
		return c
	}
	// written stores it under k with a Cache under the fixture's key and
	// returns the raw entry.
	written := func(t *testing.T, f *fixture, k string, it Item) []byte {
		t.Helper()
		if err := open(t, f, f.key).Set(ctx, k, it); err != nil {
			t.Fatalf("Set: %v", err)
		}
		b, ok, err := f.raw.Get(ctx, k)
		if err != nil || !ok || len(b) < envPayload {
			t.Fatalf("raw Get = %d bytes, %v, %v; want the entry", len(b), ok, err)
		}
		return b
	}
	put := func(t *testing.T, f *fixture, k string, b []byte) {
		t.Helper()
		if err := f.raw.Set(ctx, k, b, time.Hour); err != nil {
			t.Fatalf("raw Set: %v", err)
		}
	}
	// wantRejected checks that reading k is a miss counted in AuthFailures.
	wantRejected := func(t *testing.T, c *cache.Cache[Item], k string) {
		t.Helper()
		v, ok, err := c.Get(ctx, k)
		if err != nil || ok {
			t.Errorf("Get(%q) = %+v, %v, %v; want a miss", k, v, ok, err)
		}
		if st := c.Stats(); st.AuthFailures != 1 || st.Misses != 1 {
			t.Errorf("Stats = %+v, want AuthFailures 1 and Misses 1", st)
		}
	}
	real := Item{ID: 7, Name: "real"}

	t.Run("ForgedBeyondTTL", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		b := written(t, f, "k", real)
		binary.BigEndian.PutUint64(b[envExpires:], math.MaxInt64) // live forever
		put(t, f, "k", b)
		f.clock.Advance(2 * time.Minute) // past CACHE_TTL
		wantRejected(t, open(t, f, f.key), "k")
	})
	t.Run("ForgedNegative", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		b := written(t, f, "k", real)
		b[envFlags] |= 1 // negative: "not found"
		put(t, f, "k", b[:envPayload])
		c := open(t, f, f.key)
		got, err := c.GetOrLoad(ctx, "k", func(context.Context) (Item, error) { return real, nil })
		if errors.Is(err, cache.ErrNotFound) || err != nil || got.Name != real.Name {
			t.Errorf("GetOrLoad = %+v, %v; want the loader's %+v, not a forged not-found", got, err, real)
		}
		if st := c.Stats(); st.AuthFailures != 1 {
			t.Errorf("Stats = %+v, want AuthFailures 1", st)
		}
	})
	// A forged entry that the server keeps for an hour must not keep the
	// loaded value out of the cache: the miss's lease replaces an entry
	// that fails its MAC, so the next read is a hit. (Found when the lease
	// moved into the key: a planted entry then kept every load of its key
	// from storing until the server expired it.)
	t.Run("ForgedEntryIsReplacedByTheLoad", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		b := written(t, f, "k", Item{ID: 7, Name: "stale"})
		b[len(b)-2] ^= 1
		put(t, f, "k", b)
		c := open(t, f, f.key)
		loads := 0
		load := func(context.Context) (Item, error) { loads++; return real, nil }
		for i := range 2 {
			got, err := c.GetOrLoad(ctx, "k", load)
			if err != nil || got.Name != real.Name {
				t.Fatalf("GetOrLoad #%d = %+v, %v; want the loader's %+v", i+1, got, err, real)
			}
		}
		if loads != 1 {
			t.Errorf("loader ran %d times, want 1: the loaded value was not stored over the forged entry", loads)
		}
		// Another instance (an empty near cache) reads the stored value.
		if v, ok, err := open(t, f, f.key).Get(ctx, "k"); err != nil || !ok || v.Name != real.Name {
			t.Errorf("Get from a new cache = %+v, %v, %v; want the loaded %+v", v, ok, err, real)
		}
	})
	t.Run("CorruptedValue", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		b := written(t, f, "k", real)
		b[len(b)-2] ^= 1
		put(t, f, "k", b)
		wantRejected(t, open(t, f, f.key), "k")
	})
	t.Run("CopiedToAnotherKey", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		put(t, f, "other", written(t, f, "k", real))
		c := open(t, f, f.key)
		wantRejected(t, c, "other")
		if v, ok, err := c.Get(ctx, "k"); err != nil || !ok || v.Name != real.Name {
			t.Errorf("Get(k) = %+v, %v, %v; want the original, still valid", v, ok, err)
		}
	})
	t.Run("CopiedToAnotherNamespace", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		b := written(t, f, "k", real)
		g := setup(t)
		g.key = f.key // the same SECRET_KEY, another service's namespace
		put(t, g, "k", b)
		wantRejected(t, open(t, g, g.key), "k")
	})
	t.Run("ForeignKey", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		written(t, f, "k", real)
		wantRejected(t, open(t, f, Key(t)), "k")
	})
	t.Run("FallbackKey", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		written(t, f, "k", real) // under the old key
		c := open(t, f, Key(t), Key(t), f.key)
		if v, ok, err := c.Get(ctx, "k"); err != nil || !ok || v.Name != real.Name {
			t.Errorf("Get under a fallback key = %+v, %v, %v; want the entry", v, ok, err)
		}
		if st := c.Stats(); st.AuthFailures != 0 {
			t.Errorf("Stats = %+v, want no AuthFailures", st)
		}
	})
	t.Run("NewWritesUseTheCurrentKey", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		current := Key(t)
		if err := open(t, f, current, f.key).Set(ctx, "k", real); err != nil {
			t.Fatalf("Set: %v", err)
		}
		// A cache that knows only the old key rejects it; one that
		// knows only the new key accepts it.
		wantRejected(t, open(t, f, f.key), "k")
		if v, ok, err := open(t, f, current).Get(ctx, "k"); err != nil || !ok || v.Name != real.Name {
			t.Errorf("Get under the current key = %+v, %v, %v; want the entry", v, ok, err)
		}
	})
}
