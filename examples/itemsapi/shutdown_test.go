package main

import (
	"errors"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestShutdown: on SIGTERM, GET /readyz answers 503 for SHUTDOWN_DRAIN
// while the other requests are served, then the process exits 0; a second
// SIGTERM during the drain ends it at once.
func TestShutdown(t *testing.T) {
	t.Parallel()
	drainSeen := func(t *testing.T, in *instance) {
		t.Helper()
		in.cmd.Process.Signal(syscall.SIGTERM)
		deadline := time.Now().Add(10 * time.Second)
		for {
			r := in.do(t, "GET", "/readyz", "", false)
			if r.status == 503 && strings.Contains(string(r.body), `"draining"`) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("GET /readyz = %s 10s after SIGTERM, want 503 draining", r)
			}
			time.Sleep(10 * time.Millisecond)
		}
		if r := in.do(t, "GET", "/items/1", "", false); r.status != 200 {
			t.Errorf("GET /items/1 while draining = %s, want 200", r)
		}
	}
	t.Run("drain", func(t *testing.T) {
		t.Parallel()
		in := start(t, "itemsapi", t.TempDir(), map[string]string{"SEED_ITEMS": "5", "SHUTDOWN_DRAIN": "2s"})
		if r := in.do(t, "GET", "/readyz", "", false); r.status != 200 {
			t.Fatalf("GET /readyz = %s, want 200", r)
		}
		drainSeen(t, in)
		select {
		case <-in.exited:
		case <-time.After(30 * time.Second):
			t.Fatalf("no exit 30s after SIGTERM with SHUTDOWN_DRAIN=2s")
		}
		if logs := in.output(); !strings.Contains(logs, "draining") {
			t.Errorf("logs lack the drain:\n%s", logs)
		}
		// stop checks the exit status 0 and the "stopped" line.
	})
	t.Run("second signal", func(t *testing.T) {
		t.Parallel()
		in := start(t, "itemsapi", t.TempDir(), map[string]string{"SEED_ITEMS": "5", "SHUTDOWN_DRAIN": "10m"})
		drainSeen(t, in)
		in.signaled = true
		in.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-in.exited:
		case <-time.After(10 * time.Second):
			t.Fatalf("still running 10s after a second SIGTERM")
		}
		var ee *exec.ExitError
		if !errors.As(in.err, &ee) || ee.ProcessState.Sys().(syscall.WaitStatus).Signal() != syscall.SIGTERM {
			t.Errorf("exit %v, want killed by the second SIGTERM", in.err)
		}
	})
}
