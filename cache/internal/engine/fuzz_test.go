package engine

import (
	"fmt"
	"testing"

	"github.com/prodready/prodready/cache/internal/policy"
)

// FuzzOperations drives an engine with a sequence of operations read from
// the input and checks it against a model of what it holds: what was
// written, less what was deleted and what OnEviction reported. A read
// finds exactly the live entries of the model, with their values, never an
// expired one; the weight stays within the capacity. The first byte's top
// bit picks the adaptive W-TinyLFU with its estimate miniatures instead of
// the LRU, and some operations ask for the estimates (which drain and
// sweep): the estimates must not change what the engine holds.
func FuzzOperations(f *testing.F) {
	f.Add([]byte{10, 0, 1, 2, 3, 0x40, 0x81, 0xc2, 5, 6})
	f.Add([]byte{3, 0x10, 0x11, 0x12, 0x13, 0x50, 0x51, 0x90, 0xd0, 0xe0})
	f.Add([]byte{1, 0xff, 0x00, 0x7f, 0x80, 0x3f})
	f.Add([]byte{0x8a, 0, 1, 2, 0xb8, 0x44, 0xbc, 0xc1, 0xb9, 0xe2})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) == 0 {
			return
		}
		type want struct {
			v       int
			expires int64
		}
		model := map[string]want{}
		var pending struct { // the write in progress
			key     string
			v       int
			old     want
			refused bool
		}
		clk := newClock()
		capacity := uint64(b[0]%16 + 1)
		var mk func(uint64) policy.Policy // nil: the LRU
		if b[0]&0x80 != 0 {
			mk = func(c uint64) policy.Policy { return policy.New(c, nil) }
		}
		life := func(v int) int64 { return int64(v%5) * 3 }
		e, err := New(&Options[int]{
			Capacity: capacity,
			Policy:   mk,
			Now:      clk.now,
			Weigher:  func(_ string, v int) uint32 { return uint32(v % 4) },
			Lifetime: func(_ string, v int, _ int64) int64 { return life(v) },
			OnEviction: func(key string, v int, expired bool) {
				if key == pending.key {
					// The write in progress replaces an expired entry,
					// or the policy refuses it.
					switch {
					case v == pending.v && !expired:
						pending.refused = true
						return
					case v == pending.old.v && expired && pending.old.expires <= clk.now():
						return
					}
				}
				w, ok := model[key]
				if !ok || w.v != v {
					t.Fatalf("OnEviction(%q, %d) for an entry the model does not hold (%+v)", key, v, w)
				}
				if expired != (w.expires <= clk.now()) {
					t.Fatalf("OnEviction(%q, %d, expired %v) at %d, expiring at %d", key, v, expired, clk.now(), w.expires)
				}
				delete(model, key)
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Stop()
		write := func(key string, v int, now int64) {
			if life(v) > 0 {
				model[key] = want{v, now + life(v)}
			} else {
				delete(model, key) // dead on arrival
			}
		}
		for i, c := range b[1:] {
			key := fmt.Sprint("k", c&0x0f)
			v := i*16 + int(c&0x0f)
			now := clk.now()
			w, held := model[key]
			live := held && w.expires > now
			switch c >> 5 {
			case 0, 1:
				pending.key, pending.v, pending.old, pending.refused = key, v, w, false
				e.Set(key, v)
				pending.key = ""
				delete(model, key) // replaced: OnEviction does not report it
				if !pending.refused {
					write(key, v, now)
				}
			case 2:
				pending.key, pending.v, pending.old, pending.refused = key, v, w, false
				got, stored := e.SetIfAbsent(key, v)
				pending.key = ""
				if stored == live || (live && got != w.v) {
					t.Fatalf("op %d: SetIfAbsent(%q, %d) = %d, %v; the model holds %+v, now %d", i, key, v, got, stored, w, now)
				}
				if stored {
					delete(model, key)
					if !pending.refused {
						write(key, v, now)
					}
				}
			case 3:
				e.Invalidate(key) // first: its sweep may report expirations
				delete(model, key)
			case 4:
				clk.advance(int64(c & 0x07))
			case 5:
				if c&0x18 == 0x18 {
					e.Estimates()
				} else if c&0x10 != 0 {
					e.InvalidateAll()
					clear(model)
				} else {
					capacity = uint64(c&0x0f + 1)
					e.SetCapacity(capacity)
				}
			default:
				got, ok := e.GetIfPresent(key)
				if ok != live || (ok && got != w.v) {
					t.Fatalf("op %d: GetIfPresent(%q) = %d, %v; the model holds %+v (held %v), now %d", i, key, got, ok, w, held, now)
				}
			}
			if wt := e.Weight(); wt > capacity {
				t.Fatalf("op %d: Weight() = %d over the capacity %d", i, wt, capacity)
			}
			if n := e.Len(); n != len(model) {
				t.Fatalf("op %d: Len() = %d, the model holds %d", i, n, len(model))
			}
		}
	})
}
