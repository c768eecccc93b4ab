package hitratio

import (
	"container/heap"
	"math"
)

// OPT returns the hits of Belady's offline optimum on trace with room for
// size entries: on a miss it evicts the entry whose next use is furthest
// away, and it does not keep a key that is never requested again. It
// needs the whole trace (next-use indexes), so it is no online policy:
// the bound the others are measured against.
func OPT(trace []uint64, size int) (hits int) {
	if size <= 0 || len(trace) == 0 {
		return 0
	}
	const never = math.MaxInt32
	next := make([]int32, len(trace))
	last := make(map[uint64]int32, 1024)
	for i := len(trace) - 1; i >= 0; i-- {
		n, ok := last[trace[i]]
		if !ok {
			n = never
		}
		next[i] = n
		last[trace[i]] = int32(i)
	}
	clear(last)
	// in maps a cached key to its next use; the heap holds next uses,
	// furthest first, with stale ones skipped on pop.
	in := last
	h := &maxHeap{}
	for i, k := range trace {
		if _, ok := in[k]; ok {
			hits++
			delete(in, k)
		}
		n := next[i]
		if n == never {
			continue // never used again: keeping it cannot help
		}
		if len(in) >= size {
			for {
				far := heap.Pop(h).(int32)
				if u, ok := in[trace[far]]; ok && u == far {
					if far < n {
						// Every cached key is needed before k: k is the one to drop.
						heap.Push(h, far)
						goto skip
					}
					delete(in, trace[far])
					break
				}
			}
		}
		in[k] = n
		heap.Push(h, n)
	skip:
		if h.Len() > 4*size+1024 {
			h.compact(in, trace)
		}
	}
	return hits
}

type maxHeap []int32

func (h maxHeap) Len() int           { return len(h) }
func (h maxHeap) Less(i, j int) bool { return h[i] > h[j] }
func (h maxHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *maxHeap) Push(x any)        { *h = append(*h, x.(int32)) }
func (h *maxHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// compact drops the stale next uses.
func (h *maxHeap) compact(in map[uint64]int32, trace []uint64) {
	s := (*h)[:0]
	for _, n := range *h {
		if u, ok := in[trace[n]]; ok && u == n {
			s = append(s, n)
		}
	}
	*h = s
	heap.Init(h)
}
