package cachetest

import (
	"context"
	"fmt"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prodready/prodready/cache"
)

// item returns a distinct Item for n.
func item(n int) Item {
	return Item{ID: n, Name: fmt.Sprintf("item %d", n), Tags: []string{"a", fmt.Sprint(n)}}
}

func mustGet(t *testing.T, c *cache.Cache[Item], key string) (Item, bool) {
	t.Helper()
	v, ok, err := c.Get(t.Context(), key)
	if err != nil {
		t.Fatalf("Get(%q) error = %v", key, err)
	}
	return v, ok
}

func mustSet(t *testing.T, c *cache.Cache[Item], key string, v Item) {
	t.Helper()
	if err := c.Set(t.Context(), key, v); err != nil {
		t.Fatalf("Set(%q) error = %v", key, err)
	}
}

func wantItem(t *testing.T, c *cache.Cache[Item], key string, want Item) {
	t.Helper()
	got, ok := mustGet(t, c, key)
	if !ok {
		t.Fatalf("Get(%q) = missing, want %+v", key, want)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Get(%q) = %+v, want %+v", key, got, want)
	}
}

func wantMissing(t *testing.T, c *cache.Cache[Item], key string) {
	t.Helper()
	if got, ok := mustGet(t, c, key); ok {
		t.Fatalf("Get(%q) = %+v, want missing", key, got)
	}
}

// loaderOf returns a loader that counts its calls in n and returns v.
func loaderOf(n *atomic.Int64, v Item) func(context.Context) (Item, error) {
	return func(context.Context) (Item, error) {
		n.Add(1)
		return v, nil
	}
}

// gate is a loader that blocks until opened (or its ctx ends) and tells
// when it has started.
type gate struct {
	calls   atomic.Int64
	started chan struct{} // receives once per call
	release chan struct{}
	v       Item
	err     error
}

func newGate(v Item) *gate {
	return &gate{started: make(chan struct{}, 1000), release: make(chan struct{}), v: v}
}

func (g *gate) load(ctx context.Context) (Item, error) {
	g.calls.Add(1)
	g.started <- struct{}{}
	select {
	case <-g.release:
		return g.v, g.err
	case <-ctx.Done():
		return Item{}, ctx.Err()
	}
}

// waitStarted waits for the gate's loader to be called, for up to 10s.
func (g *gate) waitStarted(t *testing.T) {
	t.Helper()
	select {
	case <-g.started:
	case <-time.After(10 * time.Second):
		t.Fatal("loader not called within 10s")
	}
}

// eventually polls cond every millisecond for up to 10s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
