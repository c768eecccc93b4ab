//go:build unix

package cputime

import "testing"

var sink uint64

// TestProcessGrowsWithWork: the process's CPU time is positive, and larger
// after a fixed amount of work (a loop, not a duration, so that a busy
// machine that deschedules the test delays it but cannot make it fail).
func TestProcessGrowsWithWork(t *testing.T) {
	t.Parallel()
	before := Process()
	x := uint64(1)
	for i := range uint64(200_000_000) {
		x = x*6364136223846793005 + i
	}
	sink = x
	after := Process()
	if before <= 0 || after <= before {
		t.Errorf("Process() = %v before the work, %v after; want positive and growing", before, after)
	}
}
