package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
)

// The service logs PR-I049 in the finding vocabulary (check=, var=,
// hint=) when a cache twice as large would gain more than 5 points, and
// at most once an hour.
func TestCacheAdvice(t *testing.T) {
	t.Parallel()
	small := cache.Stats{Sizing: &cache.Sizing{Unit: "bytes", Capacity: 32 << 20, Estimates: []cache.Estimate{
		{Capacity: 16 << 20, HitRatio: 0.30, Requests: 4000},
		{Capacity: 32 << 20, HitRatio: 0.45, Requests: 4000},
		{Capacity: 64 << 20, HitRatio: 0.58, Requests: 4000},
	}}}
	enough := cache.Stats{Sizing: &cache.Sizing{Unit: "bytes", Capacity: 32 << 20, Estimates: []cache.Estimate{
		{Capacity: 32 << 20, HitRatio: 0.90, Requests: 4000},
		{Capacity: 64 << 20, HitRatio: 0.92, Requests: 4000},
	}}}
	var buf bytes.Buffer
	// The origin comes from the load's report: the line said origin=unset
	// for a CACHE_MAX_MEMORY set in the environment (a new user).
	rep := &prodready.Report{Vars: []prodready.Var{{Name: "CACHE_MAX_MEMORY", Value: "32MiB", Origin: prodready.Origin{Source: prodready.SourceEnv}}}}
	a := &cacheAdvisor{logger: slog.New(slog.NewJSONHandler(&buf, nil)), report: rep}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	steps := []struct {
		st   cache.Stats
		at   time.Duration
		want bool
	}{
		{enough, 0, false},
		{cache.Stats{}, 0, false}, // a redis or memcached backend: no estimates
		{small, time.Minute, true},
		{small, 30 * time.Minute, false},
		{small, time.Minute + time.Hour - time.Second, false},
		{small, time.Minute + time.Hour, true},
	}
	for i, s := range steps {
		if got := a.advise(context.Background(), s.st, t0.Add(s.at)); got != s.want {
			t.Fatalf("step %d: advise() = %v, want %v", i, got, s.want)
		}
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("logged %d lines, want 2:\n%s", len(lines), buf.String())
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
		t.Fatal(err)
	}
	if rec["check"] != cache.LargerCacheCheck || rec["var"] != "CACHE_MAX_MEMORY" || rec["origin"] != "env" || rec["level"] != "INFO" ||
		!strings.Contains(rec["msg"].(string), "45.0% to 58.0%") || !strings.Contains(rec["hint"].(string), "CACHE_MAX_MEMORY=64MiB") {
		t.Errorf("logged %v, want check=%s var=CACHE_MAX_MEMORY with the estimates and a hint", rec, cache.LargerCacheCheck)
	}
}
