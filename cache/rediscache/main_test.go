package rediscache_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine is left when they
// end: every Store and Cache the tests build is closed, and every server
// they start is stopped, so none may leak.
//
// Two exceptions, both of rueidis's cluster client, both holding no
// connection the Store has not closed (Close closes every connection its
// dialer made): it schedules a topology refresh, after a random delay
// under a second, whenever one of its connections closes, Close included
// (cluster.go, lazyRefresh), which then finds its connections closed (the
// Store's dialer refuses to dial after Close) and ends; and a refresh that
// drops a node's connection closes it five seconds later (_refresh).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreAnyFunction("github.com/redis/rueidis.(*call).DelayDo.func1"),
		goleak.IgnoreAnyFunction("github.com/redis/rueidis.(*clusterClient)._refresh.func2"))
}
