package prodready_test

import (
	"context"
	"log"
	"os"
	"os/exec"

	"github.com/prodready/prodready"
)

// A service that starts child processes (a migration tool, a shell hook)
// loads with ScrubEnvironment, so that the children do not inherit its
// secrets: after a successful load, every secret field's NAME and
// NAME_FILE are unset. The service's own /proc/self/environ still shows
// the environment it started with; see [Options.ScrubEnvironment].
func ExampleOptions_scrubEnvironment() {
	type Config struct {
		prodready.Base
		StripeKey prodready.Secret `env:"STRIPE_KEY" required:"production"`
	}
	var cfg Config
	if err := prodready.Load(context.Background(), &cfg, &prodready.Options{ScrubEnvironment: true}); err != nil {
		log.Fatal(err)
	}
	// SECRET_KEY, SECRET_KEY_FILE, STRIPE_KEY, DATABASE_URL... are gone from
	// the environment the child inherits; cfg holds the values.
	cmd := exec.Command("env")
	cmd.Stdout = os.Stdout
	_ = cmd.Run()
}
