package testserver

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A Fault is what a fault run does to its server.
type Fault int

// Faults.
const (
	Kill  Fault = iota // SIGKILL, then a restart on the same port
	Pause              // SIGSTOP, then SIGCONT
)

func (f Fault) String() string {
	if f == Pause {
		return "pause"
	}
	return "kill"
}

// A FaultRun describes concurrent traffic against a cache whose server
// fails in the middle. The zero values of its fields are the defaults.
type FaultRun struct {
	Fault      Fault
	Duration   time.Duration // of the whole run; default 5s
	FaultAt    time.Duration // when the server fails; default 1.5s
	DownFor    time.Duration // how long it stays down; default 1s
	Goroutines int           // default 16
	Keys       int           // distinct keys; default 32
	Window     time.Duration // of the hit-ratio samples; default 100ms

	// Call does one GetOrLoad of key and reports an error for a failed call
	// or a wrong value.
	Call func(ctx context.Context, key string) error
	// Counts returns the cache's cumulative hits and misses.
	Counts func() (hits, misses uint64)
}

// A FaultReport is the outcome of [FaultRun.Run].
type FaultReport struct {
	Calls, Failures int64
	FirstFailure    error
	P50, P99, Max   time.Duration
	MaxAt           time.Duration // when the slowest call started
	DownP99         time.Duration // p99 of calls while the server was down
	// Recovery is the time from the server's return (restarted and
	// answering, or resumed) to the end of the first window whose hit ratio
	// is above 50%; -1 if none.
	Recovery time.Duration
	Windows  []float64 // hit ratio per window, from the start
}

func (r FaultReport) String() string {
	return fmt.Sprintf("calls=%d failures=%d p50=%v p99=%v max=%v (call started at %v) p99-while-down=%v recovery=%v",
		r.Calls, r.Failures, r.P50, r.P99, r.Max, r.MaxAt.Round(time.Millisecond), r.DownP99, r.Recovery)
}

// Run runs the traffic, failing srv at FaultAt and bringing it back
// DownFor later.
func (f FaultRun) Run(tb testing.TB, srv *Server) FaultReport {
	tb.Helper()
	if f.Duration == 0 {
		f.Duration = 5 * time.Second
	}
	if f.FaultAt == 0 {
		f.FaultAt = 1500 * time.Millisecond
	}
	if f.DownFor == 0 {
		f.DownFor = time.Second
	}
	if f.Goroutines == 0 {
		f.Goroutines = 16
	}
	if f.Keys == 0 {
		f.Keys = 32
	}
	if f.Window == 0 {
		f.Window = 100 * time.Millisecond
	}

	type sample struct {
		at      time.Duration
		latency time.Duration
	}
	var (
		calls, failures atomic.Int64
		firstErr        atomic.Pointer[error]
		mu              sync.Mutex
		samples         []sample
		wg              sync.WaitGroup
	)
	ctx, cancel := context.WithTimeout(context.Background(), f.Duration)
	defer cancel()
	start := time.Now()
	for g := range f.Goroutines {
		wg.Go(func() {
			local := make([]sample, 0, 4096)
			for i := g; ctx.Err() == nil; i++ {
				key := fmt.Sprintf("k%d", i%f.Keys)
				t0 := time.Now()
				err := f.Call(context.Background(), key)
				local = append(local, sample{at: t0.Sub(start), latency: time.Since(t0)})
				calls.Add(1)
				if err != nil {
					failures.Add(1)
					firstErr.CompareAndSwap(nil, &err)
				}
			}
			mu.Lock()
			samples = append(samples, local...)
			mu.Unlock()
		})
	}

	type window struct {
		end   time.Duration
		ratio float64
	}
	var windows []window
	wg.Go(func() {
		tick := time.NewTicker(f.Window)
		defer tick.Stop()
		h0, m0 := f.Counts()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			h, m := f.Counts()
			ratio := -1.0 // no lookups in the window
			if n := (h - h0) + (m - m0); n > 0 {
				ratio = float64(h-h0) / float64(n)
			}
			windows = append(windows, window{time.Since(start), ratio})
			h0, m0 = h, m
		}
	})
	var restored time.Duration
	wg.Go(func() {
		select {
		case <-ctx.Done():
			return
		case <-time.After(f.FaultAt - time.Since(start)):
		}
		if f.Fault == Pause {
			srv.Pause()
		} else {
			srv.Kill()
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(f.FaultAt + f.DownFor - time.Since(start)):
		}
		if f.Fault == Pause {
			srv.Resume()
		} else {
			srv.Restart()
		}
		restored = time.Since(start)
	})
	wg.Wait()

	r := FaultReport{Calls: calls.Load(), Failures: failures.Load(), Recovery: -1}
	for _, w := range windows {
		r.Windows = append(r.Windows, w.ratio)
	}
	if p := firstErr.Load(); p != nil {
		r.FirstFailure = *p
	}
	lat := make([]time.Duration, 0, len(samples))
	var down []time.Duration
	for _, s := range samples {
		if s.latency > r.Max {
			r.Max, r.MaxAt = s.latency, s.at
		}
		lat = append(lat, s.latency)
		if s.at >= f.FaultAt && s.at < f.FaultAt+f.DownFor {
			down = append(down, s.latency)
		}
	}
	r.P50, r.P99 = quantile(lat, 0.50), quantile(lat, 0.99)
	r.DownP99 = quantile(down, 0.99)
	if restored > 0 {
		for _, w := range windows {
			if w.end > restored && w.ratio > 0.5 {
				r.Recovery = w.end - restored
				break
			}
		}
	}
	return r
}

func quantile(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	i := int(q * float64(len(d)-1))
	return d[i]
}
