package rediscache_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine is left when they
// end: every Store and Cache the tests build is closed, and every server
// they start is stopped, so none may leak.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
