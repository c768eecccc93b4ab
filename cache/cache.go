package cache

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache/internal/engine"
)

// A Cache holds values of type V under string keys, in process (the memory
// backend) or on a redis or memcached server. Build one with [New].
//
// A Cache is safe for concurrent use by multiple goroutines. The memory
// backend hands every reader the stored V itself: a V that holds pointers,
// slices or maps is shared, and must not be modified after it is stored.
type Cache[V any] struct {
	closed  atomic.Bool
	mem     *engine.Engine[memEntry[V]] // the memory backend, or nil
	neg     *engine.Engine[struct{}]    // its negative entries, with NegativeTTL
	refresh bool                        // o.RefreshAhead > 0
	lookups lookupCounter

	remote Backend // the redis or memcached backend, or nil
	locker Locker  // remote as a Locker, or nil

	kind      prodready.CacheBackend
	url       string  // CACHE_URL with its credentials redacted; empty for memory
	o         Options // with defaults
	now       func() time.Time
	ttl       time.Duration
	fp        uint64 // fingerprint of V and the Codec, in every envelope
	minWeight uint64 // the least weight of an entry, so MaxMemory also bounds MaxSize
	// countBound is MaxSize when it bounds the cache beside MaxMemory
	// (Sizing.MaxEntries); 0 otherwise.
	countBound uint64
	weighs     bool // MaxMemory is set: memory entries carry their weight
	// redact removes the URL's credentials from error text. It is a func so
	// that no rendering of a Cache (fmt verbs, %#v included) can reach the
	// strings it looks for.
	redact func(error) error
	errlog *errorLog
	expvar *expvarBinding // the Cache's expvar publication, or nil
	auth   *entryAuth     // seals and verifies remote envelopes; nil for none

	slow   slowCounters
	seed   maphash.Seed
	wg     sync.WaitGroup // running loads
	shards [numShards]shard[V]
	gens   generations // write generations, see generation.go

	unsettled unsettled // keys of failed writes, see unsettled.go

	metrics *cacheMetrics // nil without Options.MeterProvider, see metrics.go
	auto    *autosizer    // CACHE_AUTOSIZE's loop, or nil; see autosize_loop.go
}

// New returns a Cache built from a loaded configuration: any struct that
// embeds prodready.Base, or a Base (see [prodready.Settings]). New reads
// its CACHE_* settings as [prodready.Base.CacheConfig] gives them, cfg
// below:
//
//   - cfg.Backend selects the backend: "" or memory keeps entries in process
//     (see docs/CACHE.md, "The memory backend"); redis and memcached
//     connect to cfg.URL, and need their package imported (see Backends
//     in the package documentation).
//   - cfg.TTL is the lifetime of entries (jittered, see [Options].Jitter).
//     If it is zero, 5 minutes is used.
//   - cfg.MaxSize bounds the number of entries of the memory backend. If it
//     is zero, 1024 is used, unless cfg.MaxMemory is set: then only the
//     memory is bounded.
//   - cfg.MaxMemory, when positive, bounds the weight of the memory
//     backend's entries in bytes (see [Options].Weigher). With both bounds,
//     every entry weighs at least MaxMemory/MaxSize, so both hold.
//   - cfg.Namespace prefixes the keys on a server; the memory backend, which
//     nothing shares, ignores it. It must not contain ':', the separator
//     the backends put between it and the key (namespace "a" with key
//     "b:c" would otherwise be namespace "a:b" with key "c").
//   - cfg.TTL and every other lifetime above [MaxTTL] are cut to MaxTTL.
//
// ctx bounds the connection to a server; it is not kept. A nil opts means
// the zero Options.
//
// The error of a redis or memcached backend that cannot be built names
// CACHE_URL and shows the URL with its password redacted. A missing URL
// wraps [prodready.ErrMissing], an unknown backend or a negative setting
// [prodready.ErrInvalid], as does a CACHE_NAMESPACE with a ':' and a
// redis or memcached backend whose package the program does not import.
func New[V any](ctx context.Context, settings prodready.Settings, opts *Options) (*Cache[V], error) {
	if settings == nil {
		return nil, errors.New("cache: nil configuration")
	}
	cfg := settings.BaseConfig().CacheConfig()
	if err := linked(cfg.Backend); err != nil {
		return nil, err
	}
	return build[V](ctx, cfg, opts, openBackend)
}

// opener builds the Backend of a redis or memcached configuration.
type opener func(ctx context.Context, cfg prodready.CacheConfig, opts *Options) (Backend, error)

// build is New with the Backend built by open, so tests can plug one in.
func build[V any](ctx context.Context, cfg prodready.CacheConfig, opts *Options, open opener) (*Cache[V], error) {
	o := opts.withDefaults()
	switch {
	case cfg.TTL < 0:
		return nil, fmt.Errorf("cache: CACHE_TTL %v is negative: %w", cfg.TTL, prodready.ErrInvalid)
	case cfg.MaxSize < 0:
		return nil, fmt.Errorf("cache: CACHE_MAX_SIZE %d is negative: %w", cfg.MaxSize, prodready.ErrInvalid)
	case cfg.MaxMemory < 0:
		return nil, fmt.Errorf("cache: CACHE_MAX_MEMORY %d is negative: %w", cfg.MaxMemory, prodready.ErrInvalid)
	case strings.Contains(cfg.Namespace, ":"):
		return nil, fmt.Errorf("cache: CACHE_NAMESPACE %q contains ':', which the backends put between namespace and key, so namespaces could collide: %w", cfg.Namespace, prodready.ErrInvalid)
	}
	kind := prodready.CacheBackend(strings.ToLower(string(cfg.Backend)))
	if kind == "" {
		kind = prodready.CacheMemory
	}
	c := &Cache[V]{
		refresh: o.RefreshAhead > 0,
		kind:    kind,
		o:       o,
		now:     o.Now,
		ttl:     min(cfg.TTL, MaxTTL),
		redact:  newRedactor(cfg.URL).clean,
		fp:      fingerprint[V](o.Codec),
		seed:    maphash.MakeSeed(),
	}
	if kind != prodready.CacheMemory && cfg.URL.IsSet() {
		c.url = cfg.URL.String()
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.ttl == 0 {
		c.ttl = defaultTTL
	}
	c.errlog = &errorLog{logger: o.Logger, interval: o.ErrorLogInterval, backend: string(kind)}
	cfg, auto, err := autosizeConfig(cfg, kind)
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	switch kind {
	case prodready.CacheMemory:
		if err := c.openMemory(cfg); err != nil {
			return nil, fmt.Errorf("cache: memory backend: %w", err)
		}
		if err := c.startAutosize(auto, c.memSizer()); err != nil {
			_ = c.Close()
			return nil, fmt.Errorf("cache: memory backend: %w", err)
		}
	case prodready.CacheRedis, prodready.CacheMemcached:
		if !cfg.URL.IsSet() {
			return nil, fmt.Errorf("cache: CACHE_URL is required by the %s backend: %w", kind, prodready.ErrMissing)
		}
		cfg.Backend = kind
		if cfg.SecretKey.IsSet() {
			a, err := newEntryAuth(cfg)
			if err != nil {
				return nil, fmt.Errorf("cache: %s backend: %w: %w", kind, err, prodready.ErrInvalid)
			}
			c.auth = a
		}
		b, err := open(ctx, cfg, &c.o)
		if err != nil {
			return nil, fmt.Errorf("cache: %s backend at CACHE_URL %s: %w", kind, cfg.URL.String(), c.redact(err))
		}
		if b == nil {
			return nil, fmt.Errorf("cache: %s backend at CACHE_URL %s: no backend", kind, cfg.URL.String())
		}
		c.remote = b
		c.locker, _ = b.(Locker)
	default:
		return nil, fmt.Errorf("cache: CACHE_BACKEND %q: want memory, redis or memcached: %w", cfg.Backend, prodready.ErrInvalid)
	}
	if o.ExpvarName != "" {
		b, err := bindExpvar(o.ExpvarName, func() any { return c.Stats().expvarValue() })
		if err != nil {
			_ = c.Close()
			return nil, fmt.Errorf("cache: %w", err)
		}
		c.expvar = b
	}
	if o.MeterProvider != nil {
		if err := c.startMetrics(cfg); err != nil {
			_ = c.Close()
			return nil, fmt.Errorf("cache: metrics: %w", err)
		}
	}
	return c, nil
}

// Backend returns the backend the Cache uses: memory, redis or memcached.
func (c *Cache[V]) Backend() prodready.CacheBackend { return c.kind }

// Get returns the value stored under key. ok is false when there is none.
//
// A key whose loader recently reported ErrNotFound (see
// [Options].NegativeTTL) returns an error wrapping ErrNotFound. A backend
// that fails returns its error (counted in [Stats].BackendErrors and
// logged); an entry that does not decode is a miss with a nil error
// (counted in [Stats].CodecErrors). After Close, Get returns ErrClosed.
//
// Get never loads and never starts a refresh.
func (c *Cache[V]) Get(ctx context.Context, key string) (v V, ok bool, err error) {
	if c.mem != nil {
		// Close empties the memory backend, so only a miss needs to check
		// for it: the hit path stays as lean as the engine's own.
		if e, ok := c.mem.GetIfPresent(key); ok {
			c.lookups.hit()
			return e.v, true, nil
		}
		if c.closed.Load() {
			return v, false, ErrClosed
		}
		if c.negativeHit(key) {
			c.lookups.hit()
			return v, false, ErrNotFound
		}
		c.lookups.miss()
		return v, false, nil
	}
	if c.closed.Load() {
		return v, false, ErrClosed
	}
	it, found, _, err := c.lookupRemote(ctx, key, true)
	if err != nil || !found {
		return v, false, err
	}
	v, err = it.result()
	return v, err == nil, err
}

// GetOrLoad returns the value stored under key, or calls loader to get it,
// stores it and returns it.
//
// Concurrent misses of a key in this process call one loader; the others
// wait for its result, each on its own ctx: a caller whose ctx ends gets
// ctx.Err() while the load goes on for the rest. At most one loader per
// key runs at a time in a process: a miss that follows a Set or Delete of
// a key whose load still runs starts a new load (it does not take the
// stale result), whose loader waits for the older one to return. On the
// redis and memcached backends a miss also takes a lease on the key (see
// [Options].LockLease), so processes sharing the server load it once; a
// miss that finds the lease taken polls for the value and for the lease
// for up to [Options].LockWait, and for at most half the time left before
// the deadline of its ctx, then loads itself.
//
// The loader runs on a goroutine of its own, with a context that carries
// the values of the ctx of the caller that started it but not its deadline
// or cancellation; [Options].LoadTimeout bounds it, from the moment it is
// called, and Close cancels it. The waits before the call (for another
// process's lease, for a superseded load) do not count against
// LoadTimeout, and end in a call of the loader.
// A background refresh (see [Options].RefreshAhead) outlives the request
// that started it, so its loader gets a context with no request values.
//
// The result is stored unless a Set or Delete of the key came while the
// loader ran: within a process, a Set or Delete that comes while the
// result is being written waits for that write (which [Options].Timeout
// bounds, and which is never abandoned) and then overwrites it. Between
// processes sharing a server, a miss's result is stored only while its
// lease, kept in the key itself, is still there: any Set or Delete of the
// key, from any process, ends it, so a load never stores a value over a
// later write (see docs/CACHE.md, "Coherence"). A load that did not get
// the lease returns its value without storing it.
//
// An error from loader is returned with the zero V and not stored, except
// an error wrapping ErrNotFound with [Options].NegativeTTL set. A loader
// that panics makes GetOrLoad return a [*PanicError] to every waiting
// caller; one that calls runtime.Goexit, an error; both count in
// [Stats].LoadErrors.
//
// GetOrLoad fails open: when the backend fails, it counts and logs the
// error and returns the loader's value. It returns ErrClosed after Close.
func (c *Cache[V]) GetOrLoad(ctx context.Context, key string, loader func(ctx context.Context) (V, error)) (V, error) {
	var since uint64 // for the remote backends, see shard.recent
	var g0 uint64    // the key's write generation at the miss, see generation.go
	degraded := false
	if c.mem != nil {
		if !c.refresh {
			if e, ok := c.mem.GetIfPresent(key); ok {
				c.lookups.hit()
				return e.v, nil
			}
		} else if e, ok := c.mem.GetEntry(key); ok {
			c.lookups.hit()
			if e.ExpiresAt-e.ReadAt <= c.window(e.Value.ttl) {
				c.start(ctx, key, loader, true, e.Value.ttl, 0, 0, false)
			}
			return e.Value.v, nil
		}
		var zero V
		if c.closed.Load() {
			return zero, ErrClosed
		}
		if c.negativeHit(key) {
			c.lookups.hit()
			return zero, ErrNotFound
		}
		c.lookups.miss()
		g0 = c.gen(key).Load()
	} else {
		if c.closed.Load() {
			var zero V
			return zero, ErrClosed
		}
		since = c.shard(key).done.Load()
		g0 = c.gen(key).Load()
		it, ok, now, err := c.lookupRemote(ctx, key, true)
		if err != nil && ctx.Err() != nil {
			var zero V
			return zero, ctx.Err()
		}
		if ok {
			if c.refresh && it.refreshAt != 0 && now >= it.refreshAt {
				c.start(ctx, key, loader, true, it.base, 0, 0, false)
			}
			return it.result()
		}
		degraded = err != nil
	}
	cl := c.start(ctx, key, loader, false, c.ttl, since, g0, degraded)
	if cl == nil {
		var zero V
		return zero, ErrClosed
	}
	select {
	case <-cl.done:
		return cl.v, cl.err
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}

// Set stores v under key for the configured TTL (jittered). It returns
// ErrClosed after Close (also when Close overtakes the write), and on the
// redis and memcached backends the error of a value that does not encode
// or of a backend that fails. A Codec or [Options].Weigher that panics on
// v makes Set return an error wrapping a [*PanicError], on every backend,
// and store nothing.
func (c *Cache[V]) Set(ctx context.Context, key string, v V) error {
	return c.SetWithTTL(ctx, key, v, 0)
}

// SetWithTTL is Set with a lifetime of ttl (jittered) instead of the
// configured TTL. A ttl of zero means the configured TTL; a ttl above
// [MaxTTL] means MaxTTL; a negative ttl is an error wrapping
// [prodready.ErrInvalid]. The entry keeps its TTL: its refresh-ahead window
// is RefreshAhead times ttl, and a refresh stores the reloaded value for
// ttl again.
func (c *Cache[V]) SetWithTTL(ctx context.Context, key string, v V, ttl time.Duration) error {
	if c.closed.Load() {
		return ErrClosed
	}
	switch {
	case ttl < 0:
		return fmt.Errorf("cache: ttl %v is negative: %w", ttl, prodready.ErrInvalid)
	case ttl == 0:
		ttl = c.ttl
	case ttl > MaxTTL:
		ttl = MaxTTL
	}
	sh := c.shard(key)
	if c.mem != nil {
		e, err := c.newMemEntry(key, v, ttl)
		if err != nil {
			return err
		}
		// Counted, then checked again: a Set that sees the Cache open
		// here is waited for by Close (see Close), so its entry cannot
		// land after Close emptied the cache. (The Weigher above, user
		// code, runs before the count: Close does not wait for it.)
		sh.writers.Add(1)
		defer sh.writers.Add(-1)
		if c.closed.Load() {
			return ErrClosed
		}
		c.wrote(key) // before the look at loading: see generation.go
		locked := sh.loading.Load() != 0
		if locked {
			sh.mu.Lock()
			sh.supersede(key)
		}
		c.mem.Set(key, e)
		if c.neg != nil {
			c.neg.Invalidate(key)
		}
		if locked {
			sh.mu.Unlock()
		}
		return nil
	}
	release := c.supersedeRemote(key)
	it := c.newItem(v, false, ttl)
	err := c.storeRemote(ctx, key, &it, nil)
	c.failedWrite(key, err)
	c.unlock(ctx, release)
	if err != nil && c.closed.Load() {
		return ErrClosed // Close came while the write was on the wire
	}
	return err
}

// Delete removes key. Deleting a missing key is not an error. It returns
// ErrClosed after Close (also when Close overtakes the delete), and on the
// redis and memcached backends the error of a backend that fails.
func (c *Cache[V]) Delete(ctx context.Context, key string) error {
	if c.closed.Load() {
		return ErrClosed
	}
	sh := c.shard(key)
	if c.mem != nil {
		c.wrote(key) // before the look at loading: see generation.go
		locked := sh.loading.Load() != 0
		if locked {
			sh.mu.Lock()
			sh.supersede(key)
		}
		c.mem.Invalidate(key)
		if c.neg != nil {
			c.neg.Invalidate(key)
		}
		if locked {
			sh.mu.Unlock()
		}
		return nil
	}
	release := c.supersedeRemote(key)
	err := c.remote.Delete(ctx, key)
	c.failedWrite(key, err)
	c.unlock(ctx, release)
	if err != nil && c.closed.Load() {
		return ErrClosed // Close came while the delete was on the wire
	}
	if err != nil {
		err = c.backendError("delete", err)
		return fmt.Errorf("cache: delete: %w", err)
	}
	return nil
}

// Close cancels the running loads, superseded ones included, and waits for
// their goroutines (a store already on the wire is awaited, for up to
// [Options].Timeout), stops the memory backend's goroutines and drops its
// entries, and closes the redis or memcached backend. Every method but
// Stats returns ErrClosed afterwards (a call that runs concurrently with
// Close may still complete normally, or return ErrClosed). Close frees the Cache's
// [Options].ExpvarName for a later Cache, leaving the final counts
// published until then. Close is idempotent: later calls return nil. A
// loader that ignores its context delays Close until it returns.
func (c *Cache[V]) Close() error {
	if !c.closed.CompareAndSwap(false, true) {
		return nil
	}
	// Taking every shard's lock after setting closed orders each load's
	// wg.Add before the Wait below: start adds under the lock, and only
	// while the Cache is open.
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.Lock()
		for cl := range sh.running {
			cl.cancel()
		}
		sh.mu.Unlock()
	}
	c.stopRepair()
	c.stopAutosize()
	c.wg.Wait()
	if c.mem != nil {
		// A Set that saw the Cache open has counted itself in writers
		// before it looked (and both are sequentially consistent atomics):
		// wait for it, so that its entry is dropped below, not left
		// behind for a Get after Close to find.
		for i := range c.shards {
			for c.shards[i].writers.Load() != 0 {
				runtime.Gosched()
			}
		}
		c.mem.Stop()
	}
	if c.neg != nil {
		c.neg.Stop()
	}
	if c.expvar != nil {
		c.expvar.unbind(c.Stats().expvarValue())
	}
	c.stopMetrics()
	if c.remote != nil {
		if err := c.remote.Close(); err != nil {
			return fmt.Errorf("cache: close %s backend: %w", c.kind, c.redact(err))
		}
	}
	return nil
}
