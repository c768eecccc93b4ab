//go:build unix

package prodready_test

import (
	"path/filepath"
	"syscall"
	"testing"
)

// mkfifo makes a named pipe in dir and returns its path, or skips the test
// where it cannot.
func mkfifo(t *testing.T, dir, name string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skipf("cannot make a FIFO here: %v", err)
	}
	return p
}
