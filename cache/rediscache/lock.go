package rediscache

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/redis/rueidis"
)

// unlockScript deletes the lease only if it still holds this holder's token.
const unlockScript = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end`

// TryLock takes a lease on key for lease (rounded up to a millisecond, cut
// to 100 years) with SET NX PX and a random token. ok is false when another
// holder has it. release deletes the lease only if it still holds this
// token (a Lua compare-and-delete), so releasing after the lease ran out
// and another holder took it is harmless. A lease taken after the caller's
// ctx ended is released at once.
func (s *Store) TryLock(parent context.Context, key string, lease time.Duration) (release func(context.Context) error, ok bool, err error) {
	lk := s.lockKey(key)
	token := rand.Text()
	unlock := func(ctx context.Context) error {
		return s.unlock.Exec(ctx, s.client, []string{lk}, []string{token}).Error()
	}
	cmd := s.client.B().Set().Key(lk).Value(token).Nx().PxMilliseconds(millis(lease)).Build()
	var lerr error // not err: the background call may still set it when TryLock returns
	if perr := s.run(parent, func(ctx context.Context) {
		lerr = s.client.Do(ctx, cmd).Error()
	}, func() {
		if lerr == nil {
			ctx := newCallCtx(parent, s.timeout)
			_ = unlock(ctx)
			ctx.release()
		}
	}); perr != nil {
		return nil, false, perr
	}
	if rueidis.IsRedisNil(lerr) {
		return nil, false, nil
	}
	if lerr != nil {
		return nil, false, fmt.Errorf("rediscache: lock: %w", lerr)
	}
	release = s.releaser(unlock)
	return release, true, nil
}

// releaser returns the release function of a lease or lock: unlock (a
// compare-and-delete of the holder's token) run as a call of the store,
// with its error named.
func (s *Store) releaser(unlock func(context.Context) error) func(context.Context) error {
	return func(parent context.Context) error {
		var err error
		if perr := s.run(parent, func(ctx context.Context) { err = unlock(ctx) }, nil); perr != nil {
			return perr
		}
		if err != nil {
			return fmt.Errorf("rediscache: unlock: %w", err)
		}
		return nil
	}
}
