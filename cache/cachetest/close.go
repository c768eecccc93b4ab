package cachetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prodready/prodready/cache"
)

func testClose(t *testing.T, s *suite) {
	c := s.open(t, config{})
	mustSet(t, c, "k", item(1))
	if err := c.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("second Close() = %v, want nil", err)
	}
	ctx := t.Context()
	ops := []struct {
		name string
		call func() error
	}{
		{"Get", func() error { _, _, err := c.Get(ctx, "k"); return err }},
		{"Set", func() error { return c.Set(ctx, "k", item(2)) }},
		{"SetWithTTL", func() error { return c.SetWithTTL(ctx, "k", item(2), time.Second) }},
		{"Delete", func() error { return c.Delete(ctx, "k") }},
		{"GetOrLoad", func() error {
			_, err := c.GetOrLoad(ctx, "k", func(context.Context) (Item, error) { return item(3), nil })
			return err
		}},
	}
	for _, op := range ops {
		if err := op.call(); !errors.Is(err, cache.ErrClosed) {
			t.Errorf("%s after Close error = %v, want ErrClosed", op.name, err)
		}
	}
	_ = c.Stats() // still allowed
}

// testStressClose hammers a Cache with GetOrLoad, Get, Set, SetWithTTL and
// Delete of a few keys from many goroutines, each running a bounded number
// of calls, and closes it from several goroutines at once while the calls
// run. Every value read must be one a writer or loader produced for its
// key; a call that ends before Close begins must not fail (ErrNotFound
// aside); a call that overlaps Close may also return ErrClosed, or the
// context.Canceled of a loader that Close canceled, but no backend error;
// every Close returns nil; and every call that starts after Close returned
// returns ErrClosed. The package's goroutine leak check runs after it.
func testStressClose(t *testing.T, s *suite) {
	const (
		workers     = 16
		keys        = 6
		closeAfter  = workers * 80 // calls made before Close starts
		callsDuring = 20           // per worker, at most, while Close runs
		callsAfter  = 12           // per worker, after Close returned
		maxCalls    = 2000         // per worker, in all: a bound
	)
	c := s.open(t, config{opts: cache.Options{
		RefreshAhead: 0.5,
		NegativeTTL:  time.Minute,
		LockWait:     50 * time.Millisecond,
	}})

	// Every value stored or loaded has an ID of its own, owned by its key.
	var (
		nextID atomic.Int64
		owner  sync.Map // ID -> key
	)
	produce := func(key string) Item {
		id := int(nextID.Add(1))
		owner.Store(id, key)
		return Item{ID: id, Name: key, Tags: []string{key}}
	}
	var bad atomic.Int64
	check := func(op, key string, v Item) {
		k, ok := owner.Load(v.ID)
		if v.Name != key || !ok || k != key {
			if bad.Add(1) <= 5 {
				t.Errorf("%s(%s) = %+v: not a value produced for %s (its ID was produced for %v)", op, key, v, key, k)
			}
		}
	}
	load := func(key string, n int) func(context.Context) (Item, error) {
		return func(ctx context.Context) (Item, error) {
			if n%5 == 0 {
				return Item{}, fmt.Errorf("%s: %w", key, cache.ErrNotFound)
			}
			if n%3 == 0 { // stay in flight for a while, so Close finds loads running
				select {
				case <-ctx.Done():
					return Item{}, ctx.Err()
				case <-time.After(time.Duration(n%4) * time.Millisecond):
				}
			}
			return produce(key), nil
		}
	}

	var (
		calls        atomic.Int64
		closeStarted atomic.Bool
		closeDone    atomic.Bool
		afterClose   atomic.Int64 // calls that started after Close returned
		during       atomic.Int64 // calls that overlapped Close
		closedErrs   atomic.Int64 // ErrClosed returned by calls that overlapped Close
		reached      = make(chan struct{})
		reachedOnce  sync.Once
		closed       = make(chan struct{}) // closed once every Close returned
		closers      sync.WaitGroup
		wg           sync.WaitGroup
	)
	for range 3 {
		closers.Go(func() {
			<-reached
			closeStarted.Store(true)
			if err := c.Close(); err != nil {
				t.Errorf("Close() = %v, want nil", err)
			}
		})
	}
	for w := range workers {
		wg.Go(func() {
			left, mine := callsAfter, 0 // mine: this worker's calls during Close
			for i := 0; left > 0; i++ {
				// A worker that made maxCalls calls before Close returned
				// (fast calls, a slow Close: the memory engine stops its
				// goroutines) waits for it too, then makes its calls
				// after Close.
				if mine == callsDuring || i == maxCalls {
					// Enough calls overlap Close: wait for it to return.
					select {
					case <-closed:
					case <-time.After(time.Minute):
						t.Errorf("worker %d: Close did not return within a minute", w)
						return
					}
				}
				if calls.Add(1) == closeAfter {
					reachedOnce.Do(func() { close(reached) })
				}
				n := i*workers + w // unique: picks the call, its key and its loader
				key := fmt.Sprint("k", (n*7+i/3)%keys)
				afterStart := closeDone.Load()
				op, err := stressCall(c, key, n, produce, load, check)
				overlapped := closeStarted.Load()
				switch {
				case afterStart:
					left--
					afterClose.Add(1)
					if !errors.Is(err, cache.ErrClosed) {
						t.Errorf("%s(%s) after Close returned: error = %v, want ErrClosed", op, key, err)
					}
				case err == nil, errors.Is(err, cache.ErrNotFound):
				case overlapped && errors.Is(err, cache.ErrClosed):
					closedErrs.Add(1)
				case overlapped && op == "GetOrLoad" && errors.Is(err, context.Canceled):
					// The loader returned the error of the context Close canceled.
				default:
					t.Errorf("%s(%s) error = %v (Close started: %v), want nil, ErrNotFound or, during Close, ErrClosed", op, key, err, overlapped)
				}
				if overlapped && !afterStart {
					during.Add(1)
					mine++
				}
				if i%40 == 39 {
					s.clock.Advance(7 * time.Minute) // expire and refresh entries
				}
			}
		})
	}
	closers.Wait()
	closeDone.Store(true)
	close(closed)
	wg.Wait()
	st := c.Stats()
	t.Logf("%d calls, %d overlapping Close (%d returned ErrClosed), %d after Close; stats %+v",
		calls.Load(), during.Load(), closedErrs.Load(), afterClose.Load(), st)
	if st.BackendErrors != 0 {
		t.Errorf("Stats().BackendErrors = %d on a healthy server, want 0: Close must not count as a backend failure", st.BackendErrors)
	}
}

// stressCall makes one call of testStressClose on key, chosen by n, and
// checks the value it reads. It returns the call's name and error.
func stressCall(c *cache.Cache[Item], key string, n int, produce func(string) Item,
	load func(string, int) func(context.Context) (Item, error), check func(op, key string, v Item)) (string, error) {
	ctx := context.Background()
	switch n % 10 {
	case 0, 1, 2, 3:
		v, err := c.GetOrLoad(ctx, key, load(key, n))
		if err == nil {
			check("GetOrLoad", key, v)
		}
		return "GetOrLoad", err
	case 4, 5:
		v, ok, err := c.Get(ctx, key)
		if ok {
			check("Get", key, v)
		}
		return "Get", err
	case 6, 7:
		return "Set", c.Set(ctx, key, produce(key))
	case 8:
		ttl := []time.Duration{0, time.Minute, 2 * time.Hour}[n/10%3]
		return "SetWithTTL", c.SetWithTTL(ctx, key, produce(key), ttl)
	default:
		return "Delete", c.Delete(ctx, key)
	}
}
