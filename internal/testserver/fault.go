package testserver

import (
	"context"
	"fmt"
	"runtime"
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
	Kill    Fault = iota // SIGKILL (a crash), then a start on the same port
	Pause                // SIGSTOP (a hung server), then SIGCONT
	Restart              // SIGTERM (a clean shutdown), then a start on the same port
)

func (f Fault) String() string {
	switch f {
	case Pause:
		return "pause"
	case Restart:
		return "restart"
	}
	return "kill"
}

// A FaultRun describes concurrent traffic against a cache whose server
// fails in the middle, once or several times. The zero values of its
// fields are the defaults.
type FaultRun struct {
	Fault      Fault
	Cycles     int           // faults injected, each undone before the next; default 1
	FaultAt    time.Duration // when the server first fails; default 1.5s
	DownFor    time.Duration // how long it stays down each time; default 1s
	UpFor      time.Duration // how long it stays up between two faults; default DownFor
	Tail       time.Duration // how long the run goes on after the last return; default 2.5s
	Goroutines int           // default 16
	Keys       int           // distinct keys; default 32
	Window     time.Duration // of the hit-ratio samples; default 100ms

	// Call makes the i-th call of a goroutine, on key, and reports an
	// error for a failed call or a wrong value (not for an error the
	// cache documents for a failing server, which Call counts itself).
	Call func(ctx context.Context, i int, key string) error
	// Counts returns the cache's cumulative hits and misses.
	Counts func() (hits, misses uint64)
}

// A FaultReport is the outcome of [FaultRun.Run].
type FaultReport struct {
	Calls, Failures int64
	FirstFailure    error
	// Injected counts the faults injected by the run (kills, stops and
	// pauses), and Restored the returns of the server.
	Injected, Restored int
	// UnderFault counts the calls that started while the server was down
	// or hung; DownReturned, those of them that returned before it came
	// back. A call that waited for a hung server instead of its timeout
	// returns only once the server is back.
	UnderFault, DownReturned int64
	P50, P99, Max            time.Duration
	MaxAt                    time.Duration // when the slowest call started
	DownP99                  time.Duration // p99 of calls while the server was down
	// Recovery is the time from the server's last return (restarted and
	// answering, or resumed) to the end of the first window whose hit
	// ratio is above 50%; -1 if none.
	Recovery time.Duration
	Windows  []float64 // hit ratio per window, from the start; -1 for none
	// AfterReturn holds the hit ratios of the windows with lookups that
	// ended after the server's last return.
	AfterReturn []float64
}

func (r FaultReport) String() string {
	return fmt.Sprintf("calls=%d failures=%d faults=%d returns=%d calls-under-fault=%d (returned while down: %d) p50=%v p99=%v max=%v (call started at %v) p99-while-down=%v recovery=%v",
		r.Calls, r.Failures, r.Injected, r.Restored, r.UnderFault, r.DownReturned, r.P50, r.P99, r.Max, r.MaxAt.Round(time.Millisecond), r.DownP99, r.Recovery)
}

// hangGrace is how long Run waits for its calls to return after the run
// ends before it fails the test: a call that hangs is a bug, not a slow
// machine.
const hangGrace = time.Minute

// Run runs the traffic, failing srv at FaultAt and bringing it back
// DownFor later, Cycles times (UpFor apart, counted from each return),
// and ends it Tail after the last return.
func (f FaultRun) Run(tb testing.TB, srv *Server) FaultReport {
	tb.Helper()
	if f.Cycles <= 0 {
		f.Cycles = 1
	}
	if f.FaultAt == 0 {
		f.FaultAt = 1500 * time.Millisecond
	}
	if f.DownFor == 0 {
		f.DownFor = time.Second
	}
	if f.UpFor == 0 {
		f.UpFor = f.DownFor
	}
	if f.Tail == 0 {
		f.Tail = 2500 * time.Millisecond
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
		at, end time.Duration // from the start of the run
	}
	// down holds the intervals during which the server was down, from the
	// moment the fault was injected to the moment it was undone, as the
	// fault goroutine saw them.
	type interval struct{ from, to time.Duration }
	var (
		calls, failures atomic.Int64
		firstErr        atomic.Pointer[error]
		mu              sync.Mutex
		samples         []sample
		down            []interval
		traffic         sync.WaitGroup
		wg              sync.WaitGroup
	)
	// The fault goroutine ends the run, Tail after the server's last
	// return: on a starved machine a kill or restart may take longer than
	// planned, and every cycle still runs in full.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := time.Now()
	for g := range f.Goroutines {
		traffic.Go(func() {
			local := make([]sample, 0, 4096)
			for i := 0; ctx.Err() == nil; i++ {
				key := fmt.Sprintf("k%d", (g+i)%f.Keys)
				t0 := time.Since(start)
				err := f.Call(context.Background(), i, key)
				local = append(local, sample{at: t0, end: time.Since(start)})
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
	var injected, restored int
	wg.Go(func() {
		defer cancel()
		sleepUntil := func(at time.Duration) { time.Sleep(at - time.Since(start)) }
		at := f.FaultAt
		for range f.Cycles {
			sleepUntil(at)
			from := time.Since(start)
			switch f.Fault {
			case Pause:
				srv.Pause()
			case Restart:
				srv.Stop()
			default:
				srv.Kill()
			}
			injected++
			// The fault counts from its injection: a stop or kill
			// returns once the port is closed, a pause once the process
			// is stopped.
			sleepUntil(from + f.DownFor)
			mu.Lock()
			down = append(down, interval{from, time.Since(start)})
			mu.Unlock()
			restore(f.Fault, srv)
			restored++
			// The server stays up for UpFor from its actual return.
			at = time.Since(start) + f.UpFor
		}
		sleepUntil(time.Since(start) + f.Tail)
	})
	// The run ends when the fault goroutine is done; its calls must
	// return within hangGrace.
	wg.Wait()
	returned := make(chan struct{})
	go func() { traffic.Wait(); close(returned) }()
	select {
	case <-returned:
	case <-time.After(hangGrace):
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		tb.Fatalf("testserver: calls still running %v after the end of the run: a call hangs\n%s", hangGrace, buf)
	}

	r := FaultReport{Calls: calls.Load(), Failures: failures.Load(), Recovery: -1, Injected: injected, Restored: restored}
	for _, w := range windows {
		r.Windows = append(r.Windows, w.ratio)
	}
	if p := firstErr.Load(); p != nil {
		r.FirstFailure = *p
	}
	lat := make([]time.Duration, 0, len(samples))
	var downLat []time.Duration
	for _, s := range samples {
		d := s.end - s.at
		if d > r.Max {
			r.Max, r.MaxAt = d, s.at
		}
		lat = append(lat, d)
		for _, iv := range down {
			if s.at >= iv.from && s.at < iv.to {
				r.UnderFault++
				downLat = append(downLat, d)
				if s.end < iv.to {
					r.DownReturned++
				}
			}
		}
	}
	r.P50, r.P99 = quantile(lat, 0.50), quantile(lat, 0.99)
	r.DownP99 = quantile(downLat, 0.99)
	if len(down) > 0 {
		back := down[len(down)-1].to
		for _, w := range windows {
			if w.end <= back || w.ratio < 0 {
				continue
			}
			r.AfterReturn = append(r.AfterReturn, w.ratio)
			if w.ratio > 0.5 && r.Recovery < 0 {
				r.Recovery = w.end - back
			}
		}
	}
	return r
}

// restore undoes fault on srv.
func restore(fault Fault, srv *Server) {
	if fault == Pause {
		srv.Resume()
		return
	}
	srv.Restart()
}

func quantile(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	i := int(q * float64(len(d)-1))
	return d[i]
}
