package rediscache_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/prodready/prodready/cache/rediscache"
	"github.com/prodready/prodready/internal/testserver"
)

// TestReadYourWritesConcurrentReaders: with other goroutines reading the
// same key through the client-side cache, a Get after a Set in the same
// Store never returns an older value: a read in flight when the Set
// returns could otherwise put the old value in the client-side cache.
//
// Found in the review of the redis and memcached stores (commit e550cd3,
// "rediscache, memcached: fixes from review"); the test was in regress_test.go.
func TestReadYourWritesConcurrentReaders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t, testserver.Redis(t), &rediscache.Options{Namespace: testserver.Namespace(t), Timeout: 2 * time.Second})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
					_, _, _ = s.Get(ctx, "k")
				}
			}
		})
	}
	stale, n := 0, 0
	deadline := time.Now().Add(3 * time.Second)
	for i := 1; i <= 3000 && time.Now().Before(deadline); i++ {
		n++
		if err := s.Set(ctx, "k", []byte(strconv.Itoa(i)), time.Minute); err != nil {
			t.Fatal(err)
		}
		b, _, err := s.Get(ctx, "k")
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := strconv.Atoi(string(b)); got < i {
			stale++
		}
	}
	close(stop)
	wg.Wait()
	if stale > 0 {
		t.Errorf("a Get after the Store's own Set returned an older value %d times in %d", stale, n)
	}
	if n < 300 {
		t.Logf("only %d rounds in 3s", n)
	}
}
