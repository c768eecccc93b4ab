package inflight

import (
	"errors"
	"net"
	"sync"
	"testing"
	"time"
)

var (
	errBusy   = errors.New("busy")
	errClosed = errors.New("closed")
)

func TestCounter(t *testing.T) {
	t.Parallel()
	var c Counter
	for i := range 3 {
		if err := c.Acquire(3, errBusy, errClosed); err != nil {
			t.Fatalf("Acquire #%d = %v, want nil", i, err)
		}
	}
	if err := c.Acquire(3, errBusy, errClosed); err != errBusy {
		t.Fatalf("Acquire beyond max = %v, want the busy error", err)
	}
	if n := c.InFlight(); n != 3 {
		t.Fatalf("InFlight() = %d, want 3 (a refused call never counts)", n)
	}
	if !c.Close() || c.Close() {
		t.Fatal("Close() = false the first time or true the second")
	}
	if err := c.Acquire(3, errBusy, errClosed); err != errClosed {
		t.Fatalf("Acquire after Close = %v, want the closed error", err)
	}
	short := time.NewTimer(time.Millisecond)
	if c.Wait(short) {
		t.Fatal("Wait() = true with 3 calls in flight")
	}
	go func() {
		for range 3 {
			c.Release()
		}
	}()
	if !c.Wait(time.NewTimer(time.Minute)) {
		t.Fatal("Wait() = false after every call was released")
	}
}

// The count never passes max, even while many callers race for the last
// slots: what CI once saw (5 in flight for a bound of 4) when acquire added
// before it checked.
func TestCounterNeverPassesMax(t *testing.T) {
	t.Parallel()
	var c Counter
	const limit = 4
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := 0
	for range 16 {
		wg.Go(func() {
			for range 2000 {
				if c.Acquire(limit, errBusy, errClosed) == nil {
					mu.Lock()
					seen = max(seen, c.InFlight())
					mu.Unlock()
					c.Release()
				} else {
					mu.Lock()
					seen = max(seen, c.InFlight())
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if seen > limit {
		t.Fatalf("InFlight() reached %d, want at most %d", seen, limit)
	}
}

func TestConnSet(t *testing.T) {
	t.Parallel()
	var cs ConnSet
	a, b := net.Pipe()
	defer b.Close()
	tc, err := cs.Track(a, errClosed)
	if err != nil || cs.Open() != 1 {
		t.Fatalf("Track() = %v, Open() = %d, want nil, 1", err, cs.Open())
	}
	_ = tc.Close()
	if cs.Open() != 0 {
		t.Fatalf("Open() after Close = %d, want 0", cs.Open())
	}
	c, d := net.Pipe()
	defer d.Close()
	if _, err := cs.Track(c, errClosed); err != nil {
		t.Fatal(err)
	}
	cs.CloseAll()
	if cs.Open() != 0 || !cs.Closed() {
		t.Fatalf("after CloseAll: Open() = %d, Closed() = %v", cs.Open(), cs.Closed())
	}
	if _, err := c.Write([]byte("x")); err == nil {
		t.Fatal("a tracked connection still works after CloseAll")
	}
	e, f := net.Pipe()
	defer f.Close()
	if _, err := cs.Track(e, errClosed); err != errClosed {
		t.Fatalf("Track after CloseAll = %v, want the closed error", err)
	}
	if _, err := e.Write([]byte("x")); err == nil {
		t.Fatal("Track after CloseAll left the connection open")
	}
}
