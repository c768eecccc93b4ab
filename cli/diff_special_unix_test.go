//go:build unix

package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prodready/prodready"
)

// TestDiffRefusesAFIFO checks that diff given a named pipe says so at
// once. It opened the path with a plain open, which blocks until a writer
// comes, and the CLI's signal handling could not interrupt it: the process
// outlived timeout's SIGTERM by ten minutes (an outside review, round six).
func TestDiffRefusesAFIFO(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a := filepath.Join(dir, "a.json")
	if err := os.WriteFile(a, []byte(savedReport(t, productionReady(t))), 0o600); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "b.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatalf("cannot make a FIFO in the test's directory: %v", err)
	}
	o := runOpts(nil, nil)
	o.Load.FS = nil
	done := make(chan result, 1)
	go func() { done <- runWith(t, o, &prodready.Base{}, "diff", a, fifo) }()
	select {
	case res := <-done:
		if res.code != 2 || !strings.Contains(res.errText(), "is a named pipe, want a regular file") {
			t.Errorf("diff with a FIFO: exit %d, error %q; want exit 2 and %q", res.code, res.errText(), "is a named pipe, want a regular file")
		}
	case <-time.After(10 * time.Second):
		// Unblock the open, so that the test's goroutine ends.
		if f, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			f.Close()
		}
		t.Fatal("diff is still blocked on the FIFO after 10 s")
	}
}
