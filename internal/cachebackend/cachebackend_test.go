package cachebackend_test

import (
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/prodready/prodready"
	_ "github.com/prodready/prodready/cache/memcached"
	_ "github.com/prodready/prodready/cache/rediscache"
	"github.com/prodready/prodready/internal/cachebackend"
)

// TestBackendsRegisterUnderTheirImportPath checks that importing a backend
// registers it, and that ImportPath, which the error for a missing import
// quotes, names the package that does.
func TestBackendsRegisterUnderTheirImportPath(t *testing.T) {
	t.Parallel()
	for _, name := range []prodready.CacheBackend{prodready.CacheRedis, prodready.CacheMemcached} {
		t.Run(string(name), func(t *testing.T) {
			t.Parallel()
			open, ok := cachebackend.Lookup(name)
			if !ok {
				t.Fatalf("Lookup(%q) found nothing, though its package is imported", name)
			}
			fn := runtime.FuncForPC(reflect.ValueOf(open).Pointer()).Name()
			pkg := fn[:strings.LastIndex(fn, ".")]
			if got := cachebackend.ImportPath(name); got != pkg {
				t.Errorf("ImportPath(%q) = %q, but %s registered it", name, got, fn)
			}
		})
	}
	if _, ok := cachebackend.Lookup(prodready.CacheMemory); ok {
		t.Error("Lookup(memory) found an Opener; the memory backend is the cache's own")
	}
	if got := cachebackend.ImportPath(prodready.CacheMemory); got != "" {
		t.Errorf("ImportPath(memory) = %q, want \"\"", got)
	}
}
