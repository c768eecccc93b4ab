package cache

import (
	"context"
	"log/slog"
	"math"
	"time"

	"github.com/maypok86/otter/v2"

	"github.com/prodready/prodready"
)

// openMemory builds the otter caches of the memory backend. Lifetimes
// are jittered by the expiry calculator, at each write; SetWithTTL sets
// its own after the write.
func (c *Cache[V]) openMemory(cfg prodready.CacheConfig) error {
	var clk otter.Clock
	if c.o.Now != nil {
		clk = clock{c.o.Now}
	}
	logger := otterLogger{c.o.Logger}
	// Evictions are counted by a deletion hook, which runs only on
	// deletions. A StatsRecorder would be called, behind a recover, on
	// every hit.
	evictions := &c.slow.evictions
	oo := &otter.Options[string, memEntry[V]]{
		OnAtomicDeletion: func(e otter.DeletionEvent[string, memEntry[V]]) {
			if e.Cause.IsEviction() {
				evictions.Add(1)
			}
		},
		ExpiryCalculator: otter.ExpiryWritingFunc(func(e otter.Entry[string, memEntry[V]]) time.Duration {
			return c.lifetime(e.Value.ttl, e.ExpiresAfter())
		}),
		Clock:  clk,
		Logger: logger,
	}
	maxSize := cfg.MaxSize
	switch {
	case cfg.MaxMemory > 0:
		oo.MaximumWeight = uint64(cfg.MaxMemory)
		c.weighs = true
		oo.Weigher = func(_ string, e memEntry[V]) uint32 { return e.w }
		if cfg.MaxSize > 0 {
			c.minWeight = (uint64(cfg.MaxMemory) + uint64(cfg.MaxSize) - 1) / uint64(cfg.MaxSize)
		}
	case cfg.MaxSize > 0:
		oo.MaximumSize = cfg.MaxSize
	default:
		maxSize = defaultMaxSize
		oo.MaximumSize = maxSize
	}
	m, err := otter.New(oo)
	if err != nil {
		return err
	}
	if c.o.NegativeTTL > 0 {
		// Negative entries get a quarter of the bounds, on top of them.
		no := &otter.Options[string, struct{}]{}
		if cfg.MaxMemory > 0 {
			no.MaximumWeight = max(uint64(cfg.MaxMemory)/4, 1)
			no.Weigher = func(key string, _ struct{}) uint32 {
				return uint32(min(max(uint64(entryOverhead+len(key)), c.minWeight), math.MaxUint32))
			}
		} else {
			no.MaximumSize = max(maxSize/4, 1)
		}
		no.OnAtomicDeletion = func(e otter.DeletionEvent[string, struct{}]) {
			if e.Cause.IsEviction() {
				evictions.Add(1)
			}
		}
		no.ExpiryCalculator = otter.ExpiryWritingFunc(func(otter.Entry[string, struct{}]) time.Duration {
			return c.jitter(c.o.NegativeTTL)
		})
		no.Clock, no.Logger = clk, logger
		neg, err := otter.New(no)
		if err != nil {
			m.StopAllGoroutines()
			return err
		}
		c.neg = neg
	}
	c.mem = m
	return nil
}

// clock is an otter.Clock reading an injected Now. It does not tick: the
// memory backend then drops expired entries when it meets them, without a
// periodic clean-up.
type clock struct{ now func() time.Time }

func (k clock) NowNano() int64                      { return k.now().UnixNano() }
func (k clock) Tick(time.Duration) <-chan time.Time { return nil }

// otterLogger passes otter's log records to the Cache's Logger.
type otterLogger struct{ l *slog.Logger }

func (l otterLogger) Warn(ctx context.Context, msg string, err error) {
	l.l.WarnContext(ctx, "cache: "+msg, "error", err)
}

func (l otterLogger) Error(ctx context.Context, msg string, err error) {
	l.l.ErrorContext(ctx, "cache: "+msg, "error", err)
}
