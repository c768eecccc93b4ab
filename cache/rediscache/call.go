package rediscache

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// A callCtx is the context of one call to rueidis: the caller's values
// and the Store's deadline, but not the caller's deadline or cancellation.
// rueidis closes the shared connection when a call's deadline passes in the
// middle of a read, and dials within the context of the call that finds it
// closed, so a caller that gives up early must not end the call: see
// [Store.run]. Like context.WithDeadline, but the timer is armed only when
// something waits on Done or Err: a client-side cache hit never does, and
// setting up and stopping a timer is a third of a hit's cost.
type callCtx struct {
	parent   context.Context // for Value only
	deadline time.Time

	once   sync.Once
	ctx    context.Context // the deadline, once armed
	cancel context.CancelFunc
}

func newCallCtx(parent context.Context, timeout time.Duration) *callCtx {
	return &callCtx{parent: parent, deadline: time.Now().Add(timeout)}
}

func (c *callCtx) arm() context.Context {
	c.once.Do(func() { c.ctx, c.cancel = context.WithDeadline(context.WithoutCancel(c.parent), c.deadline) })
	return c.ctx
}

// release ends the call: it stops the timer, or keeps it from being armed.
func (c *callCtx) release() {
	c.once.Do(func() { c.ctx = context.Background() }) // nothing waits after the call
	if c.cancel != nil {
		c.cancel()
	}
}

func (c *callCtx) Deadline() (time.Time, bool) { return c.deadline, true }
func (c *callCtx) Done() <-chan struct{}       { return c.arm().Done() }
func (c *callCtx) Err() error                  { return c.arm().Err() }
func (c *callCtx) Value(key any) any           { return c.parent.Value(key) }

// Call states of [Store.run].
const (
	callRunning int32 = iota
	callDone
	callAbandoned
)

// run calls f with a context bounded by the Store's timeout alone. If
// parent ends first, run returns parent.Err() at once and f goes on in the
// background, within the timeout; then abandoned, if not nil, runs after
// it, so that f's result can be undone. Otherwise run returns nil once f
// has returned. A parent that cannot end costs no goroutine. f (and
// abandoned) count as one call in flight until they return: run returns
// ErrBusy at once when MaxInFlight are, and ErrClosed after Close.
func (s *Store) run(parent context.Context, f func(ctx context.Context), abandoned func()) error {
	if err := parent.Err(); err != nil {
		return err
	}
	if err := s.calls.Acquire(s.maxInFlight, ErrBusy, ErrClosed); err != nil {
		return err
	}
	ctx := newCallCtx(parent, s.timeout)
	pdone := parent.Done()
	if pdone == nil {
		defer s.calls.Release()
		f(ctx)
		ctx.release()
		return nil
	}
	var state atomic.Int32
	done := make(chan struct{})
	go func() {
		defer s.calls.Release()
		defer close(done)
		f(ctx)
		ctx.release()
		if !state.CompareAndSwap(callRunning, callDone) && abandoned != nil {
			abandoned()
		}
	}()
	select {
	case <-done:
		return nil
	case <-pdone:
		if state.CompareAndSwap(callRunning, callAbandoned) {
			return parent.Err()
		}
		<-done // f has returned: its result stands
		return nil
	}
}
