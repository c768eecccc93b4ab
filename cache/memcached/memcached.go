package memcached

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/bradfitz/gomemcache/memcache"
	"github.com/prodready/prodready"
)

// Defaults of [Options].
const (
	DefaultTimeout      = 100 * time.Millisecond
	DefaultMaxIdleConns = 64
)

// maxKeyLen is memcached's limit on key length.
const maxKeyLen = 250

// hashMarker starts the part of a key that replaces an invalid key by its hash.
const hashMarker = "sha256:"

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
}

// A Store is a cache backend on one or more Memcached servers. It
// implements the cache.Backend and cache.Locker interfaces. It is safe for
// concurrent use.
type Store struct {
	client *memcache.Client
	prefix string // namespace and colon, or ""
	// hashPrefix precedes a hashed key: prefix if it fits, else "".
	hashPrefix string
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
	c := memcache.NewFromSelector(&sl)
	c.Timeout = o.Timeout
	c.MaxIdleConns = o.MaxIdleConns
	s := &Store{client: c}
	if o.Namespace != "" {
		s.prefix = o.Namespace + ":"
		if validKey(s.prefix) && len(s.prefix)+len(hashMarker)+sha256.Size*2 <= maxKeyLen {
			s.hashPrefix = s.prefix
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := c.Ping(); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("memcached: cannot reach the server: %w", err)
	}
	return s, nil
}

// parseURL returns the host:port list of a memcached:// URL.
func parseURL(u prodready.SecretURL) ([]string, error) {
	pu := u.URL()
	if pu == nil {
		return nil, errors.New("memcached: no URL")
	}
	if pu.Scheme != "memcached" {
		return nil, fmt.Errorf("memcached: URL scheme %q is not memcached", pu.Scheme)
	}
	if pu.User != nil {
		return nil, errors.New("memcached: URL has a user or password, which memcached does not support")
	}
	if pu.Opaque != "" || (pu.Path != "" && pu.Path != "/") {
		return nil, errors.New("memcached: URL has a path (want memcached://host:11211)")
	}
	if pu.RawQuery != "" || pu.ForceQuery || pu.Fragment != "" {
		return nil, errors.New("memcached: URL query parameters are not supported")
	}
	if pu.Host == "" {
		return nil, errors.New("memcached: URL has no host (want memcached://host:11211)")
	}
	var servers []string
	for _, h := range strings.Split(pu.Host, ",") {
		host, port, err := net.SplitHostPort(h)
		if err != nil {
			// No port: the whole thing is the host.
			host, port = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]"), "11211"
		}
		if host == "" {
			return nil, errors.New("memcached: URL has an empty host (want memcached://host1:11211,host2:11211)")
		}
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return nil, errors.New("memcached: URL has a bad port")
		}
		servers = append(servers, net.JoinHostPort(host, port))
	}
	return servers, nil
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

// key returns the memcached key of the cache key k.
func (s *Store) key(k string) string {
	nk := s.prefix + k
	if validKey(nk) {
		return nk
	}
	sum := sha256.Sum256([]byte(nk))
	return s.hashPrefix + hashMarker + hex.EncodeToString(sum[:])
}

// Get returns the value stored under key.
func (s *Store) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	it, err := s.client.Get(s.key(key))
	if errors.Is(err, memcache.ErrCacheMiss) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("memcached: get: %w", err)
	}
	return it.Value, true, nil
}

// Set stores value under key for ttl, rounded up to a second.
func (s *Store) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.client.Set(&memcache.Item{Key: s.key(key), Value: value, Expiration: expiration(ttl, time.Now())}); err != nil {
		return fmt.Errorf("memcached: set: %w", err)
	}
	return nil
}

// Delete removes key.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.client.Delete(s.key(key))
	if err != nil && !errors.Is(err, memcache.ErrCacheMiss) {
		return fmt.Errorf("memcached: delete: %w", err)
	}
	return nil
}

// TryLock takes a lease on key for lease, rounded up to a second, with ADD
// and a random token. ok is false when another holder has it. release
// expires the lease only if it still holds this token, by a
// compare-and-swap on the value read, so releasing after the lease ran out
// and another holder took it is harmless.
func (s *Store) TryLock(ctx context.Context, key string, lease time.Duration) (release func(context.Context) error, ok bool, err error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	lk := s.key(key + "\x00lock")
	token := []byte(rand.Text())
	err = s.client.Add(&memcache.Item{Key: lk, Value: token, Expiration: expiration(lease, time.Now())})
	if errors.Is(err, memcache.ErrNotStored) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("memcached: lock: %w", err)
	}
	release = func(ctx context.Context) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		it, err := s.client.Get(lk)
		if errors.Is(err, memcache.ErrCacheMiss) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("memcached: unlock: %w", err)
		}
		if string(it.Value) != string(token) {
			return nil
		}
		// A negative expiration expires the item at once: a compare-and-delete.
		it.Expiration = -1
		err = s.client.CompareAndSwap(it)
		if err != nil && !errors.Is(err, memcache.ErrCASConflict) && !errors.Is(err, memcache.ErrNotStored) && !errors.Is(err, memcache.ErrCacheMiss) {
			return fmt.Errorf("memcached: unlock: %w", err)
		}
		return nil
	}
	return release, true, nil
}

// Close closes the idle connections. The Store is unusable after.
func (s *Store) Close() error {
	return s.client.Close()
}

// relativeLimit is the longest expiry memcached takes as relative seconds;
// longer ones must be absolute Unix times.
const relativeLimit = 30 * 24 * 60 * 60

// expiration converts ttl to memcached's expiry, rounded up to a second.
func expiration(ttl time.Duration, now time.Time) int32 {
	secs := max(int64((ttl+time.Second-1)/time.Second), 1)
	if secs <= relativeLimit {
		return int32(secs)
	}
	abs := now.Unix() + secs
	if abs > 1<<31-1 {
		abs = 1<<31 - 1
	}
	return int32(abs)
}
