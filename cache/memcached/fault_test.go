package memcached_test

import (
	"testing"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
	"github.com/prodready/prodready/internal/testserver"
)

// TestFault runs 5s of concurrent GetOrLoad traffic while the server is
// killed (or paused) and brought back: no call fails, calls stay within
// the timeout, the errors are counted and logged once, and the hit ratio
// is back above 50% within 2s.
func TestFault(t *testing.T) {
	if testing.Short() {
		t.Skip("5s of traffic against its own server")
	}
	for _, fault := range []testserver.Fault{testserver.Kill, testserver.Pause} {
		t.Run(fault.String(), func(t *testing.T) {
			srv := testserver.StartMemcached(t)
			testserver.CacheFault(t, srv, fault, prodready.CacheConfig{
				Backend:   prodready.CacheMemcached,
				URL:       mustURL(t, "memcached://"+srv.Addr()),
				TTL:       time.Minute,
				Namespace: "fault",
			}, cache.Options{})
		})
	}
}
