package hitratio

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/Yiling-J/theine-go"
	"github.com/hashicorp/golang-lru/arc/v2"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/maypok86/otter/v2"
	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
)

// A Policy is a cache under test: Access requests key, stores it on a
// miss, and reports whether it was a hit. Close releases it.
type Policy interface {
	Access(key string) bool
	Close()
}

// A Maker builds a Policy with room for size entries.
type Maker struct {
	Name string
	New  func(size int) (Policy, error)
}

// Makers are the online caches compared, in table order. "prodready" is
// the memory backend of prodready/cache through its public API.
var Makers = []Maker{
	{"LRU", newLRU},
	{"ARC", newARC},
	{"otter", newOtter},
	{"theine", newTheine},
	{"prodready", newProdready},
	{"policy", newPolicy(nil)},
}

type funcs struct {
	get   func(string) bool
	set   func(string)
	close func()
}

func (f funcs) Access(k string) bool {
	if f.get(k) {
		return true
	}
	f.set(k)
	return false
}

func (f funcs) Close() {
	if f.close != nil {
		f.close()
	}
}

func newLRU(size int) (Policy, error) {
	c, err := lru.New[string, struct{}](size)
	if err != nil {
		return nil, err
	}
	return funcs{
		get: func(k string) bool { _, ok := c.Get(k); return ok },
		set: func(k string) { c.Add(k, struct{}{}) },
	}, nil
}

func newARC(size int) (Policy, error) {
	c, err := arc.NewARC[string, struct{}](size)
	if err != nil {
		return nil, err
	}
	return funcs{
		get: func(k string) bool { _, ok := c.Get(k); return ok },
		set: func(k string) { c.Add(k, struct{}{}) },
	}, nil
}

// newOtter is otter used directly, with the options the memory backend
// gives it that bear on eviction (a size bound; no executor: otter's own).
func newOtter(size int) (Policy, error) {
	return newOtterWith(&otter.Options[string, struct{}]{MaximumSize: size})
}

func newOtterWith(o *otter.Options[string, struct{}]) (Policy, error) {
	c, err := otter.New(o)
	if err != nil {
		return nil, err
	}
	return funcs{
		get:   func(k string) bool { _, ok := c.GetIfPresent(k); return ok },
		set:   func(k string) { c.Set(k, struct{}{}) },
		close: func() { c.StopAllGoroutines() },
	}, nil
}

func newTheine(size int) (Policy, error) {
	c, err := theine.NewBuilder[string, struct{}](int64(size)).Build()
	if err != nil {
		return nil, err
	}
	return funcs{
		get:   func(k string) bool { _, ok := c.Get(k); return ok },
		set:   func(k string) { c.Set(k, struct{}{}, 1) },
		close: c.Close,
	}, nil
}

func newProdready(size int) (Policy, error) {
	ctx := context.Background()
	c, err := cache.New[struct{}](ctx,
		prodready.Base{CacheBackend: prodready.CacheMemory, CacheTTL: time.Hour, CacheMaxSize: size},
		&cache.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, err
	}
	return funcs{
		get: func(k string) bool {
			_, ok, err := c.Get(ctx, k)
			if err != nil {
				panic(fmt.Sprintf("prodready: Get(%q): %v", k, err))
			}
			return ok
		},
		set: func(k string) {
			if err := c.Set(ctx, k, struct{}{}); err != nil {
				panic(fmt.Sprintf("prodready: Set(%q): %v", k, err))
			}
		},
		close: func() { c.Close() },
	}, nil
}

// Key is the string key of page k, as every cache sees it.
func Key(k uint64) string { return strconv.FormatUint(k, 36) }
