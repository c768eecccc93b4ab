package cache_test

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/prodready/prodready/cache"
)

// sizing is a Sizing of 64 MiB with estimates at ¼× to 8×.
func sizing(pct ...float64) *cache.Sizing {
	z := &cache.Sizing{Unit: "bytes", Capacity: 64 << 20}
	for i, p := range pct {
		z.Estimates = append(z.Estimates, cache.Estimate{Capacity: (16 << 20) << i, HitRatio: p / 100, Requests: 5000})
	}
	return z
}

func TestSizingHitRatioAt(t *testing.T) {
	t.Parallel()
	z := sizing(40, 50, 60, 70, 75, 77)
	tests := []struct {
		c      uint64
		want   float64
		wantOK bool
	}{
		{64 << 20, 0.60, true},
		{16 << 20, 0.40, true},
		{512 << 20, 0.77, true},
		{uint64(math.Round(64 << 20 * math.Sqrt2)), 0.65, true}, // halfway on a log scale
		{8 << 20, 0, false},
		{1 << 30, 0, false},
		{0, 0, false},
	}
	for _, tt := range tests {
		got, ok := z.HitRatioAt(tt.c)
		if ok != tt.wantOK || math.Abs(got-tt.want) > 1e-6 {
			t.Errorf("HitRatioAt(%d) = %v, %v; want %v, %v", tt.c, got, ok, tt.want, tt.wantOK)
		}
	}
	var none *cache.Sizing
	if _, ok := none.HitRatioAt(1); ok {
		t.Error("HitRatioAt of a nil Sizing is ok")
	}
}

func TestSizingLargerCache(t *testing.T) {
	t.Parallel()
	atBudget := sizing(40, 50, 60, 70, 75, 77)
	atBudget.Autosize, atBudget.Budget = true, 64<<20
	belowBudget := sizing(40, 50, 60, 70, 75, 77)
	belowBudget.Autosize, belowBudget.Budget = true, 256<<20
	entries := sizing(40, 50, 60, 70, 75, 77)
	entries.Unit, entries.Capacity = "entries", 64<<20
	// Estimates on few sampled requests are noise: with CACHE_ESTIMATES a
	// cache just started would have logged PR-I049 on them.
	young := sizing(40, 50, 60, 70, 75, 77)
	young.Estimates[3].Requests = 300
	// A count set beside the memory bound bounds the cache too: doubling
	// the memory alone changed nothing for a new user, and autosize is
	// refused beside an explicit CACHE_MAX_SIZE (PR-E047).
	both := sizing(40, 50, 60, 70, 75, 77)
	both.MaxEntries = 2000
	tests := []struct {
		name     string
		z        *cache.Sizing
		want     bool
		wantVar  string
		wantText []string
	}{
		{"10 points more at 2x", sizing(40, 50, 60, 70, 75, 77), true, "APP_CACHE_MAX_MEMORY",
			[]string{"128MiB", "60.0% to 70.0%", "APP_CACHE_MAX_MEMORY=128MiB", "APP_CACHE_AUTOSIZE=true"}},
		{"counted in entries", entries, true, "APP_CACHE_MAX_SIZE", []string{"APP_CACHE_MAX_SIZE=134217728"}},
		{"5 points exactly: not more than the threshold", sizing(40, 50, 60, 65, 75, 77), false, "", nil},
		{"flat", sizing(60, 60, 60, 60.5, 61, 61), false, "", nil},
		{"autosize at its budget: raise the budget", atBudget, true, "APP_CACHE_MAX_MEMORY", []string{"APP_CACHE_MAX_MEMORY=128MiB"}},
		{"autosize below its budget grows by itself", belowBudget, false, "", nil},
		{"no estimate at 2x", sizing(40, 50, 60), false, "", nil},
		{"2x on 300 sampled requests", young, false, "", nil},
		{"a count beside the memory bound", both, true, "APP_CACHE_MAX_MEMORY", []string{"APP_CACHE_MAX_MEMORY=128MiB and APP_CACHE_MAX_SIZE=4000"}},
		{"nil", nil, false, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, ok := tt.z.LargerCache(cache.LargerCacheThreshold, "APP_")
			if ok != tt.want {
				t.Fatalf("LargerCache() = %+v, %v; want %v", f, ok, tt.want)
			}
			if !ok {
				return
			}
			if f.ID != cache.LargerCacheCheck || f.Key != tt.wantVar {
				t.Errorf("LargerCache() = %+v, want %s on %s", f, cache.LargerCacheCheck, tt.wantVar)
			}
			text := f.Message + " " + f.Hint
			for _, w := range tt.wantText {
				if !strings.Contains(text, w) {
					t.Errorf("LargerCache() says %q, want %q in it", text, w)
				}
			}
			if (tt.z.Autosize || tt.z.MaxEntries > 0) && strings.Contains(f.Hint, "CACHE_AUTOSIZE") {
				t.Errorf("LargerCache() hint %q suggests autosize, which is on or refused", f.Hint)
			}
		})
	}
}

// String and LogValue show the Sizing too, with the same names in the
// same order.
func TestStatsStringSizing(t *testing.T) {
	t.Parallel()
	z := sizing(41, 52.3, 60.1, 66, 70.2, 71)
	z.Autosize, z.Budget, z.Target = true, 256<<20, 128<<20
	s := cache.Stats{Hits: 3, Misses: 1, Sizing: z}
	want := "hits=3 misses=1 hit_ratio=75.0% loads=0 load_errors=0 backend_errors=0 codec_errors=0 auth_failures=0 evictions=0" +
		" capacity=64MiB target=128MiB budget=256MiB pressure=false estimates=0.25x:41.0%,0.5x:52.3%,1x:60.1%,2x:66.0%,4x:70.2%,8x:71.0%"
	if got := s.String(); got != want {
		t.Errorf("String()\n got %s\nwant %s", got, want)
	}
	fields := strings.Fields(s.String())
	attrs := s.LogValue().Group()
	if len(fields) != len(attrs) {
		t.Fatalf("String has %d fields, LogValue %d attributes", len(fields), len(attrs))
	}
	for i, a := range attrs {
		if name, _, _ := strings.Cut(fields[i], "="); name != a.Key {
			t.Errorf("field %d: String names it %q, LogValue %q", i, name, a.Key)
		}
	}
	// An estimate on no request yet shows as "-", not 0.0% (a new user
	// read "4x:0.0%" as a measured hit ratio).
	s.Sizing = &cache.Sizing{Unit: "entries", Capacity: 4096, Estimates: []cache.Estimate{{Capacity: 1024, HitRatio: 0.41, Requests: 5000, RecentHitRatio: 0.4, RecentRequests: 2000}, {Capacity: 8192, HitRatio: 0.5, Requests: 900}, {Capacity: 16384}}}
	if got, want := s.String(), " capacity=4096 estimates=0.25x:41.0%,2x:50.0%,4x:-"; !strings.HasSuffix(got, want) {
		t.Errorf("String() = %s, want it to end in %q, without autosize's fields", got, want)
	}
	s.Sizing.Estimates = s.Sizing.Estimates[:2]
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if want := `"sizing":{"unit":"entries","capacity":4096,"autosize":false,"estimates":[{"capacity":1024,"hit_ratio":0.41,"requests":5000,"recent_hit_ratio":0.4,"recent_requests":2000},{"capacity":8192,"hit_ratio":0.5,"requests":900,"recent_hit_ratio":0,"recent_requests":0}]}`; !strings.Contains(string(b), want) {
		t.Errorf("json.Marshal(Stats) = %s, want %s in it", b, want)
	}
	if b, _ := json.Marshal(cache.Stats{}); strings.Contains(string(b), "sizing") {
		t.Errorf("json.Marshal(Stats{}) = %s, want no sizing", b)
	}
}

func ExampleSizing_LargerCache() {
	// What Stats().Sizing of a 64 MiB memory cache may hold.
	z := &cache.Sizing{Unit: "bytes", Capacity: 64 << 20, Estimates: []cache.Estimate{
		{Capacity: 16 << 20, HitRatio: 0.40, Requests: 8000},
		{Capacity: 32 << 20, HitRatio: 0.52, Requests: 8000},
		{Capacity: 64 << 20, HitRatio: 0.61, Requests: 8000},
		{Capacity: 128 << 20, HitRatio: 0.69, Requests: 8000},
		{Capacity: 256 << 20, HitRatio: 0.72, Requests: 8000},
		{Capacity: 512 << 20, HitRatio: 0.73, Requests: 8000},
	}}
	gain, _ := z.Gain(2)
	fmt.Printf("twice the memory: %+.1f points\n", 100*gain)
	if f, ok := z.LargerCache(cache.LargerCacheThreshold, ""); ok {
		fmt.Println(f.ID, f.Key+":", f.Message)
	}
	// Output:
	// twice the memory: +8.0 points
	// PR-I049 CACHE_MAX_MEMORY: a cache twice as large (128MiB) would raise the hit ratio from 61.0% to 69.0%, by the estimates
}
