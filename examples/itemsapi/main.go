// Command itemsapi is prodready's reference service: a small JSON API over
// one table of items that uses every part of the framework together.
//
//	go run ./examples/itemsapi                         # SQLite file app.db, in-process cache, development
//	go run ./examples/itemsapi config check            # the deploy checks, as the service would load
//	APP_ENV=production SECRET_KEY_FILE=/run/secrets/key ADMIN_TOKEN_FILE=/run/secrets/admin \
//	    DATABASE_URL='postgres://app:...@db:5432/app?sslmode=require' \
//	    CACHE_BACKEND=redis CACHE_URL=redis://cache:6379/0 CACHE_NAMESPACE=items \
//	    itemsapi
//
// It loads its configuration (a struct embedding prodready.Base) once, and
// on any problem prints every one of them and exits 1 before it opens a
// port. Then it takes its port on LISTEN_ADDR (a port in use fails here,
// before any database file is created), opens the store (SQLite or
// PostgreSQL, seeding SEED_ITEMS rows into an empty table), the cache of
// items (memory, Redis or Memcached; a server that does not answer yet is
// connected in the background, see serve), the session manager and the
// cursor signer, logs the line "listening" with the address, and serves.
// On SIGINT or SIGTERM, GET /readyz answers 503 for SHUTDOWN_DRAIN while
// requests are still served, then it waits SHUTDOWN_TIMEOUT for the
// requests in flight and closes the cache and the store; a second signal
// ends it at once.
//
// The endpoints are listed in server.go; the README walks through them
// with curl.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
	// CACHE_BACKEND=redis and memcached: the backends register themselves
	// with package cache when imported, so a service links only the
	// clients it imports.
	_ "github.com/prodready/prodready/cache/memcached"
	_ "github.com/prodready/prodready/cache/rediscache"
	"github.com/prodready/prodready/cli"
	"github.com/prodready/prodready/paginate"
	"github.com/prodready/prodready/session"
	"github.com/prodready/prodready/signing"
)

// main runs the service on the process's arguments and environment; run
// does the work, so that tests call it with their own.
func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal, the default action again: a second
		// SIGINT or SIGTERM ends a slow shutdown at once.
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, prodready.ProcessEnv())
	stop()
	os.Exit(code)
}

const usage = `usage: itemsapi                serve the API on LISTEN_ADDR
       itemsapi config CMD     check, print, env, fingerprint or gen-secret on the service's configuration
                               (itemsapi config help for their flags)
`

// run is the whole program: it serves, or runs the config command, with
// the arguments after the program name, and returns the exit status.
// env is the environment it reads its configuration from.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, env prodready.Environment) int {
	if len(args) > 0 {
		switch args[0] {
		case "config":
			err := cli.Run(ctx, args[1:], stdout, stderr, &Config{},
				&cli.Options{Name: "itemsapi config", Load: loadOptions(env)})
			code := cli.ExitCode(err)
			if code != 0 {
				fmt.Fprintln(stderr, err)
			}
			return code
		case "help", "-h", "-help", "--help":
			fmt.Fprint(stdout, usage)
			return 0
		default:
			fmt.Fprintf(stderr, "itemsapi: unknown command %q: want no argument, or config\n%s", args[0], usage)
			return 2
		}
	}
	if err := serve(ctx, stderr, env); err != nil {
		exitError(stderr, env, err)
		return 1
	}
	return 0
}

// serve loads the configuration, takes the port, opens everything the
// handlers need, and serves until ctx is done. Nothing listens before the
// configuration has loaded, and nothing is opened before the port is
// taken.
func serve(ctx context.Context, stderr io.Writer, env prodready.Environment) error {
	var cfg Config
	opts := loadOptions(env)
	// Findings are logged below, once the configuration says how to log.
	opts.Logger = slog.New(slog.DiscardHandler)
	opts.ScrubEnvironment = true // no child process inherits SECRET_KEY, ADMIN_TOKEN, DATABASE_URL...
	rep, err := prodready.LoadWithReport(ctx, &cfg, &opts)
	if err != nil {
		return err
	}
	logger := newLogger(stderr, cfg.LogFormat, cfg.LogLevel)
	logFindings(ctx, logger, rep.Findings)
	profile, err := prodready.LookupProfile(cfg.AppEnv, opts.Profiles)
	if err != nil {
		return err // Load accepted the name, so this is a bug
	}
	adminToken := cfg.AdminToken
	if !adminToken.IsSet() && !profile.Hardened() {
		adminToken = prodready.NewSecret(devAdminToken)
		logger.Warn("ADMIN_TOKEN is not set: POST /login accepts the development token \""+devAdminToken+"\"",
			"hint", "set ADMIN_TOKEN to your own (prodready gen-secret); production requires it")
	}
	logger.Info("configuration loaded", "profile", cfg.AppEnv, "database", cfg.DatabaseURL,
		"cache", cfg.CacheBackend, "cache_items", cfg.CacheItems)

	// The port first: a port that is taken fails start-up before the
	// database file is created or seeded.
	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("LISTEN_ADDR %q: %w", cfg.ListenAddr, err)
	}
	defer ln.Close() // when start-up fails below; a no-op after Serve
	// Nothing serves before the line "listening": connections wait in the
	// backlog until then.

	st, err := openStore(ctx, cfg.DatabaseURL.Reveal(), cfg.SeedItems, logger)
	if err != nil {
		return err
	}
	metrics, err := newMetrics() // see metrics.go
	if err != nil {
		st.close()
		return fmt.Errorf("metrics: %w", err)
	}
	defer metrics.shutdown(context.WithoutCancel(ctx))
	if profile.Hardened() && !cfg.MetricsToken.IsSet() {
		logger.Info("GET /metrics is off: set METRICS_TOKEN to serve it under a hardened profile")
	}
	cacheOpts := cacheOptions(cfg, logger)
	cacheOpts.MeterProvider, cacheOpts.Name = metrics.provider, "items"
	s := &server{
		metrics:    metrics,
		cfg:        cfg,
		report:     rep,
		hardened:   profile.Hardened(),
		adminToken: adminToken,
		store:      st,
		logger:     logger,
		fleet:      newFleet(cfg, logger, ln.Addr().String()),
	}
	// A cache server that does not answer at start-up does not stop it:
	// a deploy during a cache outage must not crash-loop. Reads go to the
	// database, GET /readyz reports the cache down, and a goroutine
	// connects when the server is back. A malformed CACHE_URL or another
	// configuration error still fails (config load and ErrInvalid or
	// ErrMissing here).
	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	var connecting sync.WaitGroup
	closeAll := func() {
		stopBG()
		connecting.Wait()
		if c := s.cache(); c != nil {
			if err := c.Close(); err != nil {
				logger.Error("close cache", "err", err)
			}
		}
		if err := st.close(); err != nil {
			logger.Error("close store", "err", err)
		}
	}
	s.items, err = cache.New[Item](ctx, cfg, cacheOpts)
	switch {
	case err == nil:
	case errors.Is(err, prodready.ErrInvalid) || errors.Is(err, prodready.ErrMissing) || ctx.Err() != nil:
		closeAll()
		return err
	default:
		logger.Warn("cache server unreachable at start-up: serving reads from the database until it answers; GET /readyz reports it",
			"backend", cfg.CacheBackend, "err", err)
		connecting.Add(1)
		go func() {
			defer connecting.Done()
			s.connectCache(bg, cfg, cacheOpts)
		}()
	}
	if _, err := s.adminFingerprint(); err != nil {
		closeAll()
		return err
	}
	s.sessions, err = newSessions(cfg, logger, opts.Profiles)
	if err != nil {
		closeAll()
		return err
	}
	s.cursors, err = newCursors(cfg)
	if err != nil {
		closeAll()
		return err
	}

	srv := &http.Server{
		Handler:           s.handler(),
		ReadTimeout:       cfg.ReadTimeout,
		ReadHeaderTimeout: cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	logger.Info("listening", "addr", ln.Addr().String())
	go s.logConfigFingerprint()                                 // argon2id: after start-up, not before
	connecting.Add(2)                                           // the fleet publisher and the cache adviser
	go func() { defer connecting.Done(); s.publishFleet(bg) }() // see fleet.go
	go func() {
		defer connecting.Done()
		s.adviseCache(bg) // PR-I049, see cacheadvice.go
	}()

	select {
	case err := <-served:
		// Handlers may still run: stop them from starting, wait for
		// them (REQUEST_TIMEOUT bounds them), then for the deletes they
		// scheduled, before closing what they use.
		srv.Close()
		if waitBounded(&s.inflight, cfg.RequestTimeout+time.Second) && waitBounded(&s.pending, s.pendingBound()) {
			closeAll()
		}
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// Draining: GET /readyz answers 503 so that a load balancer stops
	// sending requests, which are still served, for SHUTDOWN_DRAIN. A
	// second SIGINT or SIGTERM ends the process at once (main restores
	// the signals' default action after the first).
	s.draining.Store(true)
	if cfg.ShutdownDrain > 0 {
		logger.Info("draining: GET /readyz answers 503", "drain", cfg.ShutdownDrain)
		time.Sleep(cfg.ShutdownDrain)
	}
	logger.Info("shutting down", "timeout", cfg.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	shutErr := srv.Shutdown(sctx)
	if shutErr != nil {
		srv.Close()
		// Handlers still running use the store and the cache: wait for
		// them, which REQUEST_TIMEOUT bounds, before closing those.
		if !waitBounded(&s.inflight, cfg.RequestTimeout+time.Second) {
			logger.Error("handlers still running after SHUTDOWN_TIMEOUT and REQUEST_TIMEOUT: exiting without closing the store and the cache")
			return fmt.Errorf("shutdown after SHUTDOWN_TIMEOUT %s: %w", cfg.ShutdownTimeout, shutErr)
		}
	}
	<-served // http.ErrServerClosed
	// The second deletes of the last writes (see invalidate). No handler
	// runs any more, so none is scheduled while this waits.
	if !waitBounded(&s.pending, s.pendingBound()) {
		logger.Warn("cache deletes still running: closing the cache under them")
	}
	closeAll()
	if shutErr != nil {
		return fmt.Errorf("shutdown after SHUTDOWN_TIMEOUT %s: %w", cfg.ShutdownTimeout, shutErr)
	}
	logger.Info("stopped")
	return nil
}

// waitBounded waits for wg for at most d, and reports whether it ended.
func waitBounded(wg *sync.WaitGroup, d time.Duration) bool {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}

// connectCache tries to connect the cache until it succeeds or ctx is
// done, waiting 1s, then twice as long each time up to 30s, and makes it
// the server's cache.
func (s *server) connectCache(ctx context.Context, cfg Config, opts *cache.Options) {
	wait := time.Second
	for {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		c, err := cache.New[Item](ctx, cfg, opts)
		if err == nil {
			s.attachCache(ctx, c)
			s.logger.Info("cache server connected", "backend", cfg.CacheBackend)
			return
		}
		if errors.Is(err, prodready.ErrInvalid) {
			// The server answered and refused the configuration (a
			// wrong password): retrying cannot fix it.
			s.logger.Error("cache server refused CACHE_URL: not retrying; fix it and restart", "backend", cfg.CacheBackend, "err", err)
			return
		}
		s.logger.Warn("cache server still unreachable", "backend", cfg.CacheBackend, "err", err, "retry_in", min(2*wait, 30*time.Second))
		wait = min(2*wait, 30*time.Second)
	}
}

// attachCache makes c the server's cache, after deleting from it the items
// written while it was not connected: the server may hold entries written
// before it went down. The deletes run before c is visible, so no request
// reads such an entry; a write made meanwhile is remembered too, and
// deleted under the lock that makes c visible, after which writes
// invalidate as usual.
func (s *server) attachCache(ctx context.Context, c *cache.Cache[Item]) {
	take := func() (map[int64]struct{}, bool) {
		ids, over := s.unsynced, s.unsyncedOverflow
		s.unsynced, s.unsyncedOverflow = nil, false
		return ids, over
	}
	s.unsyncedMu.Lock()
	ids, over := take()
	s.unsyncedMu.Unlock()
	for id := range ids {
		s.deleteItem(ctx, c, itemKey(id), id)
	}
	s.unsyncedMu.Lock()
	more, over2 := take()
	for id := range more {
		s.deleteItem(ctx, c, itemKey(id), id)
	}
	s.lateItems.Store(c)
	s.unsyncedMu.Unlock()
	if over || over2 {
		s.logger.Warn("more items were written while the cache was not connected than it remembers: some may be served stale until CACHE_TTL", "remembered", maxUnsynced)
	}
}

// cacheOptions are the options of the items cache, for the service and its
// in-process tests alike.
func cacheOptions(cfg Config, logger *slog.Logger) *cache.Options {
	return &cache.Options{
		Logger:      logger,
		NegativeTTL: 10 * time.Second,
		// Bounds each load, so that a write's second delete comes after
		// any load that read the old row has stored it (see invalidate).
		LoadTimeout: cfg.RequestTimeout,
		Timeout:     cacheTimeout,
	}
}

// newSessions makes the session manager: admin sessions last
// sessionMaxAge.
func newSessions(cfg Config, logger *slog.Logger, profiles []prodready.Profile) (*session.Manager, error) {
	return session.New(cfg, &session.Options{Logger: logger, Profiles: profiles, MaxAge: sessionMaxAge})
}

// newCursors makes the signer of the list's cursors: they verify under the
// fallback keys too, and expire after a day.
func newCursors(cfg Config) (*paginate.Cursors, error) {
	return paginate.NewCursors(cfg, &signing.Options{MaxAge: 24 * time.Hour})
}
