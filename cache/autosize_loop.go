package cache

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/internal/membudget"
)

// defaultAutosizeInterval is Options.AutosizeInterval's default.
const defaultAutosizeInterval = time.Minute

// autosizeSetup is what New learned from the configuration for autosize.
type autosizeSetup struct {
	on     bool
	budget uint64  // bytes
	source string  // where the budget came from, for the log
	margin float64 // a fraction
}

// autosizeConfig checks the autosize settings of cfg and, when autosize
// is on, returns cfg with the memory backend bounded by the budget alone:
// MaxMemory is the budget (CACHE_MAX_MEMORY, else a share of the container
// limit, see membudget.Budget) and MaxSize is dropped, since the bound is
// memory. kind is the backend New chose.
func autosizeConfig(cfg prodready.CacheConfig, kind prodready.CacheBackend) (prodready.CacheConfig, autosizeSetup, error) {
	if !cfg.Autosize {
		return cfg, autosizeSetup{}, nil
	}
	if kind != prodready.CacheMemory {
		return cfg, autosizeSetup{}, fmt.Errorf("CACHE_AUTOSIZE sizes the memory backend, not %s, whose server sizes itself: %w", kind, prodready.ErrInvalid)
	}
	m := cfg.AutosizeMargin
	if !(m >= 0 && m <= 50) {
		return cfg, autosizeSetup{}, fmt.Errorf("CACHE_AUTOSIZE_MARGIN %v: want 0 to 50 points of hit ratio: %w", m, prodready.ErrInvalid)
	}
	budget, source, err := membudget.Budget(cfg.MaxMemory, os.DirFS("/"))
	if err != nil {
		return cfg, autosizeSetup{}, fmt.Errorf("CACHE_AUTOSIZE: %w (set CACHE_MAX_MEMORY): %w", err, prodready.ErrInvalid)
	}
	cfg.MaxMemory, cfg.MaxSize = budget, 0
	return cfg, autosizeSetup{on: true, budget: uint64(budget), source: source, margin: m / 100}, nil
}

// memSizer returns the memory backend as a sizer, or nil when it has no
// estimates to give (or the Cache has no memory backend).
func (c *Cache[V]) memSizer() sizer {
	if c.mem == nil {
		return nil
	}
	s, _ := any(c.mem).(sizer)
	return s
}

// startAutosize starts the loop that sizes s, the memory backend, when
// autosize is on.
func (c *Cache[V]) startAutosize(set autosizeSetup, s sizer) error {
	if !set.on {
		return nil
	}
	if s == nil {
		return fmt.Errorf("CACHE_AUTOSIZE: the memory backend gives no hit-ratio estimates to size itself by")
	}
	r := membudget.NewReader(os.DirFS("/"))
	interval := c.o.AutosizeInterval
	if interval <= 0 {
		interval = defaultAutosizeInterval
	}
	c.auto = newAutosizer(s, set, func() (bool, string) { return r.Read().Pressure() }, c.o.Logger, c.now)
	go c.auto.run(interval)
	return nil
}

// stopAutosize ends the loop and waits for it; Close calls it before it
// stops the memory backend.
func (c *Cache[V]) stopAutosize() {
	if c.auto != nil {
		c.auto.close()
	}
}

// An autosizer runs a controller over a sizer every interval.
type autosizer struct {
	s        sizer
	budget   uint64
	source   string
	pressure func() (bool, string) // see membudget.Reading.Pressure
	logger   *slog.Logger
	now      func() time.Time

	mu   sync.Mutex
	ctl  controller
	last decision
	at   time.Time // of last, by the Cache's clock
	hot  bool      // pressure at the last tick

	stopOnce sync.Once
	stop     chan struct{}
	done     chan struct{}
}

func newAutosizer(s sizer, set autosizeSetup, pressure func() (bool, string), logger *slog.Logger, now func() time.Time) *autosizer {
	return &autosizer{
		s: s, budget: set.budget, source: set.source, pressure: pressure, logger: logger, now: now,
		ctl:  controller{budget: set.budget, margin: set.margin},
		stop: make(chan struct{}), done: make(chan struct{}),
	}
}

// run ticks every interval until close. The interval is runtime time (a
// ticker): the Cache's clock, which tests may freeze, only stamps the
// decisions.
func (a *autosizer) run(interval time.Duration) {
	defer close(a.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-a.stop:
			return
		case <-t.C:
			a.tick()
		}
	}
}

// close stops run and waits for it to return. It is idempotent.
func (a *autosizer) close() {
	a.stopOnce.Do(func() { close(a.stop) })
	<-a.done
}

// tick reads the estimates and the memory pressure, decides, and moves
// the bound; a move is logged at Info with its reason.
func (a *autosizer) tick() decision {
	a.mu.Lock()
	defer a.mu.Unlock()
	cur := a.s.Capacity()
	hot, why := a.pressure()
	d := a.ctl.step(cur, recentEstimates(a.s.Estimates()), hot)
	if d.next != cur {
		a.s.SetCapacity(d.next)
		attrs := []slog.Attr{slog.Uint64("from", cur), slog.Uint64("to", d.next), slog.String("reason", d.reason),
			slog.Uint64("budget", a.budget), slog.String("budget_source", a.source)}
		if d.target != 0 {
			attrs = append(attrs, slog.Uint64("target", d.target))
		}
		if hot {
			attrs = append(attrs, slog.String("pressure", why))
		}
		a.logger.LogAttrs(context.Background(), slog.LevelInfo, "cache: autosize moved the memory bound", attrs...)
	}
	a.last, a.at, a.hot = d, a.now(), hot
	return d
}

// fill adds autosize's state to z.
func (a *autosizer) fill(z *Sizing) {
	a.mu.Lock()
	defer a.mu.Unlock()
	z.Autosize, z.Budget, z.Pressure = true, a.budget, a.hot
	z.Target = a.last.target
	if z.Target == 0 {
		z.Target = z.Capacity // no decision yet, or the estimates said nothing
	}
	z.Target = min(z.Target, a.budget)
}
