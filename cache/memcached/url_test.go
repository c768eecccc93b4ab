package memcached

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/prodready/prodready"
)

const canary = "canary-Pw-9f3e1c"

func TestParseURL(t *testing.T) {
	tests := []struct {
		name    string
		url     string
		want    []string
		wantErr bool
	}{
		{name: "default port", url: "memcached://localhost", want: []string{"localhost:11211"}},
		{name: "port", url: "memcached://10.0.0.1:11212", want: []string{"10.0.0.1:11212"}},
		{name: "trailing slash", url: "memcached://h:1/", want: []string{"h:1"}},
		{name: "several", url: "memcached://a:1,b,c:3", want: []string{"a:1", "b:11211", "c:3"}},
		{name: "ipv6", url: "memcached://[::1]:11211", want: []string{"[::1]:11211"}},
		{name: "password", url: "memcached://u:" + canary + "@h:11211", wantErr: true},
		{name: "user", url: "memcached://u@h:11211", wantErr: true},
		{name: "scheme", url: "redis://:" + canary + "@h:11211", wantErr: true},
		{name: "path", url: "memcached://h:11211/0", wantErr: true},
		{name: "query", url: "memcached://h:11211?password=" + canary, wantErr: true},
		{name: "empty host in list", url: "memcached://a:1,,b:2", wantErr: true},
		{name: "bad port in list", url: "memcached://a:x,b:2", wantErr: true},
		{name: "no host", url: "memcached:///", wantErr: true},
		// Found: each of these passed prodready check, which compared only
		// the scheme; now both use internal/cacheurl.
		{name: "query without password", url: "memcached://h?x=1", wantErr: true},
		{name: "long path", url: "memcached://h/some/path", wantErr: true},
		{name: "memcache scheme", url: "memcache://h", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			u, err := prodready.ParseSecretURL(tt.url)
			if err != nil {
				t.Fatalf("ParseSecretURL: %v", err)
			}
			got, err := parseURL(u)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("parseURL(%v) = %v, want an error", u, got)
				}
				if strings.Contains(err.Error(), canary) {
					t.Errorf("parseURL error %q quotes the password", err)
				}
				if !errors.Is(err, prodready.ErrInvalid) {
					t.Errorf("parseURL error %v does not wrap prodready.ErrInvalid", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseURL(%v): %v", u, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parseURL(%v) = %v, want %v", u, got, tt.want)
			}
		})
	}
}

func TestKey(t *testing.T) {
	long := strings.Repeat("x", 300)
	tests := []struct {
		name   string
		ns     string
		key    string
		want   string // "" when the key must be hashed
		prefix string // of a hashed key
	}{
		{name: "plain", ns: "app", key: "user:42", want: "app:user:42"},
		{name: "no namespace", key: "user:42", want: "user:42"},
		{name: "utf-8", ns: "app", key: "clé", want: "app:clé"},
		{name: "exactly 250", ns: "app", key: strings.Repeat("y", 246), want: "app:" + strings.Repeat("y", 246)},
		{name: "251", ns: "app", key: strings.Repeat("y", 247), prefix: "app:sha256:"},
		{name: "long", ns: "app", key: long, prefix: "app:sha256:"},
		{name: "space", ns: "app", key: "a b", prefix: "app:sha256:"},
		{name: "newline", ns: "app", key: "a\nb", prefix: "app:sha256:"},
		{name: "nul", ns: "app", key: "a\x00b", prefix: "app:sha256:"},
		{name: "del", ns: "app", key: "a\x7fb", prefix: "app:sha256:"},
		{name: "empty key", ns: "", key: "", prefix: "sha256:"},
		// A key that looks like a hashed one is hashed itself, so it never
		// reads the entry of the key it imitates.
		{name: "marker", ns: "app", key: "sha256:" + strings.Repeat("ab", 32), prefix: "app:sha256:"},
		{name: "marker without namespace", ns: "", key: "sha256:x", prefix: "sha256:"},
		{name: "namespace with space", ns: "my app", key: "k", prefix: "sha256:"},
		{name: "long namespace", ns: strings.Repeat("n", 250), key: "k", prefix: "sha256:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := storeWithNamespace(tt.ns)
			got := s.key(tt.key)
			if !validKey(got) {
				t.Fatalf("key(%q) = %q, not a valid memcached key", tt.key, got)
			}
			if tt.want != "" {
				if got != tt.want {
					t.Errorf("key(%q) = %q, want %q", tt.key, got, tt.want)
				}
				return
			}
			if !strings.HasPrefix(got, tt.prefix) || len(got) != len(tt.prefix)+64 {
				t.Errorf("key(%q) = %q, want %q and 64 hex digits", tt.key, got, tt.prefix)
			}
			// Hashing is deterministic and keeps namespaces apart.
			if again := s.key(tt.key); again != got {
				t.Errorf("key is not deterministic: %q, then %q", got, again)
			}
			if other := storeWithNamespace(tt.ns + "2").key(tt.key); other == got {
				t.Errorf("namespaces %q and %q share the key %q", tt.ns, tt.ns+"2", got)
			}
		})
	}
}

func storeWithNamespace(ns string) *Store {
	s := &Store{}
	s.setNamespace(ns)
	return s
}

func TestExpiration(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	tests := []struct {
		ttl  time.Duration
		want int32
	}{
		// One second more than the TTL rounded up: memcached's clock
		// ticks once a second.
		{0, 1},
		{time.Millisecond, 2},
		{time.Second, 2},
		{1500 * time.Millisecond, 3},
		{time.Hour, 3601},
		{30*24*time.Hour - time.Second, 30 * 24 * 3600},
		{30 * 24 * time.Hour, int32(now.Unix()) + 30*24*3600 + 1},
		{31 * 24 * time.Hour, int32(now.Unix()) + 31*24*3600 + 1},
		{100 * 365 * 24 * time.Hour, math.MaxInt32},
		{math.MaxInt64, math.MaxInt32},
		{math.MaxInt64 - time.Nanosecond, math.MaxInt32},
	}
	for _, tt := range tests {
		if got := expiration(tt.ttl, now); got != tt.want {
			t.Errorf("expiration(%v) = %d, want %d", tt.ttl, got, tt.want)
		}
	}
}

// FuzzKey: every cache key maps to a valid memcached key, the same one
// each time, and a valid namespaced key is kept as it is.
func FuzzKey(f *testing.F) {
	for _, k := range []string{"", "k", "a b", "\x00", strings.Repeat("x", 300), "clé"} {
		f.Add("app", k)
	}
	f.Fuzz(func(t *testing.T, ns, k string) {
		s := storeWithNamespace(ns)
		got := s.key(k)
		if !validKey(got) {
			t.Fatalf("key(%q) = %q, not a valid memcached key", k, got)
		}
		if s.key(k) != got {
			t.Fatal("key is not deterministic")
		}
		nk := s.prefix + k
		literal := validKey(nk) && !strings.HasPrefix(nk, s.hashPrefix+hashMarker)
		if literal && got != nk {
			t.Fatalf("key(%q) = %q, want it unchanged as %q", k, got, nk)
		}
		if !literal && !strings.HasPrefix(got, s.hashPrefix+hashMarker) {
			t.Fatalf("key(%q) = %q, want it hashed", k, got)
		}
		lk := s.lockKey(k)
		if !validKey(lk) || !strings.HasPrefix(lk, s.hashPrefix+lockMarker) {
			t.Fatalf("lockKey(%q) = %q, want a valid key after %q", k, lk, s.hashPrefix+lockMarker)
		}
		// Every cache key stored as itself avoids the markers, and every
		// hashed one is the marker and 64 hex digits, so no cache key
		// reaches a lease.
		if got == lk {
			t.Fatalf("key(%q) is its lease key %q", k, lk)
		}
	})
}
