package hitratio

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseARC(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    string
		limit int
		want  []uint64
		err   string
	}{
		{"expands counts", "10 3 0 0\n7 1 0 1\n", 0, []uint64{10, 11, 12, 7}, ""},
		{"limit cuts inside a line", "10 3 0 0\n7 1 0 1\n", 2, []uint64{10, 11}, ""},
		{"blank lines", "\n5 1 0 0\n\n", 0, []uint64{5}, ""},
		{"short line", "5\n", 0, nil, "line 1"},
		{"not a number", "5 x 0 0\n", 0, nil, "unsigned integers"},
		{"negative", "-5 1 0 0\n", 0, nil, "unsigned integers"},
		{"overflow", "18446744073709551615 2 0 0\n", 0, nil, "unsigned integers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseARC(strings.NewReader(tt.in), tt.limit)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Fatalf("ParseARC = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func FuzzParseARC(f *testing.F) {
	for _, s := range []string{"10 3 0 0\n", "1 1 0 0\n2 1 0 1\n", "x", "18446744073709551615 1 0 0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		keys, err := ParseARC(strings.NewReader(s), 1000)
		if err == nil && len(keys) > 1000 {
			t.Fatalf("%d keys past the limit", len(keys))
		}
	})
}

// TestReplayReduced replays the first requests of each ARC trace present
// (set TRACES_DIR; default /work/shared/traces/arc) through every cache:
// the reduced run of CI. No online cache can beat OPT.
func TestReplayReduced(t *testing.T) {
	dir := os.Getenv("TRACES_DIR")
	if dir == "" {
		dir = "/work/shared/traces/arc"
	}
	traces := map[string][]uint64{"zipf": Zipf(0.9, 10_000, 50_000, 7)}
	for _, name := range []string{"OLTP", "P3", "P6"} {
		tr, err := LoadARC(filepath.Join(dir, name+".lis.zst"), 50_000)
		if os.IsNotExist(err) {
			t.Logf("%s: no trace in %s", name, dir)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(tr) != 50_000 {
			t.Fatalf("%s: %d requests, want the first 50,000", name, len(tr))
		}
		traces[name] = tr
	}
	for name, tr := range traces {
		rows, err := Replay(tr, []int{500, 5_000}, Makers, true)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			opt := r.Ratios[len(r.Ratios)-1]
			for i, x := range r.Ratios[:len(Makers)] {
				if x < 0 || x > opt+1e-9 {
					t.Errorf("%s, %d entries: %s %.2f%%, outside [0, OPT %.2f%%]", name, r.Size, Makers[i].Name, x, opt)
				}
			}
		}
	}
}
