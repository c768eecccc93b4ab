//go:build !unix

package prodready_test

import "testing"

// mkfifo skips the test: named pipes in a directory are a Unix thing.
func mkfifo(t *testing.T, dir, name string) string {
	t.Helper()
	t.Skip("no FIFOs on this system")
	return ""
}
