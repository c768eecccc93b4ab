package engine

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"sync"
	"testing"
)

// TestConcurrentUseKeepsBounds runs readers and writers of a small key
// space at once, under -race in CI, with the capacity moving under them.
// Every value found must be one written under its key; the bounds hold
// once the writers stop.
func TestConcurrentUseKeepsBounds(t *testing.T) {
	t.Parallel()
	const (
		workers = 8
		ops     = 5_000
		keys    = 256
	)
	tests := []struct {
		name  string
		heavy bool
	}{
		{"entries", false},
		{"weights", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := newClock()
			o := Options[int]{Capacity: 64, Now: clk.now, Lifetime: func(_ string, v int, _ int64) int64 { return int64(v%7) * 50 }}
			if tt.heavy {
				o.Weigher = func(_ string, v int) uint32 { return uint32(v%5 + 1) }
			}
			e := newEngine(t, o)
			var wg sync.WaitGroup
			errs := make(chan error, workers)
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var seed [8]byte
					_, _ = rand.Read(seed[:])
					x := binary.LittleEndian.Uint64(seed[:]) | 1
					for i := range ops {
						x ^= x << 13
						x ^= x >> 7
						x ^= x << 17
						k := int(x % keys)
						key := fmt.Sprint("k", k)
						v := k + keys*int(x>>32%100)
						switch x >> 60 {
						case 0, 1, 2, 3:
							e.Set(key, v)
						case 4:
							e.SetIfAbsent(key, v)
						case 5:
							e.Invalidate(key)
						case 6:
							clk.advance(10)
						case 7:
							if w == 0 && i%500 == 0 {
								e.SetCapacity(uint64(32 + x%64))
							}
						case 8:
							if w == 0 && i%1000 == 0 {
								e.InvalidateAll()
							}
						default:
							if got, ok := e.GetIfPresent(key); ok && got%keys != k {
								errs <- fmt.Errorf("GetIfPresent(%q) = %d, a value of another key", key, got)
								return
							}
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			if w, c := e.Weight(), e.Capacity(); w > c {
				t.Fatalf("Weight() = %d over Capacity() = %d", w, c)
			}
			if n := e.Len(); n > int(e.Capacity()) {
				t.Fatalf("Len() = %d over Capacity() = %d", n, e.Capacity())
			}
			// The map and the policy agree.
			live := 0
			for s := range e.shards {
				tb := e.shards[s].t.Load()
				for i := range tb.slots {
					if n := tb.slots[i].Load(); n != nil && n != e.tomb {
						live++
					}
				}
			}
			if n := e.Len(); live != n {
				t.Fatalf("the map holds %d entries, the policy %d", live, n)
			}
		})
	}
}
