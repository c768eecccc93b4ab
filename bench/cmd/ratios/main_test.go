package main

import (
	"strings"
	"testing"
)

const sample = `goos: linux
BenchmarkLoad/env=small/loader=handwritten-2   1000  1000 ns/op  48 B/op  1 allocs/op
BenchmarkLoad/env=small/loader=handwritten-2   1000  1200 ns/op  48 B/op  1 allocs/op
BenchmarkLoad/env=small/loader=handwritten-2   1000  900 ns/op  48 B/op  1 allocs/op
BenchmarkLoad/env=small/loader=prodready-2     1000  1400 ns/op  96 B/op  2 allocs/op
BenchmarkLoad/env=small/loader=prodready-2     1000  1500 ns/op  96 B/op  2 allocs/op
BenchmarkLoad/env=small/loader=prodready-2     1000  9000 ns/op  96 B/op  2 allocs/op
BenchmarkLoad/env=large/loader=handwritten     1000  1000 ns/op  48 B/op  1 allocs/op
BenchmarkLoad/env=large/loader=prodready       1000  3000 ns/op  96 B/op  3 allocs/op
PASS
`

func TestReport(t *testing.T) {
	rs, err := parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := report(&b, rs, "handwritten", "prodready", 1.5, 2, 1.05); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"Medians of 3 runs",
		"| handwritten | 1000 | 1.00× | 1 | 1.00× | 48 |",
		"| prodready | 1500 | 1.50× | 2 | 2.00× | 96 |", // median, not mean
		"| prodready | 3000 | 3.00× | 3 | 3.00× | 96 |",
		"| prodready | 1500 | 3000 | 2.00× | n/a |",
		"- env=small, ns/op ÷ handwritten: 1.50× (limit 1.50×): met",
		"- env=large, ns/op ÷ handwritten: 3.00× (limit 1.50×): MISSED: 2.00× the limit",
		"- ns/op, env=large ÷ env=small: 2.00× (limit 1.05×): MISSED",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestReportCPU(t *testing.T) {
	const in = `BenchmarkLoad/env=small/loader=handwritten-2  10  1000 ns/op  900 cpu-ns/op  48 B/op  1 allocs/op
BenchmarkLoad/env=small/loader=prodready-2  10  3000 ns/op  1800 cpu-ns/op  96 B/op  2 allocs/op
`
	rs, err := parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := report(&b, rs, "handwritten", "prodready", 1.5, 2, 1.05); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| prodready | 3000 | 3.00× | 1800 | 2.00× | 2 | 2.00× | 96 |",
		"- env=small, CPU ns/op ÷ handwritten: 2.00× (limit 1.50×): MISSED",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, b.String())
		}
	}
}

func TestParseName(t *testing.T) {
	for name, want := range map[string]key{
		"BenchmarkLoad/env=small/loader=caarlos0-env-2": {"small", "caarlos0-env"},
		"BenchmarkLoad/env=large/loader=caarlos0-env":   {"large", "caarlos0-env"},
		"BenchmarkLoad/env=large/loader=prodready-16":   {"large", "prodready"},
	} {
		got, ok := parseName(name)
		if !ok || got != want {
			t.Errorf("parseName(%q) = %v, %v; want %v", name, got, ok, want)
		}
	}
}
