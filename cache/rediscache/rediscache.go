package rediscache

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prodready/prodready"
	"github.com/redis/rueidis"
)

// Defaults of [Options].
const (
	DefaultTimeout              = 100 * time.Millisecond
	DefaultDialTimeout          = time.Second
	DefaultClientCacheMaxMemory = 64 << 20
	DefaultClientCacheTTL       = time.Minute
)

// The client keeps one pipelined connection to the server (2^0), dialed
// by New, so that no call pays for a handshake; rueidis pipelines
// concurrent calls on it.
const pipelineMultiplex = 0

// Options configure a [Store]. The zero Options are the defaults.
type Options struct {
	// Namespace prefixes every key, followed by a colon. If Namespace is
	// empty, keys are stored as given.
	Namespace string

	// Timeout bounds every call to the server, reconnecting included. If
	// Timeout is zero, DefaultTimeout (100ms) is used.
	Timeout time.Duration

	// DialTimeout bounds connecting and the handshake when New first
	// connects. Later reconnections are bounded by Timeout. If DialTimeout is
	// zero, DefaultDialTimeout (1s) is used.
	DialTimeout time.Duration

	// Logger receives the Store's rare warnings, such as a server without
	// client-side caching. If Logger is nil, nothing is logged.
	Logger *slog.Logger

	// DisableClientCache turns off the server-assisted client-side cache:
	// every Get is a round trip. Use it for servers and proxies without
	// RESP3 CLIENT TRACKING if their detection at New is not wanted.
	DisableClientCache bool

	// ClientCacheMaxMemory bounds the client-side cache, in bytes, in total
	// (the Store keeps one connection, which holds the cache). If it is zero
	// or negative, DefaultClientCacheMaxMemory (64 MiB) is used.
	ClientCacheMaxMemory int64

	// ClientCacheTTL is the longest time a value stays in the client-side
	// cache; a key's own shorter TTL on the server caps it, and an update
	// anywhere evicts it at once. If it is zero, DefaultClientCacheTTL (1
	// minute) is used.
	ClientCacheTTL time.Duration
}

// A Store is a cache backend on one Redis server. It implements the
// cache.Backend and cache.Locker interfaces. It is safe for concurrent use.
type Store struct {
	client      rueidis.Client
	prefix      string
	timeout     time.Duration
	clientCache bool
	clientTTL   time.Duration
	unlock      *rueidis.Lua
	tracker     tracker
}

// invalidationWait is the longest a key this Store wrote is read around
// the client-side cache while the server's invalidation is on its way.
const invalidationWait = time.Second

// maxTracked bounds the keys a tracker remembers; past it, every write is
// treated as a write of a cached key.
const maxTracked = 1 << 16

// A tracker gives a Store read-your-writes on top of the client-side cache.
// Redis sends the invalidation of a write after the write's reply, so a Get
// right after a Set in the same process could be served the old value (or
// the cached miss) from the client-side cache. The tracker remembers the
// keys that may be in that cache (read from the server through it, and not
// invalidated since); a write of such a key makes reads of it go to the
// server until its invalidation arrives (rueidis has evicted the key by
// then) or invalidationWait passes. Writes of keys never read cost nothing.
type tracker struct {
	npending atomic.Int64 // len(pending), read without the lock by Get

	mu       sync.Mutex
	tracked  map[string]struct{}
	overflow bool                 // tracked reached maxTracked
	pending  map[string]time.Time // key -> until
}

// read notes that k was read from the server into the client-side cache.
func (t *tracker) read(k string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tracked == nil {
		t.tracked = make(map[string]struct{})
	}
	if len(t.tracked) >= maxTracked {
		t.overflow = true
		return
	}
	t.tracked[k] = struct{}{}
}

// wrote notes a write of k, after the write's reply. A failed write counts
// too: it may have reached the server.
func (t *tracker) wrote(k string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.tracked[k]; !ok && !t.overflow {
		return
	}
	if t.pending == nil {
		t.pending = make(map[string]time.Time)
	}
	if len(t.pending) >= 1024 {
		for k, until := range t.pending {
			if now.After(until) {
				delete(t.pending, k)
			}
		}
	}
	t.pending[k] = now.Add(invalidationWait)
	t.npending.Store(int64(len(t.pending)))
}

// stale reports whether the client-side cache may hold an old value of k.
func (t *tracker) stale(k string) bool {
	if t.npending.Load() == 0 {
		return false
	}
	t.mu.Lock()
	until, ok := t.pending[k]
	t.mu.Unlock()
	return ok && time.Now().Before(until)
}

// invalidated is rueidis's OnInvalidations hook, called after rueidis has
// evicted the keys; nil keys mean the whole client-side cache was flushed.
func (t *tracker) invalidated(keys []rueidis.RedisMessage) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if keys == nil {
		clear(t.tracked)
		clear(t.pending)
		t.overflow = false
	}
	for _, m := range keys {
		if k, err := m.ToString(); err == nil {
			delete(t.tracked, k)
			delete(t.pending, k)
		}
	}
	t.npending.Store(int64(len(t.pending)))
}

// unlockScript deletes the lease only if it still holds this holder's token.
const unlockScript = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end`

// New connects to the Redis server at u and checks that it answers, within
// ctx and opts.DialTimeout. If opts is nil, the defaults are used. The
// error never quotes the password in u.
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
	copt, err := clientOption(u)
	if err != nil {
		return nil, err
	}
	s := &Store{
		timeout:     o.Timeout,
		clientCache: !o.DisableClientCache,
		clientTTL:   o.ClientCacheTTL,
		unlock:      rueidis.NewLuaScript(unlockScript),
	}
	if o.Namespace != "" {
		s.prefix = o.Namespace + ":"
	}
	copt.Dialer = net.Dialer{Timeout: o.DialTimeout, KeepAlive: time.Second}
	// Bound a hung connection: the pipeline's own deadline, and the gap of
	// its background PINGs, so a paused server's connection is dropped and
	// redialed rather than kept forever.
	copt.ConnWriteTimeout = max(10*o.Timeout, time.Second)
	copt.DisableRetry = true
	copt.ForceSingleClient = true
	copt.PipelineMultiplex = pipelineMultiplex
	copt.CacheSizeEachConn = int(max(o.ClientCacheMaxMemory, 1))
	copt.DisableCache = o.DisableClientCache
	copt.OnInvalidations = s.tracker.invalidated

	s.client, err = newClient(ctx, copt)
	if errors.Is(err, rueidis.ErrNoCache) && s.clientCache {
		o.Logger.Warn("rediscache: the server has no client-side caching (RESP3 CLIENT TRACKING); reading without it",
			"url", u)
		s.clientCache = false
		copt.DisableCache = true
		s.client, err = newClient(ctx, copt)
	}
	if err != nil {
		return nil, fmt.Errorf("rediscache: connect: %w", scrub(err, copt.Password))
	}
	pctx, cancel := context.WithTimeout(ctx, o.DialTimeout)
	defer cancel()
	if err := s.client.Do(pctx, s.client.B().Ping().Build()).Error(); err != nil {
		s.client.Close()
		return nil, fmt.Errorf("rediscache: the server does not answer PING: %w", scrub(err, copt.Password))
	}
	return s, nil
}

// newClient runs rueidis.NewClient, which dials synchronously, within ctx.
func newClient(ctx context.Context, copt rueidis.ClientOption) (rueidis.Client, error) {
	type result struct {
		c   rueidis.Client
		err error
	}
	ch := make(chan result, 1)
	go func() {
		c, err := rueidis.NewClient(copt)
		ch <- result{c, err}
	}()
	select {
	case r := <-ch:
		return r.c, r.err
	case <-ctx.Done():
		go func() {
			if r := <-ch; r.c != nil {
				r.c.Close()
			}
		}()
		return nil, ctx.Err()
	}
}

// clientOption turns u into rueidis options. It parses the URL itself
// rather than with rueidis.ParseURL, whose errors may quote the URL.
func clientOption(u prodready.SecretURL) (rueidis.ClientOption, error) {
	var o rueidis.ClientOption
	pu := u.URL()
	if pu == nil {
		return o, errors.New("rediscache: no URL")
	}
	switch pu.Scheme {
	case "redis":
	case "rediss":
		o.TLSConfig = &tls.Config{ServerName: pu.Hostname(), MinVersion: tls.VersionTLS12}
	default:
		return o, fmt.Errorf("rediscache: URL scheme %q is not redis or rediss", pu.Scheme)
	}
	if pu.Opaque != "" || pu.Host == "" || pu.Hostname() == "" {
		return o, errors.New("rediscache: URL has no host (want redis://host:6379/0)")
	}
	port := pu.Port()
	if port == "" {
		port = "6379"
	} else if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return o, errors.New("rediscache: URL has a bad port")
	}
	o.InitAddress = []string{net.JoinHostPort(pu.Hostname(), port)}
	if pu.User != nil {
		o.Username = pu.User.Username()
		o.Password, _ = pu.User.Password()
	}
	if db := strings.TrimPrefix(pu.Path, "/"); db != "" {
		n, err := strconv.Atoi(db)
		if err != nil || n < 0 || strings.Contains(db, "/") {
			return o, errors.New("rediscache: URL path is not a database number (want /0, /1...)")
		}
		o.SelectDB = n
	}
	if pu.RawQuery != "" || pu.ForceQuery {
		return o, errors.New("rediscache: URL query parameters are not supported")
	}
	if pu.Fragment != "" {
		return o, errors.New("rediscache: URL has a fragment")
	}
	return o, nil
}

// scrub makes sure err's message does not carry the password.
func scrub(err error, password string) error {
	if password == "" || !strings.Contains(err.Error(), password) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), password, prodready.Redacted))
}

// wrote notes that k was written, after the write's reply (see tracker).
func (s *Store) wrote(k string) {
	if s.clientCache {
		s.tracker.wrote(k, time.Now())
	}
}

func (s *Store) key(key string) string { return s.prefix + key }

func (s *Store) lockKey(key string) string { return s.prefix + key + "\x00lock" }

// Get returns the value stored under key. With the client-side cache on, a
// value read recently is served from memory until the server invalidates it.
func (s *Store) Get(parent context.Context, key string) ([]byte, bool, error) {
	ctx := &callCtx{parent: parent, deadline: time.Now().Add(s.timeout)}
	defer ctx.release()
	k := s.key(key)
	var res rueidis.RedisResult
	if s.clientCache && !s.tracker.stale(k) {
		res = s.client.DoCache(ctx, s.client.B().Get().Key(k).Cache(), s.clientTTL)
		if !res.IsCacheHit() && res.NonRedisError() == nil {
			s.tracker.read(k)
		}
	} else {
		res = s.client.Do(ctx, s.client.B().Get().Key(k).Build())
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
	return []byte(v), true, nil
}

// A callCtx bounds one call by a deadline like context.WithDeadline, but
// arms the timer only when something waits on it: a client-side cache hit
// never does, and setting up and stopping a timer is a third of a hit's
// cost. Value and Deadline need no timer.
type callCtx struct {
	parent   context.Context
	deadline time.Time

	once   sync.Once
	ctx    context.Context // parent with the deadline, once armed
	cancel context.CancelFunc
}

func (c *callCtx) arm() context.Context {
	c.once.Do(func() { c.ctx, c.cancel = context.WithDeadline(c.parent, c.deadline) })
	return c.ctx
}

// release ends the call: it stops the timer, or keeps it from being armed.
func (c *callCtx) release() {
	c.once.Do(func() { c.ctx = c.parent })
	if c.cancel != nil {
		c.cancel()
	}
}

func (c *callCtx) Deadline() (time.Time, bool) {
	if d, ok := c.parent.Deadline(); ok && d.Before(c.deadline) {
		return d, true
	}
	return c.deadline, true
}

func (c *callCtx) Done() <-chan struct{} { return c.arm().Done() }
func (c *callCtx) Err() error            { return c.arm().Err() }
func (c *callCtx) Value(key any) any     { return c.parent.Value(key) }

// Set stores value under key for ttl, rounded up to a millisecond.
func (s *Store) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	k := s.key(key)
	cmd := s.client.B().Set().Key(k).Value(string(value)).PxMilliseconds(millis(ttl)).Build()
	err := s.client.Do(ctx, cmd).Error()
	s.wrote(k)
	if err != nil {
		return fmt.Errorf("rediscache: set: %w", err)
	}
	return nil
}

// Delete removes key.
func (s *Store) Delete(ctx context.Context, key string) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	k := s.key(key)
	err := s.client.Do(ctx, s.client.B().Del().Key(k).Build()).Error()
	s.wrote(k)
	if err != nil {
		return fmt.Errorf("rediscache: delete: %w", err)
	}
	return nil
}

// TryLock takes a lease on key for lease (rounded up to a millisecond) with
// SET NX PX and a random token. ok is false when another holder has it.
// release deletes the lease only if it still holds this token (a Lua
// compare-and-delete), so releasing after the lease ran out and another
// holder took it is harmless.
func (s *Store) TryLock(ctx context.Context, key string, lease time.Duration) (release func(context.Context) error, ok bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	lk := s.lockKey(key)
	token := rand.Text()
	err = s.client.Do(ctx, s.client.B().Set().Key(lk).Value(token).Nx().PxMilliseconds(millis(lease)).Build()).Error()
	if rueidis.IsRedisNil(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("rediscache: lock: %w", err)
	}
	release = func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, s.timeout)
		defer cancel()
		if err := s.unlock.Exec(ctx, s.client, []string{lk}, []string{token}).Error(); err != nil {
			return fmt.Errorf("rediscache: unlock: %w", err)
		}
		return nil
	}
	return release, true, nil
}

// Close closes the connections. The Store is unusable after.
func (s *Store) Close() error {
	s.client.Close()
	return nil
}

func millis(d time.Duration) int64 {
	return max(int64((d+time.Millisecond-1)/time.Millisecond), 1)
}
