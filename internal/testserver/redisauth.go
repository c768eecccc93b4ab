package testserver

import (
	"slices"
	"testing"
)

// StartRedisWithPassword starts redis-server like [StartRedis], requiring
// password (--requirepass) from every client. Its [Server.RedisURL] has no
// password: tests add the one they mean to try.
func StartRedisWithPassword(tb testing.TB, password string) *Server {
	tb.Helper()
	if password == "" {
		tb.Fatal("testserver: StartRedisWithPassword needs a password")
	}
	return start(tb, "redis-server", func(port string) []string {
		return []string{"--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning", "--requirepass", password}
	})
}

// requirePass returns the --requirepass argument of a redis-server's args,
// or "".
func requirePass(args []string) string {
	if i := slices.Index(args, "--requirepass"); i >= 0 && i+1 < len(args) {
		return args[i+1]
	}
	return ""
}
