package cache

import (
	"expvar"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Stats are the cumulative counts of a [Cache] since [New]. Each count is
// read atomically, but the set is not a snapshot: counts taken while the
// Cache is in use may be a few operations apart.
type Stats struct {
	// Hits counts lookups (Get and GetOrLoad) answered from the cache,
	// negative entries included.
	Hits uint64 `json:"hits"`
	// Misses counts lookups that found no live entry, including those that
	// found an entry they could not decode or could not reach the backend.
	Misses uint64 `json:"misses"`
	// Loads counts calls of a loader: misses that loaded (one per key for a
	// crowd of concurrent misses) and background refreshes.
	Loads uint64 `json:"loads"`
	// LoadErrors counts loads that failed with an error other than
	// ErrNotFound, or panicked.
	LoadErrors uint64 `json:"load_errors"`
	// BackendErrors counts failed calls to the redis or memcached server.
	// Calls that Close overtakes are not counted.
	BackendErrors uint64 `json:"backend_errors"`
	// CodecErrors counts values that did not encode, and stored entries that
	// did not decode (corrupt envelopes included).
	CodecErrors uint64 `json:"codec_errors"`
	// AuthFailures counts entries read from the redis or memcached server
	// whose MAC did not verify: forged by whoever can write to the server,
	// written under a key that is neither SecretKey nor a fallback, copied
	// from another cache key or namespace, or corrupted. Each is a miss,
	// never served. A steady count means a key mismatch between replicas
	// or tampering.
	AuthFailures uint64 `json:"auth_failures"`
	// Evictions counts entries the memory backend dropped because of its
	// size bound or because they expired. Servers evict on their own, so it
	// stays zero for the redis and memcached backends.
	Evictions uint64 `json:"evictions"`
	// Sizing is the memory backend's bound, the hit ratio estimated at
	// other bounds, and what CACHE_AUTOSIZE is doing; nil for the redis and
	// memcached backends, after Close, and for a memory backend that gives
	// no estimates. Stats is then comparable with ==.
	Sizing *Sizing `json:"sizing,omitempty"`
}

// HitRatio returns Hits / (Hits + Misses), or 0 before the first lookup.
func (s Stats) HitRatio() float64 {
	total := s.Hits + s.Misses
	if total == 0 {
		return 0
	}
	return float64(s.Hits) / float64(total)
}

// LogValue implements [slog.LogValuer]: the counts and the hit ratio as a
// group.
func (s Stats) LogValue() slog.Value {
	return slog.GroupValue(s.attrs()...)
}

// attrs are the counts and the hit ratio, then the Sizing if any.
func (s Stats) attrs() []slog.Attr {
	a := []slog.Attr{
		slog.Uint64("hits", s.Hits),
		slog.Uint64("misses", s.Misses),
		slog.Float64("hit_ratio", s.HitRatio()),
		slog.Uint64("loads", s.Loads),
		slog.Uint64("load_errors", s.LoadErrors),
		slog.Uint64("backend_errors", s.BackendErrors),
		slog.Uint64("codec_errors", s.CodecErrors),
		slog.Uint64("auth_failures", s.AuthFailures),
		slog.Uint64("evictions", s.Evictions),
	}
	if s.Sizing != nil {
		a = append(a, s.Sizing.attrs()...)
	}
	return a
}

// String returns the counts on one line, named as LogValue and expvar name
// them and in the same order, with the hit ratio as a percentage:
//
//	hits=2 misses=1 hit_ratio=66.7% loads=1 load_errors=0 backend_errors=0 codec_errors=0 auth_failures=0 evictions=0
//
// followed, when there is a Sizing, by the bound and the estimates as
// multiples of it (see docs/CACHE.md, "Sizing"):
//
//	... capacity=64MiB target=128MiB budget=256MiB pressure=false estimates=0.25x:41.0%,0.5x:52.3%,1x:60.1%,2x:66.0%,4x:70.2%,8x:71.0%
func (s Stats) String() string {
	out := fmt.Sprintf("hits=%d misses=%d hit_ratio=%.1f%% loads=%d load_errors=%d backend_errors=%d codec_errors=%d auth_failures=%d evictions=%d",
		s.Hits, s.Misses, 100*s.HitRatio(), s.Loads, s.LoadErrors, s.BackendErrors, s.CodecErrors, s.AuthFailures, s.Evictions)
	if s.Sizing == nil {
		return out
	}
	var b strings.Builder
	b.WriteString(out)
	for _, a := range s.Sizing.attrs() {
		b.WriteString(" " + a.Key + "=" + a.Value.String())
	}
	return b.String()
}

// expvarValue is what expvar shows: the counts and the hit ratio.
func (s Stats) expvarValue() map[string]any {
	m := map[string]any{
		"hits":           s.Hits,
		"misses":         s.Misses,
		"hit_ratio":      s.HitRatio(),
		"loads":          s.Loads,
		"load_errors":    s.LoadErrors,
		"backend_errors": s.BackendErrors,
		"codec_errors":   s.CodecErrors,
		"auth_failures":  s.AuthFailures,
		"evictions":      s.Evictions,
	}
	if s.Sizing != nil {
		m["sizing"] = s.Sizing
	}
	return m
}

// Stats returns the Cache's counts. It is safe to call at any time, also
// after Close.
func (c *Cache[V]) Stats() Stats {
	st := c.counts()
	st.Sizing = c.sizing()
	return st
}

// counts is Stats without Sizing: the counters alone, which the metrics
// callback reads at every collection without asking the policy for its
// estimates (a lock, a drain and an allocation).
func (c *Cache[V]) counts() Stats {
	hits, misses := c.lookups.sum()
	return Stats{
		Hits:          hits,
		Misses:        misses,
		Evictions:     c.slow.evictions.Load(),
		Loads:         c.slow.loads.Load(),
		LoadErrors:    c.slow.loadErrors.Load(),
		BackendErrors: c.slow.backendErrors.Load(),
		CodecErrors:   c.slow.codecErrors.Load(),
		AuthFailures:  c.slow.authFailures.Load(),
	}
}

// sizing describes the memory backend's size, when it can estimate; see
// [Stats].Sizing.
func (c *Cache[V]) sizing() *Sizing {
	s := c.memSizer()
	if c.auto != nil {
		s = c.auto.s
	}
	if s == nil || c.closed.Load() {
		return nil
	}
	unit := "entries"
	if c.weighs {
		unit = "bytes"
	}
	z := newSizing(s, unit)
	z.MaxEntries = c.countBound
	if c.auto != nil {
		c.auto.fill(z)
	}
	return z
}

// slowCounters are the counts of events that cost far more than an atomic
// add (a load, a failed network call), so they need no striping. They live
// on their own cache lines, away from the fields the hit path reads.
type slowCounters struct {
	_             [64]byte
	loads         atomic.Uint64
	loadErrors    atomic.Uint64
	backendErrors atomic.Uint64
	codecErrors   atomic.Uint64
	authFailures  atomic.Uint64
	evictions     atomic.Uint64
	_             [64]byte
}

// stripes is the number of cells of a lookupCounter: enough for the hit
// path of a few cores not to contend on one cache line.
const stripes = 16

// A lookupCounter counts hits and misses in cells on cache lines of their
// own, picked at random per call, so that parallel readers rarely write the
// same line. It costs about one uncontended atomic add per lookup.
type lookupCounter struct {
	cells [stripes]struct {
		hits, misses atomic.Uint64
		_            [128 - 16]byte // 128: adjacent-line prefetch pairs lines
	}
}

func (l *lookupCounter) hit()  { l.cells[stripe()].hits.Add(1) }
func (l *lookupCounter) miss() { l.cells[stripe()].misses.Add(1) }

// stripe picks a cell from the address of the calling goroutine's stack:
// goroutines have stacks of their own, so concurrent callers mostly get
// different cells, and the address costs nothing to read (a random number
// costs more than the atomic add). Only performance depends on the choice.
func stripe() uintptr {
	var b byte
	a := uintptr(unsafe.Pointer(&b))
	return (a >> 11 * 0x9E3779B97F4A7C15) >> 60 % stripes
}

func (l *lookupCounter) sum() (hits, misses uint64) {
	for i := range l.cells {
		hits += l.cells[i].hits.Load()
		misses += l.cells[i].misses.Load()
	}
	return hits, misses
}

// expvarNames maps each name this package published with expvar to its
// *expvarSlot. It is package state because expvar's registry is: a name
// can be published once per process and never removed, so the package
// publishes each name once, through a slot that the open Cache of that
// name binds, and that a closed Cache hands over to the next one.
var expvarNames sync.Map

// An expvarSlot is what expvar shows under a name: the value of its
// current binding.
type expvarSlot struct{ cur atomic.Pointer[expvarBinding] }

// An expvarBinding is one Cache's claim on a slot. After Close it holds
// only the final counts, so the slot keeps no closed Cache alive.
type expvarBinding struct {
	slot *expvarSlot
	get  func() any
	open bool // the Cache is open: no other may bind the name
}

func (s *expvarSlot) value() any {
	if b := s.cur.Load(); b != nil {
		return b.get()
	}
	return nil
}

// bindExpvar publishes get under name, through the name's slot, which it
// creates and publishes on first use. It fails if an open Cache holds the
// name or if the name was published by someone else.
func bindExpvar(name string, get func() any) (*expvarBinding, error) {
	v, ok := expvarNames.Load(name)
	if !ok {
		if expvar.Get(name) != nil {
			return nil, fmt.Errorf("expvar name %q already published", name)
		}
		slot := &expvarSlot{}
		actual, loaded := expvarNames.LoadOrStore(name, slot)
		if !loaded {
			if err := publish(name, slot.value); err != nil {
				expvarNames.CompareAndDelete(name, slot)
				return nil, err
			}
		}
		v = actual
	}
	slot := v.(*expvarSlot)
	b := &expvarBinding{slot: slot, get: get, open: true}
	for {
		old := slot.cur.Load()
		if old != nil && old.open {
			return nil, fmt.Errorf("expvar name %q is used by an open Cache", name)
		}
		if slot.cur.CompareAndSwap(old, b) {
			return b, nil
		}
	}
}

// unbind frees the name for another Cache, leaving final published.
func (b *expvarBinding) unbind(final any) {
	b.slot.cur.CompareAndSwap(b, &expvarBinding{slot: b.slot, get: func() any { return final }})
}

// publish publishes f with expvar under name. expvar.Publish panics on a
// name in use, so the panic of a concurrent publication of the same name is
// turned into an error.
func publish(name string, f func() any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("expvar name %q already published", name)
		}
	}()
	expvar.Publish(name, expvar.Func(f))
	return nil
}
