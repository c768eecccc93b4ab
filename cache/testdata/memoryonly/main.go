// Command memoryonly is the smallest service that caches in process: it
// loads its configuration and builds a cache, importing neither
// cache/rediscache nor cache/memcached. linking_test.go checks that it
// links no Redis or Memcached client, and that CACHE_BACKEND=redis makes
// cache.New fail with an error that names the missing import.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run loads the configuration from the environment and opens the cache it
// names.
func run(ctx context.Context) error {
	var cfg prodready.Base
	if err := prodready.Load(ctx, &cfg, nil); err != nil {
		return err
	}
	c, err := cache.New[string](ctx, cfg, nil)
	if err != nil {
		return err
	}
	defer c.Close()
	fmt.Println(c.Backend())
	return nil
}
