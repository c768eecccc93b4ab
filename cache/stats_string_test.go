package cache_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
)

// A new user printed c.Stats() with fmt.Println and got the positional
// struct {2 1 1 0 0 0 0 0}: the counts had no names. String names them with
// the keys of LogValue and expvar, in the same order.
func TestStatsString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		s    cache.Stats
		want string
	}{
		{"zero", cache.Stats{},
			"hits=0 misses=0 hit_ratio=0.0% loads=0 load_errors=0 backend_errors=0 codec_errors=0 auth_failures=0 evictions=0"},
		{"two thirds", cache.Stats{Hits: 2, Misses: 1, Loads: 1},
			"hits=2 misses=1 hit_ratio=66.7% loads=1 load_errors=0 backend_errors=0 codec_errors=0 auth_failures=0 evictions=0"},
		{"every count", cache.Stats{Hits: 1, Misses: 3, Loads: 4, LoadErrors: 5, BackendErrors: 6, CodecErrors: 7, AuthFailures: 8, Evictions: 9},
			"hits=1 misses=3 hit_ratio=25.0% loads=4 load_errors=5 backend_errors=6 codec_errors=7 auth_failures=8 evictions=9"},
		{"all hits", cache.Stats{Hits: 1<<64 - 1},
			"hits=18446744073709551615 misses=0 hit_ratio=100.0% loads=0 load_errors=0 backend_errors=0 codec_errors=0 auth_failures=0 evictions=0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, verb := range []string{"%s", "%v", "%+v"} {
				if got := fmt.Sprintf(verb, tt.s); got != tt.want {
					t.Errorf("Sprintf(%q, %#v)\n got %s\nwant %s", verb, tt.s, got, tt.want)
				}
			}
		})
	}
}

// The names String prints are the keys LogValue logs, so that one grep
// finds a count in both.
func TestStatsStringMatchesLogValue(t *testing.T) {
	t.Parallel()
	s := cache.Stats{Hits: 1, Misses: 2, Loads: 3, LoadErrors: 4, BackendErrors: 5, CodecErrors: 6, AuthFailures: 7, Evictions: 8}
	fields := strings.Fields(s.String())
	attrs := s.LogValue().Group()
	if len(fields) != len(attrs) {
		t.Fatalf("String has %d fields, LogValue %d attributes: %s", len(fields), len(attrs), s)
	}
	for i, a := range attrs {
		name, _, _ := strings.Cut(fields[i], "=")
		if name != a.Key {
			t.Errorf("field %d: String names it %q, LogValue %q", i, name, a.Key)
		}
	}
}

func ExampleStats_String() {
	ctx := context.Background()
	c, err := cache.New[string](ctx, prodready.Base{}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	load := func(context.Context) (string, error) { return "Ada", nil }
	for range 3 {
		_, _ = c.GetOrLoad(ctx, "user:7", load)
	}
	fmt.Println(c.Stats())
	// Output:
	// hits=2 misses=1 hit_ratio=66.7% loads=1 load_errors=0 backend_errors=0 codec_errors=0 auth_failures=0 evictions=0 capacity=1024 estimates=1x:66.7%
}
