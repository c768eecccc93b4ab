package main

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestZipfIsDeterministic(t *testing.T) {
	t.Parallel()
	a, err := newZipf(10000, 1.1, 7, 7)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := newZipf(10000, 1.1, 7, 7)
	c, _ := newZipf(10000, 1.1, 8, 7)
	sa, sb, sc := a.sequence(5000, 0.1), b.sequence(5000, 0.1), c.sequence(5000, 0.1)
	if !slices.Equal(sa, sb) {
		t.Error("two samplers with seed 7 drew different sequences, want the same")
	}
	if slices.Equal(sa, sc) {
		t.Error("samplers with seeds 7 and 8 drew the same sequence, want different ones")
	}
	if !slices.Equal(a.ids, c.ids) {
		t.Error("samplers with the same permSeed rank items differently, want the same hot items")
	}
	writes := 0
	for _, r := range sa {
		if r.id < 1 || r.id > 10000 {
			t.Fatalf("drew id %d, want 1..10000", r.id)
		}
		if r.write {
			writes++
		}
	}
	if writes < 400 || writes > 600 {
		t.Errorf("%d writes in 5000 requests with write share 0.1, want about 500", writes)
	}
	d, _ := newZipf(10000, 1.1, 7, 7)
	for _, r := range d.sequence(1000, 0) {
		if r.write {
			t.Fatal("drew a write with write share 0")
		}
	}
}

func TestZipfFollowsItsDistribution(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    float64
		n, k int
	}{
		{1.1, 10000, 1024},
		{0.8, 1000, 100},
		{2, 100, 1},
	}
	for _, tt := range tests {
		z, err := newZipf(tt.n, tt.s, 1, 1)
		if err != nil {
			t.Fatal(err)
		}
		hot := map[int64]bool{}
		for _, id := range z.ids[:tt.k] {
			hot[id] = true
		}
		const draws = 200000
		in := 0
		for range draws {
			if hot[z.next()] {
				in++
			}
		}
		got, want := float64(in)/draws, z.topShare(tt.k)
		if math.Abs(got-want) > 0.01 {
			t.Errorf("s=%v n=%d: share of draws on the %d hottest items = %.4f, want %.4f ± 0.01", tt.s, tt.n, tt.k, got, want)
		}
	}
	z, _ := newZipf(10, 1, 1, 1)
	// The ideal share of the top 1 of 10 at s=1 is 1/H(10).
	h := 0.0
	for k := 1; k <= 10; k++ {
		h += 1 / float64(k)
	}
	if got := z.topShare(1); math.Abs(got-1/h) > 1e-12 {
		t.Errorf("topShare(1) = %v, want %v", got, 1/h)
	}
	if z.topShare(0) != 0 || z.topShare(99) != 1 {
		t.Errorf("topShare(0), topShare(99) = %v, %v, want 0, 1", z.topShare(0), z.topShare(99))
	}
}

func TestNewZipfRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		n    int
		s    float64
	}{
		{"no items", 0, 1.1},
		{"zero exponent", 10, 0},
		{"negative exponent", 10, -1},
		{"NaN", 10, math.NaN()},
		{"Inf", 10, math.Inf(1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := newZipf(tt.n, tt.s, 1, 1); err == nil {
				t.Errorf("newZipf(%d, %v) = nil error, want one", tt.n, tt.s)
			}
		})
	}
}

func TestPercentile(t *testing.T) {
	t.Parallel()
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		q      float64
		want   time.Duration
	}{
		{"empty", nil, 0.5, 0},
		{"one value", []time.Duration{7}, 0.99, 7},
		{"p50 of 1..100", hundred, 0.50, 50 * time.Millisecond},
		{"p99 of 1..100", hundred, 0.99, 99 * time.Millisecond},
		{"p99.9 of 1..100", hundred, 0.999, 100 * time.Millisecond},
		{"p100", hundred, 1, 100 * time.Millisecond},
		{"tiny q", hundred, 0.0001, 1 * time.Millisecond},
		{"p50 of two", []time.Duration{1, 9}, 0.5, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := percentile(tt.sorted, tt.q); got != tt.want {
				t.Errorf("percentile(%d values, %v) = %v, want %v", len(tt.sorted), tt.q, got, tt.want)
			}
		})
	}
}

func TestRoundFrom(t *testing.T) {
	t.Parallel()
	lat := []time.Duration{3 * time.Millisecond, 1 * time.Millisecond, 2 * time.Millisecond, 4 * time.Millisecond}
	rps, p50, p99, _, maxMs := roundFrom(lat, 2*time.Second)
	if rps != 2 || p50 != 2 || p99 != 4 || maxMs != 4 {
		t.Errorf("roundFrom = rps %v, p50 %v, p99 %v, max %v; want 2, 2, 4, 4", rps, p50, p99, maxMs)
	}
	if lat[0] != 3*time.Millisecond {
		t.Error("roundFrom sorted its argument, want it left alone")
	}
}

func TestMedian(t *testing.T) {
	t.Parallel()
	tests := []struct {
		xs   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{3}, 3},
		{[]float64{9, 1, 5}, 5},
		{[]float64{4, 1, 3, 2}, 2.5},
	}
	for _, tt := range tests {
		if got := median(tt.xs); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.xs, got, tt.want)
		}
	}
}

func TestSummarize(t *testing.T) {
	t.Parallel()
	s := Scenario{Database: "sqlite", Cache: true, Rounds: []Round{
		{Requests: 100, Reads: 100, RPS: 10, P50ms: 1, P99ms: 9, DBQueries: 20, CacheHits: 80, CacheMiss: 20, ServiceCPU: 0.01},
		{Requests: 100, Reads: 100, RPS: 30, P50ms: 3, P99ms: 3, DBQueries: 10, CacheHits: 90, CacheMiss: 10, ServiceCPU: 0.01},
		{Requests: 200, Reads: 200, RPS: 20, P50ms: 2, P99ms: 5, DBQueries: 30, CacheHits: 170, CacheMiss: 30, ServiceCPU: 0.02},
	}}
	s.summarize()
	if s.Requests != 400 || s.RPS != 20 || s.P50ms != 2 || s.P99ms != 5 {
		t.Errorf("summarize: requests %d, rps %v, p50 %v, p99 %v; want 400, 20, 2, 5 (sums and medians)", s.Requests, s.RPS, s.P50ms, s.P99ms)
	}
	if s.QueriesPerRead != 0.15 || s.HitRatio != 0.85 {
		t.Errorf("summarize: queries per read %v, hit ratio %v; want 0.15, 0.85", s.QueriesPerRead, s.HitRatio)
	}
	if math.Abs(s.CPUusPerRequest-100) > 1e-9 {
		t.Errorf("summarize: CPU µs per request %v, want 100", s.CPUusPerRequest)
	}
	s.Rounds[1].ServiceCPU = -1
	s.summarize()
	if s.CPUusPerRequest != -1 {
		t.Errorf("summarize with an unknown CPU time: %v µs per request, want -1", s.CPUusPerRequest)
	}
}

func TestChecks(t *testing.T) {
	t.Parallel()
	off := Scenario{Database: "sqlite", Requests: 1000, Reads: 1000, QueriesPerRead: 1, P99ms: 5}
	on := func(qpr, hit, p99 float64) Scenario {
		return Scenario{Database: "sqlite", Cache: true, Requests: 1000, Reads: 1000, QueriesPerRead: qpr, HitRatio: hit, P99ms: p99}
	}
	tests := []struct {
		name                 string
		on                   Scenario
		wantQueries, wantP99 bool
	}{
		{"both met", on(0.15, 0.85, 1), true, true},
		{"queries at the limit", on(0.16, 0.85, 1), true, true},
		{"queries above the limit", on(0.17, 0.85, 1), false, true},
		{"more queries than misses", on(0.5, 0.9, 1), false, true},
		{"p99 equal", on(0.1, 0.9, 5), true, false},
		{"p99 above", on(0.1, 0.9, 6), true, false},
		{"no reads", Scenario{Database: "sqlite", Cache: true}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cs := checks([]Scenario{off, tt.on})
			if len(cs) != 2 {
				t.Fatalf("checks = %d checks, want 2", len(cs))
			}
			if cs[0].Pass != tt.wantQueries || cs[1].Pass != tt.wantP99 {
				t.Errorf("checks = queries %v (%s), p99 %v (%s); want %v, %v",
					cs[0].Pass, cs[0].Detail, cs[1].Pass, cs[1].Detail, tt.wantQueries, tt.wantP99)
			}
		})
	}
	if cs := checks([]Scenario{on(0.1, 0.9, 1)}); len(cs) != 0 {
		t.Errorf("checks without a cache-off scenario = %v, want none", cs)
	}
	other := off
	other.Database = "postgres"
	if cs := checks([]Scenario{other, on(0.1, 0.9, 1)}); len(cs) != 0 {
		t.Errorf("checks against another database's cache-off scenario = %v, want none", cs)
	}
	var b strings.Builder
	writeChecks(&b, checks([]Scenario{off, on(0.5, 0.9, 1)}))
	if got := b.String(); !strings.HasPrefix(got, "FAIL SQLite: DB queries per read") || !strings.Contains(got, "\nPASS SQLite: p99") {
		t.Errorf("writeChecks wrote\n%s\nwant a FAIL line for the queries and a PASS line for p99", got)
	}
}

func TestWriteTable(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	writeTable(&b, []Scenario{{Database: "postgres", Cache: true, Requests: 20000, RPS: 1234.4, P50ms: 0.5, P99ms: 2.25, QueriesPerRequest: 0.125, HitRatio: 0.875, CPUusPerRequest: -1}})
	want := "| PostgreSQL | on | 20000 | 0 | 1234 | 0.500 | 2.250 | 0.125 | 87.5% | n/a |\n"
	if !strings.HasSuffix(b.String(), want) {
		t.Errorf("writeTable wrote\n%s\nwant it to end with\n%s", b.String(), want)
	}
}

func TestParseListenLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line, want string
	}{
		{`time=2026-11-26T04:40:00Z level=INFO msg=listening addr=127.0.0.1:41234`, "127.0.0.1:41234"},
		{`time=x level=INFO msg=listening addr=127.0.0.1:41234 env=development`, "127.0.0.1:41234"},
		{`time=x level=INFO msg=listening addr="[::1]:80"`, "[::1]:80"},
		{`time=x level=INFO msg=listening addr=http://127.0.0.1:9/`, "127.0.0.1:9"},
		{`{"time":"x","level":"INFO","msg":"listening","addr":"127.0.0.1:5000"}`, "127.0.0.1:5000"},
		{`2026/11/26 03:25:42 INFO listening addr=127.0.0.1:42773`, "127.0.0.1:42773"},
		{`time=x level=INFO msg=started addr=127.0.0.1:1`, ""},
		{`{"msg":"request","addr":"127.0.0.1:5000"}`, ""},
		{`{"msg":"listening"}`, ""},
		{`time=x level=INFO msg=listening`, ""},
		{`not a log line`, ""},
	}
	for _, tt := range tests {
		got, ok := parseListenLine(tt.line)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("parseListenLine(%q) = %q, %v; want %q", tt.line, got, ok, tt.want)
		}
	}
}

func TestCheckLoopback(t *testing.T) {
	t.Parallel()
	tests := []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:8080", true},
		{"127.0.0.2:1", true},
		{"[::1]:8080", true},
		{"localhost:5432", true},
		{"127.0.0.1", true},
		{"10.0.0.1:8080", false},
		{"0.0.0.0:8080", false},
		{"[::]:8080", false},
		{"example.com:80", false},
		{"192.168.1.1", false},
		{"", false},
	}
	for _, tt := range tests {
		if err := checkLoopback(tt.addr); (err == nil) != tt.ok {
			t.Errorf("checkLoopback(%q) = %v, want ok %v", tt.addr, err, tt.ok)
		}
	}
}

func TestCounter(t *testing.T) {
	t.Parallel()
	flat := map[string]any{"hits": 5.0, "misses": 2.0, "hit_ratio": 0.7}
	nested := map[string]any{"stats": map[string]any{"hits": 5.0}, "hit_ratio": 0.7}
	if n, ok := counter(flat, "hits"); !ok || n != 5 {
		t.Errorf("counter(flat, hits) = %d, %v; want 5, true", n, ok)
	}
	if n, ok := counter(nested, "hits"); !ok || n != 5 {
		t.Errorf("counter(nested, hits) = %d, %v; want 5, true", n, ok)
	}
	if _, ok := counter(nested, "misses"); ok {
		t.Error("counter(nested, misses) found a value, want none")
	}
	if _, ok := counter(map[string]any{"hits": "5"}, "hits"); ok {
		t.Error("counter found a string, want only numbers")
	}
}

func TestParseFlags(t *testing.T) {
	t.Parallel()
	c, err := parseFlags([]string{"-databases", "postgres", "-cache", "on", "-requests", "10"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.databases, []string{"postgres"}) || !slices.Equal(c.cacheModes, []bool{true}) || c.requests != 10 {
		t.Errorf("parseFlags = %+v, want postgres, cache on, 10 requests", c)
	}
	for _, args := range [][]string{
		{"-databases", "mysql"},
		{"-cache", "maybe"},
		{"-databases", ""},
		{"-requests", "0"},
		{"-concurrency", "0"},
		{"-write-share", "1.5"},
		{"-max-duration", "0s"},
		{"extra"},
	} {
		if _, err := parseFlags(args); err == nil {
			t.Errorf("parseFlags(%q) = nil error, want one", args)
		}
	}
}
