// Command ratios reads the output of
//
//	go test -bench=BenchmarkLoad -benchmem -count=N
//
// on standard input and prints, as Markdown tables, each loader's median
// ns/op, cpu-ns/op (if reported) and allocs/op and their ratios to the
// baseline loader's, for each environment; then how each loader's time
// changes from env=small to env=large; then whether the target loader
// meets its targets.
//
// Benchmark names must have the form
// BenchmarkLoad/env=ENV/loader=LOADER[-GOMAXPROCS].
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

func main() {
	baseline := flag.String("baseline", "handwritten", "loader the others are divided by")
	target := flag.String("target", "prodready", "loader whose targets are checked")
	maxTime := flag.Float64("max-time", 1.5, "target: most ns/op of the target loader, as a multiple of the baseline's")
	maxAllocs := flag.Float64("max-allocs", 2, "target: most allocs/op of the target loader, as a multiple of the baseline's")
	maxGrowth := flag.Float64("max-growth", 1.05, "target: most ns/op of the target loader in env=large, as a multiple of its env=small (1.05 allows for noise)")
	flag.Parse()

	rs, err := parse(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ratios:", err)
		os.Exit(1)
	}
	if len(rs.order) == 0 {
		fmt.Fprintln(os.Stderr, "ratios: no BenchmarkLoad/env=.../loader=... results on standard input")
		os.Exit(1)
	}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	if err := report(w, rs, *baseline, *target, *maxTime, *maxAllocs, *maxGrowth); err != nil {
		w.Flush()
		fmt.Fprintln(os.Stderr, "ratios:", err)
		os.Exit(1)
	}
}

// samples are the results of one benchmark over the -count runs.
type samples struct {
	ns, cpu, bytes, allocs []float64
}

type key struct{ env, loader string }

type results struct {
	envs, loaders []string // in order of first appearance
	order         []key
	m             map[key]*samples
}

func parse(r io.Reader) (*results, error) {
	rs := &results{m: map[key]*samples{}}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "BenchmarkLoad/") {
			continue
		}
		k, ok := parseName(f[0])
		if !ok {
			continue
		}
		s := rs.m[k]
		if s == nil {
			s = &samples{}
			rs.m[k] = s
			rs.order = append(rs.order, k)
			if !slices.Contains(rs.envs, k.env) {
				rs.envs = append(rs.envs, k.env)
			}
			if !slices.Contains(rs.loaders, k.loader) {
				rs.loaders = append(rs.loaders, k.loader)
			}
		}
		// f[1] is the iteration count; then value-unit pairs.
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("%s: bad value %q", f[0], f[i])
			}
			switch f[i+1] {
			case "ns/op":
				s.ns = append(s.ns, v)
			case "cpu-ns/op":
				s.cpu = append(s.cpu, v)
			case "B/op":
				s.bytes = append(s.bytes, v)
			case "allocs/op":
				s.allocs = append(s.allocs, v)
			}
		}
	}
	return rs, sc.Err()
}

// parseName splits BenchmarkLoad/env=small/loader=prodready-2.
func parseName(name string) (key, bool) {
	parts := strings.Split(name, "/")
	if len(parts) != 3 {
		return key{}, false
	}
	env, ok1 := strings.CutPrefix(parts[1], "env=")
	loader, ok2 := strings.CutPrefix(parts[2], "loader=")
	if !ok1 || !ok2 {
		return key{}, false
	}
	// Drop the -GOMAXPROCS suffix go test adds when GOMAXPROCS > 1.
	if i := strings.LastIndexByte(loader, '-'); i >= 0 {
		if _, err := strconv.Atoi(loader[i+1:]); err == nil {
			loader = loader[:i]
		}
	}
	return key{env, loader}, true
}

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

func ratio(a, b float64) string {
	if b == 0 {
		if a == 0 {
			return "1.00×"
		}
		return "n/a"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

func num(x float64) string {
	if x >= 100 || x == float64(int64(x)) {
		return strconv.FormatFloat(x, 'f', 0, 64)
	}
	return strconv.FormatFloat(x, 'f', 1, 64)
}

func report(w io.Writer, rs *results, baseline, target string, maxTime, maxAllocs, maxGrowth float64) error {
	runs := 0
	for _, s := range rs.m {
		runs = max(runs, len(s.ns))
	}
	fmt.Fprintf(w, "Medians of %d runs; ratios are to the %s loader in the same environment.\n", runs, baseline)
	for _, env := range rs.envs {
		base, ok := rs.m[key{env, baseline}]
		if !ok {
			return fmt.Errorf("env=%s: no results for the baseline loader %q", env, baseline)
		}
		bns, bcpu, balloc := median(base.ns), median(base.cpu), median(base.allocs)
		withCPU := len(base.cpu) > 0
		fmt.Fprintf(w, "\n#### env=%s\n\n", env)
		if withCPU {
			fmt.Fprintf(w, "| loader | ns/op | ns/op ÷ %s | CPU ns/op | CPU ÷ %s | allocs/op | allocs/op ÷ %s | B/op |\n", baseline, baseline, baseline)
			fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|")
		} else {
			fmt.Fprintf(w, "| loader | ns/op | ns/op ÷ %s | allocs/op | allocs/op ÷ %s | B/op |\n", baseline, baseline)
			fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|")
		}
		for _, l := range rs.loaders {
			s, ok := rs.m[key{env, l}]
			if !ok {
				continue
			}
			ns, cpu, allocs := median(s.ns), median(s.cpu), median(s.allocs)
			cpuCols := ""
			if withCPU {
				cpuCols = fmt.Sprintf(" %s | %s |", num(cpu), ratio(cpu, bcpu))
			}
			fmt.Fprintf(w, "| %s | %s | %s |%s %s | %s | %s |\n", l, num(ns), ratio(ns, bns), cpuCols, num(allocs), ratio(allocs, balloc), num(median(s.bytes)))
		}
	}

	small, large := "small", "large"
	if slices.Contains(rs.envs, small) && slices.Contains(rs.envs, large) {
		fmt.Fprint(w, "\n#### env=large vs env=small (the cost of the unrelated variables)\n\n")
		fmt.Fprintln(w, "| loader | ns/op, small | ns/op, large | large ÷ small | CPU large ÷ small |")
		fmt.Fprintln(w, "|---|---:|---:|---:|---:|")
		for _, l := range rs.loaders {
			s, ok1 := rs.m[key{small, l}]
			g, ok2 := rs.m[key{large, l}]
			if !ok1 || !ok2 {
				continue
			}
			cpu := "n/a"
			if len(s.cpu) > 0 && len(g.cpu) > 0 {
				cpu = ratio(median(g.cpu), median(s.cpu))
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", l, num(median(s.ns)), num(median(g.ns)), ratio(median(g.ns), median(s.ns)), cpu)
		}
	}

	if _, ok := rs.m[key{rs.envs[0], target}]; !ok {
		return nil
	}
	fmt.Fprintf(w, "\n#### Targets for %s\n\n", target)
	check := func(what string, got, limit float64) {
		verdict := "met"
		if got > limit {
			verdict = fmt.Sprintf("MISSED: %.2f× the limit", got/limit)
		}
		fmt.Fprintf(w, "- %s: %.2f× (limit %.2f×): %s\n", what, got, limit, verdict)
	}
	for _, env := range rs.envs {
		t, ok1 := rs.m[key{env, target}]
		b, ok2 := rs.m[key{env, baseline}]
		if !ok1 || !ok2 {
			continue
		}
		if bns := median(b.ns); bns > 0 {
			check(fmt.Sprintf("env=%s, ns/op ÷ %s", env, baseline), median(t.ns)/bns, maxTime)
		}
		if bcpu := median(b.cpu); bcpu > 0 && len(t.cpu) > 0 {
			check(fmt.Sprintf("env=%s, CPU ns/op ÷ %s", env, baseline), median(t.cpu)/bcpu, maxTime)
		}
		if ba := median(b.allocs); ba > 0 {
			check(fmt.Sprintf("env=%s, allocs/op ÷ %s", env, baseline), median(t.allocs)/ba, maxAllocs)
		}
	}
	s, ok1 := rs.m[key{small, target}]
	g, ok2 := rs.m[key{large, target}]
	if ok1 && ok2 && median(s.ns) > 0 {
		check("ns/op, env=large ÷ env=small", median(g.ns)/median(s.ns), maxGrowth)
	}
	if ok1 && ok2 && median(s.cpu) > 0 && len(g.cpu) > 0 {
		check("CPU ns/op, env=large ÷ env=small", median(g.cpu)/median(s.cpu), maxGrowth)
	}
	return nil
}
