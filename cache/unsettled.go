package cache

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// A Set or Delete that fails or times out on a redis or memcached server
// may still be executed later: the request can sit in the server's socket
// buffer while the server is stopped or overloaded, and land after a later
// write, even a successful Delete (the issue "Coherence: a write is never
// undone by a load that started before it" saw a Set that timed out during
// a one-second SIGSTOP of Memcached land after the Delete that followed).
// So the key is unsettled until this process has deleted it twice: once
// the server answers again, and once more settleTime later, by when a
// write left in a buffer has landed. While a key is unsettled, this
// process reads it as a miss and stores no load of it; a write of it by
// another process may be deleted by the repair (a later miss, never a
// stale value).

// settleTime is how long after the first repair Delete that succeeded the
// second one runs. repairTick is how often the repair tries.
const (
	settleTime = time.Second
	repairTick = 50 * time.Millisecond
)

// unsettled holds the keys of failed writes, and runs their repair.
type unsettled struct {
	n       atomic.Int32 // len(keys), read without mu
	mu      sync.Mutex
	keys    map[string]time.Time // when the second Delete is due; zero before the first
	running bool
	stop    chan struct{} // closed by Close
}

// failedWrite marks key unsettled after a Set or Delete of it failed with
// err, and starts the repair. A write that Close overtook needs none.
func (c *Cache[V]) failedWrite(key string, err error) {
	if err == nil || errors.Is(err, ErrClosed) || c.closed.Load() {
		return
	}
	u := &c.unsettled
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.keys == nil {
		u.keys = map[string]time.Time{}
		u.stop = make(chan struct{})
	}
	if _, ok := u.keys[key]; !ok {
		u.n.Add(1)
	}
	u.keys[key] = time.Time{}
	if u.running {
		return
	}
	// Counted in wg under a shard's lock, while the Cache is open, as start
	// does: Close sets closed, then takes every shard's lock, then waits.
	sh := c.shard(key)
	sh.mu.Lock()
	open := !c.closed.Load()
	if open {
		c.wg.Add(1)
	}
	sh.mu.Unlock()
	if open {
		u.running = true
		go c.repair(u.stop)
	}
}

// isUnsettled reports whether key is unsettled. Without a failed write in
// progress of repair it costs one atomic load.
func (c *Cache[V]) isUnsettled(key string) bool {
	u := &c.unsettled
	if u.n.Load() == 0 {
		return false
	}
	u.mu.Lock()
	_, ok := u.keys[key]
	u.mu.Unlock()
	return ok
}

// stopRepair ends the repair; Close calls it before it waits for wg.
func (c *Cache[V]) stopRepair() {
	u := &c.unsettled
	u.mu.Lock()
	if u.stop != nil {
		close(u.stop)
		u.stop = nil
	}
	u.mu.Unlock()
}

// repair deletes the unsettled keys, twice each, until none is left or
// Close stops it.
func (c *Cache[V]) repair(stop <-chan struct{}) {
	defer c.wg.Done()
	u := &c.unsettled
	t := time.NewTicker(repairTick)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		now := time.Now()
		u.mu.Lock()
		var due []string
		for k, at := range u.keys {
			if !now.Before(at) {
				due = append(due, k)
			}
		}
		u.mu.Unlock()
		for _, k := range due {
			ctx, cancel := context.WithTimeout(context.Background(), c.o.Timeout)
			err := c.remote.Delete(ctx, k)
			cancel()
			if err != nil {
				break // the server still fails: try again at the next tick
			}
			u.mu.Lock()
			switch at, ok := u.keys[k]; {
			case !ok:
			case at.IsZero():
				u.keys[k] = time.Now().Add(settleTime)
			case !time.Now().Before(at):
				delete(u.keys, k)
				u.n.Add(-1)
			}
			u.mu.Unlock()
		}
		u.mu.Lock()
		if len(u.keys) == 0 {
			u.running = false
			u.mu.Unlock()
			return
		}
		u.mu.Unlock()
	}
}
