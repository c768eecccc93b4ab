package memlimit

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// writeTree writes files (path -> contents) under a new temporary
// directory and returns it: a fake root file system with cgroup files.
func writeTree(tb testing.TB, files map[string]string) string {
	tb.Helper()
	root := tb.TempDir()
	for name, data := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return root
}

func TestLevels(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string
		want  []Level
	}{
		{
			name: "cgroup v2 own level, page cache left out of the working set",
			files: map[string]string{
				"proc/self/cgroup":                               "0::/kubepods/pod1/ctr\n",
				"sys/fs/cgroup/kubepods/pod1/ctr/memory.max":     "1073741824\n",
				"sys/fs/cgroup/kubepods/pod1/ctr/memory.current": "805306368\n",
				"sys/fs/cgroup/kubepods/pod1/ctr/memory.stat":    "anon 536870912\nfile 268435456\ninactive_file 134217728\nactive_file 134217728\n",
				"sys/fs/cgroup/kubepods/pod1/memory.max":         "max\n",
				"sys/fs/cgroup/kubepods/memory.max":              "max\n",
			},
			want: []Level{{File: "cgroup v2 /sys/fs/cgroup/kubepods/pod1/ctr/memory.max", Limit: 1 << 30, Usage: 768 << 20, InactiveFile: 128 << 20}},
		},
		{
			name: "cgroup v2 limited parent, own usage unreadable",
			files: map[string]string{
				"proc/self/cgroup":                 "0::/a/b\n",
				"sys/fs/cgroup/a/b/memory.max":     "536870912\n",
				"sys/fs/cgroup/a/b/memory.current": "garbage\n",
				"sys/fs/cgroup/a/memory.max":       "268435456\n",
				"sys/fs/cgroup/a/memory.current":   "134217728\n",
			},
			want: []Level{
				{File: "cgroup v2 /sys/fs/cgroup/a/b/memory.max", Limit: 512 << 20, Usage: -1},
				{File: "cgroup v2 /sys/fs/cgroup/a/memory.max", Limit: 256 << 20, Usage: 128 << 20},
			},
		},
		{
			name: "cgroup v1",
			files: map[string]string{
				"proc/self/cgroup": "12:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n",
				"sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes": "2147483648\n",
				"sys/fs/cgroup/memory/docker/abc/memory.usage_in_bytes": "1073741824\n",
				"sys/fs/cgroup/memory/docker/abc/memory.stat":           "cache 10\ntotal_inactive_file 536870912\n",
				"sys/fs/cgroup/memory/memory.limit_in_bytes":            "9223372036854771712\n",
			},
			want: []Level{{File: "cgroup v1 /sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes", Limit: 2 << 30, Usage: 1 << 30, InactiveFile: 512 << 20}},
		},
		{
			name: "no proc/self/cgroup: the namespace root",
			files: map[string]string{
				"sys/fs/cgroup/memory.max":     "1073741824\n",
				"sys/fs/cgroup/memory.current": "1024\n",
			},
			want: []Level{{File: "cgroup v2 /sys/fs/cgroup/memory.max", Limit: 1 << 30, Usage: 1024}},
		},
		{
			name:  "no limit anywhere",
			files: map[string]string{"proc/self/cgroup": "0::/\n", "sys/fs/cgroup/memory.max": "max\n", "sys/fs/cgroup/memory.current": "5\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Levels(os.DirFS(writeTree(t, tt.files)))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Levels() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestLevelWorkingSet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		l    Level
		want int64
	}{
		{Level{Usage: 100, InactiveFile: 30}, 70},
		{Level{Usage: 10, InactiveFile: 30}, 0}, // stat and usage read at different moments
		{Level{Usage: -1, InactiveFile: 30}, -1},
	}
	for _, tt := range tests {
		if got := tt.l.WorkingSet(); got != tt.want {
			t.Errorf("%+v.WorkingSet() = %d, want %d", tt.l, got, tt.want)
		}
	}
}
