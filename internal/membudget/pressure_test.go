package membudget

import (
	"os"
	"strings"
	"testing"
)

func TestReadingPressure(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		r    Reading
		want bool
		why  string // a word the reason must hold
	}{
		{"nothing known", Reading{}, false, ""},
		{"no GOMEMLIMIT, no cgroup", Reading{GoTotal: 1 << 40, HeapGoal: 1 << 40}, false, ""},
		{"runtime well under GOMEMLIMIT", Reading{GoLimit: 1000, GoTotal: 500, HeapGoal: 600}, false, ""},
		{"runtime at 90% of GOMEMLIMIT", Reading{GoLimit: 1000, GoTotal: 900}, true, "GOMEMLIMIT"},
		{"heap goal pushed against GOMEMLIMIT", Reading{GoLimit: 1000, GoTotal: 100, HeapGoal: 950}, true, "GOMEMLIMIT"},
		{"cgroup working set under 90%", Reading{Cgroup: "cgroup v2 /sys/fs/cgroup/memory.max", CgroupUsed: 899, CgroupLimit: 1000}, false, ""},
		{"cgroup working set at 90%", Reading{Cgroup: "cgroup v2 /sys/fs/cgroup/memory.max", CgroupUsed: 900, CgroupLimit: 1000}, true, "memory.max"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, why := tt.r.Pressure()
			if got != tt.want || !strings.Contains(why, tt.why) {
				t.Errorf("Pressure() = %v, %q; want %v with %q", got, why, tt.want, tt.why)
			}
		})
	}
}

// A Reader takes the cgroup level nearest its limit, by working set, and
// reads the runtime's own numbers.
func TestReaderRead(t *testing.T) {
	t.Parallel()
	dir := root(t, map[string]string{
		"proc/self/cgroup": "0::/pod/ctr\n",
		// The container: 1 GiB, 950 MiB used of which 200 MiB is
		// inactive page cache, so 750 MiB of working set (73%).
		"sys/fs/cgroup/pod/ctr/memory.max":     "1073741824\n",
		"sys/fs/cgroup/pod/ctr/memory.current": "996147200\n",
		"sys/fs/cgroup/pod/ctr/memory.stat":    "inactive_file 209715200\n",
		// The pod: 1.5 GiB, 1.4 GiB used by its containers (93%).
		"sys/fs/cgroup/pod/memory.max":     "1610612736\n",
		"sys/fs/cgroup/pod/memory.current": "1503238553\n",
	})
	r := NewReader(os.DirFS(dir)).Read()
	if r.Cgroup != "cgroup v2 /sys/fs/cgroup/pod/memory.max" || r.CgroupUsed != 1503238553 || r.CgroupLimit != 1610612736 {
		t.Errorf("Read() cgroup = %q %d/%d, want the pod level", r.Cgroup, r.CgroupUsed, r.CgroupLimit)
	}
	if p, why := r.Pressure(); !p {
		t.Errorf("Pressure() = false, %q; want true: the pod is at 93%%", why)
	}
	if r.GoTotal == 0 || r.HeapGoal == 0 {
		t.Errorf("Read() runtime = total %d, heap goal %d; want both read from runtime/metrics", r.GoTotal, r.HeapGoal)
	}
}
