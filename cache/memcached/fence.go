package memcached

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/bradfitz/gomemcache/memcache"
)

// leaseMarker starts the placeholder a miss's lease stores in the key
// itself (see [Store.Lease]). No entry of package cache starts with a NUL
// byte: Get reports a placeholder as a miss.
var leaseMarker = []byte("\x00lease:")

// StoreIf writes value under key for ttl (rounded up to a second, plus
// one), or deletes key when value is nil, only if key holds exactly old
// (gets, then cas), and reports whether it did. It implements
// cache.Fencer.
func (s *Store) StoreIf(ctx context.Context, key string, old, value []byte, ttl time.Duration) (bool, error) {
	k := s.key(key)
	var (
		stored bool
		err    error
	)
	if cerr := s.do(ctx, func() {
		var it *memcache.Item
		if it, err = s.client.Get(k); err != nil {
			if errors.Is(err, memcache.ErrCacheMiss) {
				err = nil
			}
			return
		}
		if !bytes.Equal(it.Value, old) {
			return
		}
		it.Value, it.Expiration = value, expiration(ttl, time.Now())
		if value == nil {
			it.Value, it.Expiration = old, -1 // expired at once: a compare-and-delete
		}
		err = s.client.CompareAndSwap(it)
		if errors.Is(err, memcache.ErrCASConflict) || errors.Is(err, memcache.ErrNotStored) || errors.Is(err, memcache.ErrCacheMiss) {
			err = nil
			return
		}
		stored = err == nil
	}, nil); cerr != nil {
		return false, cerr
	}
	if err != nil {
		return false, fmt.Errorf("memcached: conditional set: %w", err)
	}
	return stored, nil
}

// isPlaceholder reports whether v is a lease's placeholder.
func isPlaceholder(v []byte) bool { return bytes.HasPrefix(v, leaseMarker) }

// Lease takes the lease of a miss on key in the key itself: an add of a
// placeholder holding a random token, for lease (rounded up to a second,
// plus one, see expiration); with over, a gets and a cas that also take
// the place of exactly those bytes. ok is false when the key holds a value
// or another lease. A Set or Delete of the key, from any process, ends the
// lease. store reads the key with gets and, while it still holds this
// placeholder, writes the loaded value with cas (so that a write landing
// in between fails it), and reports whether it did; release expires the
// placeholder the same way. A lease taken after ctx ended is released at
// once. It implements cache.Fencer.
func (s *Store) Lease(ctx context.Context, key string, lease time.Duration, over []byte) (store func(context.Context, []byte, time.Duration) (bool, error), release func(context.Context) error, ok bool, err error) {
	k := s.key(key)
	placeholder := append(append([]byte{}, leaseMarker...), rand.Text()...)
	// swap replaces the placeholder with value for exp, if the key still
	// holds it; a negative exp expires it at once.
	swap := func(value []byte, exp int32) (bool, error) {
		it, err := s.client.Get(k)
		if errors.Is(err, memcache.ErrCacheMiss) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if !bytes.Equal(it.Value, placeholder) {
			return false, nil
		}
		it.Value, it.Expiration = value, exp
		err = s.client.CompareAndSwap(it)
		if errors.Is(err, memcache.ErrCASConflict) || errors.Is(err, memcache.ErrNotStored) || errors.Is(err, memcache.ErrCacheMiss) {
			return false, nil
		}
		return err == nil, err
	}
	item := &memcache.Item{Key: k, Value: placeholder, Expiration: expiration(lease, time.Now())}
	var lerr error // not err: the background call may still set it when Lease returns
	take := func() error {
		if over != nil {
			if it, err := s.client.Get(k); err == nil {
				if !bytes.Equal(it.Value, over) {
					return memcache.ErrNotStored
				}
				it.Value, it.Expiration = item.Value, item.Expiration
				err := s.client.CompareAndSwap(it)
				if errors.Is(err, memcache.ErrCASConflict) || errors.Is(err, memcache.ErrCacheMiss) {
					return memcache.ErrNotStored
				}
				return err
			} else if !errors.Is(err, memcache.ErrCacheMiss) {
				return err
			}
		}
		return s.client.Add(item)
	}
	if cerr := s.do(ctx, func() { lerr = take() }, func() {
		if lerr == nil {
			_, _ = swap(placeholder, -1)
		}
	}); cerr != nil {
		return nil, nil, false, cerr
	}
	if errors.Is(lerr, memcache.ErrNotStored) {
		return nil, nil, false, nil
	}
	if lerr != nil {
		return nil, nil, false, fmt.Errorf("memcached: lease: %w", lerr)
	}
	release = func(ctx context.Context) error {
		var err error
		if cerr := s.do(ctx, func() { _, err = swap(placeholder, -1) }, nil); cerr != nil {
			return cerr
		}
		if err != nil {
			return fmt.Errorf("memcached: unlock: %w", err)
		}
		return nil
	}
	store = func(ctx context.Context, value []byte, ttl time.Duration) (bool, error) {
		var (
			stored bool
			err    error
		)
		if cerr := s.do(ctx, func() { stored, err = swap(value, expiration(ttl, time.Now())) }, nil); cerr != nil {
			return false, cerr
		}
		if err != nil {
			return false, fmt.Errorf("memcached: fenced set: %w", err)
		}
		return stored, nil
	}
	return store, release, true, nil
}
