// Package inflight counts a cache backend's calls in flight and tracks its
// connections, so that Close can wait for the calls left running by
// callers that gave up and close the connections they still hold. The
// redis and memcached backends share it.
package inflight

import (
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// closedBit marks a Counter closed; the bits below count the calls.
const closedBit = 1 << 40

// A Counter counts the calls in flight and lets Close wait for them. Its
// zero value is ready to use.
type Counter struct {
	n       atomic.Int64
	once    sync.Once
	drained chan struct{} // a token when the count reaches zero after Close
}

func (c *Counter) ch() chan struct{} {
	c.once.Do(func() { c.drained = make(chan struct{}, 1) })
	return c.drained
}

// Acquire counts a call in. It returns closed after Close, and busy when
// max calls are in flight; the caller's own errors, so each backend keeps
// its sentinels. The count never exceeds max, even for a moment: a
// compare-and-swap, not add-then-check.
func (c *Counter) Acquire(max int64, busy, closed error) error {
	for {
		n := c.n.Load()
		switch {
		case n&closedBit != 0:
			return closed
		case n >= max:
			return busy
		}
		if c.n.CompareAndSwap(n, n+1) {
			return nil
		}
	}
}

// Release counts a call out.
func (c *Counter) Release() {
	if c.n.Add(-1) == closedBit {
		select {
		case c.ch() <- struct{}{}:
		default:
		}
	}
}

// Close marks c closed; it reports false if it was already.
func (c *Counter) Close() bool {
	c.ch()
	for {
		n := c.n.Load()
		if n&closedBit != 0 {
			return false
		}
		if c.n.CompareAndSwap(n, n|closedBit) {
			return true
		}
	}
}

// Wait waits, after Close, until no call is in flight or t fires; it
// reports whether none is.
func (c *Counter) Wait(t *time.Timer) bool {
	for c.n.Load() != closedBit {
		select {
		case <-c.ch():
		case <-t.C:
			return c.n.Load() == closedBit
		}
	}
	return true
}

// InFlight returns the number of calls in flight.
func (c *Counter) InFlight() int { return int(c.n.Load() &^ closedBit) }

// A ConnSet holds a backend's open connections, so that Close can close
// those that calls still hold, and refuses new ones after CloseAll. Its
// zero value is ready to use.
type ConnSet struct {
	mu     sync.Mutex
	conns  map[*trackedConn]struct{}
	closed bool
}

type trackedConn struct {
	net.Conn
	set  *ConnSet
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.set.mu.Lock()
		delete(c.set.conns, c)
		c.set.mu.Unlock()
	})
	return c.Conn.Close()
}

// Track returns nc wrapped so that its Close removes it from the set. After
// CloseAll it closes nc and returns closed.
func (cs *ConnSet) Track(nc net.Conn, closed error) (net.Conn, error) {
	tc := &trackedConn{Conn: nc, set: cs}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.closed {
		_ = nc.Close()
		return nil, closed
	}
	if cs.conns == nil {
		cs.conns = make(map[*trackedConn]struct{})
	}
	cs.conns[tc] = struct{}{}
	return tc, nil
}

// Closed reports whether CloseAll was called.
func (cs *ConnSet) Closed() bool {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.closed
}

// CloseAll closes every open connection and refuses new ones.
func (cs *ConnSet) CloseAll() {
	cs.mu.Lock()
	cs.closed = true
	conns := cs.conns
	cs.conns = nil
	cs.mu.Unlock()
	for c := range conns {
		_ = c.Conn.Close()
	}
}

// Open returns the number of open connections.
func (cs *ConnSet) Open() int {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return len(cs.conns)
}
