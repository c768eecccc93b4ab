package cache

import (
	"math"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache/internal/engine"
	"github.com/prodready/prodready/cache/internal/policy"
)

// openMemory builds the engines of the memory backend (see
// cache/internal/engine): one for the values, one for the negative
// entries. Lifetimes are jittered by the Lifetime option, at each write;
// evictions (for room, or at the end of a lifetime) are counted in Stats.
func (c *Cache[V]) openMemory(cfg prodready.CacheConfig) error {
	var now func() int64
	if c.o.Now != nil {
		now = func() int64 { return c.o.Now().UnixNano() }
	}
	evictions := &c.slow.evictions
	// The values are ordered by the adaptive W-TinyLFU; with CACHE_AUTOSIZE
	// or CACHE_ESTIMATES it also estimates the hit ratio at other sizes
	// (Stats.Sizing), from a group of 5 miniatures per estimated capacity
	// (about 2.5 MB per cache, with the 4 of adaptation;
	// policy.TinyLFU.SimulationBytes): off otherwise.
	noEst := !cfg.Autosize && !cfg.Estimates
	o := &engine.Options[memEntry[V]]{
		Now:    now,
		Policy: func(c uint64) policy.Policy { return policy.New(c, &policy.Options{NoEstimates: noEst}) },
		// The policy and its miniatures cost more per record than a hit:
		// a goroutine drains the read buffers, not the reader.
		BackgroundDrain: true,
		Lifetime: func(_ string, e memEntry[V], rest int64) int64 {
			return int64(c.lifetime(e.ttl, time.Duration(rest)))
		},
		OnEviction: func(string, memEntry[V], bool) { evictions.Add(1) },
	}
	maxSize := cfg.MaxSize
	switch {
	case cfg.MaxMemory > 0:
		o.Capacity = uint64(cfg.MaxMemory)
		c.weighs = true
		o.Weigher = func(_ string, e memEntry[V]) uint32 { return e.w }
		if cfg.MaxSize > 0 {
			c.minWeight = (uint64(cfg.MaxMemory) + uint64(cfg.MaxSize) - 1) / uint64(cfg.MaxSize)
			c.countBound = uint64(cfg.MaxSize)
		}
	case cfg.MaxSize > 0:
		o.Capacity = uint64(cfg.MaxSize)
	default:
		maxSize = defaultMaxSize
		o.Capacity = uint64(maxSize)
	}
	m, err := engine.New(o)
	if err != nil {
		return err
	}
	if c.o.NegativeTTL > 0 {
		// Negative entries get a quarter of the bounds, on top of them.
		no := &engine.Options[struct{}]{
			Now:             now,
			Policy:          func(c uint64) policy.Policy { return policy.New(c, &policy.Options{NoEstimates: true}) },
			BackgroundDrain: true,
			Lifetime: func(string, struct{}, int64) int64 {
				return int64(c.jitter(c.o.NegativeTTL))
			},
			OnEviction: func(string, struct{}, bool) { evictions.Add(1) },
		}
		if cfg.MaxMemory > 0 {
			no.Capacity = max(uint64(cfg.MaxMemory)/4, 1)
			no.Weigher = func(key string, _ struct{}) uint32 {
				return uint32(min(max(uint64(entryOverhead+len(key)), c.minWeight), math.MaxUint32))
			}
		} else {
			no.Capacity = uint64(max(maxSize/4, 1))
		}
		neg, err := engine.New(no)
		if err != nil {
			m.Stop()
			return err
		}
		c.neg = neg
	}
	c.mem = m
	return nil
}
