package cache_test

import (
	"expvar"
	"strings"
	"testing"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
	"github.com/prodready/prodready/cache/cachetest"
)

// Found in the first review of the cache package (commit 9c05f6d,
// "cache: fixes from review"); the test was in review_fixes_test.go.
func TestExpvarReuse(t *testing.T) {
	t.Parallel()
	name := "cachetest_" + strings.ReplaceAll(cachetest.Namespace(t), "-", "_")
	open := func() (*cache.Cache[int], error) {
		return cache.New[int](t.Context(), prodready.Base{}, &cache.Options{ExpvarName: name})
	}
	first, err := open()
	if err != nil {
		t.Fatal(err)
	}
	if c, err := open(); err == nil {
		c.Close()
		t.Fatal("New with the name of an open Cache error = nil")
	}
	_ = first.Set(t.Context(), "k", 1)
	_, _, _ = first.Get(t.Context(), "k")
	_, _, _ = first.Get(t.Context(), "k")
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if s := expvar.Get(name).String(); !strings.Contains(s, `"hits":2`) {
		t.Fatalf("expvar %q after Close = %s, want the final counts", name, s)
	}
	second, err := open()
	if err != nil {
		t.Fatalf("New with the name of a closed Cache: %v", err)
	}
	defer second.Close()
	if s := expvar.Get(name).String(); !strings.Contains(s, `"hits":0`) {
		t.Fatalf("expvar %q of the new Cache = %s, want its own counts", name, s)
	}

	foreign := name + "_foreign"
	expvar.NewInt(foreign)
	if c, err := cache.New[int](t.Context(), prodready.Base{}, &cache.Options{ExpvarName: foreign}); err == nil {
		c.Close()
		t.Fatal("New with a name published by someone else error = nil")
	}
}
