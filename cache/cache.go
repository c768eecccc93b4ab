package cache

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"math"
	"math/rand/v2"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/maypok86/otter/v2"

	"github.com/prodready/prodready"
)

// A Cache holds values of type V under string keys, in process (the memory
// backend) or on a redis or memcached server. Build one with [New].
//
// A Cache is safe for concurrent use by multiple goroutines. The memory
// backend hands every reader the stored V itself: a V that holds pointers,
// slices or maps is shared, and must not be modified after it is stored.
type Cache[V any] struct {
	closed  atomic.Bool
	mem     *otter.Cache[string, V]        // the memory backend, or nil
	neg     *otter.Cache[string, struct{}] // its negative entries, with NegativeTTL
	refresh bool                           // o.RefreshAhead > 0
	window  int64                          // refresh-ahead window of the memory backend, ns
	lookups lookupCounter

	remote Backend // the redis or memcached backend, or nil
	locker Locker  // remote as a Locker, or nil

	kind      prodready.CacheBackend
	o         Options // with defaults
	now       func() time.Time
	ttl       time.Duration
	minWeight uint64 // the least weight of an entry, so MaxMemory also bounds MaxSize
	redact    redactor
	errlog    *errorLog

	slow   slowCounters
	seed   maphash.Seed
	wg     sync.WaitGroup // running loads
	shards [numShards]shard[V]
}

// numShards is the number of locks guarding the in-flight loads.
const numShards = 64

// A shard holds the in-flight loads of the keys that hash to it.
type shard[V any] struct {
	mu    sync.Mutex
	calls map[string]*call[V]
	// loading is len(calls), written under mu, read without it by the
	// memory backend's Set and Delete: with no load in flight they need
	// not take mu. (A load that starts meanwhile runs its loader after the
	// write began, and stores what the source held by then.)
	loading atomic.Int32

	// On the redis and memcached backends, a miss whose lookup began before
	// a load of its key finished, and which reaches start after the load
	// left calls, takes the load's result from recent instead of loading
	// again: done counts the loads finished in the shard, and each recent
	// slot remembers one by its count. (The memory backend looks at its
	// entries again under mu instead.)
	done   atomic.Uint64
	recent [recentLoads]recentLoad[V]
	_      [32]byte // keep shards on their own cache lines
}

// recentLoads is the number of finished loads a shard remembers.
const recentLoads = 4

type recentLoad[V any] struct {
	key string
	seq uint64 // the shard's done count after the load; 0 for an empty slot
	cl  *call[V]
}

// A call is one load of a key, shared by every GetOrLoad of the key that
// arrives while it runs.
type call[V any] struct {
	done   chan struct{} // closed when v and err are set
	v      V
	err    error
	cancel context.CancelFunc

	// superseded is set, under the shard's lock, when a Set or Delete of the
	// key makes the load's result stale: it is then returned to its waiters
	// but not stored.
	superseded bool

	// degraded is set for a load that began after the remote backend
	// failed to answer the lookup: it neither takes the lease nor stores
	// its result, so a dead or hung server costs a miss one timeout, not
	// three.
	degraded bool
}

// An item is an entry of the redis and memcached backends, decoded. The
// memory backend stores V itself in otter, which keeps the lifetime, and
// its negative entries in a second otter cache, so that its hit path reads
// exactly what otter's does.
type item[V any] struct {
	v         V
	ttl       time.Duration // jittered lifetime
	refreshAt int64         // Unix nanoseconds from which a read refreshes; 0 for never
	negative  bool          // a cached ErrNotFound
}

// result returns the item's value, or ErrNotFound for a negative item.
func (it *item[V]) result() (V, error) {
	if it.negative {
		var zero V
		return zero, ErrNotFound
	}
	return it.v, nil
}

// New returns a Cache built from cfg:
//
//   - cfg.Backend selects the backend: "" or memory keeps entries in process
//     (an otter W-TinyLFU cache); redis and memcached connect to cfg.URL.
//   - cfg.TTL is the lifetime of entries (jittered, see [Options].Jitter).
//     If it is zero, 5 minutes is used.
//   - cfg.MaxSize bounds the number of entries of the memory backend. If it
//     is zero, 1024 is used, unless cfg.MaxMemory is set: then only the
//     memory is bounded.
//   - cfg.MaxMemory, when positive, bounds the weight of the memory
//     backend's entries in bytes (see [Options].Weigher). With both bounds,
//     every entry weighs at least MaxMemory/MaxSize, so both hold.
//   - cfg.Namespace prefixes the keys on a server; the memory backend, which
//     nothing shares, ignores it.
//
// ctx bounds the connection to a server; it is not kept. A nil opts means
// the zero Options.
//
// The error of a redis or memcached backend that cannot be built names
// CACHE_URL and shows the URL with its password redacted. A missing URL
// wraps [prodready.ErrMissing], an unknown backend or a negative setting
// [prodready.ErrInvalid].
func New[V any](ctx context.Context, cfg prodready.CacheConfig, opts *Options) (*Cache[V], error) {
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
		ttl:     cfg.TTL,
		redact:  newRedactor(cfg.URL),
		seed:    maphash.MakeSeed(),
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.ttl == 0 {
		c.ttl = defaultTTL
	}
	c.errlog = &errorLog{logger: o.Logger, interval: o.ErrorLogInterval, backend: string(kind)}
	switch kind {
	case prodready.CacheMemory:
		if err := c.openMemory(cfg); err != nil {
			return nil, fmt.Errorf("cache: memory backend: %w", err)
		}
	case prodready.CacheRedis, prodready.CacheMemcached:
		if !cfg.URL.IsSet() {
			return nil, fmt.Errorf("cache: CACHE_URL is required by the %s backend: %w", kind, prodready.ErrMissing)
		}
		cfg.Backend = kind
		b, err := open(ctx, cfg, &c.o)
		if err != nil {
			return nil, fmt.Errorf("cache: %s backend at CACHE_URL %s: %w", kind, cfg.URL.String(), c.redact.clean(err))
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
		if err := publish(o.ExpvarName, func() any { return c.Stats().expvarValue() }); err != nil {
			_ = c.Close()
			return nil, fmt.Errorf("cache: %w", err)
		}
	}
	return c, nil
}

// openMemory builds the otter caches of the memory backend. Lifetimes
// are jittered by the expiry calculator, at each write; SetWithTTL sets
// its own after the write.
func (c *Cache[V]) openMemory(cfg prodready.CacheConfig) error {
	var clk otter.Clock
	if c.o.Now != nil {
		clk = clock{c.o.Now}
	}
	logger := otterLogger{c.o.Logger}
	// Evictions are counted by a deletion hook, which runs only on
	// deletions. A StatsRecorder would be called, behind a recover, on
	// every hit.
	evictions := &c.slow.evictions
	oo := &otter.Options[string, V]{
		OnAtomicDeletion: func(e otter.DeletionEvent[string, V]) {
			if e.Cause.IsEviction() {
				evictions.Add(1)
			}
		},
		ExpiryCalculator: otter.ExpiryWritingFunc(func(e otter.Entry[string, V]) time.Duration {
			return c.lifetime(e.ExpiresAfter())
		}),
		Clock:  clk,
		Logger: logger,
	}
	maxSize := cfg.MaxSize
	switch {
	case cfg.MaxMemory > 0:
		oo.MaximumWeight = uint64(cfg.MaxMemory)
		oo.Weigher = c.weigh
		if cfg.MaxSize > 0 {
			c.minWeight = (uint64(cfg.MaxMemory) + uint64(cfg.MaxSize) - 1) / uint64(cfg.MaxSize)
		}
	case cfg.MaxSize > 0:
		oo.MaximumSize = cfg.MaxSize
	default:
		maxSize = defaultMaxSize
		oo.MaximumSize = maxSize
	}
	m, err := otter.New(oo)
	if err != nil {
		return err
	}
	if c.o.NegativeTTL > 0 {
		neg, err := otter.New(&otter.Options[string, struct{}]{
			MaximumSize: max(maxSize, defaultMaxSize),
			OnAtomicDeletion: func(e otter.DeletionEvent[string, struct{}]) {
				if e.Cause.IsEviction() {
					evictions.Add(1)
				}
			},
			ExpiryCalculator: otter.ExpiryWritingFunc(func(otter.Entry[string, struct{}]) time.Duration {
				return c.jitter(c.o.NegativeTTL)
			}),
			Clock:  clk,
			Logger: logger,
		})
		if err != nil {
			m.StopAllGoroutines()
			return err
		}
		c.neg = neg
	}
	c.mem = m
	c.window = int64(float64(c.ttl) * c.o.RefreshAhead)
	return nil
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
		// for it: the hit path stays as lean as otter's own.
		if v, ok := c.mem.GetIfPresent(key); ok {
			c.lookups.hit()
			return v, true, nil
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
// ctx.Err() while the load goes on for the rest. On the redis and
// memcached backends a miss also takes a lease on the key (see
// [Options].LockLease), so processes sharing the server load it once.
//
// The loader runs on a goroutine of its own, with a context that carries
// the values of the ctx of the caller that started it but not its deadline
// or cancellation; [Options].LoadTimeout bounds it and Close cancels it.
// Its result is stored unless a Set or Delete of the key came in the
// meantime.
//
// An error from loader is returned and not stored, except an error wrapping
// ErrNotFound with [Options].NegativeTTL set. A loader that panics makes
// GetOrLoad return a [*PanicError] to every waiting caller.
//
// GetOrLoad fails open: when the backend fails, it counts and logs the
// error and returns the loader's value. It returns ErrClosed after Close.
func (c *Cache[V]) GetOrLoad(ctx context.Context, key string, loader func(ctx context.Context) (V, error)) (V, error) {
	var since uint64 // for the remote backends, see shard.recent
	degraded := false
	if c.mem != nil {
		if !c.refresh {
			if v, ok := c.mem.GetIfPresent(key); ok {
				c.lookups.hit()
				return v, nil
			}
		} else if e, ok := c.mem.GetEntry(key); ok {
			c.lookups.hit()
			if e.ExpiresAtNano-e.SnapshotAtNano <= c.window {
				c.startRefresh(ctx, key, loader)
			}
			return e.Value, nil
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
	} else {
		if c.closed.Load() {
			var zero V
			return zero, ErrClosed
		}
		since = c.shard(key).done.Load()
		it, ok, now, err := c.lookupRemote(ctx, key, true)
		if err != nil && ctx.Err() != nil {
			var zero V
			return zero, ctx.Err()
		}
		if ok {
			if c.refresh && it.refreshAt != 0 && now >= it.refreshAt {
				c.startRefresh(ctx, key, loader)
			}
			return it.result()
		}
		degraded = err != nil
	}
	cl := c.start(ctx, key, loader, false, since, degraded)
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
// ErrClosed after Close, and on the redis and memcached backends the error
// of a value that does not encode or of a backend that fails.
func (c *Cache[V]) Set(ctx context.Context, key string, v V) error {
	return c.SetWithTTL(ctx, key, v, 0)
}

// SetWithTTL is Set with a lifetime of ttl (jittered) instead of the
// configured TTL. A ttl of zero or less means the configured TTL.
func (c *Cache[V]) SetWithTTL(ctx context.Context, key string, v V, ttl time.Duration) error {
	if c.closed.Load() {
		return ErrClosed
	}
	if ttl <= 0 {
		ttl = c.ttl
	}
	sh := c.shard(key)
	if c.mem != nil {
		locked := sh.loading.Load() != 0
		if locked {
			sh.mu.Lock()
			sh.supersede(key)
		}
		c.mem.Set(key, v)
		if ttl != c.ttl {
			c.mem.SetExpiresAfter(key, c.jitter(ttl))
		}
		if c.neg != nil {
			c.neg.Invalidate(key)
		}
		if locked {
			sh.mu.Unlock()
		}
		return nil
	}
	sh.mu.Lock()
	sh.supersede(key)
	sh.mu.Unlock()
	it := c.newItem(v, false, ttl)
	return c.storeRemote(ctx, key, &it)
}

// Delete removes key. Deleting a missing key is not an error. It returns
// ErrClosed after Close, and on the redis and memcached backends the error
// of a backend that fails.
func (c *Cache[V]) Delete(ctx context.Context, key string) error {
	if c.closed.Load() {
		return ErrClosed
	}
	sh := c.shard(key)
	if c.mem != nil {
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
	sh.mu.Lock()
	sh.supersede(key)
	sh.mu.Unlock()
	if err := c.remote.Delete(ctx, key); err != nil {
		err = c.backendError("delete", err)
		return fmt.Errorf("cache: delete: %w", err)
	}
	return nil
}

// Close cancels the running loads and waits for their goroutines, stops
// the goroutines of the backend, drops the memory backend's entries and
// closes the connections of the others. Every method but Stats returns
// ErrClosed afterwards (a call that runs concurrently with Close may still
// complete normally). Close is idempotent: later calls return nil. A loader
// that ignores its context delays Close until it returns.
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
		for _, cl := range sh.calls {
			cl.cancel()
		}
		sh.mu.Unlock()
	}
	c.wg.Wait()
	if c.mem != nil {
		c.mem.StopAllGoroutines()
		c.mem.InvalidateAll()
	}
	if c.neg != nil {
		c.neg.StopAllGoroutines()
		c.neg.InvalidateAll()
	}
	if c.remote != nil {
		if err := c.remote.Close(); err != nil {
			return fmt.Errorf("cache: close %s backend: %w", c.kind, c.redact.clean(err))
		}
	}
	return nil
}

func (c *Cache[V]) shard(key string) *shard[V] {
	return &c.shards[maphash.String(c.seed, key)&(numShards-1)]
}

// supersede detaches the in-flight load of key, if any, so that it does not
// store its result. sh.mu must be held.
func (sh *shard[V]) supersede(key string) {
	if cl, ok := sh.calls[key]; ok {
		cl.superseded = true
		delete(sh.calls, key)
		sh.loading.Add(-1)
	}
	for i := range sh.recent {
		if sh.recent[i].seq != 0 && sh.recent[i].key == key {
			sh.recent[i] = recentLoad[V]{}
		}
	}
}

// finished returns the load of key that finished after the shard's done
// count was since, if the shard remembers one. sh.mu must be held.
func (sh *shard[V]) finished(key string, since uint64) *call[V] {
	for i := range sh.recent {
		if r := &sh.recent[i]; r.seq > since && r.key == key {
			return r.cl
		}
	}
	return nil
}

// remember records cl, a finished load of key. sh.mu must be held.
func (sh *shard[V]) remember(key string, cl *call[V]) {
	seq := sh.done.Add(1)
	sh.recent[seq%recentLoads] = recentLoad[V]{key: key, seq: seq, cl: cl}
}

// start returns the in-flight load of key, starting one if there is none.
// A refresh starts only when none is in flight and the entry is still due,
// and returns nil. start returns nil after Close.
func (c *Cache[V]) start(ctx context.Context, key string, loader func(context.Context) (V, error), refresh bool, since uint64, degraded bool) *call[V] {
	sh := c.shard(key)
	sh.mu.Lock()
	if c.closed.Load() {
		sh.mu.Unlock()
		return nil
	}
	if cl, ok := sh.calls[key]; ok {
		sh.mu.Unlock()
		if refresh {
			return nil
		}
		return cl
	}
	if c.remote != nil && !refresh {
		if cl := sh.finished(key, since); cl != nil {
			sh.mu.Unlock()
			return cl
		}
	}
	if c.mem != nil {
		// A load that finished since our miss stored its value under this
		// lock before it left the map: look again, so that a crowd of
		// misses loads once.
		e, ok := c.mem.GetEntryQuietly(key)
		switch {
		case refresh && (!ok || e.ExpiresAtNano-e.SnapshotAtNano > c.window):
			sh.mu.Unlock()
			return nil
		case !refresh && ok:
			sh.mu.Unlock()
			return doneCall(e.Value, nil)
		case !refresh && c.neg != nil:
			if _, ok := c.neg.GetEntryQuietly(key); ok {
				sh.mu.Unlock()
				var zero V
				return doneCall(zero, ErrNotFound)
			}
		}
	}
	lctx := context.WithoutCancel(ctx)
	var cancel context.CancelFunc
	if c.o.LoadTimeout > 0 {
		lctx, cancel = context.WithTimeout(lctx, c.o.LoadTimeout)
	} else {
		lctx, cancel = context.WithCancel(lctx)
	}
	cl := &call[V]{done: make(chan struct{}), cancel: cancel, degraded: degraded}
	if sh.calls == nil {
		sh.calls = make(map[string]*call[V])
	}
	sh.calls[key] = cl
	sh.loading.Add(1)
	c.wg.Add(1)
	sh.mu.Unlock()
	go c.run(lctx, key, cl, loader, refresh)
	if refresh {
		return nil
	}
	return cl
}

// startRefresh starts a background reload of key unless one is running.
func (c *Cache[V]) startRefresh(ctx context.Context, key string, loader func(context.Context) (V, error)) {
	c.start(ctx, key, loader, true, 0, false)
}

// errNoReturn is the result of a loader that neither returned nor panicked
// (it called runtime.Goexit).
var errNoReturn = errors.New("cache: loader did not return")

// run performs the load cl of key and hands its result to the waiters.
func (c *Cache[V]) run(ctx context.Context, key string, cl *call[V], loader func(context.Context) (V, error), refresh bool) {
	defer c.wg.Done()
	defer cl.cancel()
	cl.err = errNoReturn
	stored := false
	var release func(context.Context) error
	defer func() {
		// Whatever happened, the lease is given back and the waiters are
		// released.
		if !stored {
			c.finish(ctx, key, cl, false, refresh, release)
		}
	}()

	if c.locker != nil && c.o.LockLease > 0 && !cl.degraded {
		var found bool
		release, found = c.lockOrWait(ctx, key, cl, refresh)
		if found {
			return
		}
	}
	cl.v, cl.err = c.invoke(ctx, loader)
	stored = true
	c.finish(ctx, key, cl, true, refresh, release)
}

// unlock gives back the cross-process lease, if one was taken.
func (c *Cache[V]) unlock(ctx context.Context, release func(context.Context) error) {
	if release == nil {
		return
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.o.Timeout)
	defer cancel()
	if err := release(rctx); err != nil {
		c.backendError("unlock", err)
	}
}

// lockOrWait takes the cross-process lease on key. When another process
// holds it, lockOrWait polls the backend for the value that process stores,
// for up to LockWait; found reports that cl has its result. A refresh of a
// key another process is loading is given up (found is true). A backend
// that fails is counted, and the load goes on without the lease.
func (c *Cache[V]) lockOrWait(ctx context.Context, key string, cl *call[V], refresh bool) (release func(context.Context) error, found bool) {
	lctx, cancel := context.WithTimeout(ctx, c.o.Timeout)
	release, ok, err := c.locker.TryLock(lctx, key, c.o.LockLease)
	cancel()
	switch {
	case err != nil:
		c.backendError("lock", err)
		return nil, false
	case ok:
		return release, false
	case refresh:
		cl.err = nil
		return nil, true
	}
	interval := min(max(c.o.LockWait/20, 5*time.Millisecond), 50*time.Millisecond)
	deadline := time.NewTimer(c.o.LockWait)
	defer deadline.Stop()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			cl.err = ctx.Err()
			return nil, true
		case <-deadline.C:
			return nil, false
		case <-tick.C:
		}
		it, ok, _, err := c.lookupRemote(ctx, key, false)
		if err != nil {
			return nil, false
		}
		if ok {
			cl.v, cl.err = it.result()
			return nil, true
		}
	}
}

// invoke calls loader, counting the load, and turns a panic into a
// *PanicError.
func (c *Cache[V]) invoke(ctx context.Context, loader func(context.Context) (V, error)) (v V, err error) {
	c.slow.loads.Add(1)
	defer func() {
		if r := recover(); r != nil {
			var zero V
			v, err = zero, &PanicError{Value: r, Stack: debug.Stack()}
		}
		if err != nil && !errors.Is(err, ErrNotFound) {
			c.slow.loadErrors.Add(1)
		}
	}()
	return loader(ctx)
}

// finish stores the result of cl (when store is set and no Set or Delete
// superseded it), gives back the cross-process lease (release, if not
// nil), removes cl from the in-flight loads and releases its waiters. The
// result is stored before the lease is given back and before cl leaves the
// in-flight loads, so that a miss that comes later, here or in another
// process, finds it; and the lease is free before the waiters return, so
// that their next miss or refresh can take it.
func (c *Cache[V]) finish(ctx context.Context, key string, cl *call[V], store, refresh bool, release func(context.Context) error) {
	sh := c.shard(key)
	act := actNone
	if store && ctx.Err() == nil {
		act = c.decide(cl, refresh)
	}
	if c.remote != nil && act != actNone && !cl.degraded {
		// Stored outside the lock: a slow server must not hold up the other
		// keys of the shard. A Set or Delete that comes during the store
		// may be overwritten, as between processes.
		sh.mu.Lock()
		superseded := cl.superseded
		sh.mu.Unlock()
		if !superseded {
			c.storeResult(ctx, key, cl, act)
		}
	}
	c.unlock(ctx, release)
	sh.mu.Lock()
	if c.mem != nil && !cl.superseded {
		switch act {
		case actStore:
			c.mem.Set(key, cl.v)
			if c.neg != nil {
				c.neg.Invalidate(key)
			}
		case actStoreNegative:
			c.neg.Set(key, struct{}{})
			c.mem.Invalidate(key)
		case actDelete:
			c.mem.Invalidate(key)
		}
	}
	if sh.calls[key] == cl {
		delete(sh.calls, key)
		sh.loading.Add(-1)
		if c.remote != nil && !refresh {
			sh.remember(key, cl)
		}
	}
	sh.mu.Unlock()
	close(cl.done)
}

// storeResult applies act, the fate of cl's result, to the remote backend.
func (c *Cache[V]) storeResult(ctx context.Context, key string, cl *call[V], act int) {
	switch act {
	case actStore:
		it := c.newItem(cl.v, false, c.ttl)
		_ = c.storeRemote(ctx, key, &it)
	case actStoreNegative:
		it := c.newItem(cl.v, true, c.o.NegativeTTL)
		_ = c.storeRemote(ctx, key, &it)
	case actDelete:
		if err := c.remote.Delete(ctx, key); err != nil {
			c.backendError("delete", err)
		}
	}
}

// What a load's result does to the stored entry.
const (
	actNone = iota
	actStore
	actStoreNegative
	actDelete
)

// decide returns what the result of cl does to the stored entry.
func (c *Cache[V]) decide(cl *call[V], refresh bool) int {
	switch {
	case cl.err == nil:
		return actStore
	case !errors.Is(cl.err, ErrNotFound):
		return actNone
	case c.o.NegativeTTL > 0:
		return actStoreNegative
	case refresh:
		return actDelete
	}
	return actNone
}

// doneCall returns a finished call with the result v, err.
func doneCall[V any](v V, err error) *call[V] {
	cl := &call[V]{done: make(chan struct{}), v: v, err: err}
	close(cl.done)
	return cl
}

// negativeHit reports whether the memory backend holds a negative entry
// for key.
func (c *Cache[V]) negativeHit(key string) bool {
	if c.neg == nil {
		return false
	}
	_, ok := c.neg.GetIfPresent(key)
	return ok
}

// newItem returns the remote entry for v with a jittered ttl.
func (c *Cache[V]) newItem(v V, negative bool, ttl time.Duration) item[V] {
	it := item[V]{ttl: c.jitter(ttl), negative: negative}
	if !negative {
		it.v = v
		if c.refresh {
			ahead := time.Duration(float64(it.ttl) * c.o.RefreshAhead)
			it.refreshAt = c.now().Add(it.ttl - ahead).UnixNano()
		}
	}
	return it
}

// lifetime returns the lifetime of a value written to the memory backend
// with the configured TTL, over an entry that had rest to live (rest is
// not positive for a new entry). It is the jittered TTL, except that a
// write never brings forward a deadline that is itself within the
// jittered range of the TTL: otter updates an entry in place only when its
// deadline does not move earlier, and replaces its node otherwise, which
// doubles the cost of a write. The lifetime stays within the jitter band.
func (c *Cache[V]) lifetime(rest time.Duration) time.Duration {
	d := c.jitter(c.ttl)
	if rest > d && float64(rest) <= float64(c.ttl)*(1+c.o.Jitter) {
		return rest
	}
	return d
}

// jitter returns ttl times a random factor in [1-Jitter, 1+Jitter].
func (c *Cache[V]) jitter(ttl time.Duration) time.Duration {
	if c.o.Jitter == 0 {
		return ttl
	}
	d := time.Duration(float64(ttl) * (1 + c.o.Jitter*(2*rand.Float64()-1)))
	if d <= 0 {
		d = 1
	}
	return d
}

// entryOverhead approximates the bytes the memory backend spends on an
// entry besides its key and value: otter's node and its hash table slot.
const entryOverhead = 128

// weigh is the otter Weigher of the memory backend: the approximate size
// of an entry for MaxMemory, at least minWeight. otter calls it at each
// write, under the lock of the entry's bucket.
func (c *Cache[V]) weigh(key string, v V) uint32 {
	n := uint64(entryOverhead + len(key))
	if c.o.Weigher != nil {
		n += uint64(max(c.o.Weigher(key, v), 0))
	} else {
		switch x := any(v).(type) {
		case string:
			n += uint64(len(x))
		case []byte:
			n += uint64(len(x))
		default:
			if b, err := c.o.Codec.Marshal(v); err == nil {
				n += uint64(len(b))
			}
		}
	}
	n = max(n, c.minWeight)
	return uint32(min(n, math.MaxUint32))
}

// lookupRemote reads key from the backend, counting the hit or the miss
// when record is set. now is the time it judged expiry by, in Unix
// nanoseconds. err is the backend's; entries that do not decode are misses.
func (c *Cache[V]) lookupRemote(ctx context.Context, key string, record bool) (it item[V], ok bool, now int64, err error) {
	b, found, err := c.remote.Get(ctx, key)
	if err != nil {
		c.miss(record)
		if ctx.Err() != nil {
			return it, false, 0, ctx.Err()
		}
		return it, false, 0, fmt.Errorf("cache: get: %w", c.backendError("get", err))
	}
	if !found {
		c.miss(record)
		return it, false, 0, nil
	}
	env, err := decodeEnvelope(b)
	if err != nil {
		c.miss(record)
		c.slow.codecErrors.Add(1)
		return it, false, 0, nil
	}
	now = c.now().UnixNano()
	if env.expires <= now {
		c.miss(record)
		return it, false, now, nil
	}
	it.refreshAt = env.refreshAt
	if env.negative {
		it.negative = true
	} else if err := c.o.Codec.Unmarshal(env.payload, &it.v); err != nil {
		c.miss(record)
		c.slow.codecErrors.Add(1)
		return item[V]{}, false, now, nil
	}
	if record {
		c.lookups.hit()
	}
	return it, true, now, nil
}

func (c *Cache[V]) miss(record bool) {
	if record {
		c.lookups.miss()
	}
}

// storeRemote encodes it and stores it under key.
func (c *Cache[V]) storeRemote(ctx context.Context, key string, it *item[V]) error {
	env := envelope{
		negative:  it.negative,
		expires:   c.now().Add(it.ttl).UnixNano(),
		refreshAt: it.refreshAt,
	}
	if !it.negative {
		p, err := c.o.Codec.Marshal(it.v)
		if err != nil {
			c.slow.codecErrors.Add(1)
			return fmt.Errorf("cache: encode: %w", err)
		}
		env.payload = p
	}
	if err := c.remote.Set(ctx, key, encodeEnvelope(env), it.ttl); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("cache: set: %w", c.backendError("set", err))
	}
	return nil
}

// backendError counts and logs (at most once per ErrorLogInterval) a
// failed backend call, and returns err with the URL's credentials removed.
func (c *Cache[V]) backendError(op string, err error) error {
	c.slow.backendErrors.Add(1)
	err = c.redact.clean(err)
	c.errlog.log(c.now(), op, err)
	return err
}

// clock is an otter.Clock reading an injected Now. It does not tick: the
// memory backend then drops expired entries when it meets them, without a
// periodic clean-up.
type clock struct{ now func() time.Time }

func (k clock) NowNano() int64                      { return k.now().UnixNano() }
func (k clock) Tick(time.Duration) <-chan time.Time { return nil }

// otterLogger passes otter's log records to the Cache's Logger.
type otterLogger struct{ l *slog.Logger }

func (l otterLogger) Warn(ctx context.Context, msg string, err error) {
	l.l.WarnContext(ctx, "cache: "+msg, "error", err)
}

func (l otterLogger) Error(ctx context.Context, msg string, err error) {
	l.l.ErrorContext(ctx, "cache: "+msg, "error", err)
}
