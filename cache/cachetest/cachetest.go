// Package cachetest is the conformance suite of package cache: every
// backend's tests call [Run], which checks that a [cache.Cache] on that
// backend keeps the promises of package cache.
//
// A test of a server-backed backend looks like this:
//
//	func TestConformance(t *testing.T) {
//		url := serverURL(t) // skips when no server answers
//		cachetest.Run(t, func(t *testing.T, cfg prodready.Base, opts *cache.Options) (*cache.Cache[cachetest.Item], error) {
//			cfg.CacheBackend, cfg.CacheURL = prodready.CacheRedis, url
//			c, err := cache.New[cachetest.Item](t.Context(), cfg, opts)
//			if err == nil {
//				t.Cleanup(func() { c.Close() })
//			}
//			return c, err
//		})
//	}
//
// The suite's subtests run in parallel. Each gets its own namespace, so
// they can share one server with each other and with other test binaries.
// Time moves through an injected clock ([cache.Options].Now), so the suite
// never waits for an entry to expire; it leaves the server's own expiry an
// hour or more, except in the jitter test, which gives entries up to two
// minutes. The tests of a Set or Delete racing a load run the race many
// times; to check that a second loader does not start while a superseded
// one runs, DeleteDuringLoad watches for 50ms of real time.
package cachetest

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
)

// An Item is the value type the suite stores: a struct with a slice, so a
// codec has something to encode.
type Item struct {
	ID   int      `json:"id"`
	Name string   `json:"name"`
	Tags []string `json:"tags,omitempty"`
}

// A Factory builds the Cache under test. The suite fills cfg's TTL, MaxSize
// and Namespace and opts; the Factory sets cfg.CacheBackend and cfg.CacheURL, calls
// [cache.New] and registers Close with t.Cleanup. It returns New's error as
// is, or skips t when the backend's server is missing.
type Factory func(t *testing.T, cfg prodready.Base, opts *cache.Options) (*cache.Cache[Item], error)

// Run runs the conformance suite against the caches newCache builds. Each
// subtest calls t.Parallel.
func Run(t *testing.T, newCache Factory) {
	t.Helper()
	tests := []struct {
		name string
		run  func(t *testing.T, s *suite)
	}{
		{"GetSetDelete", testGetSetDelete},
		{"TTLExpiry", testTTLExpiry},
		{"PerCallTTL", testPerCallTTL},
		{"JitterBounds", testJitterBounds},
		{"SingleFlight", testSingleFlight},
		{"WaiterCancel", testWaiterCancel},
		{"LoaderErrorNotCached", testLoaderErrorNotCached},
		{"LoaderPanic", testLoaderPanic},
		{"NegativeCaching", testNegativeCaching},
		{"RefreshAhead", testRefreshAhead},
		{"SetDuringLoad", testSetDuringLoad},
		{"WriteDuringLoad", testWriteDuringLoad},
		{"DeleteDuringLoad", testDeleteDuringLoad},
		{"CloseSupersededLoad", testCloseSupersededLoad},
		{"PerCallTTLRefresh", testPerCallTTLRefresh},
		{"HugeTTL", testHugeTTL},
		{"CodecErrors", testCodecErrors},
		{"NamespaceIsolation", testNamespaceIsolation},
		{"Stats", testStats},
		{"Concurrent", testConcurrent},
		{"StressClose", testStressClose},
		{"Close", testClose},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.run(t, &suite{newCache: newCache, key: Key(t)})
		})
	}
}

// suite builds caches for one subtest.
type suite struct {
	newCache Factory
	clock    Clock
	key      prodready.Secret // the SecretKey of every cache of the subtest
}

// A Clock is a fake clock for [cache.Options].Now that moves only when
// told. The zero Clock reads 2026-01-01 00:00 UTC. It is safe for
// concurrent use.
type Clock struct {
	mu  sync.Mutex
	off time.Duration
}

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Now returns the clock's time.
func (k *Clock) Now() time.Time {
	k.mu.Lock()
	defer k.mu.Unlock()
	return epoch.Add(k.off)
}

// Advance moves the clock forward by d.
func (k *Clock) Advance(d time.Duration) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.off += d
}

// config is what open gives a Cache; zero fields take the suite's defaults.
type config struct {
	ttl       time.Duration // default one hour
	namespace string        // default a fresh one
	opts      cache.Options // Now is set to the suite's clock
}

func (s *suite) open(t *testing.T, cf config) *cache.Cache[Item] {
	t.Helper()
	cfg := prodready.Base{CacheTTL: cf.ttl, CacheMaxSize: 10_000, CacheNamespace: cf.namespace, SecretKey: s.key}
	if cfg.CacheTTL == 0 {
		cfg.CacheTTL = time.Hour
	}
	if cfg.CacheNamespace == "" {
		cfg.CacheNamespace = Namespace(t)
	}
	opts := cf.opts
	opts.Now = s.clock.Now
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	c, err := s.newCache(t, cfg, &opts)
	if err != nil {
		t.Fatalf("new cache: %v", err)
	}
	return c
}

// Key returns a random SecretKey for the caches of a test: the redis and
// memcached backends authenticate their entries with it, and refuse to
// open without one.
func Key(tb testing.TB) prodready.Secret {
	tb.Helper()
	return prodready.NewSecret(rand.Text() + rand.Text())
}

// Namespace returns a namespace no other test uses: the test's name and
// random bytes.
func Namespace(t testing.TB) string {
	t.Helper()
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, t.Name())
	if len(name) > 40 {
		name = name[len(name)-40:]
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "ct-" + name + "-" + hex.EncodeToString(b)
}
