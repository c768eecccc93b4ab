package policysim_test

import (
	"fmt"

	"github.com/prodready/prodready/cache/policysim"
)

// Example replays a loop over 30 keys through a policy of 20 entries,
// holding the "values" in a set the evictions keep in step.
func Example() {
	p := policysim.New(20, nil)
	held := map[uint64]bool{}
	var evict []uint64
	hits := 0
	for i := range 3000 {
		h := uint64(i%30) * 0x9e3779b97f4a7c15
		if held[h] {
			p.Hit(h)
			hits++
			continue
		}
		p.Miss(h)
		held[h] = true
		evict = p.Add(h, 1, evict[:0])
		for _, e := range evict {
			delete(held, e)
		}
	}
	fmt.Println("entries:", p.Len(), "within capacity:", p.Weight() <= p.Capacity())
	fmt.Println("hits above LRU's zero:", hits > 0)
	// Output:
	// entries: 20 within capacity: true
	// hits above LRU's zero: true
}
