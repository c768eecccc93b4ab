package rediscache

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"

	"github.com/redis/rueidis"
)

// leaseMarker starts the placeholder a miss's lease stores in the key
// itself (see [Store.Lease]). No entry of package cache starts with a NUL
// byte: Get reports a placeholder as a miss.
const leaseMarker = "\x00lease:"

// fencedStoreScript writes ARGV[2] under KEYS[1] for ARGV[3] milliseconds
// only while KEYS[1] still holds the placeholder ARGV[1].
const fencedStoreScript = `if redis.call("GET", KEYS[1]) == ARGV[1] then redis.call("SET", KEYS[1], ARGV[2], "PX", ARGV[3]) return 1 else return 0 end`

// leaseOverScript stores the placeholder ARGV[1] under KEYS[1] for ARGV[2]
// milliseconds only if KEYS[1] holds nothing or exactly ARGV[3].
const leaseOverScript = `local v = redis.call("GET", KEYS[1]) if v == false or v == ARGV[3] then redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2]) return 1 else return 0 end`

// storeIfScript writes ARGV[2] under KEYS[1] for ARGV[3] milliseconds
// (deletes KEYS[1] when ARGV[3] is "del") only if KEYS[1] holds exactly
// ARGV[1].
const storeIfScript = `if redis.call("GET", KEYS[1]) ~= ARGV[1] then return 0 end if ARGV[3] == "del" then redis.call("DEL", KEYS[1]) else redis.call("SET", KEYS[1], ARGV[2], "PX", ARGV[3]) end return 1`

// StoreIf writes value under key for ttl (rounded up to a millisecond, cut
// to 100 years), or deletes key when value is nil, only if key holds
// exactly old (a Lua compare-and-set), and reports whether it did. It
// implements cache.Fencer.
func (s *Store) StoreIf(parent context.Context, key string, old, value []byte, ttl time.Duration) (bool, error) {
	k := s.key(key)
	px := "del"
	if value != nil {
		px = fmt.Sprint(millis(ttl))
	}
	var (
		n   int64
		err error
	)
	if perr := s.run(parent, func(ctx context.Context) {
		n, err = s.storeIf.Exec(ctx, s.client, []string{k}, []string{string(old), string(value), px}).AsInt64()
		s.wrote(k)
	}, nil); perr != nil {
		return false, perr
	}
	if err != nil {
		return false, fmt.Errorf("rediscache: conditional set: %w", err)
	}
	return n == 1, nil
}

// isPlaceholder reports whether v is a lease's placeholder.
func isPlaceholder(v string) bool { return strings.HasPrefix(v, leaseMarker) }

// Lease takes the lease of a miss on key in the key itself: SET NX PX of
// a placeholder holding a random token, for lease (rounded up to a
// millisecond, cut to 100 years); with over, a Lua script that also takes
// the place of exactly those bytes. ok is false when the key holds a value
// or another lease. A Set or Delete of the key, from any process, ends the
// lease. store writes the loaded value with a Lua compare-and-set, only
// while the key still holds this placeholder, and reports whether it did;
// release deletes the placeholder with a Lua compare-and-delete. A lease
// taken after the caller's ctx ended is released at once. It implements
// cache.Fencer.
func (s *Store) Lease(parent context.Context, key string, lease time.Duration, over []byte) (store func(context.Context, []byte, time.Duration) (bool, error), release func(context.Context) error, ok bool, err error) {
	k := s.key(key)
	placeholder := leaseMarker + rand.Text()
	unlock := func(ctx context.Context) error {
		err := s.unlock.Exec(ctx, s.client, []string{k}, []string{placeholder}).Error()
		s.wrote(k)
		return err
	}
	cmd := s.client.B().Set().Key(k).Value(placeholder).Nx().PxMilliseconds(millis(lease)).Build()
	var lerr error // not err: the background call may still set it when Lease returns
	if perr := s.run(parent, func(ctx context.Context) {
		if over == nil {
			lerr = s.client.Do(ctx, cmd).Error()
		} else {
			args := []string{placeholder, fmt.Sprint(millis(lease)), string(over)}
			var n int64
			if n, lerr = s.leaseOver.Exec(ctx, s.client, []string{k}, args).AsInt64(); lerr == nil && n == 0 {
				lerr = rueidis.Nil
			}
		}
		s.wrote(k)
	}, func() {
		if lerr == nil {
			ctx := newCallCtx(parent, s.timeout)
			_ = unlock(ctx)
			ctx.release()
		}
	}); perr != nil {
		return nil, nil, false, perr
	}
	if rueidis.IsRedisNil(lerr) {
		return nil, nil, false, nil
	}
	if lerr != nil {
		return nil, nil, false, fmt.Errorf("rediscache: lease: %w", lerr)
	}
	release = s.releaser(unlock)
	store = func(parent context.Context, value []byte, ttl time.Duration) (bool, error) {
		var (
			n   int64
			err error
		)
		args := []string{placeholder, string(value), fmt.Sprint(millis(ttl))}
		if perr := s.run(parent, func(ctx context.Context) {
			n, err = s.fencedStore.Exec(ctx, s.client, []string{k}, args).AsInt64()
			s.wrote(k)
		}, nil); perr != nil {
			return false, perr
		}
		if err != nil {
			return false, fmt.Errorf("rediscache: fenced set: %w", err)
		}
		return n == 1, nil
	}
	return store, release, true, nil
}
