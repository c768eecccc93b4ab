package cache_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
)

// A redis or memcached cache authenticates its entries with a key derived
// from SECRET_KEY: without one, New refuses the backend before it
// connects. A configuration loaded by prodready.Load always carries one.
func ExampleNew_noKey() {
	u, _ := prodready.ParseSecretURL("redis://127.0.0.1:6379/0")
	_, err := cache.New[string](context.Background(), prodready.Base{CacheBackend: prodready.CacheRedis, CacheURL: u}, nil)
	fmt.Println(errors.Is(err, cache.ErrNoKey), errors.Is(err, prodready.ErrMissing))

	// With the key (here from a loaded Base), entries are sealed under
	// the purpose key of cache.EntryPurpose.
	var b prodready.Base
	b.SecretKey = prodready.NewSecret("an example key, never a real one: use prodready gen-secret")
	fmt.Println(b.CacheConfig().SecretKey.IsSet(), cache.EntryPurpose)
	// Output:
	// true true
	// true prodready/cache-entry
}
