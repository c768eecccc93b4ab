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
// port. Then it opens the store (SQLite or PostgreSQL, seeding SEED_ITEMS
// rows into an empty table), the cache of items (memory, Redis or
// Memcached), the session manager and the cursor signer, listens on
// LISTEN_ADDR, logs the line "listening" with the address, and serves until
// SIGINT or SIGTERM, after which it waits SHUTDOWN_TIMEOUT for the requests
// in flight and closes the cache and the store.
//
// The endpoints are listed in server.go; the README walks through them
// with curl.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
	"github.com/prodready/prodready/cli"
	"github.com/prodready/prodready/paginate"
	"github.com/prodready/prodready/session"
	"github.com/prodready/prodready/signing"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
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
		fmt.Fprintf(stderr, "itemsapi: %v\n", err)
		return 1
	}
	return 0
}

// serve loads the configuration, opens everything the handlers need, and
// serves until ctx is done. Nothing listens before the configuration has
// loaded.
func serve(ctx context.Context, stderr io.Writer, env prodready.Environment) error {
	var cfg Config
	opts := loadOptions(env)
	// Findings are logged below, once the configuration says how to log.
	opts.Logger = slog.New(slog.DiscardHandler)
	rep, err := prodready.LoadWithReport(ctx, &cfg, &opts)
	if err != nil {
		return err
	}
	logger := slog.New(cfg.LogFormat.NewHandler(stderr, cfg.LogLevel))
	for _, f := range rep.Findings {
		level := slog.LevelInfo
		if f.Severity >= prodready.SeverityWarning {
			level = slog.LevelWarn
		}
		msg := f.Message
		if f.Key != "" {
			msg = f.Key + " " + msg
		}
		logger.Log(ctx, level, msg, "id", f.ID, "key", f.Key, "origin", f.Origin.String(), "hint", f.Hint)
	}
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

	st, err := openStore(ctx, cfg.DatabaseURL.Reveal(), cfg.SeedItems, logger)
	if err != nil {
		return err
	}
	defer func() {
		if err := st.close(); err != nil {
			logger.Error("close store", "err", err)
		}
	}()
	items, err := cache.New[Item](ctx, cfg.CacheConfig(), &cache.Options{
		Logger:      logger,
		NegativeTTL: 10 * time.Second,
		LoadTimeout: cfg.RequestTimeout,
	})
	if err != nil {
		return err
	}
	defer func() {
		if err := items.Close(); err != nil {
			logger.Error("close cache", "err", err)
		}
	}()
	sessions, err := session.FromBase(cfg.Base, &session.Options{Logger: logger, Profiles: opts.Profiles})
	if err != nil {
		return err
	}
	cursors, err := paginate.NewCursors(cfg.SecretKey, &signing.Options{
		Fallbacks: cfg.SecretKeyFallbacks,
		MaxAge:    24 * time.Hour,
	})
	if err != nil {
		return err
	}
	s := &server{
		cfg:        cfg,
		report:     rep,
		hardened:   profile.Hardened(),
		adminToken: adminToken,
		store:      st,
		items:      items,
		sessions:   sessions,
		cursors:    cursors,
		logger:     logger,
	}

	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("LISTEN_ADDR %q: %w", cfg.ListenAddr, err)
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

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down", "timeout", cfg.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
		return fmt.Errorf("shutdown after SHUTDOWN_TIMEOUT %s: %w", cfg.ShutdownTimeout, err)
	}
	<-served // http.ErrServerClosed
	logger.Info("stopped")
	return nil
}
