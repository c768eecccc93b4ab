//go:build unix

package prodready_test

import (
	"path/filepath"
	"syscall"
	"testing"
)

// mkfifo makes a named pipe in dir and returns its path. A Unix test
// directory always takes one, so failing to is the test's failure, not a
// reason to skip what the FIFO checks.
func mkfifo(t *testing.T, dir, name string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Fatalf("cannot make a FIFO in the test's directory: %v", err)
	}
	return p
}
