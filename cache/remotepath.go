package cache

import (
	"context"
	"fmt"
	"runtime/debug"
	"time"
)

// lookupRemote reads key from the backend, counting the hit or the miss
// when record is set. now is the time it judged expiry by, in Unix
// nanoseconds. err is the backend's; entries that do not decode are misses.
func (c *Cache[V]) lookupRemote(ctx context.Context, key string, record bool) (it item[V], ok bool, now int64, err error) {
	if c.isUnsettled(key) {
		c.miss(record) // a failed write of it may still land (see unsettled.go)
		return it, false, 0, nil
	}
	b, found, err := c.remote.Get(ctx, key)
	if err != nil {
		c.miss(record)
		if ctx.Err() != nil {
			return it, false, 0, ctx.Err()
		}
		if c.closed.Load() {
			return it, false, 0, ErrClosed // Close came while the read was on the wire
		}
		return it, false, 0, fmt.Errorf("cache: get: %w", c.backendError("get", err))
	}
	if !found {
		c.miss(record)
		return it, false, 0, nil
	}
	env, err := decodeEnvelope(b)
	if err == nil && !c.auth.verify(key, b) {
		// Forged, written under another key or for another cache key,
		// or corrupted: never served.
		c.miss(record)
		c.slow.authFailures.Add(1)
		return it, false, 0, nil
	}
	if err == nil && env.fingerprint != c.fp {
		err = errCorrupt // written for another V or Codec
	}
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
	it.base = time.Duration(env.ttl)
	if it.base <= 0 {
		it.base = c.ttl
	}
	if env.negative {
		it.negative = true
	} else if err := c.unmarshal(env.payload, &it.v); err != nil {
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

// storeRemote encodes it and stores it under key: through fence, a
// miss's lease on a Fencer (see lease.go), when it is not nil.
func (c *Cache[V]) storeRemote(ctx context.Context, key string, it *item[V], fence func(context.Context, []byte, time.Duration) (bool, error)) error {
	env := envelope{
		negative:    it.negative,
		expires:     addNanos(c.now().UnixNano(), it.ttl),
		refreshAt:   it.refreshAt,
		ttl:         int64(it.base),
		fingerprint: c.fp,
	}
	if !it.negative {
		p, err := c.marshal(it.v)
		if err != nil {
			c.slow.codecErrors.Add(1)
			return fmt.Errorf("cache: encode: %w", err)
		}
		env.payload = p
	}
	write := c.remote.Set
	if fence != nil {
		write = func(ctx context.Context, _ string, b []byte, ttl time.Duration) error {
			_, err := fence(ctx, b, ttl)
			return err
		}
	}
	b := encodeEnvelope(env)
	c.auth.seal(key, b)
	if err := write(ctx, key, b, it.ttl); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if c.closed.Load() {
			return ErrClosed // not a failure of the server
		}
		return fmt.Errorf("cache: set: %w", c.backendError("set", err))
	}
	return nil
}

// marshal is Codec.Marshal with a panic (of the Codec, or of a method
// such as MarshalJSON of V) returned as a *PanicError.
func (c *Cache[V]) marshal(v V) (p []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, &PanicError{Value: r, Stack: debug.Stack(), op: "codec"}
		}
	}()
	return c.o.Codec.Marshal(v)
}

// unmarshal is Codec.Unmarshal with a panic returned as a *PanicError.
func (c *Cache[V]) unmarshal(b []byte, v *V) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Value: r, Stack: debug.Stack(), op: "codec"}
		}
	}()
	return c.o.Codec.Unmarshal(b, v)
}

// backendError counts and logs (at most once per ErrorLogInterval) a
// failed backend call, and returns err with the URL's credentials removed.
// A call that fails once Close has begun is neither counted nor logged:
// Close canceled its load or closed its connection, and the server did
// not fail.
func (c *Cache[V]) backendError(op string, err error) error {
	err = c.redact(err)
	if c.closed.Load() {
		return err
	}
	c.slow.backendErrors.Add(1)
	c.errlog.log(c.now(), op, err)
	return err
}
