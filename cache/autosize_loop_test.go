package cache

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prodready/prodready"
)

// TestAutosizeLoop runs the loop on the runtime's timer (in a synctest
// bubble, so minutes pass at once) over simLRU fed a real Zipf stream:
// the bound shrinks on a small working set after autosizeHold intervals,
// halves under pressure, Stats shows it, each move is logged, and Close
// stops the loop (the bubble would not end with it running; goleak checks
// the package).
func TestAutosizeLoop(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		const budget, interval = 4096, time.Minute
		var logs bytes.Buffer
		c, err := New[int](t.Context(), prodready.Base{CacheMaxSize: 10}, &Options{
			AutosizeInterval: interval,
			Logger:           slog.New(slog.NewTextHandler(&logs, nil)),
		})
		if err != nil {
			t.Fatal(err)
		}
		sim := newSimLRU(budget)
		var hot atomic.Bool
		if err := c.startAutosize(autosizeSetup{on: true, budget: budget, source: "test", margin: defaultAutosizeMargin}, sim); err != nil {
			t.Fatal(err)
		}
		c.auto.pressure = func() (bool, string) { return hot.Load(), "test pressure" }
		stream := zipfKeys(3, 40_000*8, 512) // a working set far under the budget
		feed := func(n int) {
			for _, k := range stream[:n] {
				sim.Access(k)
			}
			stream = stream[n:]
			time.Sleep(interval)
			synctest.Wait()
		}
		for range autosizeHold - 1 {
			feed(40_000)
		}
		if got := sim.Capacity(); got != budget {
			t.Fatalf("capacity after %d intervals = %d, want %d: a move needs %d", autosizeHold-1, got, budget, autosizeHold)
		}
		feed(40_000)
		if got := sim.Capacity(); got != budget/2 {
			t.Fatalf("capacity after %d intervals on a small working set = %d, want %d", autosizeHold, got, budget/2)
		}
		z := c.Stats().Sizing
		if z == nil || !z.Autosize || z.Capacity != budget/2 || z.Budget != budget || z.Target > budget/2 || len(z.Estimates) != 6 {
			t.Fatalf("Stats().Sizing = %+v, want autosize at %d toward at most that, budget %d, 6 estimates", z, budget/2, budget)
		}
		hot.Store(true)
		feed(1000)
		if got := sim.Capacity(); got != budget/4 {
			t.Fatalf("capacity after an interval of pressure = %d, want it halved to %d", got, budget/4)
		}
		if z := c.Stats().Sizing; !z.Pressure {
			t.Errorf("Stats().Sizing.Pressure = false after an interval of pressure")
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		select {
		case <-c.auto.done:
		default:
			t.Fatal("Close returned with the autosize loop running")
		}
		for _, want := range []string{"reason=shrink", "reason=pressure", `pressure="test pressure"`, "budget_source=test"} {
			if !strings.Contains(logs.String(), want) {
				t.Errorf("logs lack %s:\n%s", want, logs.String())
			}
		}
		if c.Stats().Sizing != nil {
			t.Error("Stats().Sizing after Close is not nil")
		}
	})
}

// Without CACHE_AUTOSIZE no loop runs, and the bound is the configured one.
func TestAutosizeOff(t *testing.T) {
	t.Parallel()
	c, err := New[int](t.Context(), prodready.Base{CacheMaxMemory: prodready.MemorySize{Bytes: 1 << 20}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.auto != nil {
		t.Error("an autosize loop runs with CACHE_AUTOSIZE off")
	}
}

func TestNewAutosizeConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cfg     prodready.Base
		wantErr error
	}{
		{"a server backend", prodready.Base{CacheBackend: prodready.CacheRedis, CacheAutosize: true}, prodready.ErrInvalid},
		{"a negative margin", prodready.Base{CacheAutosize: true, CacheAutosizeMargin: -1, CacheMaxMemory: prodready.MemorySize{Bytes: 1 << 20}}, prodready.ErrInvalid},
		{"a margin over 50 points", prodready.Base{CacheAutosize: true, CacheAutosizeMargin: 51, CacheMaxMemory: prodready.MemorySize{Bytes: 1 << 20}}, prodready.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := New[int](context.Background(), tt.cfg, nil)
			if !errors.Is(err, tt.wantErr) {
				if err == nil {
					c.Close()
				}
				t.Fatalf("New() error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

// Under autosize the memory backend is bounded by the budget alone, in
// bytes: MaxSize gives way.
func TestAutosizeConfigBoundsByMemory(t *testing.T) {
	t.Parallel()
	cfg, set, err := autosizeConfig(prodready.CacheConfig{Autosize: true, AutosizeMargin: 0.5, MaxMemory: 64 << 20, MaxSize: 4096}, prodready.CacheMemory)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MaxMemory != 64<<20 || cfg.MaxSize != 0 || !set.on || set.budget != 64<<20 || set.margin != 0.005 || set.source != "CACHE_MAX_MEMORY" {
		t.Errorf("autosizeConfig() = %+v, %+v; want 64 MiB of memory, no entry bound, a margin of 0.005", cfg, set)
	}
}

// New with CACHE_AUTOSIZE runs the loop on the memory backend, whose
// engine estimates: Stats reports the bound in bytes within the budget.
func TestNewAutosize(t *testing.T) {
	t.Parallel()
	cfg := prodready.Base{CacheAutosize: true, CacheAutosizeMargin: 0.5, CacheMaxMemory: prodready.MemorySize{Bytes: 8 << 20}}
	c, err := New[int](t.Context(), cfg, nil)
	if err != nil {
		t.Fatalf("New() with autosize = %v", err)
	}
	defer c.Close()
	if c.memSizer() == nil {
		t.Fatal("the memory backend does not estimate: autosize has nothing to drive")
	}
	if z := c.Stats().Sizing; z == nil || !z.Autosize || z.Unit != "bytes" || z.Budget != 8<<20 {
		t.Errorf("Stats().Sizing = %+v, want autosize in bytes within 8 MiB", z)
	}
}
