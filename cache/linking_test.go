package cache_test

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prodready/prodready/cache"
	// The tests of this package that reach a server build their caches
	// through cache.New, which finds a backend only when it is imported.
	"github.com/prodready/prodready/cache/memcached"
	"github.com/prodready/prodready/cache/rediscache"
)

// The stores package cache builds through their registered openers are its
// Backends, with a lease and a fenced store.
var (
	_ cache.Backend = (*rediscache.Store)(nil)
	_ cache.Locker  = (*rediscache.Store)(nil)
	_ cache.Fencer  = (*rediscache.Store)(nil)
	_ cache.Backend = (*memcached.Store)(nil)
	_ cache.Locker  = (*memcached.Store)(nil)
	_ cache.Fencer  = (*memcached.Store)(nil)
)

// memoryOnly is the program in testdata/memoryonly: a service that caches
// in process and imports neither backend.
const memoryOnly = "./testdata/memoryonly"

// The module paths of the clients only the backends may link.
var clientModules = []string{"github.com/redis/rueidis", "github.com/bradfitz/gomemcache"}

// TestMemoryOnlyProgramLinksNoClient checks that package cache no longer
// pulls in the Redis and Memcached clients: a program that imports cache,
// and not cache/rediscache or cache/memcached, depends on neither (it used
// to link both: 14.7 MB, against 12.2 MB without).
func TestMemoryOnlyProgramLinksNoClient(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", memoryOnly).CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps %s: %v\n%s", memoryOnly, err, out)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, "github.com/prodready/prodready/cache") {
		t.Fatalf("go list -deps %s lacks package cache: the program does not test what it should\n%s", memoryOnly, out)
	}
	for _, d := range deps {
		for _, m := range clientModules {
			if d == m || strings.HasPrefix(d, m+"/") {
				t.Errorf("%s depends on %s; a program that does not import the backend must not link its client", memoryOnly, d)
			}
		}
	}
}

// TestNewNamesTheMissingBackendImport runs the memory-only program with
// CACHE_BACKEND set to a backend it does not import: cache.New must fail
// with an error that names CACHE_BACKEND, the value, and the import line
// to add.
func TestNewNamesTheMissingBackendImport(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "memoryonly")
	if out, err := exec.Command("go", "build", "-o", bin, memoryOnly).CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	tests := []struct {
		backend, url, value, importPath string
	}{
		{"redis", "redis://127.0.0.1:1", "redis", "github.com/prodready/prodready/cache/rediscache"},
		// prodready.Load takes the name in any case.
		{"Memcached", "memcached://127.0.0.1:1", "memcached", "github.com/prodready/prodready/cache/memcached"},
	}
	for _, tt := range tests {
		t.Run(tt.backend, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin)
			cmd.Dir = t.TempDir()
			cmd.Env = []string{"CACHE_BACKEND=" + tt.backend, "CACHE_URL=" + tt.url}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			if _, ok := err.(*exec.ExitError); !ok {
				t.Fatalf("memoryonly with CACHE_BACKEND=%s: error = %v, want exit status 1\nstderr:\n%s", tt.backend, err, &stderr)
			}
			for _, want := range []string{"CACHE_BACKEND", `"` + tt.value + `"`, `import _ "` + tt.importPath + `"`} {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("error lacks %s:\n%s", want, &stderr)
				}
			}
		})
	}
	// The memory backend needs no import.
	cmd := exec.Command(bin)
	cmd.Dir = t.TempDir()
	cmd.Env = []string{}
	if out, err := cmd.Output(); err != nil || strings.TrimSpace(string(out)) != "memory" {
		t.Errorf("memoryonly with no CACHE_BACKEND = %q, %v; want memory, <nil>", out, err)
	}
}
