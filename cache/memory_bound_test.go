package cache_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
)

// The shapes of value whose memory the MaxMemory bound must hold. From the
// issue "The cache that sizes itself": the default weigher measured values
// by their JSON encoding, so a 16 MiB-bounded cache filled far past its
// bound grew the live heap by 162 MiB for values whose data sits in an
// unexported []byte field, and by only 4.9-8.4 MiB for values holding
// maps, pointers or string slices.
type (
	hiddenBytes struct{ data []byte }
	withMap     struct{ M map[string]string }
	withPointer struct {
		Name *string
		Next *withPointer
	}
	withStrings struct{ S []string }
	cyclic      struct {
		buf  []byte
		next *cyclic
	}
)

const valueBytes = 1000

func payload(i int) string { return fmt.Sprintf("%0*d", valueBytes, i) }

// part returns a string of n bytes of its own (a substring of payload
// would keep all of payload alive).
func part(i, n int) string { return strings.Clone(payload(i)[:n]) }

// fillAndMeasure fills a cache bounded at bound bytes with values built by
// mk, times past the bound, and returns the growth of the live heap.
func fillAndMeasure[V any](t *testing.T, bound int64, times int, mk func(i int) V) uint64 {
	t.Helper()
	c, err := cache.New[V](t.Context(), prodready.Base{CacheMaxMemory: prodready.MemorySize{Bytes: bound}, CacheTTL: time.Hour}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	before := liveHeap()
	n := times * int(bound) / valueBytes
	for i := range n {
		if err := c.Set(t.Context(), fmt.Sprint("key:", i), mk(i)); err != nil {
			t.Fatal(err)
		}
	}
	c.CleanUp()
	after := liveHeap()
	runtime.KeepAlive(c)
	if after < before {
		return 0
	}
	return after - before
}

func liveHeap() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestMaxMemoryBoundsTheHeap fills a 16 MiB-bounded cache with four times
// its bound of each shape and checks that the live heap grows by 0.5 to
// 1.25 times the bound. Not parallel: it measures the heap.
func TestMaxMemoryBoundsTheHeap(t *testing.T) {
	if testing.Short() {
		t.Skip("fills 64 MiB per shape")
	}
	const bound = 16 << 20
	tests := []struct {
		name string
		fill func(t *testing.T) uint64
	}{
		{"string", func(t *testing.T) uint64 {
			return fillAndMeasure(t, bound, 4, payload)
		}},
		{"unexported []byte", func(t *testing.T) uint64 {
			return fillAndMeasure(t, bound, 4, func(i int) hiddenBytes { return hiddenBytes{[]byte(payload(i))} })
		}},
		{"map", func(t *testing.T) uint64 {
			return fillAndMeasure(t, bound, 4, func(i int) withMap {
				m := map[string]string{}
				for j := range 10 {
					m[fmt.Sprint("f", j)] = part(i, valueBytes/10)
				}
				return withMap{m}
			})
		}},
		{"pointers", func(t *testing.T) uint64 {
			return fillAndMeasure(t, bound, 4, func(i int) *withPointer {
				var head *withPointer
				for range 4 {
					s := part(i, valueBytes/4)
					head = &withPointer{Name: &s, Next: head}
				}
				return head
			})
		}},
		{"string slice", func(t *testing.T) uint64 {
			return fillAndMeasure(t, bound, 4, func(i int) withStrings {
				s := make([]string, 10)
				for j := range s {
					s[j] = part(i+j, valueBytes/10)
				}
				return withStrings{s}
			})
		}},
		{"cycle", func(t *testing.T) uint64 {
			return fillAndMeasure(t, bound, 4, func(i int) *cyclic {
				a := &cyclic{buf: []byte(payload(i)[:valueBytes/2])}
				b := &cyclic{buf: []byte(payload(i)[:valueBytes/2]), next: a}
				a.next = b
				return a
			})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			growth := tt.fill(t)
			ratio := float64(growth) / bound
			t.Logf("heap growth %.1f MiB, %.2f× the bound", float64(growth)/(1<<20), ratio)
			if ratio < 0.5 || ratio > 1.25 {
				t.Errorf("heap grew by %.1f MiB, %.2f× the 16 MiB bound; want 0.5× to 1.25×", float64(growth)/(1<<20), ratio)
			}
		})
	}
}
