package memcached

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"github.com/bradfitz/gomemcache/memcache"
	"github.com/prodready/prodready"
	"github.com/prodready/prodready/internal/cacheurl"
	"github.com/prodready/prodready/internal/inflight"
)

// Defaults of [Options].
const (
	DefaultTimeout      = 100 * time.Millisecond
	DefaultMaxIdleConns = 64
	DefaultMaxInFlight  = 512 // per server
)

// ErrBusy is returned, at once, by a call made while [Options.MaxInFlight]
// calls are in flight (typically, on a hung server, calls left behind by
// callers that gave up). The Cache counts it as a backend error.
var ErrBusy = errors.New("memcached: too many calls in flight")

// ErrClosed is returned by calls made after [Store.Close].
var ErrClosed = errors.New("memcached: store closed")

// maxKeyLen is memcached's limit on key length.
const maxKeyLen = 250

// hashMarker starts the part of a key that replaces a cache key by its
// hash, and lockMarker the part that names a lease. A cache key that would
// start with hashMarker after the namespace is hashed too, so no cache key
// is stored under a key that starts with it.
const (
	hashMarker = "sha256:"
	lockMarker = hashMarker + "lock:"
)

// Options configure a [Store]. The zero Options are the defaults.
type Options struct {
	// Namespace prefixes every key, followed by a colon. If Namespace is
	// empty, keys are stored as given (hashed if they are not valid
	// memcached keys).
	Namespace string

	// Timeout is the connect and socket read/write timeout of every call.
	// If Timeout is zero, DefaultTimeout (100ms) is used.
	Timeout time.Duration

	// MaxIdleConns is the number of idle connections kept per server; set
	// it above the expected number of concurrent calls. If it is zero,
	// DefaultMaxIdleConns (64) is used.
	MaxIdleConns int

	// MaxInFlight bounds the calls in flight at once, each of which holds
	// a connection, including the calls still running for callers that
	// gave up (see Timeouts in the package documentation). A call made
	// while MaxInFlight are in flight fails at once with ErrBusy. If it is
	// zero, DefaultMaxInFlight (512) per server is used: well above the
	// concurrency of a busy service on a healthy server, so that the bound
	// only bites when calls pile up on a hung one, and within memcached's
	// default of 1024 connections. A bound below the service's concurrency
	// turns busy moments into misses that reach the loader.
	MaxInFlight int
}

// A Store is a cache backend on one or more Memcached servers. It
// implements the cache.Backend and cache.Locker interfaces. It is safe for
// concurrent use.
type Store struct {
	client *memcache.Client
	prefix string // namespace and colon, or ""
	// hashPrefix precedes a hashed key: prefix if it fits, else "".
	hashPrefix string
	timeout    time.Duration

	calls       inflight.Counter
	maxInFlight int64
	conns       inflight.ConnSet
}

// dialTracked is the client's DialContext: connections go into cs, so
// that Close can close those that calls left running still hold.
func dialTracked(cs *inflight.ConnSet, timeout time.Duration) func(ctx context.Context, network, addr string) (net.Conn, error) {
	d := net.Dialer{Timeout: timeout}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		nc, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return cs.Track(nc, ErrClosed)
	}
}

// New builds a Store for the servers in u and checks that each answers,
// within opts.Timeout. If opts is nil, the defaults are used. The error
// never quotes credentials in u.
func New(ctx context.Context, u prodready.SecretURL, opts *Options) (*Store, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxIdleConns <= 0 {
		o.MaxIdleConns = DefaultMaxIdleConns
	}
	servers, err := parseURL(u)
	if err != nil {
		return nil, err
	}
	var sl memcache.ServerList
	if err := sl.SetServers(servers...); err != nil {
		return nil, fmt.Errorf("memcached: resolve servers: %w", err)
	}
	if o.MaxInFlight <= 0 {
		o.MaxInFlight = DefaultMaxInFlight * len(servers)
	}
	c := memcache.NewFromSelector(&sl)
	c.Timeout = o.Timeout
	c.MaxIdleConns = o.MaxIdleConns
	s := &Store{client: c, timeout: o.Timeout, maxInFlight: int64(o.MaxInFlight)}
	c.DialContext = dialTracked(&s.conns, o.Timeout)
	s.setNamespace(o.Namespace)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := c.Ping(); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("memcached: cannot reach the server: %w", err)
	}
	return s, nil
}

// parseURL returns the host:port list of a memcached:// URL, with the
// parser the root's load-time checks use (internal/cacheurl). The error
// wraps prodready.ErrInvalid.
func parseURL(u prodready.SecretURL) ([]string, error) {
	m, err := cacheurl.ParseMemcached(u.Reveal())
	if err != nil {
		return nil, fmt.Errorf("memcached: %w: %w", prodready.ErrInvalid, err)
	}
	return m.Servers, nil
}

// validKey reports whether memcached accepts k as a key.
func validKey(k string) bool {
	if len(k) > maxKeyLen || k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; c <= ' ' || c == 0x7f {
			return false
		}
	}
	return true
}

// setNamespace sets the prefixes of s's keys for the namespace ns.
func (s *Store) setNamespace(ns string) {
	if ns == "" {
		return
	}
	s.prefix = ns + ":"
	if validKey(s.prefix) && len(s.prefix)+len(lockMarker)+sha256.Size*2 <= maxKeyLen {
		s.hashPrefix = s.prefix
	}
}

// key returns the memcached key of the cache key k: the namespaced key if
// memcached accepts it and it does not start with the hash marker, else
// its hash.
func (s *Store) key(k string) string {
	nk := s.prefix + k
	if validKey(nk) && !strings.HasPrefix(nk, s.hashPrefix+hashMarker) {
		return nk
	}
	return s.hashed(hashMarker, nk)
}

// lockKey returns the memcached key of the lease on the cache key k, which
// no cache key reaches: it starts with the hash marker, and the hash of a
// cache key follows the marker directly.
func (s *Store) lockKey(k string) string { return s.hashed(lockMarker, s.prefix+k) }

func (s *Store) hashed(marker, nk string) string {
	sum := sha256.Sum256([]byte(nk))
	return s.hashPrefix + marker + hex.EncodeToString(sum[:])
}

// do runs f, a gomemcache call, which takes no context and is bounded by
// the client's Timeout. If ctx ends first, do returns ctx.Err() at once
// and f goes on in the background, within its timeout; then abandoned, if
// not nil, runs after it, so that f's result can be undone. Otherwise do
// returns nil once f has returned. A ctx that cannot end costs no
// goroutine. f (and abandoned) count as one call in flight until they
// return: do returns ErrBusy at once when MaxInFlight are, and ErrClosed
// after Close.
func (s *Store) do(ctx context.Context, f func(), abandoned func()) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.calls.Acquire(s.maxInFlight, ErrBusy, ErrClosed); err != nil {
		return err
	}
	cdone := ctx.Done()
	if cdone == nil {
		defer s.calls.Release()
		f()
		return nil
	}
	var state atomic.Int32 // 0 running, 1 returned to the caller, 2 abandoned
	done := make(chan struct{})
	go func() {
		defer s.calls.Release()
		defer close(done)
		f()
		if !state.CompareAndSwap(0, 1) && abandoned != nil {
			abandoned()
		}
	}()
	select {
	case <-done:
		return nil
	case <-cdone:
		if state.CompareAndSwap(0, 2) {
			return ctx.Err()
		}
		<-done // f has returned: its result stands
		return nil
	}
}

// Get returns the value stored under key.
func (s *Store) Get(ctx context.Context, key string) ([]byte, bool, error) {
	var (
		it  *memcache.Item
		err error
	)
	if cerr := s.do(ctx, func() { it, err = s.client.Get(s.key(key)) }, nil); cerr != nil {
		return nil, false, cerr
	}
	if errors.Is(err, memcache.ErrCacheMiss) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("memcached: get: %w", err)
	}
	if isPlaceholder(it.Value) {
		return nil, false, nil // a load's lease (see Lease)
	}
	return it.Value, true, nil
}

// Set stores value under key for ttl, rounded up to a second, plus one
// (see expiration).
func (s *Store) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	item := &memcache.Item{Key: s.key(key), Value: value, Expiration: expiration(ttl, time.Now())}
	var err error
	if cerr := s.do(ctx, func() { err = s.client.Set(item) }, nil); cerr != nil {
		return cerr
	}
	if err != nil {
		return fmt.Errorf("memcached: set: %w", err)
	}
	return nil
}

// Delete removes key.
func (s *Store) Delete(ctx context.Context, key string) error {
	var err error
	if cerr := s.do(ctx, func() { err = s.client.Delete(s.key(key)) }, nil); cerr != nil {
		return cerr
	}
	if err != nil && !errors.Is(err, memcache.ErrCacheMiss) {
		return fmt.Errorf("memcached: delete: %w", err)
	}
	return nil
}

// TryLock takes a lease on key for lease, rounded up to a second, plus one
// (see expiration), with ADD and a random token. ok is false when another
// holder has it. release expires the lease only if it still holds this
// token, by a compare-and-swap on the value read, so releasing after the
// lease ran out and another holder took it is harmless. A lease taken
// after ctx ended is released at once.
func (s *Store) TryLock(ctx context.Context, key string, lease time.Duration) (release func(context.Context) error, ok bool, err error) {
	lk := s.lockKey(key)
	token := []byte(rand.Text())
	unlock := func() error {
		it, err := s.client.Get(lk)
		if errors.Is(err, memcache.ErrCacheMiss) {
			return nil
		}
		if err != nil {
			return err
		}
		if string(it.Value) != string(token) {
			return nil
		}
		// A negative expiration expires the item at once: a compare-and-delete.
		it.Expiration = -1
		err = s.client.CompareAndSwap(it)
		if err != nil && !errors.Is(err, memcache.ErrCASConflict) && !errors.Is(err, memcache.ErrNotStored) && !errors.Is(err, memcache.ErrCacheMiss) {
			return err
		}
		return nil
	}
	item := &memcache.Item{Key: lk, Value: token, Expiration: expiration(lease, time.Now())}
	var lerr error // not err: the background call may still set it when TryLock returns
	if cerr := s.do(ctx, func() { lerr = s.client.Add(item) }, func() {
		if lerr == nil {
			_ = unlock()
		}
	}); cerr != nil {
		return nil, false, cerr
	}
	if errors.Is(lerr, memcache.ErrNotStored) {
		return nil, false, nil
	}
	if lerr != nil {
		return nil, false, fmt.Errorf("memcached: lock: %w", lerr)
	}
	release = func(ctx context.Context) error {
		var err error
		if cerr := s.do(ctx, func() { err = unlock() }, nil); cerr != nil {
			return cerr
		}
		if err != nil {
			return fmt.Errorf("memcached: unlock: %w", err)
		}
		return nil
	}
	return release, true, nil
}

// Close waits for the calls in flight, also those left behind by callers
// that gave up, for at most the Store's timeout, then closes every
// connection, including those of calls still running, which then fail
// at once. So Close returns within about the timeout, and no connection
// stays open after it. Calls made after Close fail with ErrClosed.
func (s *Store) Close() error {
	if !s.calls.Close() {
		return nil
	}
	t := time.NewTimer(s.timeout)
	defer t.Stop()
	s.calls.Wait(t)
	err := s.client.Close()
	s.conns.CloseAll()
	// The calls still in flight, if any, fail now that their connections
	// are closed and no new one can be opened.
	t.Reset(s.timeout)
	s.calls.Wait(t)
	return err
}

// relativeLimit is the longest expiry memcached takes as relative seconds;
// longer ones must be absolute Unix times.
const relativeLimit = 30 * 24 * 60 * 60

// maxExpiration is the latest absolute expiry memcached takes (and
// gomemcache can send): the largest int32, in January 2038.
const maxExpiration = math.MaxInt32

// expiration converts ttl to memcached's expiry: whole seconds, rounded
// up, plus one, because memcached's clock ticks once a second and an item
// set just before a tick would lose up to a second; so an item lives at
// least ttl and at most two seconds longer. Over 30 days it is an absolute
// Unix time, as the protocol requires, at most maxExpiration; once that is
// no later than now plus 30 days (from December 2037), such a TTL is cut
// to 30 days, relative, rather than sent as a time in the past, which
// would expire the item at once.
func expiration(ttl time.Duration, now time.Time) int32 {
	secs := int64(1)
	if ttl > 0 {
		secs = int64(ttl/time.Second) + 1 // no overflow: ttl/time.Second < 2^34
		if ttl%time.Second != 0 {
			secs++
		}
	}
	if secs <= relativeLimit {
		return int32(secs)
	}
	if at := now.Unix() + secs; at <= maxExpiration {
		return int32(at)
	}
	if now.Unix()+relativeLimit < maxExpiration {
		return maxExpiration
	}
	return relativeLimit
}
