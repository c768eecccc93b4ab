package cachetest

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prodready/prodready/cache"
)

func testSingleFlight(t *testing.T, s *suite) {
	const n = 64
	c := s.open(t, config{})
	g := newGate(item(7))
	var ready, done sync.WaitGroup
	results := make([]Item, n)
	errs := make([]error, n)
	for i := range n {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ready.Done()
			results[i], errs[i] = c.GetOrLoad(context.Background(), "hot", g.load)
		}()
	}
	ready.Wait()
	g.waitStarted(t)
	// Give the last callers time to join; a caller that arrives after the
	// load must find the stored value, so the count holds either way.
	time.Sleep(20 * time.Millisecond)
	close(g.release)
	done.Wait()
	for i := range n {
		if errs[i] != nil || !reflect.DeepEqual(results[i], item(7)) {
			t.Fatalf("caller %d: GetOrLoad = %+v, %v, want %+v, nil", i, results[i], errs[i], item(7))
		}
	}
	if got := g.calls.Load(); got != 1 {
		t.Fatalf("loader calls for %d concurrent misses = %d, want 1", n, got)
	}
	if got := c.Stats().Loads; got != 1 {
		t.Fatalf("Stats().Loads = %d, want 1", got)
	}
}

func testWaiterCancel(t *testing.T, s *suite) {
	c := s.open(t, config{})
	g := newGate(item(3))
	ctx, cancel := context.WithCancel(t.Context())
	first := make(chan error, 1)
	go func() {
		_, err := c.GetOrLoad(ctx, "k", g.load)
		first <- err
	}()
	g.waitStarted(t)
	type result struct {
		v   Item
		err error
	}
	second := make(chan result, 1)
	go func() {
		v, err := c.GetOrLoad(context.Background(), "k", g.load)
		second <- result{v, err}
	}()
	cancel()
	select {
	case err := <-first:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("GetOrLoad with a canceled ctx error = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("GetOrLoad did not return within 10s of its ctx being canceled")
	}
	close(g.release)
	r := <-second
	if r.err != nil || !reflect.DeepEqual(r.v, item(3)) {
		t.Fatalf("other waiter: GetOrLoad = %+v, %v, want %+v, nil", r.v, r.err, item(3))
	}
	if got := g.calls.Load(); got != 1 {
		t.Fatalf("loader calls = %d, want 1", got)
	}
	// The load outlived the canceled caller and stored its value.
	wantItem(t, c, "k", item(3))
}

func testLoaderErrorNotCached(t *testing.T, s *suite) {
	c := s.open(t, config{opts: cache.Options{NegativeTTL: time.Minute}})
	errBoom := errors.New("boom")
	var n atomic.Int64
	fail := func(context.Context) (Item, error) {
		n.Add(1)
		return Item{}, errBoom
	}
	for i := range 2 {
		if _, err := c.GetOrLoad(t.Context(), "k", fail); !errors.Is(err, errBoom) {
			t.Fatalf("GetOrLoad #%d error = %v, want %v", i, err, errBoom)
		}
	}
	if n.Load() != 2 {
		t.Fatalf("loader calls = %d, want 2 (errors are not cached)", n.Load())
	}
	if got := c.Stats().LoadErrors; got != 2 {
		t.Fatalf("Stats().LoadErrors = %d, want 2", got)
	}
	wantMissing(t, c, "k")
}

func testLoaderPanic(t *testing.T, s *suite) {
	c := s.open(t, config{})
	release := make(chan struct{})
	started := make(chan struct{})
	var once sync.Once
	boom := func(context.Context) (Item, error) {
		once.Do(func() { close(started) })
		<-release
		panic("boom")
	}
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := c.GetOrLoad(context.Background(), "k", boom)
			errs <- err
		}()
	}
	<-started
	close(release)
	for range 2 {
		select {
		case err := <-errs:
			if pe, ok := errors.AsType[*cache.PanicError](err); !ok || pe.Value != "boom" {
				t.Fatalf("GetOrLoad with a panicking loader error = %v, want a *cache.PanicError of %q", err, "boom")
			}
		case <-time.After(10 * time.Second):
			t.Fatal("a waiter of a panicking loader did not return within 10s")
		}
	}
	var n atomic.Int64
	if got, err := c.GetOrLoad(t.Context(), "k", loaderOf(&n, item(1))); err != nil || got.ID != 1 {
		t.Fatalf("GetOrLoad after a panic = %+v, %v, want %+v, nil", got, err, item(1))
	}
}
