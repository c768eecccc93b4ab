// Package membudget decides how much memory the self-sizing cache
// (CACHE_AUTOSIZE) may take, and tells it when the process runs short.
//
// The budget is CACHE_MAX_MEMORY when it is set, else [DefaultShare] of
// the container's memory limit (cgroup v2, then v1). A host's MemTotal is
// not a container limit: a process without one has no budget, and
// [Budget] says so rather than sizing the cache after the whole machine.
//
// Pressure comes from two places: the Go runtime, when a soft memory
// limit is set (GOMEMLIMIT or debug.SetMemoryLimit), and the cgroup levels
// above the process that have a limit. See [Reading.Pressure].
package membudget

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/prodready/prodready/internal/memlimit"
)

// DefaultShare is the share of the container memory limit the cache may
// take when CACHE_MAX_MEMORY is not set: a quarter, which leaves the rest
// of the process the other three quarters, and the garbage collector room
// to work (a Go heap grows to about twice its live data between
// collections under the default GOGC).
const DefaultShare = 0.25

// ErrNoBudget is returned by Budget when CACHE_MAX_MEMORY is not set and
// the process has no container memory limit to take a share of.
var ErrNoBudget = errors.New("no memory budget: CACHE_MAX_MEMORY is not set and the process has no container memory limit (cgroup memory.max or memory.limit_in_bytes)")

// Budget returns the most memory, in bytes, the cache may take, and where
// the number came from. maxMemory is CACHE_MAX_MEMORY (already resolved
// from a percentage by the loader); when it is positive it is the budget.
// Otherwise the budget is DefaultShare of the tightest cgroup limit found
// under fsys (the root file system: os.DirFS("/") in production). It
// returns ErrNoBudget when there is neither.
func Budget(maxMemory int64, fsys fs.FS) (bytes int64, source string, err error) {
	if maxMemory > 0 {
		return maxMemory, "CACHE_MAX_MEMORY", nil
	}
	limit, file, ok := ContainerLimit(fsys)
	if !ok {
		return 0, "", ErrNoBudget
	}
	return Share(limit), fmt.Sprintf("%g%% of %s", DefaultShare*100, file), nil
}

// Share is DefaultShare of limit, at least one byte.
func Share(limit int64) int64 {
	return max(int64(float64(limit)*DefaultShare), 1)
}

// ContainerLimit returns the tightest cgroup memory limit above the
// process and the file it came from; ok is false when there is none.
func ContainerLimit(fsys fs.FS) (limit int64, file string, ok bool) {
	for _, l := range memlimit.Levels(fsys) {
		if !ok || l.Limit < limit {
			limit, file, ok = l.Limit, l.File, true
		}
	}
	return limit, file, ok
}
