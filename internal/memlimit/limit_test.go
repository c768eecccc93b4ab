package memlimit

import (
	"os"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"
)

// meminfo is a /proc/meminfo with MemTotal 16 GiB.
const meminfo = `MemTotal:       16777216 kB
MemFree:         1234567 kB
MemAvailable:    7654321 kB
`

const memTotal = 16 << 30

// file returns a MapFS file with the given contents.
func file(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }

func TestLimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		fsys       fstest.MapFS
		want       int64
		wantSource string
	}{
		{
			name: "cgroup v2 limited",
			fsys: fstest.MapFS{
				"proc/self/cgroup": file("0::/system.slice/app.service\n"),
				"sys/fs/cgroup/system.slice/app.service/memory.max": file("536870912\n"),
				"sys/fs/cgroup/system.slice/memory.max":             file("max\n"),
				"proc/meminfo":                                      file(meminfo),
			},
			want:       512 << 20,
			wantSource: "cgroup v2 /sys/fs/cgroup/system.slice/app.service/memory.max",
		},
		{
			name: "cgroup v2 namespace root",
			fsys: fstest.MapFS{
				"proc/self/cgroup":         file("0::/\n"),
				"sys/fs/cgroup/memory.max": file("1073741824\n"),
				"proc/meminfo":             file(meminfo),
			},
			want:       1 << 30,
			wantSource: "cgroup v2 /sys/fs/cgroup/memory.max",
		},
		{
			name: "cgroup v2 max with limited parent",
			fsys: fstest.MapFS{
				"proc/self/cgroup":                           file("0::/kubepods/pod1/ctr\n"),
				"sys/fs/cgroup/kubepods/pod1/ctr/memory.max": file("max\n"),
				"sys/fs/cgroup/kubepods/pod1/memory.max":     file("268435456\n"),
				"sys/fs/cgroup/kubepods/memory.max":          file("max\n"),
				"proc/meminfo":                               file(meminfo),
			},
			want:       256 << 20,
			wantSource: "cgroup v2 /sys/fs/cgroup/kubepods/pod1/memory.max",
		},
		{
			name: "cgroup v2 parent smaller than child",
			fsys: fstest.MapFS{
				"proc/self/cgroup":                      file("0::/parent/child\n"),
				"sys/fs/cgroup/parent/child/memory.max": file("2147483648\n"),
				"sys/fs/cgroup/parent/memory.max":       file("1073741824\n"),
				"proc/meminfo":                          file(meminfo),
			},
			want:       1 << 30,
			wantSource: "cgroup v2 /sys/fs/cgroup/parent/memory.max",
		},
		{
			name: "cgroup v2 leaf missing, root limited",
			fsys: fstest.MapFS{
				"proc/self/cgroup":         file("0::/docker/0123abcd\n"),
				"sys/fs/cgroup/memory.max": file("134217728"),
				"proc/meminfo":             file(meminfo),
			},
			want:       128 << 20,
			wantSource: "cgroup v2 /sys/fs/cgroup/memory.max",
		},
		{
			name: "cgroup v2 outside namespace uses root",
			fsys: fstest.MapFS{
				"proc/self/cgroup":               file("0::/../../other\n"),
				"sys/fs/cgroup/memory.max":       file("134217728\n"),
				"sys/fs/cgroup/other/memory.max": file("1\n"),
				"proc/meminfo":                   file(meminfo),
			},
			want:       128 << 20,
			wantSource: "cgroup v2 /sys/fs/cgroup/memory.max",
		},
		{
			name: "cgroup v2 unlimited falls back to meminfo",
			fsys: fstest.MapFS{
				"proc/self/cgroup":                    file("0::/user.slice\n"),
				"sys/fs/cgroup/user.slice/memory.max": file("max\n"),
				"proc/meminfo":                        file(meminfo),
			},
			want:       memTotal,
			wantSource: "/proc/meminfo MemTotal",
		},
		{
			name: "cgroup v2 larger than MemTotal",
			fsys: fstest.MapFS{
				"proc/self/cgroup":         file("0::/\n"),
				"sys/fs/cgroup/memory.max": file("68719476736\n"),
				"proc/meminfo":             file(meminfo),
			},
			want:       memTotal,
			wantSource: "/proc/meminfo MemTotal",
		},
		{
			name: "cgroup v2 limited without meminfo",
			fsys: fstest.MapFS{
				"proc/self/cgroup":         file("0::/\n"),
				"sys/fs/cgroup/memory.max": file("68719476736\n"),
			},
			want:       64 << 30,
			wantSource: "cgroup v2 /sys/fs/cgroup/memory.max",
		},
		{
			name: "cgroup v1 limited",
			fsys: fstest.MapFS{
				"proc/self/cgroup": file("12:pids:/docker/abc\n" +
					"11:memory:/docker/abc\n" +
					"10:cpu,cpuacct:/docker/abc\n" +
					"1:name=systemd:/docker/abc\n"),
				"sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes": file("536870912\n"),
				"sys/fs/cgroup/memory/memory.limit_in_bytes":            file("9223372036854771712\n"),
				"proc/meminfo": file(meminfo),
			},
			want:       512 << 20,
			wantSource: "cgroup v1 /sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes",
		},
		{
			name: "cgroup v1 combined controllers, root file only",
			fsys: fstest.MapFS{
				"proc/self/cgroup":                           file("4:cpuacct,memory,cpu:/docker/abc\n"),
				"sys/fs/cgroup/memory/memory.limit_in_bytes": file("268435456\n"),
				"proc/meminfo":                               file(meminfo),
			},
			want:       256 << 20,
			wantSource: "cgroup v1 /sys/fs/cgroup/memory/memory.limit_in_bytes",
		},
		{
			name: "cgroup v1 unlimited",
			fsys: fstest.MapFS{
				"proc/self/cgroup": file("11:memory:/user.slice\n"),
				"sys/fs/cgroup/memory/user.slice/memory.limit_in_bytes": file("9223372036854771712\n"),
				"sys/fs/cgroup/memory/memory.limit_in_bytes":            file("9223372036854771712\n"),
				"proc/meminfo": file(meminfo),
			},
			want:       memTotal,
			wantSource: "/proc/meminfo MemTotal",
		},
		{
			name: "cgroup v1 larger than MemTotal",
			fsys: fstest.MapFS{
				"proc/self/cgroup":                           file("11:memory:/\n"),
				"sys/fs/cgroup/memory/memory.limit_in_bytes": file("34359738368\n"),
				"proc/meminfo":                               file(meminfo),
			},
			want:       memTotal,
			wantSource: "/proc/meminfo MemTotal",
		},
		{
			name: "hybrid, v1 memory limited",
			fsys: fstest.MapFS{
				"proc/self/cgroup": file("5:memory:/process_api/xyz\n" +
					"1:name=systemd:/\n" +
					"0::/\n"),
				"sys/fs/cgroup/unified/cgroup.procs":                         file(""),
				"sys/fs/cgroup/memory/process_api/xyz/memory.limit_in_bytes": file("1073741824\n"),
				"sys/fs/cgroup/memory/process_api/memory.limit_in_bytes":     file("9223372036854771712\n"),
				"sys/fs/cgroup/memory/memory.limit_in_bytes":                 file("9223372036854771712\n"),
				"proc/meminfo": file(meminfo),
			},
			want:       1 << 30,
			wantSource: "cgroup v1 /sys/fs/cgroup/memory/process_api/xyz/memory.limit_in_bytes",
		},
		{
			name: "hybrid, smaller of v1 and v2",
			fsys: fstest.MapFS{
				"proc/self/cgroup":                               file("0::/app\n5:memory:/app\n"),
				"sys/fs/cgroup/app/memory.max":                   file("2147483648\n"),
				"sys/fs/cgroup/memory/app/memory.limit_in_bytes": file("1073741824\n"),
				"proc/meminfo":                                   file(meminfo),
			},
			want:       1 << 30,
			wantSource: "cgroup v1 /sys/fs/cgroup/memory/app/memory.limit_in_bytes",
		},
		{
			name: "hybrid, both unlimited",
			fsys: fstest.MapFS{
				"proc/self/cgroup": file("5:memory:/process_api/xyz\n0::/\n"),
				"sys/fs/cgroup/memory/process_api/xyz/memory.limit_in_bytes": file("9223372036854771712\n"),
				"proc/meminfo": file(meminfo),
			},
			want:       memTotal,
			wantSource: "/proc/meminfo MemTotal",
		},
		{
			name: "no cgroup files, meminfo only",
			fsys: fstest.MapFS{
				"proc/meminfo": file(meminfo),
			},
			want:       memTotal,
			wantSource: "/proc/meminfo MemTotal",
		},
		{
			name: "proc/self/cgroup missing, namespace root limited",
			fsys: fstest.MapFS{
				"sys/fs/cgroup/memory.max": file("134217728\n"),
				"proc/meminfo":             file(meminfo),
			},
			want:       128 << 20,
			wantSource: "cgroup v2 /sys/fs/cgroup/memory.max",
		},
		{
			name: "garbage cgroup values fall through",
			fsys: fstest.MapFS{
				"proc/self/cgroup":                             file("0::/a\n7:memory:/a\n"),
				"sys/fs/cgroup/a/memory.max":                   file("lots\n"),
				"sys/fs/cgroup/memory.max":                     file("-5\n"),
				"sys/fs/cgroup/memory/a/memory.limit_in_bytes": file("99999999999999999999999\n"),
				"sys/fs/cgroup/memory/memory.limit_in_bytes":   file("\x00\xff"),
				"proc/meminfo":                                 file(meminfo),
			},
			want:       memTotal,
			wantSource: "/proc/meminfo MemTotal",
		},
		{
			name: "garbage proc/self/cgroup falls through",
			fsys: fstest.MapFS{
				"proc/self/cgroup": file("::::\n\x00\nno colons here\n0:\n"),
				"proc/meminfo":     file(meminfo),
			},
			want:       memTotal,
			wantSource: "/proc/meminfo MemTotal",
		},
		{
			name: "zero cgroup value is not a limit",
			fsys: fstest.MapFS{
				"proc/self/cgroup":         file("0::/\n"),
				"sys/fs/cgroup/memory.max": file("0\n"),
				"proc/meminfo":             file(meminfo),
			},
			want:       memTotal,
			wantSource: "/proc/meminfo MemTotal",
		},
		{
			name: "cgroup path with odd elements",
			fsys: fstest.MapFS{
				"proc/self/cgroup":             file("0:://a//b/./c/\n"),
				"sys/fs/cgroup/a/b/memory.max": file("1048576\n"),
				"proc/meminfo":                 file(meminfo),
			},
			want:       1 << 20,
			wantSource: "cgroup v2 /sys/fs/cgroup/a/b/memory.max",
		},
		{
			name: "meminfo without trailing newline",
			fsys: fstest.MapFS{
				"proc/meminfo": file("MemFree: 1 kB\nMemTotal: 1024 kB"),
			},
			want:       1 << 20,
			wantSource: "/proc/meminfo MemTotal",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, source, err := Limit(tt.fsys)
			if err != nil || got != tt.want || source != tt.wantSource {
				t.Errorf("Limit() = %d, %q, %v, want %d, %q, nil", got, source, err, tt.want, tt.wantSource)
			}
		})
	}
}

func TestLimitErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		fsys      fstest.MapFS
		wantInErr []string
	}{
		{
			name:      "nothing readable",
			fsys:      fstest.MapFS{},
			wantInErr: []string{"/proc/meminfo", "/proc/self/cgroup", "/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"},
		},
		{
			name: "cgroup unlimited, no meminfo",
			fsys: fstest.MapFS{
				"proc/self/cgroup":         file("0::/\n"),
				"sys/fs/cgroup/memory.max": file("max\n"),
			},
			wantInErr: []string{"/proc/meminfo", "/sys/fs/cgroup/memory.max: no limit"},
		},
		{
			name: "garbage everywhere",
			fsys: fstest.MapFS{
				"proc/self/cgroup":         file("\x00\x01\x02"),
				"sys/fs/cgroup/memory.max": file("twelve"),
				"proc/meminfo":             file("MemTotal: lots kB\n"),
			},
			wantInErr: []string{"/proc/meminfo", "MemTotal", "/proc/self/cgroup", "/sys/fs/cgroup/memory.max"},
		},
		{
			name: "meminfo without MemTotal",
			fsys: fstest.MapFS{
				"proc/meminfo": file("MemFree: 1 kB\n"),
			},
			wantInErr: []string{"no MemTotal line"},
		},
		{
			name: "meminfo wrong unit",
			fsys: fstest.MapFS{
				"proc/meminfo": file("MemTotal: 1024 MB\n"),
			},
			wantInErr: []string{"MemTotal"},
		},
		{
			name: "meminfo overflow",
			fsys: fstest.MapFS{
				"proc/meminfo": file("MemTotal: 9223372036854775807 kB\n"),
			},
			wantInErr: []string{"MemTotal"},
		},
		{
			name: "meminfo zero",
			fsys: fstest.MapFS{
				"proc/meminfo": file("MemTotal: 0 kB\n"),
			},
			wantInErr: []string{"MemTotal"},
		},
		{
			name: "directories instead of files",
			fsys: fstest.MapFS{
				"proc/self/cgroup/x":         file(""),
				"proc/meminfo/x":             file(""),
				"sys/fs/cgroup/memory.max/x": file(""),
			},
			wantInErr: []string{"/proc/meminfo", "/proc/self/cgroup"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, source, err := Limit(tt.fsys)
			if err == nil {
				t.Fatalf("Limit() = %d, %q, nil, want error", got, source)
			}
			if got != 0 || source != "" {
				t.Errorf("Limit() = %d, %q, %v, want 0, \"\" with the error", got, source, err)
			}
			for _, s := range tt.wantInErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("Limit() error = %q, want it to contain %q", err, s)
				}
			}
		})
	}
}

func TestLimitLive(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skipf("Limit reads Linux cgroup and /proc files; GOOS is %s", runtime.GOOS)
	}
	got, source, err := Limit(os.DirFS("/"))
	if err != nil {
		t.Fatalf("Limit(os.DirFS(\"/\")) error = %v, want nil", err)
	}
	if got <= 0 || source == "" {
		t.Errorf("Limit(os.DirFS(\"/\")) = %d, %q, want > 0 and a source", got, source)
	}
	t.Logf("Limit(os.DirFS(\"/\")) = %d (%s), %q", got, Spec{Bytes: got}, source)
}

func FuzzLimit(f *testing.F) {
	f.Add("0::/a/b\n4:memory:/a\n", "max\n", "9223372036854771712\n", meminfo)
	f.Add("0::/\n", "1073741824\n", "", "")
	f.Add("::::", "-1", "lots", "MemTotal: 1 MB")
	f.Fuzz(func(t *testing.T, cgroup, v2, v1, mem string) {
		fsys := fstest.MapFS{
			"proc/self/cgroup":                             file(cgroup),
			"sys/fs/cgroup/memory.max":                     file(v2),
			"sys/fs/cgroup/a/memory.max":                   file(v2),
			"sys/fs/cgroup/memory/memory.limit_in_bytes":   file(v1),
			"sys/fs/cgroup/memory/a/memory.limit_in_bytes": file(v1),
			"proc/meminfo":                                 file(mem),
		}
		got, source, err := Limit(fsys)
		if err == nil && (got <= 0 || source == "") {
			t.Errorf("Limit() = %d, %q, nil, want > 0 and a source", got, source)
		}
		if err != nil && (got != 0 || source != "") {
			t.Errorf("Limit() = %d, %q, %v, want 0, \"\" with the error", got, source, err)
		}
	})
}
