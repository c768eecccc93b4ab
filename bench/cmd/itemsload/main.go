// Command itemsload is the bounded load test of the reference service
// examples/itemsapi (issue 6). It builds the service, then for each
// scenario — SQLite or PostgreSQL, item cache on or off — starts a fresh
// instance on 127.0.0.1:0 over a fresh database of -items rows, warms it
// up, and sends a fixed number of requests (stopping early at
// -max-duration) from -concurrency workers: GET /items/{id} with ids drawn
// from a Zipf distribution (the same seeded sequence for every scenario),
// and optionally a share of PUT /items/{id}.
//
// It reports requests/s, p50 and p99 latency, errors, DB queries per
// request (from GET /debug/db) and the cache hit ratio (from GET
// /debug/cache) of the measured window, as a Markdown table on standard
// output and as JSON (-out), then checks the targets for each
// database and prints PASS or FAIL:
//
//   - DB queries per read fall by at least the cache hit ratio:
//     on <= (1 - hit ratio) * off + 0.01;
//   - p99 with the cache below p99 without.
//
// It exits 1 if a target fails or a request errs, after writing its output.
// Load goes to loopback addresses only, and PostgreSQL must be on loopback
// too. Usage, from bench/:
//
//	go run ./cmd/itemsload -requests 20000 -max-duration 20s -concurrency 16 -out ../docs/itemsapi-load.json
//
// PostgreSQL: a database is created and dropped per scenario with psql, on
// the server of PRODREADY_BENCH_POSTGRES_URL (default
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

type config struct {
	root, binary     string
	databases        []string
	cacheModes       []bool
	requests         int
	maxDuration      time.Duration
	warmupRequests   int
	warmupDuration   time.Duration
	concurrency      int
	items            int
	zipfS            float64
	seed             uint64
	writeShare       float64
	rounds           int
	cacheMaxSize     int
	logLevel         string
	startTimeout     time.Duration
	requestTimeout   time.Duration
	out              string
	postgresAdminURL string
}

// Results is the JSON file itemsload writes and svgchart reads.
type Results struct {
	Command    string     `json:"command"`
	Started    time.Time  `json:"started"`
	Revision   string     `json:"revision"`
	GoVersion  string     `json:"go_version"`
	CPUs       int        `json:"cpus"`
	CPUModel   string     `json:"cpu_model"`
	LoadBefore string     `json:"load_average_before"`
	LoadAfter  string     `json:"load_average_after"`
	Settings   Settings   `json:"settings"`
	Scenarios  []Scenario `json:"scenarios"`
	Checks     []Check    `json:"checks"`
	Note       string     `json:"note,omitempty"`
}

// Settings are the knobs of the run.
type Settings struct {
	Requests           int     `json:"requests"`
	MaxDuration        string  `json:"max_duration"`
	WarmupRequests     int     `json:"warmup_requests"`
	WarmupDuration     string  `json:"warmup_duration"`
	Concurrency        int     `json:"concurrency"`
	Items              int     `json:"items"`
	ZipfS              float64 `json:"zipf_s"`
	Seed               uint64  `json:"seed"`
	WriteShare         float64 `json:"write_share"`
	Rounds             int     `json:"rounds"`
	CacheMaxSize       int     `json:"cache_max_size"`
	IdealHitRatio      float64 `json:"ideal_hit_ratio"` // share of draws on the cache_max_size hottest items
	DistinctIDsSampled int     `json:"distinct_ids_sampled"`
}

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "itemsload:", err)
		os.Exit(2)
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	ok, err := run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "itemsload:", err)
		os.Exit(1)
	}
	if !ok {
		os.Exit(1)
	}
}

func parseFlags(args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("itemsload", flag.ContinueOnError)
	fs.StringVar(&c.root, "root", "", "directory of the prodready module (default: found from the working directory upwards)")
	fs.StringVar(&c.binary, "binary", "", "use this itemsapi binary instead of building one")
	dbs := fs.String("databases", "sqlite,postgres", "comma-separated databases: sqlite, postgres")
	modes := fs.String("cache", "off,on", "comma-separated cache modes: off, on")
	fs.IntVar(&c.requests, "requests", 20000, "requests per measured window")
	fs.DurationVar(&c.maxDuration, "max-duration", 20*time.Second, "longest measured window; it stops early when reached")
	fs.IntVar(&c.warmupRequests, "warmup-requests", 2000, "warm-up requests before each window (reads from another seed)")
	fs.DurationVar(&c.warmupDuration, "warmup-duration", 5*time.Second, "longest warm-up")
	fs.IntVar(&c.concurrency, "concurrency", 16, "concurrent workers, each with its own keep-alive connection")
	fs.IntVar(&c.items, "items", 10000, "items seeded (SEED_ITEMS) and drawn from")
	fs.Float64Var(&c.zipfS, "zipf-s", 1.1, "Zipf exponent of the item popularity")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the request sequence")
	fs.Float64Var(&c.writeShare, "write-share", 0, "share of requests that are PUT /items/{id} (0 to 1)")
	fs.IntVar(&c.rounds, "rounds", 1, "rounds; each scenario is run once per round, and latencies and rates are the medians of the rounds")
	fs.IntVar(&c.cacheMaxSize, "cache-max-size", 1024, "CACHE_MAX_SIZE of the service (1024 is its default)")
	fs.StringVar(&c.logLevel, "log-level", "info", "LOG_LEVEL of the service")
	fs.DurationVar(&c.startTimeout, "start-timeout", 90*time.Second, "longest wait for a service to start, seed and be ready")
	fs.DurationVar(&c.requestTimeout, "timeout", 10*time.Second, "timeout of one request")
	fs.StringVar(&c.out, "out", "itemsapi-load.json", "JSON results file (empty: none)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q; every setting is a flag (-h lists them)", fs.Args())
	}
	for _, d := range splitList(*dbs) {
		if d != "sqlite" && d != "postgres" {
			return c, fmt.Errorf("-databases: %q is not a database; want sqlite or postgres", d)
		}
		c.databases = append(c.databases, d)
	}
	for _, m := range splitList(*modes) {
		switch m {
		case "on":
			c.cacheModes = append(c.cacheModes, true)
		case "off":
			c.cacheModes = append(c.cacheModes, false)
		default:
			return c, fmt.Errorf("-cache: %q is not a cache mode; want on or off", m)
		}
	}
	switch {
	case len(c.databases) == 0:
		return c, errors.New("-databases is empty; want sqlite, postgres or both")
	case len(c.cacheModes) == 0:
		return c, errors.New("-cache is empty; want off, on or both")
	case c.requests < 1:
		return c, fmt.Errorf("-requests = %d, want at least 1", c.requests)
	case c.maxDuration <= 0 || c.warmupDuration < 0:
		return c, fmt.Errorf("-max-duration = %v and -warmup-duration = %v; want a positive window and a non-negative warm-up", c.maxDuration, c.warmupDuration)
	case c.concurrency < 1 || c.concurrency > 1024:
		return c, fmt.Errorf("-concurrency = %d, want 1 to 1024", c.concurrency)
	case c.items < 1:
		return c, fmt.Errorf("-items = %d, want at least 1", c.items)
	case !(c.writeShare >= 0 && c.writeShare <= 1):
		return c, fmt.Errorf("-write-share = %v, want 0 to 1", c.writeShare)
	case c.rounds < 1 || c.rounds > 100:
		return c, fmt.Errorf("-rounds = %d, want 1 to 100", c.rounds)
	case c.warmupRequests < 0 || c.cacheMaxSize < 1:
		return c, fmt.Errorf("-warmup-requests = %d and -cache-max-size = %d; want >= 0 and >= 1", c.warmupRequests, c.cacheMaxSize)
	}
	c.postgresAdminURL = os.Getenv("PRODREADY_BENCH_POSTGRES_URL")
	if c.postgresAdminURL == "" {
		c.postgresAdminURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	return c, nil
}

func splitList(s string) []string {
	var out []string
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func run(ctx context.Context, cfg config) (bool, error) {
	root := cfg.root
	if root == "" {
		wd, err := os.Getwd()
		if err != nil {
			return false, err
		}
		if root, err = findRoot(wd); err != nil {
			return false, err
		}
	}
	work, err := os.MkdirTemp("", "itemsload-")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(work)

	bin := cfg.binary
	if bin == "" {
		fmt.Fprintln(os.Stderr, "itemsload: building examples/itemsapi")
		if bin, err = buildService(ctx, root, work); err != nil {
			return false, err
		}
	}

	measured, err := newZipf(cfg.items, cfg.zipfS, cfg.seed, cfg.seed)
	if err != nil {
		return false, err
	}
	seq := measured.sequence(cfg.requests, cfg.writeShare)
	warm, _ := newZipf(cfg.items, cfg.zipfS, cfg.seed+1_000_003, cfg.seed)
	warmSeq := warm.sequence(cfg.warmupRequests, 0)
	distinct := map[int64]bool{}
	for _, r := range seq {
		distinct[r.id] = true
	}

	res := Results{
		Command:    "go run ./cmd/itemsload " + strings.Join(os.Args[1:], " "),
		Started:    time.Now().UTC().Truncate(time.Second),
		Revision:   revision(root),
		GoVersion:  runtime.Version(),
		CPUs:       runtime.NumCPU(),
		CPUModel:   cpuModel(),
		LoadBefore: loadAvg(),
		Settings: Settings{
			Requests: cfg.requests, MaxDuration: cfg.maxDuration.String(),
			WarmupRequests: cfg.warmupRequests, WarmupDuration: cfg.warmupDuration.String(),
			Concurrency: cfg.concurrency, Items: cfg.items, ZipfS: cfg.zipfS, Seed: cfg.seed,
			WriteShare: cfg.writeShare, Rounds: cfg.rounds, CacheMaxSize: cfg.cacheMaxSize,
			IdealHitRatio: measured.topShare(cfg.cacheMaxSize), DistinctIDsSampled: len(distinct),
		},
	}
	if cfg.writeShare > 0 {
		res.Note = "with writes, DB queries per read charges the writes' queries to the reads, in both cache modes"
	}
	fmt.Fprintf(os.Stderr, "itemsload: load average %s; %d requests over %d distinct ids; a perfect cache of %d entries would hit %.1f%%\n",
		res.LoadBefore, len(seq), len(distinct), cfg.cacheMaxSize, 100*res.Settings.IdealHitRatio)

	var scenarios []Scenario
	index := func(db string, cache bool) *Scenario {
		for i := range scenarios {
			if scenarios[i].Database == db && scenarios[i].Cache == cache {
				return &scenarios[i]
			}
		}
		scenarios = append(scenarios, Scenario{Database: db, Cache: cache})
		return &scenarios[len(scenarios)-1]
	}
	for _, db := range cfg.databases {
		for _, m := range cfg.cacheModes {
			index(db, m)
		}
	}
	for round := 1; round <= cfg.rounds; round++ {
		for _, db := range cfg.databases {
			modes := cfg.cacheModes
			if round%2 == 0 { // alternate the order, so drift is shared
				modes = reversed(modes)
			}
			for _, cacheOn := range modes {
				if ctx.Err() != nil {
					return false, ctx.Err()
				}
				r, err := runScenario(ctx, cfg, bin, work, db, cacheOn, round, seq, warmSeq)
				if err != nil {
					return false, fmt.Errorf("%s, cache %s, round %d: %w", db, onOff(cacheOn), round, err)
				}
				s := index(db, cacheOn)
				s.Rounds = append(s.Rounds, r)
				fmt.Fprintf(os.Stderr, "itemsload: %-8s cache %-3s round %d: %d requests (%d errors) in %.2fs, %.0f req/s, p50 %.3f ms, p99 %.3f ms, %d queries, hits %d misses %d, load %s\n",
					db, onOff(cacheOn), round, r.Requests, r.Errors, r.Seconds, r.RPS, r.P50ms, r.P99ms, r.DBQueries, r.CacheHits, r.CacheMiss, r.LoadAvg)
			}
		}
	}
	for i := range scenarios {
		scenarios[i].summarize()
	}
	res.Scenarios = scenarios
	res.Checks = checks(scenarios)
	res.LoadAfter = loadAvg()

	writeTable(os.Stdout, scenarios)
	for _, s := range scenarios {
		for _, r := range s.Rounds {
			if r.StoppedBy == "duration" {
				fmt.Printf("\nnote: %s, cache %s, round %d stopped at -max-duration after %d of %d requests\n",
					displayName(s.Database), onOff(s.Cache), r.Round, r.Requests, cfg.requests)
			}
		}
	}
	fmt.Println()
	writeChecks(os.Stdout, res.Checks)
	fmt.Printf("\nload average before %s, after %s\n", res.LoadBefore, res.LoadAfter)

	if cfg.out != "" {
		b, err := json.MarshalIndent(res, "", "  ")
		if err != nil {
			return false, err
		}
		if err := os.WriteFile(cfg.out, append(b, '\n'), 0o644); err != nil {
			return false, err
		}
		fmt.Fprintln(os.Stderr, "itemsload: wrote", cfg.out)
	}
	ok := true
	for _, c := range res.Checks {
		ok = ok && c.Pass
	}
	for _, s := range scenarios {
		if s.Errors > 0 {
			fmt.Fprintf(os.Stderr, "itemsload: %s, cache %s: %d requests failed\n", s.Database, onOff(s.Cache), s.Errors)
			ok = false
		}
	}
	return ok, nil
}

func reversed[T any](s []T) []T {
	out := make([]T, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

// runScenario starts a fresh service over a fresh database, warms it up,
// measures one window and stops it.
func runScenario(ctx context.Context, cfg config, bin, work, db string, cacheOn bool, round int, seq, warmSeq []request) (Round, error) {
	dir, err := os.MkdirTemp(work, fmt.Sprintf("%s-%s-%d-", db, onOff(cacheOn), round))
	if err != nil {
		return Round{}, err
	}
	var databaseURL string
	switch db {
	case "sqlite":
		databaseURL = "sqlite:" + filepath.Join(dir, "items.db")
	case "postgres":
		name := fmt.Sprintf("itemsload_%d_%s_%d", os.Getpid(), onOff(cacheOn), round)
		pg, err := createPostgresDB(ctx, cfg.postgresAdminURL, name)
		if err != nil {
			return Round{}, err
		}
		defer func() {
			dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			if err := pg.drop(dctx); err != nil {
				fmt.Fprintln(os.Stderr, "itemsload:", err)
			}
		}()
		databaseURL = pg.url()
	}
	adminToken := randomHex(16)
	env := []string{
		"APP_ENV=development",
		"LISTEN_ADDR=127.0.0.1:0",
		fmt.Sprintf("SEED_ITEMS=%d", cfg.items),
		"DATABASE_URL=" + databaseURL,
		"CACHE_BACKEND=memory",
		fmt.Sprintf("CACHE_ITEMS=%t", cacheOn),
		fmt.Sprintf("CACHE_MAX_SIZE=%d", cfg.cacheMaxSize),
		"CACHE_TTL=10m",
		"LOG_LEVEL=" + cfg.logLevel,
		"SECRET_KEY=" + randomHex(32),
		"ADMIN_TOKEN=" + adminToken,
	}
	svc, err := startService(ctx, bin, dir, env, cfg.startTimeout)
	if err != nil {
		return Round{}, err
	}
	defer func() {
		if err := svc.stop(15 * time.Second); err != nil {
			fmt.Fprintln(os.Stderr, "itemsload:", err)
		}
	}()

	tr := &http.Transport{
		MaxIdleConns:        cfg.concurrency + 4,
		MaxIdleConnsPerHost: cfg.concurrency + 4,
		DisableCompression:  true,
		Proxy:               nil, // never through a proxy: loopback only
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: cfg.requestTimeout}

	var cookies []*http.Cookie
	if cfg.writeShare > 0 {
		if cookies, err = login(ctx, client, svc.base, adminToken); err != nil {
			return Round{}, err
		}
	}
	w := runLoad(ctx, client, svc.base, warmSeq, cfg.concurrency, cfg.warmupDuration, nil)
	if w.errors > 0 {
		return Round{}, fmt.Errorf("warm-up: %d of %d requests failed; first: %s", w.errors, w.reads, w.firstErr)
	}
	before, err := svc.snapshot(ctx, client)
	if err != nil {
		return Round{}, err
	}
	m := runLoad(ctx, client, svc.base, seq, cfg.concurrency, cfg.maxDuration, cookies)
	after, err := svc.snapshot(ctx, client)
	if err != nil {
		return Round{}, err
	}
	if m.errors > 0 {
		fmt.Fprintf(os.Stderr, "itemsload: %s, cache %s: %d requests failed; first: %s\n", db, onOff(cacheOn), m.errors, m.firstErr)
	}
	r := Round{
		Round: round, Requests: m.reads + m.writes, Reads: m.reads, Writes: m.writes, Errors: m.errors,
		StoppedBy: m.stoppedBy, Seconds: m.elapsed.Seconds(),
		DBQueries: after.queries - before.queries, CacheHits: after.hits - before.hits, CacheMiss: after.misses - before.misses,
		ServiceCPU: -1, WarmupReqs: w.reads, LoadAvg: loadAvg(),
	}
	r.RPS, r.P50ms, r.P99ms, r.P999ms, r.MaxMs = roundFrom(m.latencies, m.elapsed)
	if after.cpu >= 0 && before.cpu >= 0 {
		r.ServiceCPU = after.cpu - before.cpu
	}
	if !cacheOn && r.CacheHits > 0 {
		fmt.Fprintf(os.Stderr, "itemsload: %s with CACHE_ITEMS=false still had %d cache hits\n", db, r.CacheHits)
	}
	return r, nil
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	for line := range strings.Lines(string(b)) {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// revision returns the short commit of root, with "+ uncommitted changes"
// when its tree differs; read-only git commands.
func revision(root string) string {
	out, err := exec.Command("git", "-C", root, "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	rev := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "-C", root, "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(st) > 0 {
		rev += " + uncommitted changes"
	}
	return rev
}
