package rediscache

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/internal/inflight"
	"github.com/redis/rueidis"
)

// ErrBusy is returned, at once, by a call made while [Options.MaxInFlight]
// calls are in flight (typically, on a hung server, calls left behind by
// callers that gave up). The Cache counts it as a backend error.
var ErrBusy = errors.New("rediscache: too many calls in flight")

// ErrClosed is returned by calls made after [Store.Close].
var ErrClosed = errors.New("rediscache: store closed")

// A Store is a cache backend on Redis: one server, a Redis Cluster, or
// the master a set of Sentinels names. It implements the
// cache.Backend and cache.Locker interfaces. It is safe for concurrent use.
type Store struct {
	client      rueidis.Client
	prefix      string
	timeout     time.Duration
	clientCache bool
	clientTTL   time.Duration
	unlock      *rueidis.Lua
	fencedStore *rueidis.Lua // see fence.go
	leaseOver   *rueidis.Lua // see fence.go
	storeIf     *rueidis.Lua // see fence.go
	tracker     *tracker

	calls       inflight.Counter
	maxInFlight int64
	conns       inflight.ConnSet

	nearHits atomic.Uint64 // reads the client-side cache answered, see NearCacheHits
}

// New connects to the Redis server, cluster or Sentinel-monitored master
// at u and checks that it answers, within ctx and opts.DialTimeout. If opts
// is nil, the defaults are used. The error never quotes the password in
// u; a refused TLS handshake says whose certificate was refused.
func New(ctx context.Context, u prodready.SecretURL, opts *Options) (*Store, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.DialTimeout <= 0 {
		o.DialTimeout = DefaultDialTimeout
	}
	if o.ClientCacheMaxMemory <= 0 {
		o.ClientCacheMaxMemory = DefaultClientCacheMaxMemory
	}
	if o.ClientCacheTTL <= 0 {
		o.ClientCacheTTL = DefaultClientCacheTTL
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.MaxInFlight <= 0 {
		o.MaxInFlight = DefaultMaxInFlight
	}
	copt, parsed, err := clientOption(u, o.TLS)
	if err != nil {
		return nil, err
	}
	if copt.Dialer.Timeout > 0 {
		o.DialTimeout = copt.Dialer.Timeout // dial_timeout in the URL
	}
	o.DisableClientCache = o.DisableClientCache || copt.DisableCache // client_cache=0 or protocol=2
	s := &Store{
		timeout:     o.Timeout,
		clientCache: !o.DisableClientCache,
		clientTTL:   o.ClientCacheTTL,
		unlock:      rueidis.NewLuaScript(unlockScript),
		fencedStore: rueidis.NewLuaScript(fencedStoreScript),
		leaseOver:   rueidis.NewLuaScript(leaseOverScript),
		storeIf:     rueidis.NewLuaScript(storeIfScript),
		tracker:     newTracker(o.ClientCacheTTL),
		maxInFlight: int64(o.MaxInFlight),
	}
	if o.Namespace != "" {
		s.prefix = o.Namespace + ":"
	}
	copt.Dialer = net.Dialer{Timeout: o.DialTimeout, KeepAlive: time.Second}
	copt.Sentinel.Dialer = copt.Dialer
	copt.DialCtxFn = dialTracked(&s.conns, dial)
	// Bound a hung connection: the pipeline's own deadline, and the gap of
	// its background PINGs, so a paused server's connection is dropped and
	// redialed rather than kept forever.
	copt.ConnWriteTimeout = max(10*o.Timeout, time.Second)
	copt.DisableRetry = true
	copt.PipelineMultiplex = pipelineMultiplex
	copt.CacheSizeEachConn = int(max(o.ClientCacheMaxMemory, 1))
	copt.DisableCache = o.DisableClientCache
	copt.OnInvalidations = s.tracker.invalidated
	topologyOptions(&copt)

	// Connecting may dial twice in a row (a Sentinel, then the master; a
	// seed, then the cluster's nodes), each dial within DialTimeout: New
	// gives up after twice that, and a dial that fails sooner reports why.
	dctx, dcancel := context.WithTimeout(ctx, 2*o.DialTimeout)
	defer dcancel()
	s.client, err = newClient(dctx, copt)
	if errors.Is(err, rueidis.ErrNoCache) && s.clientCache {
		o.Logger.Warn("rediscache: the server has no client-side caching (RESP3 CLIENT TRACKING); reading without it",
			"url", u)
		s.clientCache = false
		copt.DisableCache = true
		s.client, err = newClient(dctx, copt)
	}
	if err == nil && copt.ForceSingleClient && clusterNode(dctx, s.client) {
		s.client.Close()
		copt.ForceSingleClient = false
		s.client, err = newClient(dctx, copt)
	}
	if err == nil && s.clientCache {
		s.client, err = boundNearCache(dctx, s.client, copt, o.ClientCacheMaxMemory)
	}
	if err != nil {
		return nil, connectError(err, u, parsed)
	}
	pctx, pcancel := context.WithTimeout(ctx, o.DialTimeout)
	defer pcancel()
	if err := s.client.Do(pctx, s.client.B().Ping().Build()).Error(); err != nil {
		s.client.Close()
		if a := authFailure(err); a != nil {
			return nil, fmt.Errorf("rediscache: connect: %w", a)
		}
		if te := tlsFailure(err, parsed.Addr); te != nil {
			return nil, fmt.Errorf("rediscache: connect: %w", scrub(te, u))
		}
		return nil, fmt.Errorf("rediscache: the server does not answer PING: %w", scrub(err, u))
	}
	return s, nil
}

// Get returns the value stored under key. With the client-side cache on, a
// value read recently is served from memory until the server invalidates it.
func (s *Store) Get(parent context.Context, key string) ([]byte, bool, error) {
	if err := parent.Err(); err != nil {
		return nil, false, err
	}
	k := s.key(key)
	var res rueidis.RedisResult
	if s.clientCache && !s.tracker.stale(k) {
		// Not through run: a hit costs no goroutine. A read that goes to
		// the server finishes within the timeout even if parent ends.
		res = s.getCached(parent, k)
		if res.NonRedisError() != nil && parent.Err() != nil {
			return nil, false, parent.Err()
		}
	} else {
		var r rueidis.RedisResult // not res: captured, it moves to the heap
		err := s.run(parent, func(ctx context.Context) {
			r = s.client.Do(ctx, s.client.B().Get().Key(k).Build())
		}, nil)
		if err != nil {
			return nil, false, err
		}
		res = r
	}
	// ToString, then a copy: the caller owns the bytes, and rueidis's
	// are shared with its client-side cache.
	v, err := res.ToString()
	if err != nil {
		if rueidis.IsRedisNil(err) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("rediscache: get: %w", err)
	}
	if isPlaceholder(v) {
		return nil, false, nil // a load's lease (see Lease)
	}
	return []byte(v), true, nil
}

// getCached reads k through the client-side cache, counted by the tracker
// while it is in flight. The count is dropped by a deferred call, so that a
// panic (in rueidis, or in a Value method of parent's) does not leave it
// counted, which would make every later write of its stripe pending.
func (s *Store) getCached(parent context.Context, k string) (res rueidis.RedisResult) {
	ctx := newCallCtx(parent, s.timeout)
	defer ctx.release()
	st := s.tracker.reading(k)
	fetched := false
	defer func() { s.tracker.doneReading(k, st, fetched) }()
	res = s.client.DoCache(ctx, s.client.B().Get().Key(k).Cache(), s.clientTTL)
	fetched = !res.IsCacheHit() && res.NonRedisError() == nil
	if res.IsCacheHit() {
		s.nearHits.Add(1)
	}
	return res
}

// Set stores value under key for ttl, rounded up to a millisecond; a ttl
// over 100 years is cut to 100 years.
func (s *Store) Set(parent context.Context, key string, value []byte, ttl time.Duration) error {
	k := s.key(key)
	cmd := s.client.B().Set().Key(k).Value(string(value)).PxMilliseconds(millis(ttl)).Build()
	var err error
	if perr := s.run(parent, func(ctx context.Context) {
		err = s.client.Do(ctx, cmd).Error()
		s.wrote(k)
	}, nil); perr != nil {
		return perr
	}
	if err != nil {
		return fmt.Errorf("rediscache: set: %w", err)
	}
	return nil
}

// Delete removes key.
func (s *Store) Delete(parent context.Context, key string) error {
	k := s.key(key)
	var err error
	if perr := s.run(parent, func(ctx context.Context) {
		err = s.client.Do(ctx, s.client.B().Del().Key(k).Build()).Error()
		s.wrote(k)
	}, nil); perr != nil {
		return perr
	}
	if err != nil {
		return fmt.Errorf("rediscache: delete: %w", err)
	}
	return nil
}

// Close waits for the calls in flight, also those left behind by callers
// that gave up, then closes the connection. All of it takes at most about
// the Store's timeout: when the server does not answer, Close closes the
// connection under the calls still in flight, which then fail at once. No
// goroutine of a call, and no connection, is left after Close. Calls made
// after Close fail (with ErrClosed, or rueidis's error for a closed
// client).
func (s *Store) Close() error {
	if !s.calls.Close() {
		return nil
	}
	deadline := time.Now().Add(s.timeout)
	t := time.NewTimer(s.timeout)
	defer t.Stop()
	s.calls.Wait(t)
	// rueidis's Close waits for the replies in flight (up to a second on a
	// server that does not answer): closing the connection ends the wait.
	force := time.AfterFunc(time.Until(deadline), s.conns.CloseAll)
	s.client.Close()
	force.Stop()
	s.conns.CloseAll()
	// The calls still in flight, if any, fail now that the client and its
	// connection are closed.
	t.Reset(s.timeout)
	s.calls.Wait(t)
	return nil
}

// maxTTL is the longest expiry the Store sends: a longer ttl or lease is
// cut to it. A hundred years is "never" for a cache (package cache cuts
// lifetimes to ten), and far from the limits of Redis's millisecond expiry
// times and of Duration arithmetic.
const maxTTL = 100 * 365 * 24 * time.Hour

// millis returns d in milliseconds, rounded up, at least 1 and at most
// maxTTL's.
func millis(d time.Duration) int64 {
	d = min(d, maxTTL)
	return max(int64((d+time.Millisecond-1)/time.Millisecond), 1)
}
