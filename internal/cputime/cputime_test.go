//go:build unix

package cputime

import (
	"testing"
	"time"
)

// TestProcessGrowsWithWork: the process's CPU time after a busy loop is
// larger than before it, and positive.
func TestProcessGrowsWithWork(t *testing.T) {
	t.Parallel()
	before := Process()
	x := 0
	for start := time.Now(); time.Since(start) < 20*time.Millisecond; {
		x++
	}
	after := Process()
	if before <= 0 || after <= before {
		t.Errorf("Process() = %v before %d iterations, %v after; want it to grow", before, x, after)
	}
}
