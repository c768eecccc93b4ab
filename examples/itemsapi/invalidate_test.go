package main

import (
	"context"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/internal/testserver"
)

// TestInvalidateTwice plays another instance's load that read the old row
// before a write and stores it after the write's first delete: the second
// delete, invalidateDelay later, removes it.
func TestInvalidateTwice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := newTestServer(t, prodready.MapEnv{"REQUEST_TIMEOUT": "200ms"})
	key := itemKey(7)
	if key != "item:v1:7" {
		t.Errorf("itemKey(7) = %q, want the versioned item:v1:7", key)
	}
	old := Item{ID: 7, Name: "old"}
	if err := s.items.Set(ctx, key, old); err != nil {
		t.Fatal(err)
	}
	s.invalidate(ctx, 7)
	if _, ok, err := s.items.Get(ctx, key); ok || err != nil {
		t.Fatalf("Get after the first delete = %v, %v, want a miss", ok, err)
	}
	// The other instance's load ends now, with the row it read before
	// the write.
	if err := s.items.Set(ctx, key, old); err != nil {
		t.Fatal(err)
	}
	s.pending.Wait()
	if v, ok, err := s.items.Get(ctx, key); ok || err != nil {
		t.Errorf("Get after the second delete = %+v, %v, %v, want a miss: the stale value stays for CACHE_TTL", v, ok, err)
	}
}

// TestInvalidateAfterDeadline writes when the request's context has ended
// (a write that finished near REQUEST_TIMEOUT): the delete must happen
// anyway. Redis honours the context of a call; the memory backend, which
// does not, is here for the contrast.
func TestInvalidateAfterDeadline(t *testing.T) {
	t.Parallel()
	backends := map[string]prodready.MapEnv{
		"memory": {"REQUEST_TIMEOUT": "100ms"},
		"redis": {"REQUEST_TIMEOUT": "100ms", "CACHE_BACKEND": "redis", "CACHE_URL": testserver.Redis(t),
			"CACHE_NAMESPACE": testserver.Namespace(t)},
	}
	for backend, env := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			s, logs := newTestServer(t, env)
			key := itemKey(9)
			for name, ctx := range map[string]context.Context{
				"canceled": func() context.Context {
					ctx, cancel := context.WithCancel(context.Background())
					cancel()
					return ctx
				}(),
				"past its deadline": func() context.Context {
					ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
					t.Cleanup(cancel)
					return ctx
				}(),
			} {
				if err := s.items.Set(context.Background(), key, Item{ID: 9, Name: "old"}); err != nil {
					t.Fatal(err)
				}
				s.invalidate(ctx, 9)
				// Before the second delete, invalidateDelay later.
				if v, ok, err := s.items.Get(context.Background(), key); ok || err != nil {
					t.Errorf("request context %s: Get after invalidate = %+v, %v, %v, want a miss", name, v, ok, err)
				}
			}
			s.pending.Wait()
			if strings.Contains(logs.String(), "cache delete failed") {
				t.Errorf("a delete failed:\n%s", logs)
			}
		})
	}
}

// TestInvalidateBurst: a burst of writes to one item holds one delayed
// delete, not one goroutine and timer per write, and its delete still
// comes after the last write's delay.
func TestInvalidateBurst(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := newTestServer(t, prodready.MapEnv{"REQUEST_TIMEOUT": "300ms"})
	before := runtime.NumGoroutine()
	for range 1000 {
		s.invalidate(ctx, 7)
	}
	s.invalidate(ctx, 8)
	s.delayedMu.Lock()
	n := len(s.delayed)
	s.delayedMu.Unlock()
	if n != 2 {
		t.Errorf("%d delayed deletes after 1000 writes to one item and 1 to another, want 2", n)
	}
	if g := runtime.NumGoroutine(); g > before+50 {
		t.Errorf("%d goroutines after the burst, %d before", g, before)
	}
	// A stale value stored after the last write's first delete is still
	// removed by the pushed-back second delete.
	if err := s.items.Set(ctx, itemKey(7), Item{ID: 7, Name: "old"}); err != nil {
		t.Fatal(err)
	}
	s.pending.Wait()
	if _, ok, err := s.items.Get(ctx, itemKey(7)); ok || err != nil {
		t.Errorf("Get after the burst's second delete = %v, %v, want a miss", ok, err)
	}
	s.delayedMu.Lock()
	n = len(s.delayed)
	s.delayedMu.Unlock()
	if n != 0 {
		t.Errorf("%d delayed deletes left after they ran", n)
	}
}

// TestWritesWhileCacheDisconnected: an item written while the cache was not
// connected is deleted from it when it connects, since the server may hold
// an entry from before it went down.
func TestWritesWhileCacheDisconnected(t *testing.T) {
	t.Parallel()
	s, _ := newTestServer(t, nil)
	withSQLite(t, s, 5)
	h := s.handler()
	c := s.items
	if w := do(h, "GET", "/items/2", "", ""); w.Code != http.StatusOK { // cached
		t.Fatalf("GET /items/2 = %d %s", w.Code, w.Body)
	}
	s.items = nil // as if the cache server had been down at start-up
	cookie := loginCookie(t, h, testToken)
	if w := do(h, "PUT", "/items/2", "application/json", `{"name":"NEW","price_cents":1}`, cookie); w.Code != http.StatusOK {
		t.Fatalf("PUT /items/2 = %d %s", w.Code, w.Body)
	}
	s.attachCache(context.Background(), c)
	w := do(h, "GET", "/items/2", "", "")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"NEW"`) {
		t.Errorf("GET /items/2 after the cache connected = %d %s, want the item written meanwhile", w.Code, w.Body)
	}
}
