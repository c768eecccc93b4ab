package prodready

import (
	"context"
	"fmt"
	"math"
	"os"

	"github.com/prodready/prodready/internal/membudget"
)

// The checks of CACHE_AUTOSIZE and CACHE_ESTIMATES (registered in
// checks_builtin.go): the in-process cache sizing itself needs a memory
// budget, a backend it can size, and a margin that means something; its
// estimates need a backend they can estimate. See docs/CACHE.md, "Sizing".

// checkAutosizeBudget (PR-E046) refuses CACHE_AUTOSIZE without a budget:
// no CACHE_MAX_MEMORY and no container memory limit to take a share of
// (the host's MemTotal is not one: a cache sized after the whole machine
// is how a process gets killed). Options.MemoryLimit, when set, stands
// for the container limit; one that fails means there is none.
func checkAutosizeBudget(_ context.Context, in *CheckInput) []Finding {
	b := in.Base
	if b == nil || !b.CacheAutosize || !isMemory(b.CacheBackend) || b.CacheMaxMemory.Bytes > 0 {
		return nil
	}
	if b.CacheMaxMemory.Percent > 0 {
		return nil // a percentage that did not resolve is already an error
	}
	if in.l != nil && in.l.o.MemoryLimit != nil {
		if n, err := in.l.o.MemoryLimit(); err == nil && n > 0 {
			return nil
		}
	} else if _, _, ok := membudget.ContainerLimit(os.DirFS("/")); ok {
		return nil
	}
	f := in.finding("CACHE_AUTOSIZE", "$ is on but there is no memory budget to size the cache within: "+
		in.name("CACHE_MAX_MEMORY")+" is not set and the process has no container memory limit",
		"set "+in.name("CACHE_MAX_MEMORY")+" (such as 256MiB), or run under a memory limit (it then takes 25% of it), or set $=false")
	f.Field = "Base.CacheAutosize"
	return []Finding{f}
}

// checkAutosizeApplies (PR-E047) refuses CACHE_AUTOSIZE where it would
// silently not apply: with a redis or memcached backend, whose server
// sizes itself, and beside an explicit CACHE_MAX_SIZE, which the memory
// bound replaces (the production profile's default of 4096 entries is
// not explicit, and gives way).
func checkAutosizeApplies(_ context.Context, in *CheckInput) []Finding {
	b := in.Base
	if b == nil || !b.CacheAutosize {
		return nil
	}
	if !isMemory(b.CacheBackend) {
		f := in.finding("CACHE_AUTOSIZE", fmt.Sprintf("$ sizes the in-process cache, but %s is %s, whose server sizes itself",
			in.name("CACHE_BACKEND"), b.CacheBackend), "unset $, or set "+in.name("CACHE_BACKEND")+"=memory")
		f.Field = "Base.CacheAutosize"
		return []Finding{f}
	}
	if in.IsSet(in.name("CACHE_MAX_SIZE")) {
		f := in.finding("CACHE_MAX_SIZE", "$ is set, but "+in.name("CACHE_AUTOSIZE")+" bounds the cache by memory and ignores it",
			"unset $, or set "+in.name("CACHE_AUTOSIZE")+"=false to keep a fixed number of entries")
		f.Field = "Base.CacheMaxSize"
		return []Finding{f}
	}
	return nil
}

// maxAutosizeMargin is the largest CACHE_AUTOSIZE_MARGIN, in points.
const maxAutosizeMargin = 50

// checkAutosizeMargin (PR-E048) refuses a CACHE_AUTOSIZE_MARGIN outside 0
// to 50 points: a negative margin admits no size, and one above 50 points
// admits any.
func checkAutosizeMargin(_ context.Context, in *CheckInput) []Finding {
	b := in.Base
	if b == nil {
		return nil
	}
	if m := b.CacheAutosizeMargin; m >= 0 && m <= maxAutosizeMargin && !math.IsNaN(m) {
		return nil
	}
	f := in.finding("CACHE_AUTOSIZE_MARGIN", fmt.Sprintf("$ is %v; want 0 to %d points of hit ratio", b.CacheAutosizeMargin, maxAutosizeMargin),
		"set $ to a small number of points such as 0.5 (the default)")
	f.Field = "Base.CacheAutosizeMargin"
	return []Finding{f}
}

// isMemory reports whether backend b is the in-process one.
func isMemory(b CacheBackend) bool { return b == CacheMemory || b == "" }

// checkEstimatesApply (PR-W039) warns that CACHE_ESTIMATES does nothing
// with a redis or memcached backend, whose server sizes itself.
func checkEstimatesApply(_ context.Context, in *CheckInput) []Finding {
	b := in.Base
	if b == nil || !b.CacheEstimates || isMemory(b.CacheBackend) {
		return nil
	}
	f := in.finding("CACHE_ESTIMATES", fmt.Sprintf("$ estimates the in-process cache's other sizes, but %s is %s, whose server sizes itself",
		in.name("CACHE_BACKEND"), b.CacheBackend), "unset $, or set "+in.name("CACHE_BACKEND")+"=memory")
	f.Field = "Base.CacheEstimates"
	return []Finding{f}
}
