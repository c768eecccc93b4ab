package rediscache_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine is left when they
// end: every Store and Cache the tests build is closed, and every server
// they start is stopped, so none may leak.
//
// One exception: rueidis's cluster client schedules a topology refresh,
// after a random delay under a second, whenever one of its connections
// closes, Close included (cluster.go, lazyRefresh). The goroutine sleeps,
// then finds its connections closed (the Store's dialer refuses to dial
// after Close) and ends; it holds no connection.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/redis/rueidis.(*call).DelayDo.func1"))
}
