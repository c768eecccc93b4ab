package rediscache_test

import (
	"context"
	"fmt"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache/rediscache"
)

// A miss takes the lease in the key itself, loads, and stores only while
// no Set or Delete of the key has ended the lease. (package cache does
// this for every GetOrLoad miss.)
func ExampleStore_Lease() {
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
	store, release, ok, err := s.Lease(ctx, "user:42:permissions", 5*time.Second, nil)
	if err != nil || !ok {
		return // another instance loads it, or the server failed: load without storing
	}
	defer release(ctx)
	loaded := []byte("read,write") // read from the source of truth
	stored, err := store(ctx, loaded, 10*time.Minute)
	fmt.Println(stored, err) // false if a Set or Delete came meanwhile
}
