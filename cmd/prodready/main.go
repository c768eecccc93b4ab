// Command prodready checks, shows and documents the configuration of a
// service built on prodready's shared variables (prodready.Base):
//
//	APP_ENV=production prodready check     # exit 1 and why, or exit 0
//	prodready print --profile production   # each value and its origin, secrets redacted
//	prodready env --format dotenv          # a commented .env.example
//	prodready fingerprint                  # compare replicas
//	export SECRET_KEY=$(prodready gen-secret)
//
// A service with its own configuration struct mounts the same commands
// with package cli. Exit status: 0 ready, 1 a check failed or the
// configuration does not load, 2 bad usage or an unreadable config file.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr, &prodready.Base{}, nil)
	stop()
	if code := cli.ExitCode(err); code != 0 {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(code)
	}
}
