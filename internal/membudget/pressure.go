package membudget

import (
	"fmt"
	"io/fs"
	"math"
	"runtime/debug"
	"runtime/metrics"

	"github.com/prodready/prodready/internal/memlimit"
)

// PressureAt is the share of a limit from which memory counts as short:
// 90%. Below it the runtime and the kernel still have room; above it the
// garbage collector runs ever more often to stay under GOMEMLIMIT, and the
// kernel reclaims anonymous memory and then kills.
const PressureAt = 0.90

// A Reading is one look at the memory of the process.
type Reading struct {
	// GoLimit is the Go runtime's soft memory limit (GOMEMLIMIT, or
	// debug.SetMemoryLimit) in bytes; 0 when none is set.
	GoLimit int64
	// GoTotal is the memory the Go runtime has mapped
	// (/memory/classes/total:bytes), and HeapGoal the heap size at which
	// the next collection starts (/gc/heap/goal:bytes).
	GoTotal, HeapGoal uint64
	// Cgroup is the limit file of the cgroup level nearest its limit, or
	// "" without a level with a known usage; CgroupUsed is that level's
	// working set (usage minus inactive page cache) and CgroupLimit its
	// limit, in bytes.
	Cgroup                  string
	CgroupUsed, CgroupLimit int64
}

// Pressure reports whether memory is short, and why in words fit for a
// log record: the runtime's mapped memory or heap goal at PressureAt of
// GoLimit or more, or the working set of a cgroup level at PressureAt of
// its limit or more.
func (r Reading) Pressure() (bool, string) {
	if r.GoLimit > 0 {
		used := max(r.GoTotal, r.HeapGoal)
		if float64(used) >= PressureAt*float64(r.GoLimit) {
			return true, fmt.Sprintf("the Go runtime uses %d of GOMEMLIMIT %d bytes", used, r.GoLimit)
		}
	}
	if r.Cgroup != "" && r.CgroupLimit > 0 && float64(r.CgroupUsed) >= PressureAt*float64(r.CgroupLimit) {
		return true, fmt.Sprintf("the working set is %d of the %d bytes of %s", r.CgroupUsed, r.CgroupLimit, r.Cgroup)
	}
	return false, ""
}

// A Reader reads the memory of the process. It is safe for concurrent
// use.
type Reader struct {
	fsys fs.FS
}

// NewReader returns a Reader of the cgroup files under fsys (the root
// file system: os.DirFS("/") in production) and of the Go runtime.
func NewReader(fsys fs.FS) *Reader { return &Reader{fsys: fsys} }

// Read returns the current Reading. It reads a few small files and
// runtime/metrics: call it at the pace of a controller, not per request.
func (r *Reader) Read() Reading {
	var out Reading
	if l := debug.SetMemoryLimit(-1); l != math.MaxInt64 {
		out.GoLimit = l
	}
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/gc/heap/goal:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() == metrics.KindUint64 {
		out.GoTotal = s[0].Value.Uint64()
	}
	if s[1].Value.Kind() == metrics.KindUint64 {
		out.HeapGoal = s[1].Value.Uint64()
	}
	out.Cgroup, out.CgroupUsed, out.CgroupLimit = nearest(memlimit.Levels(r.fsys))
	return out
}

// nearest returns the level whose working set is the largest share of
// its limit, among those with a known usage.
func nearest(levels []memlimit.Level) (file string, used, limit int64) {
	best := -1.0
	for _, l := range levels {
		ws := l.WorkingSet()
		if ws < 0 {
			continue
		}
		if share := float64(ws) / float64(l.Limit); share > best {
			best, file, used, limit = share, l.File, ws, l.Limit
		}
	}
	return file, used, limit
}
