package cachetest

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/prodready/prodready/cache"
)

func testSetDuringLoad(t *testing.T, s *suite) {
	c := s.open(t, config{})
	g := newGate(item(1))
	done := make(chan error, 1)
	go func() {
		_, err := c.GetOrLoad(context.Background(), "k", g.load)
		done <- err
	}()
	g.waitStarted(t)
	mustSet(t, c, "k", item(2))
	close(g.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// The load began before the Set: its older result must not replace it.
	wantItem(t, c, "k", item(2))
}

// testWriteDuringLoad races a Set or Delete of a key with a load of it,
// many times: whatever the interleaving, the write must win, so that a
// load that read the source before it changed does not store the old value
// after the write (the window between the check for a Set or Delete and
// the load's own write included).
func testWriteDuringLoad(t *testing.T, s *suite) {
	tests := []struct {
		name   string
		delete bool
	}{
		{"set", false},
		{"delete", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := &suite{newCache: s.newCache, key: s.key}
			c := s.open(t, config{})
			for i := range 40 {
				key := fmt.Sprint("k", i)
				var mu sync.Mutex
				cur, present := item(1), true
				load := func(context.Context) (Item, error) {
					mu.Lock()
					defer mu.Unlock()
					if !present {
						return Item{}, cache.ErrNotFound
					}
					return cur, nil
				}
				start := make(chan struct{})
				var wg sync.WaitGroup
				wg.Go(func() {
					<-start
					_, _ = c.GetOrLoad(context.Background(), key, load)
				})
				wg.Go(func() {
					<-start
					mu.Lock()
					defer mu.Unlock()
					if tt.delete {
						present = false
						if err := c.Delete(context.Background(), key); err != nil {
							t.Errorf("Delete(%s) error = %v", key, err)
						}
						return
					}
					cur = item(2)
					if err := c.Set(context.Background(), key, cur); err != nil {
						t.Errorf("Set(%s) error = %v", key, err)
					}
				})
				close(start)
				wg.Wait()
				if tt.delete {
					wantMissing(t, c, key)
				} else {
					wantItem(t, c, key, item(2))
				}
			}
		})
	}
}

// testDeleteDuringLoad checks that a miss after a Delete superseded a
// running load starts a new load at once when the old one returns: it
// neither runs a second loader beside the old one nor waits LockWait for a
// value the superseded load will not store (its lease is free).
func testDeleteDuringLoad(t *testing.T, s *suite) {
	c := s.open(t, config{opts: cache.Options{LockWait: time.Minute}})
	old := newGate(item(1))
	first := make(chan error, 1)
	go func() {
		_, err := c.GetOrLoad(context.Background(), "k", old.load)
		first <- err
	}()
	old.waitStarted(t)
	if err := c.Delete(t.Context(), "k"); err != nil {
		t.Fatal(err)
	}
	fresh := newGate(item(2))
	type result struct {
		v   Item
		err error
	}
	second := make(chan result, 1)
	go func() {
		v, err := c.GetOrLoad(context.Background(), "k", fresh.load)
		second <- result{v, err}
	}()
	select {
	case <-fresh.started:
		t.Fatal("a second loader of the key ran while the superseded one still ran")
	case <-time.After(50 * time.Millisecond):
	}
	close(old.release)
	if err := <-first; err != nil {
		t.Fatalf("superseded GetOrLoad error = %v", err)
	}
	fresh.waitStarted(t)
	close(fresh.release)
	select {
	case r := <-second:
		if r.err != nil || !reflect.DeepEqual(r.v, item(2)) {
			t.Fatalf("GetOrLoad after the Delete = %+v, %v, want %+v, nil", r.v, r.err, item(2))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("GetOrLoad after the Delete did not return within 10s")
	}
	wantItem(t, c, "k", item(2))
}

// testCloseSupersededLoad checks that Close cancels a load that a Delete
// superseded, instead of waiting for it.
func testCloseSupersededLoad(t *testing.T, s *suite) {
	c := s.open(t, config{})
	started := make(chan struct{})
	returned := make(chan struct{})
	go func() {
		defer close(returned)
		_, _ = c.GetOrLoad(context.Background(), "k", func(ctx context.Context) (Item, error) {
			close(started)
			select {
			case <-ctx.Done():
				return Item{}, ctx.Err()
			case <-time.After(10 * time.Second):
				return item(1), nil
			}
		})
	}()
	<-started
	if err := c.Delete(t.Context(), "k"); err != nil {
		t.Fatal(err)
	}
	closed := make(chan error, 1)
	go func() { closed <- c.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatalf("Close() = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return within 5s: it waited for a superseded load instead of canceling it")
	}
	<-returned
}
