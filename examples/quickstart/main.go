// Command quickstart is the smallest service built on prodready: it loads
// its configuration once at start-up, refuses to start on any problem, and
// prints what it loaded, with each value's origin and secrets redacted.
//
//	go run ./examples/quickstart                       # development profile
//	APP_ENV=production go run ./examples/quickstart    # fails: SECRET_KEY and ADMIN_TOKEN not set
//	APP_ENV=production SECRET_KEY=$(head -c 48 /dev/urandom | base64) \
//	    ADMIN_TOKEN=$(head -c 48 /dev/urandom | base64) \
//	    CACHE_BACKEND=memory go run ./examples/quickstart
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"text/tabwriter"

	"github.com/prodready/prodready"
)

// Config is the service's configuration: the shared variables plus its own.
type Config struct {
	prodready.Base
	ListenAddr string           `env:"LISTEN_ADDR" default:"127.0.0.1:8080" doc:"address to listen on"`
	Workers    int              `env:"WORKERS" default:"4" doc:"worker goroutines"`
	AdminToken prodready.Secret `env:"ADMIN_TOKEN" required:"production" doc:"token that unlocks the admin endpoints"`
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(ctx context.Context, stdout, stderr io.Writer) error {
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	var cfg Config
	rep, err := prodready.LoadWithReport(ctx, &cfg, &prodready.Options{Logger: logger})
	if err != nil {
		return err
	}
	// From here on, log the way the configuration says.
	logger = slog.New(cfg.LogFormat.NewHandler(stderr, cfg.LogLevel))
	logger.Info("configuration loaded", "profile", cfg.AppEnv, "cache", cfg.CacheConfig().Backend, "admin_token", cfg.AdminToken)

	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "VARIABLE\tVALUE\tORIGIN\n")
	for _, v := range rep.Vars {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", v.Name, v.Value, v.Origin)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fp, err := prodready.Fingerprint(cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nprofile %s, fingerprint %s\n", cfg.AppEnv, fp)
	return nil
}
