package main

import (
	"context"
	"net"
	"strconv"
	"time"

	"github.com/prodready/prodready"
)

// Config is the service's configuration: the variables every prodready
// service shares, and the service's own.
type Config struct {
	prodready.Base
	ListenAddr      string           `env:"LISTEN_ADDR" default:"127.0.0.1:8080" doc:"address to listen on (host:port; port 0 picks a free one, logged at start-up)"`
	ReadTimeout     time.Duration    `env:"READ_TIMEOUT" default:"5s" doc:"longest time to read a request, body included"`
	WriteTimeout    time.Duration    `env:"WRITE_TIMEOUT" default:"10s" doc:"longest time from the end of a request's header to the end of its response"`
	RequestTimeout  time.Duration    `env:"REQUEST_TIMEOUT" default:"5s" doc:"deadline of a handler's database and cache calls; past it the answer is 503 timeout"`
	ShutdownTimeout time.Duration    `env:"SHUTDOWN_TIMEOUT" default:"10s" doc:"how long SIGINT or SIGTERM waits for requests in flight"`
	ShutdownDrain   time.Duration    `env:"SHUTDOWN_DRAIN" default:"0s" doc:"after SIGINT or SIGTERM, how long GET /readyz answers 503 while the service still serves, before it stops accepting; behind a load balancer, a few of its readiness probe intervals"`
	SeedItems       int              `env:"SEED_ITEMS" default:"10000" doc:"items created on first start, when the table is empty"`
	AdminToken      prodready.Secret `env:"ADMIN_TOKEN" required:"production" doc:"token that POST /login exchanges for an admin session; at least 32 random bytes (prodready gen-secret)"`
	CacheItems      bool             `env:"CACHE_ITEMS" default:"true" doc:"serve GET /items/{id} through the cache; false sends every read to the database"`
	FleetInterval   time.Duration    `env:"FLEET_INTERVAL" default:"15s" doc:"how often the service publishes its configuration fingerprint to the cache server (CACHE_BACKEND redis or memcached) for GET /debug/fleet; a replica that stops drops out 3 intervals later; 0 publishes nothing"`
	MetricsToken    prodready.Secret `env:"METRICS_TOKEN" doc:"bearer token that GET /metrics requires (Authorization: Bearer ...); without it /metrics is open outside production and off (404) under a hardened profile; at least 32 random bytes there (prodready gen-secret)"`
}

// devAdminToken is the token POST /login accepts when ADMIN_TOKEN is not
// set under a profile that is not hardened (development, testing). It is
// public, in the README: it only makes the walk-through work on a
// developer's machine. A hardened profile requires ADMIN_TOKEN, and
// check ITEMS-E001 refuses this value there.
const devAdminToken = "dev-admin-token"

// loadOptions are the options the service loads its configuration with;
// the config subcommand uses the same, so that check sees what the service
// would.
func loadOptions(env prodready.Environment) prodready.Options {
	return prodready.Options{Env: env, Checks: append(checks(), metricsChecks()...)}
}

// checks are the service's own deploy checks, run after prodready's.
func checks() []prodready.Check {
	return []prodready.Check{
		fleetIntervalCheck(), // fleet.go
		{
			ID:       "ITEMS-E001",
			Severity: prodready.SeverityError,
			Title:    "ADMIN_TOKEN is weak under a hardened profile",
			Run: func(_ context.Context, in *prodready.CheckInput) []prodready.Finding {
				c, ok := in.Config.(*Config)
				if !ok || !in.Profile.Hardened() || !c.AdminToken.IsSet() {
					return nil // a missing token is PR-E001's
				}
				if err := prodready.CheckKeyStrength(c.AdminToken); err != nil || c.AdminToken.Reveal() == devAdminToken {
					return []prodready.Finding{{
						Key:     "ADMIN_TOKEN",
						Message: "weak token: want at least 32 random bytes, not a word or a pattern",
						Hint:    "set ADMIN_TOKEN to the output of prodready gen-secret",
						Origin:  in.Origin("ADMIN_TOKEN"),
					}}
				}
				return nil
			},
		},
		{
			ID:       "ITEMS-E002",
			Severity: prodready.SeverityError,
			Title:    "a timeout is zero or negative, or SHUTDOWN_DRAIN or SEED_ITEMS is negative",
			Run: func(_ context.Context, in *prodready.CheckInput) []prodready.Finding {
				c, ok := in.Config.(*Config)
				if !ok {
					return nil
				}
				var fs []prodready.Finding
				for _, d := range []struct {
					key string
					v   time.Duration
				}{
					{"READ_TIMEOUT", c.ReadTimeout},
					{"WRITE_TIMEOUT", c.WriteTimeout},
					{"REQUEST_TIMEOUT", c.RequestTimeout},
					{"SHUTDOWN_TIMEOUT", c.ShutdownTimeout},
				} {
					if d.v <= 0 {
						fs = append(fs, prodready.Finding{
							Key:     d.key,
							Message: "is " + d.v.String() + ": want a positive duration",
							Hint:    "set " + d.key + " to a duration such as 5s",
							Origin:  in.Origin(d.key),
						})
					}
				}
				if c.ShutdownDrain < 0 {
					fs = append(fs, prodready.Finding{
						Key:     "SHUTDOWN_DRAIN",
						Message: "is " + c.ShutdownDrain.String() + ": want 0 (no drain) or a positive duration",
						Hint:    "set SHUTDOWN_DRAIN to 0s, or to a few readiness probe intervals such as 10s",
						Origin:  in.Origin("SHUTDOWN_DRAIN"),
					})
				}
				if c.SeedItems < 0 {
					fs = append(fs, prodready.Finding{
						Key:     "SEED_ITEMS",
						Message: "is negative: want 0 or more",
						Hint:    "set SEED_ITEMS to 0 to create no items",
						Origin:  in.Origin("SEED_ITEMS"),
					})
				}
				return fs
			},
		},
		{
			ID:       "ITEMS-W003",
			Severity: prodready.SeverityWarning,
			Title:    "REQUEST_TIMEOUT is not below WRITE_TIMEOUT",
			Run: func(_ context.Context, in *prodready.CheckInput) []prodready.Finding {
				c, ok := in.Config.(*Config)
				if !ok || c.RequestTimeout <= 0 || c.RequestTimeout < c.WriteTimeout {
					return nil
				}
				return []prodready.Finding{{
					Key:     "REQUEST_TIMEOUT",
					Message: "is " + c.RequestTimeout.String() + ", not below WRITE_TIMEOUT " + c.WriteTimeout.String() + ": a slow request's 503 timeout answer would be cut off",
					Hint:    "set REQUEST_TIMEOUT below WRITE_TIMEOUT",
					Origin:  in.Origin("REQUEST_TIMEOUT"),
				}}
			},
		},
		{
			ID:       "ITEMS-E004",
			Severity: prodready.SeverityError,
			Title:    "LISTEN_ADDR is not host:port",
			Run: func(_ context.Context, in *prodready.CheckInput) []prodready.Finding {
				c, ok := in.Config.(*Config)
				if !ok {
					return nil
				}
				if msg := checkListenAddr(c.ListenAddr); msg != "" {
					return []prodready.Finding{{
						Key:     "LISTEN_ADDR",
						Message: msg,
						Hint:    "set LISTEN_ADDR to host:port, such as 127.0.0.1:8080, or :8080 for every interface",
						Origin:  in.Origin("LISTEN_ADDR"),
					}}
				}
				return nil
			},
		},
		{
			ID:       "ITEMS-E005",
			Severity: prodready.SeverityError,
			Title:    "the public development ADMIN_TOKEN would be reachable from the network",
			Run: func(_ context.Context, in *prodready.CheckInput) []prodready.Finding {
				c, ok := in.Config.(*Config)
				if !ok || in.Profile.Hardened() || c.AdminToken.IsSet() || checkListenAddr(c.ListenAddr) != "" || loopback(c.ListenAddr) {
					return nil // production requires ADMIN_TOKEN (PR-E001); a bad address is ITEMS-E004's
				}
				return []prodready.Finding{{
					Key:     "ADMIN_TOKEN",
					Message: "not set, and LISTEN_ADDR " + strconv.Quote(c.ListenAddr) + " is not a loopback address: anyone who can reach it could log in with the public development token that the README shows",
					Hint:    "set ADMIN_TOKEN (prodready gen-secret), or listen on 127.0.0.1",
					Origin:  in.Origin("ADMIN_TOKEN"),
				}}
			},
		},
	}
}

// checkListenAddr returns why addr is not an address to listen on, or "".
func checkListenAddr(addr string) string {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "is " + strconv.Quote(addr) + ": want host:port (" + err.Error() + ")"
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return "is " + strconv.Quote(addr) + ": want a port from 0 to 65535, got " + strconv.Quote(port)
	}
	return ""
}

// loopback reports whether addr, a valid host:port, listens on loopback
// only: localhost or a loopback IP. An empty host is every interface.
func loopback(addr string) bool {
	host, _, _ := net.SplitHostPort(addr)
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
