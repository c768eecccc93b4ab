package rediscache_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache/rediscache"
	"github.com/prodready/prodready/internal/testserver"
)

// TestNearCacheHits: reads the client-side cache answers are counted, and
// nothing is counted without it or for reads that went to the server.
func TestNearCacheHits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		disable bool
		want    func(uint64) bool
	}{
		{"near cache", false, func(n uint64) bool { return n >= 3 && n <= 4 }}, // the first read fetches; the rest are near hits
		{"no near cache", true, func(n uint64) bool { return n == 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			s := newStore(t, testserver.Redis(t), &rediscache.Options{Namespace: testserver.Namespace(t), Timeout: 2 * time.Second, DisableClientCache: tt.disable})
			if err := s.Set(ctx, "k", []byte("v"), time.Minute); err != nil {
				t.Fatal(err)
			}
			if n := s.NearCacheHits(); n != 0 {
				t.Fatalf("NearCacheHits() = %d before any read, want 0", n)
			}
			for range 5 {
				if _, ok, err := s.Get(ctx, "k"); !ok || err != nil {
					t.Fatalf("Get() = _, %v, %v; want the value", ok, err)
				}
			}
			if _, _, err := s.Get(ctx, "absent"); err != nil {
				t.Fatal(err)
			}
			if n := s.NearCacheHits(); !tt.want(n) {
				t.Errorf("NearCacheHits() = %d after 5 reads of one key and a miss", n)
			}
		})
	}
}

// NearCacheHits tells how often the client-side cache spared a round trip;
// package cache reports it as the metric cache.near_cache.hits.
func ExampleStore_NearCacheHits() {
	ctx := context.Background()
	u, err := prodready.ParseSecretURL("redis://127.0.0.1:6379/0")
	if err != nil {
		panic(err)
	}
	s, err := rediscache.New(ctx, u, &rediscache.Options{Namespace: "example"})
	if err != nil {
		fmt.Println("no server:", err)
		return
	}
	defer s.Close()
	_ = s.Set(ctx, "greeting", []byte("hello"), time.Minute)
	for range 3 {
		_, _, _ = s.Get(ctx, "greeting")
	}
	fmt.Println(s.NearCacheHits()) // 2: the first read went to the server
}
