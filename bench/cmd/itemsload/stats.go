package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"
)

// percentile returns the q-th quantile (0 < q <= 1) of sorted by the
// nearest-rank method: the smallest value with at least q of the values at
// or below it. It returns 0 for an empty slice.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(q * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// median returns the median of xs (the mean of the middle two for an even
// count), or 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// A Round is one measured window of one scenario.
type Round struct {
	Round      int     `json:"round"`
	Requests   int     `json:"requests"` // requests sent in the window (reads + writes)
	Reads      int     `json:"reads"`
	Writes     int     `json:"writes"`
	Errors     int     `json:"errors"` // transport errors and unexpected status codes
	StoppedBy  string  `json:"stopped_by"`
	Seconds    float64 `json:"seconds"`
	RPS        float64 `json:"requests_per_second"`
	P50ms      float64 `json:"p50_ms"`
	P99ms      float64 `json:"p99_ms"`
	P999ms     float64 `json:"p999_ms"`
	MaxMs      float64 `json:"max_ms"`
	DBQueries  uint64  `json:"db_queries"`
	CacheHits  uint64  `json:"cache_hits"`
	CacheMiss  uint64  `json:"cache_misses"`
	ServiceCPU float64 `json:"service_cpu_seconds"` // -1 when /proc could not be read
	WarmupReqs int     `json:"warmup_requests"`
	LoadAvg    string  `json:"load_average_after"`
}

// A Scenario is one database with the cache on or off, over all rounds:
// latencies and rates are the medians of the rounds, counts their sums.
type Scenario struct {
	Database          string  `json:"database"`
	Cache             bool    `json:"cache"`
	Requests          int     `json:"requests"`
	Reads             int     `json:"reads"`
	Writes            int     `json:"writes"`
	Errors            int     `json:"errors"`
	RPS               float64 `json:"requests_per_second"`
	P50ms             float64 `json:"p50_ms"`
	P99ms             float64 `json:"p99_ms"`
	QueriesPerRequest float64 `json:"db_queries_per_request"`
	QueriesPerRead    float64 `json:"db_queries_per_read"` // equal to per request when there are no writes; see Note
	HitRatio          float64 `json:"hit_ratio"`
	CPUusPerRequest   float64 `json:"service_cpu_us_per_request"` // -1 when unknown
	Rounds            []Round `json:"rounds"`
}

// summarize fills s's aggregate fields from its rounds.
func (s *Scenario) summarize() {
	var rps, p50, p99 []float64
	var queries, hits, misses uint64
	cpu := 0.0
	cpuKnown := true
	s.Requests, s.Reads, s.Writes, s.Errors = 0, 0, 0, 0
	for _, r := range s.Rounds {
		s.Requests += r.Requests
		s.Reads += r.Reads
		s.Writes += r.Writes
		s.Errors += r.Errors
		rps = append(rps, r.RPS)
		p50 = append(p50, r.P50ms)
		p99 = append(p99, r.P99ms)
		queries += r.DBQueries
		hits += r.CacheHits
		misses += r.CacheMiss
		if r.ServiceCPU < 0 {
			cpuKnown = false
		}
		cpu += r.ServiceCPU
	}
	s.RPS, s.P50ms, s.P99ms = median(rps), median(p50), median(p99)
	s.QueriesPerRequest, s.QueriesPerRead, s.HitRatio, s.CPUusPerRequest = 0, 0, 0, -1
	if s.Requests > 0 {
		s.QueriesPerRequest = float64(queries) / float64(s.Requests)
		if cpuKnown {
			s.CPUusPerRequest = cpu * 1e6 / float64(s.Requests)
		}
	}
	if s.Reads > 0 {
		// Writes are charged to reads too: the rule is only exact with
		// -write-share 0, which the report says.
		s.QueriesPerRead = float64(queries) / float64(s.Reads)
	}
	if hits+misses > 0 {
		s.HitRatio = float64(hits) / float64(hits+misses)
	}
}

// queriesEpsilon is the slack of the queries rule: a few queries in ten
// thousand requests (a readiness probe, a refresh) must not fail it.
const queriesEpsilon = 0.01

// A Check is one target of issue 6 for one database.
type Check struct {
	Database string `json:"database"`
	Name     string `json:"name"`
	Pass     bool   `json:"pass"`
	Detail   string `json:"detail"`
}

// checks evaluates the two targets for every database that has
// both a cache-on and a cache-off scenario.
func checks(scenarios []Scenario) []Check {
	var out []Check
	for _, on := range scenarios {
		if !on.Cache {
			continue
		}
		i := slices.IndexFunc(scenarios, func(s Scenario) bool { return s.Database == on.Database && !s.Cache })
		if i < 0 {
			continue
		}
		off := scenarios[i]
		out = append(out, queriesCheck(on, off), p99Check(on, off))
	}
	return out
}

// queriesCheck: DB queries per read fall by at least the cache hit ratio,
// that is on <= (1 - hit ratio) * off + epsilon.
func queriesCheck(on, off Scenario) Check {
	limit := (1-on.HitRatio)*off.QueriesPerRead + queriesEpsilon
	return Check{
		Database: on.Database,
		Name:     "DB queries per read fall by at least the cache hit ratio",
		Pass:     on.Reads > 0 && off.Reads > 0 && on.QueriesPerRead <= limit,
		Detail: fmt.Sprintf("%.4f with cache <= (1 - %.4f) × %.4f without + %.2f = %.4f",
			on.QueriesPerRead, on.HitRatio, off.QueriesPerRead, queriesEpsilon, limit),
	}
}

// p99Check: p99 with the cache below p99 without.
func p99Check(on, off Scenario) Check {
	return Check{
		Database: on.Database,
		Name:     "p99 with cache below p99 without",
		Pass:     on.Requests > 0 && off.Requests > 0 && on.P99ms < off.P99ms,
		Detail:   fmt.Sprintf("%.3f ms with cache < %.3f ms without", on.P99ms, off.P99ms),
	}
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// writeTable writes the scenarios as a Markdown table.
func writeTable(w io.Writer, scenarios []Scenario) {
	fmt.Fprintln(w, "| database | cache | requests | errors | req/s | p50 ms | p99 ms | DB queries / request | cache hit ratio | service CPU µs / request |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, s := range scenarios {
		cpu := "n/a"
		if s.CPUusPerRequest >= 0 {
			cpu = fmt.Sprintf("%.0f", s.CPUusPerRequest)
		}
		fmt.Fprintf(w, "| %s | %s | %d | %d | %.0f | %.3f | %.3f | %.3f | %.1f%% | %s |\n",
			displayName(s.Database), onOff(s.Cache), s.Requests, s.Errors, s.RPS, s.P50ms, s.P99ms,
			s.QueriesPerRequest, 100*s.HitRatio, cpu)
	}
}

// writeChecks writes one PASS or FAIL line per check.
func writeChecks(w io.Writer, cs []Check) {
	for _, c := range cs {
		verdict := "FAIL"
		if c.Pass {
			verdict = "PASS"
		}
		fmt.Fprintf(w, "%s %s: %s: %s\n", verdict, displayName(c.Database), c.Name, c.Detail)
	}
}

func displayName(db string) string {
	switch db {
	case "sqlite":
		return "SQLite"
	case "postgres":
		return "PostgreSQL"
	}
	return db
}

// roundFrom computes a round's latency figures from its latencies.
func roundFrom(lat []time.Duration, elapsed time.Duration) (rps, p50, p99, p999, maxMs float64) {
	s := slices.Clone(lat)
	slices.Sort(s)
	if elapsed > 0 {
		rps = float64(len(s)) / elapsed.Seconds()
	}
	if len(s) > 0 {
		maxMs = ms(s[len(s)-1])
	}
	return rps, ms(percentile(s, 0.50)), ms(percentile(s, 0.99)), ms(percentile(s, 0.999)), maxMs
}

// joinLines is strings.Join for the tail of a log, indented.
func joinLines(lines []string) string {
	if len(lines) == 0 {
		return "(no output)"
	}
	return "\t" + strings.Join(lines, "\n\t")
}
