// Command svgchart draws the results of itemsload as one SVG: four panels
// (p50 latency, p99 latency, requests/s, DB queries per request), each with
// a group of two bars, cache off and cache on, per database, every bar
// labelled with its value. Hand-written SVG, standard library only.
//
//	go run ./cmd/svgchart -in ../docs/itemsapi-load.json -out ../docs/itemsapi-load.svg
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
)

// Results is the part of itemsload's JSON output the chart reads.
type Results struct {
	Started    string     `json:"started"`
	CPUs       int        `json:"cpus"`
	LoadBefore string     `json:"load_average_before"`
	Settings   Settings   `json:"settings"`
	Scenarios  []Scenario `json:"scenarios"`
}

// Settings are the run's knobs shown in the chart's subtitle.
type Settings struct {
	Requests    int     `json:"requests"`
	Concurrency int     `json:"concurrency"`
	Items       int     `json:"items"`
	ZipfS       float64 `json:"zipf_s"`
	WriteShare  float64 `json:"write_share"`
	Rounds      int     `json:"rounds"`
}

// Scenario is one database with the cache on or off.
type Scenario struct {
	Database          string  `json:"database"`
	Cache             bool    `json:"cache"`
	RPS               float64 `json:"requests_per_second"`
	P50ms             float64 `json:"p50_ms"`
	P99ms             float64 `json:"p99_ms"`
	QueriesPerRequest float64 `json:"db_queries_per_request"`
	HitRatio          float64 `json:"hit_ratio"`
}

func main() {
	in := flag.String("in", "itemsapi-load.json", "JSON results of itemsload")
	out := flag.String("out", "itemsapi-load.svg", "SVG file to write")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "svgchart:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	b, err := os.ReadFile(in)
	if err != nil {
		return fmt.Errorf("read -in: %w", err)
	}
	var r Results
	if err := json.Unmarshal(b, &r); err != nil {
		return fmt.Errorf("-in %s is not itemsload's JSON: %w", in, err)
	}
	if len(r.Scenarios) == 0 {
		return fmt.Errorf("-in %s has no scenarios; run itemsload first", in)
	}
	if err := os.WriteFile(out, []byte(render(r)), 0o644); err != nil {
		return fmt.Errorf("write -out: %w", err)
	}
	return nil
}
