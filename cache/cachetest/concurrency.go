package cachetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prodready/prodready/cache"
)

func testConcurrent(t *testing.T, s *suite) {
	// Mixed operations on a few keys, against a source of truth that the
	// loaders read: every value read must be one written for its key, and
	// once the writers are done each key must hold its source's value, be
	// missing, or (negative entries) be missing from the source too.
	c := s.open(t, config{opts: cache.Options{RefreshAhead: 0.5, NegativeTTL: time.Minute}})
	const keys = 5
	var src [keys]struct {
		mu sync.Mutex // held across a write to the source and to the cache
		v  Item
		ok bool
	}
	var version atomic.Int64
	load := func(k int) func(context.Context) (Item, error) {
		return func(context.Context) (Item, error) {
			src[k].mu.Lock()
			defer src[k].mu.Unlock()
			if !src[k].ok {
				return Item{}, fmt.Errorf("%d: %w", k, cache.ErrNotFound)
			}
			return src[k].v, nil
		}
	}
	check := func(op string, k int, v Item, ok bool) {
		if ok && v.Name != fmt.Sprint("k", k) {
			t.Errorf("%s(k%d) = %+v, a value never written for k%d", op, k, v, k)
		}
	}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 100 {
				k := (w + i) % keys
				key := fmt.Sprint("k", k)
				switch i % 4 {
				case 0:
					v := Item{ID: int(version.Add(1)), Name: key}
					src[k].mu.Lock()
					src[k].v, src[k].ok = v, true
					if err := c.Set(context.Background(), key, v); err != nil {
						t.Errorf("Set(%s) error = %v", key, err)
					}
					src[k].mu.Unlock()
				case 1:
					v, ok, err := c.Get(context.Background(), key)
					if err != nil && !errors.Is(err, cache.ErrNotFound) {
						t.Errorf("Get(%s) error = %v", key, err)
					}
					check("Get", k, v, ok)
				case 2:
					v, err := c.GetOrLoad(context.Background(), key, load(k))
					if err != nil && !errors.Is(err, cache.ErrNotFound) {
						t.Errorf("GetOrLoad(%s) error = %v", key, err)
					}
					check("GetOrLoad", k, v, err == nil)
				case 3:
					if i%12 == 3 {
						src[k].mu.Lock()
						src[k].ok = false
						if err := c.Delete(context.Background(), key); err != nil {
							t.Errorf("Delete(%s) error = %v", key, err)
						}
						src[k].mu.Unlock()
					}
				}
				if i%25 == 0 {
					s.clock.Advance(time.Second)
				}
			}
		})
	}
	wg.Wait()
	for k := range keys {
		key := fmt.Sprint("k", k)
		// A refresh may still be storing: wait for the key to settle.
		eventually(t, "key "+key+" agrees with its source", func() bool {
			v, ok, err := c.Get(t.Context(), key)
			src[k].mu.Lock()
			defer src[k].mu.Unlock()
			switch {
			case ok:
				return src[k].ok && reflect.DeepEqual(v, src[k].v)
			case errors.Is(err, cache.ErrNotFound):
				return !src[k].ok
			}
			return err == nil
		})
	}
	mustSet(t, c, "final", item(1))
	wantItem(t, c, "final", item(1))
}
