package membudget

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// root writes files (path -> contents) under a new temporary directory
// and returns it as a root file system with fake cgroup files.
func root(tb testing.TB, files map[string]string) string {
	tb.Helper()
	dir := tb.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

func TestBudget(t *testing.T) {
	t.Parallel()
	limited := map[string]string{
		"proc/self/cgroup":              "0::/app\n",
		"sys/fs/cgroup/app/memory.max":  "2147483648\n",
		"sys/fs/cgroup/memory.max":      "4294967296\n",
		"sys/fs/cgroup/app/memory.stat": "inactive_file 0\n",
	}
	tests := []struct {
		name       string
		maxMemory  int64
		files      map[string]string
		want       int64
		wantSource string
		wantErr    error
	}{
		{"CACHE_MAX_MEMORY wins", 64 << 20, limited, 64 << 20, "CACHE_MAX_MEMORY", nil},
		{"a quarter of the tightest container limit", 0, limited, 512 << 20, "25% of cgroup v2 /sys/fs/cgroup/app/memory.max", nil},
		{"cgroup v1", 0, map[string]string{
			"proc/self/cgroup":                           "4:memory:/\n",
			"sys/fs/cgroup/memory/memory.limit_in_bytes": "1073741824\n",
		}, 256 << 20, "25% of cgroup v1 /sys/fs/cgroup/memory/memory.limit_in_bytes", nil},
		{"no container limit: MemTotal is the host's, not a budget", 0, map[string]string{
			"proc/self/cgroup":         "0::/\n",
			"sys/fs/cgroup/memory.max": "max\n",
			"proc/meminfo":             "MemTotal: 16777216 kB\n",
		}, 0, "", ErrNoBudget},
		{"no cgroup at all", 0, map[string]string{}, 0, "", ErrNoBudget},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, source, err := Budget(tt.maxMemory, os.DirFS(root(t, tt.files)))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Budget() error = %v, want %v", err, tt.wantErr)
			}
			if got != tt.want || source != tt.wantSource {
				t.Errorf("Budget() = %d, %q; want %d, %q", got, source, tt.want, tt.wantSource)
			}
		})
	}
}
