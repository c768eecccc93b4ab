package cache_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/prodready/prodready/cache"
)

type node struct {
	name string
	next *node
	any  any
}

// TestDeepSize checks the estimate of what a value holds per shape: the
// bytes it reaches are counted once, unexported fields included, cycles
// end, and a huge graph is weighed in bounded time (sampled).
func TestDeepSize(t *testing.T) {
	t.Parallel()
	kb := strings.Repeat("x", 1024)
	shared := []byte(kb)
	cycle := &node{name: strings.Clone(kb)}
	cycle.next = cycle
	big := make([]*node, 1<<14)
	for i := range big {
		big[i] = &node{name: strings.Clone(kb)}
	}
	tests := []struct {
		name     string
		v        any
		min, max uint64
	}{
		{"nil", nil, 0, 0},
		{"int", 7, 8, 8},
		{"string", kb, 1024, 1024 + 32},
		{"unexported []byte", hiddenBytes{[]byte(kb)}, 1024, 1024 + 48},
		{"shared buffer counted once", struct{ a, b []byte }{shared, shared}, 1024, 1024 + 64},
		{"map", map[string]string{"a": kb, "b": strings.Clone(kb)}, 2048, 2048 + 256},
		{"pointer chain", &node{name: kb, next: &node{name: strings.Clone(kb)}}, 2048, 2048 + 256},
		{"cycle", cycle, 1024, 1024 + 128},
		{"interface", &node{any: []byte(kb)}, 1024, 1024 + 128},
		{"string slice", []string{kb, strings.Clone(kb)}, 2048, 2048 + 128},
		{"sampled slice", big, 1 << 24, 1 << 25}, // 16,384 × (48 + 1,024)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := cache.DeepSize(tt.v); got < tt.min || got > tt.max {
				t.Errorf("deepSize = %d, want %d to %d", got, tt.min, tt.max)
			}
		})
	}
}

// BenchmarkDeepSize is the cost the default weigher adds to a Set of a
// struct holding a map of strings, next to the JSON encoding it replaced.
func BenchmarkDeepSize(b *testing.B) {
	v := withMap{map[string]string{}}
	for i := range 10 {
		v.M[strings.Repeat("k", i+1)] = strings.Repeat("v", 100)
	}
	b.Run("deep", func(b *testing.B) {
		for b.Loop() {
			cache.DeepSize(v)
		}
	})
	b.Run("json", func(b *testing.B) {
		for b.Loop() {
			if _, err := json.Marshal(v); err != nil {
				b.Fatal(err)
			}
		}
	})
}
