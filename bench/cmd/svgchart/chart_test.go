package main

import (
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var sample = Results{
	Started:    "2026-11-26T04:45:00Z",
	CPUs:       2,
	LoadBefore: "1.02 0.80 0.60",
	Settings:   Settings{Requests: 20000, Concurrency: 16, Items: 10000, ZipfS: 1.1, Rounds: 3},
	Scenarios: []Scenario{
		{Database: "sqlite", Cache: false, RPS: 2500, P50ms: 4.1, P99ms: 19.5, QueriesPerRequest: 1},
		{Database: "sqlite", Cache: true, RPS: 9100, P50ms: 0.9, P99ms: 7.25, QueriesPerRequest: 0.151, HitRatio: 0.849},
		{Database: "postgres", Cache: false, RPS: 1800, P50ms: 6.3, P99ms: 30.1, QueriesPerRequest: 1},
		{Database: "postgres", Cache: true, RPS: 8000, P50ms: 1.1, P99ms: 8.8, QueriesPerRequest: 0.152, HitRatio: 0.848},
	},
}

// wellFormed decodes the whole document with encoding/xml and returns the
// name of its root element and the text of every <text> element.
func wellFormed(t *testing.T, doc string) (string, []string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(doc))
	var root string
	var texts []string
	inText := false
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("the SVG is not well-formed XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = tok.Name.Local
				if tok.Name.Space != "http://www.w3.org/2000/svg" {
					t.Errorf("root namespace = %q, want the SVG namespace", tok.Name.Space)
				}
			}
			inText = tok.Name.Local == "text"
		case xml.CharData:
			if inText {
				texts = append(texts, string(tok))
			}
		case xml.EndElement:
			inText = false
		}
	}
	return root, texts
}

func TestRenderIsWellFormedAndLabelled(t *testing.T) {
	t.Parallel()
	root, texts := wellFormed(t, render(sample))
	if root != "svg" {
		t.Errorf("root element = %q, want svg", root)
	}
	for _, want := range []string{
		"4.10", "0.900", "19.5", "7.25", "2500", "9100", "30.1", "8.80", "1.00", "0.151", // bar values
		"SQLite", "PostgreSQL", "cache on", "cache off (CACHE_ITEMS=false)", // groups and legend
		"p99 latency, ms (lower is better)", "throughput, requests/s (higher is better)",
		"cache hit ratio in the measured window: SQLite 84.9%, PostgreSQL 84.8%",
	} {
		if !slices.Contains(texts, want) {
			t.Errorf("no <text> %q in the chart; texts: %q", want, texts)
		}
	}
	if !strings.Contains(strings.Join(texts, "\n"), "medians of 3 rounds") {
		t.Error("the subtitle does not say the values are medians of 3 rounds")
	}
}

func TestRenderMissingScenario(t *testing.T) {
	t.Parallel()
	r := sample
	r.Scenarios = []Scenario{{Database: "sqlite", Cache: true, RPS: 5, P50ms: 1, P99ms: 2, HitRatio: 0.5}}
	r.Settings.WriteShare = 0.05
	_, texts := wellFormed(t, render(r))
	if !slices.Contains(texts, "n/a") {
		t.Error("a missing cache-off scenario is not marked n/a")
	}
	if !strings.Contains(strings.Join(texts, "\n"), "5% writes") {
		t.Error("the subtitle does not give the write share")
	}
}

func TestRenderEscapes(t *testing.T) {
	t.Parallel()
	r := sample
	r.LoadBefore = `<&"load">`
	r.Scenarios = []Scenario{{Database: "a<b&c", Cache: true, RPS: 1}}
	_, texts := wellFormed(t, render(r))
	if !slices.Contains(texts, "a<b&c") {
		t.Errorf("database name not escaped and restored; texts: %q", texts)
	}
}

func TestNiceTicks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		max  float64
		want []float64
	}{
		{10, []float64{0, 2.5, 5, 7.5, 10}},
		{9.3, []float64{0, 2.5, 5, 7.5, 10}},
		{1, []float64{0, 0.25, 0.5, 0.75, 1}},
		{4792 * 1.08, []float64{0, 2000, 4000, 6000}},
		{0.2, []float64{0, 0.05, 0.1, 0.15, 0.2}},
		{0, []float64{0, 1}},
		{-3, []float64{0, 1}},
	}
	for _, tt := range tests {
		got := niceTicks(tt.max, 4)
		if len(got) != len(tt.want) {
			t.Errorf("niceTicks(%v, 4) = %v, want %v", tt.max, got, tt.want)
			continue
		}
		for i := range got {
			if d := got[i] - tt.want[i]; d > 1e-9 || d < -1e-9 {
				t.Errorf("niceTicks(%v, 4) = %v, want %v", tt.max, got, tt.want)
				break
			}
		}
	}
}

func TestFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		v        float64
		want     string
		step     float64
		wantTick string
	}{
		{4792.4, "4792", 2000, "4792"},
		{19.54, "19.5", 5, "20"},
		{7.254, "7.25", 2.5, "7.3"},
		{0.1514, "0.151", 0.05, "0.15"},
		{0, "0", 0.25, "0.00"},
	}
	for _, tt := range tests {
		if got := format(tt.v); got != tt.want {
			t.Errorf("format(%v) = %q, want %q", tt.v, got, tt.want)
		}
		if got := formatTick(tt.v, tt.step); got != tt.wantTick {
			t.Errorf("formatTick(%v, %v) = %q, want %q", tt.v, tt.step, got, tt.wantTick)
		}
	}
}

func TestRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in, out := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.svg")
	if err := run(in, out); err == nil {
		t.Error("run with a missing input = nil error, want one")
	}
	if err := os.WriteFile(in, []byte(`{"scenarios":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := run(in, out); err == nil || !strings.Contains(err.Error(), "no scenarios") {
		t.Errorf("run with no scenarios = %v, want an error saying so", err)
	}
	if err := os.WriteFile(in, []byte(`{"scenarios":[{"database":"sqlite","cache":true,"p99_ms":2}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := run(in, out); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	wellFormed(t, string(b))
}
