package cache_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
	"github.com/prodready/prodready/cache/cachetest"
)

type User struct {
	ID   int
	Name string
}

func Example() {
	ctx := context.Background()
	// A service passes its own configuration struct, loaded by
	// prodready.Load: CACHE_TTL=10m, CACHE_MAX_SIZE=4096.
	type Config struct {
		prodready.Base
		Extra string `env:"EXTRA"`
	}
	cfg := Config{Base: prodready.Base{CacheTTL: 10 * time.Minute, CacheMaxSize: 4096}}
	c, err := cache.New[User](ctx, cfg, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	queries := 0
	loadUser := func(ctx context.Context) (User, error) {
		queries++ // the expensive database query
		return User{ID: 7, Name: "Ada"}, nil
	}
	for range 3 {
		u, err := c.GetOrLoad(ctx, "user:7", loadUser)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(u.Name)
	}
	st := c.Stats()
	fmt.Printf("queries=%d hits=%d misses=%d hit ratio=%.2f\n", queries, st.Hits, st.Misses, st.HitRatio())
	// Output:
	// Ada
	// Ada
	// Ada
	// queries=1 hits=2 misses=1 hit ratio=0.67
}

// A fixed clock makes expiry deterministic: here a negative entry expires.
func ExampleOptions_negativeTTL() {
	ctx := context.Background()
	clock := &cachetest.Clock{} // a fake clock, safe for concurrent use
	c, err := cache.New[User](ctx, prodready.Base{}, &cache.Options{
		Now:         clock.Now,
		NegativeTTL: 30 * time.Second,
		Jitter:      -1, // exact lifetimes, for the example
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	queries := 0
	find := func(ctx context.Context) (User, error) {
		queries++
		return User{}, fmt.Errorf("user 404: %w", cache.ErrNotFound)
	}
	_, err = c.GetOrLoad(ctx, "user:404", find)
	fmt.Println(errors.Is(err, cache.ErrNotFound), queries)
	_, err = c.GetOrLoad(ctx, "user:404", find) // answered from the cache
	fmt.Println(errors.Is(err, cache.ErrNotFound), queries)
	clock.Advance(31 * time.Second) // the negative entry has expired
	_, err = c.GetOrLoad(ctx, "user:404", find)
	fmt.Println(errors.Is(err, cache.ErrNotFound), queries)
	// Output:
	// true 1
	// true 1
	// true 2
}

func ExampleCache_SetWithTTL() {
	ctx := context.Background()
	clock := &cachetest.Clock{}
	c, err := cache.New[string](ctx, prodready.Base{CacheTTL: time.Hour}, &cache.Options{
		Now:    clock.Now,
		Jitter: -1,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	_ = c.Set(ctx, "config", "long-lived")
	_ = c.SetWithTTL(ctx, "token", "short-lived", time.Minute)
	clock.Advance(2 * time.Minute)
	for _, key := range []string{"config", "token"} {
		v, ok, err := c.Get(ctx, key)
		fmt.Printf("%s: %q %v %v\n", key, v, ok, err)
	}
	// Output:
	// config: "long-lived" true <nil>
	// token: "" false <nil>
}

func ExampleStats_LogValue() {
	ctx := context.Background()
	c, err := cache.New[int](ctx, prodready.Base{}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	_ = c.Set(ctx, "a", 1)
	_, _, _ = c.Get(ctx, "a")
	_, _, _ = c.Get(ctx, "b")

	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey && len(groups) == 0 {
				return slog.Attr{} // a fixed output for the example
			}
			return a
		},
	}))
	logger.Info("cache", "stats", c.Stats())
	// Output:
	// level=INFO msg=cache stats.hits=1 stats.misses=1 stats.hit_ratio=0.5 stats.loads=0 stats.load_errors=0 stats.backend_errors=0 stats.codec_errors=0 stats.auth_failures=0 stats.evictions=0 stats.capacity=1024 stats.estimates=1x:50.0%
}
