// Command traces replays the ARC traces (OLTP, P3, P6) and Zipf streams
// through the memory backend of prodready/cache, its peers and "policy"
// (the backend's own W-TinyLFU, cache/internal/policy through
// cache/policysim, wrapped single-threaded), side by side, and prints
// their hit ratios and Belady's optimum (OPT) as Markdown tables:
//
//	go run ./cmd/traces -dir /work/shared/traces/arc
//	go run ./cmd/traces -n 200000 -traces OLTP,zipf   # reduced, for CI
//
// The ARC traces are from Nimrod Megiddo and Dharmendra S. Modha, "ARC: A
// Self-Tuning, Low Overhead Replacement Cache", USENIX FAST 03, pp.
// 115-130, 2003.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prodready/prodready/bench/hitratio"
)

// A workload is a trace and the cache sizes it is measured at.
type workload struct {
	name  string
	sizes []int
	load  func(dir string, n int) ([]uint64, error)
}

func arcTrace(file string) func(string, int) ([]uint64, error) {
	return func(dir string, n int) ([]uint64, error) {
		return hitratio.LoadARC(filepath.Join(dir, file), n)
	}
}

func zipf(s float64) func(string, int) ([]uint64, error) {
	return func(_ string, n int) ([]uint64, error) {
		if n <= 0 {
			n = 1_000_000
		}
		// The streams of bench's TestHitRatio: 100,000 keys, its seed.
		return hitratio.Zipf(s, 100_000, n, 20260101), nil
	}
}

var workloads = []workload{
	{"OLTP", []int{1_000, 5_000, 15_000}, arcTrace("OLTP.lis.zst")},
	{"P3", []int{4_096, 65_536, 262_144}, arcTrace("P3.lis.zst")},
	{"P6", []int{16_384, 65_536, 262_144}, arcTrace("P6.lis.zst")},
	{"zipf-1.01", []int{4_096}, zipf(1.01)},
	{"zipf-0.8", []int{4_096}, zipf(0.8)},
}

func main() {
	dir := flag.String("dir", "/work/shared/traces/arc", "directory of the ARC traces (OLTP.lis.zst, P3.lis.zst, P6.lis.zst)")
	n := flag.Int("n", 0, "replay only the first n requests of each trace (0: all; Zipf: 1,000,000)")
	only := flag.String("traces", "", "comma-separated traces to run (OLTP,P3,P6,zipf-1.01,zipf-0.8; a prefix selects several); empty: all")
	caches := flag.String("caches", "", "comma-separated caches to run ("+strings.Join(names(), ",")+"); empty: all")
	sizes := flag.String("sizes", "", "comma-separated cache sizes, instead of each trace's own")
	noOpt := flag.Bool("no-opt", false, "do not compute Belady's optimum")
	flag.Parse()
	if err := run(*dir, *n, *only, *caches, *sizes, !*noOpt); err != nil {
		fmt.Fprintln(os.Stderr, "traces:", err)
		os.Exit(1)
	}
}

func names() []string {
	var s []string
	for _, m := range slices.Concat(hitratio.Makers, hitratio.Experiments) {
		s = append(s, m.Name)
	}
	return s
}

func run(dir string, n int, only, caches, sizeList string, opt bool) error {
	makers := hitratio.Makers
	if caches != "" {
		all := slices.Concat(hitratio.Makers, hitratio.Experiments)
		makers = nil
		for _, c := range strings.Split(caches, ",") {
			i := slices.IndexFunc(all, func(m hitratio.Maker) bool { return strings.EqualFold(m.Name, c) })
			if i < 0 {
				return fmt.Errorf("-caches: unknown cache %q; want some of %s", c, strings.Join(names(), ","))
			}
			makers = append(makers, all[i])
		}
	}
	var sizes []int
	if sizeList != "" {
		for _, s := range strings.Split(sizeList, ",") {
			v, err := strconv.Atoi(strings.ReplaceAll(s, "_", ""))
			if err != nil || v <= 0 {
				return fmt.Errorf("-sizes: %q is not a positive integer", s)
			}
			sizes = append(sizes, v)
		}
	}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	ran := false
	for _, wl := range workloads {
		if only != "" && !selected(wl.name, only) {
			continue
		}
		ran = true
		start := time.Now()
		trace, err := wl.load(dir, n)
		if err != nil {
			return fmt.Errorf("%s: %w", wl.name, err)
		}
		ss := wl.sizes
		if sizes != nil {
			ss = sizes
		}
		rows, err := hitratio.Replay(trace, ss, makers, opt)
		if err != nil {
			return fmt.Errorf("%s: %w", wl.name, err)
		}
		fmt.Fprintf(w, "\n%s: %d requests, hit ratio %% (%v)\n\n", wl.name, len(trace), time.Since(start).Round(time.Second))
		hitratio.Markdown(w, wl.name, makers, opt, rows)
		w.Flush()
	}
	if !ran {
		return fmt.Errorf("-traces: %q selects none of OLTP,P3,P6,zipf-1.01,zipf-0.8", only)
	}
	return nil
}

func selected(name, only string) bool {
	for _, o := range strings.Split(only, ",") {
		if o != "" && strings.HasPrefix(strings.ToLower(name), strings.ToLower(o)) {
			return true
		}
	}
	return false
}
