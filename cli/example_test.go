package cli_test

import (
	"context"
	"fmt"
	"os"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cli"
)

// Example mounts the commands on a service's own configuration, as
// "myservice config", and runs check under production with a missing key.
func Example() {
	type Config struct {
		prodready.Base
		StripeKey prodready.Secret `env:"STRIPE_KEY" required:"production" doc:"Stripe API key"`
		Workers   int              `env:"WORKERS" default:"4" doc:"worker goroutines"`
	}
	key, err := prodready.GenerateKey(nil, 48) // what gen-secret prints
	if err != nil {
		panic(err)
	}
	opts := &cli.Options{
		Name: "myservice config",
		// The options the service loads with: the commands load the same
		// way. A service leaves Env nil to read the process environment.
		Load: prodready.Options{
			Env: prodready.MapEnv{
				"APP_ENV":       "production",
				"SECRET_KEY":    key.Reveal(),
				"DATABASE_URL":  "postgres://app@db.internal/app?sslmode=verify-full",
				"CACHE_BACKEND": "memory",
			},
			NoDotEnv: true,
		},
	}
	err = cli.Run(context.Background(), []string{"check", "--fail-level", "error"}, os.Stdout, os.Stderr, &Config{}, opts)
	fmt.Println("exit status", cli.ExitCode(err))
	fmt.Println(err)
	// Output:
	// ERRORS (1)
	//   PR-E001  STRIPE_KEY     required in production, not set
	//            hint:   set STRIPE_KEY or STRIPE_KEY_FILE
	//
	// INFOS (1)
	//   PR-I040  CACHE_BACKEND  is memory: each replica keeps its own cache, so replicas can serve different data until entries expire
	//            origin: env
	//            hint:   with several replicas, set CACHE_BACKEND=redis and CACHE_URL
	//
	// 1 error, 0 warnings, 1 info: not ready (profile production, fail level error)
	// exit status 1
	// myservice config check: 1 finding at or above level error: check failed
}

// ExampleRun_env documents a service's variables as a Markdown table.
func ExampleRun_env() {
	type Config struct {
		Workers int              `env:"WORKERS" default:"4" doc:"worker goroutines"`
		Token   prodready.Secret `env:"TOKEN" required:"production" doc:"API token"`
	}
	err := cli.Run(context.Background(), []string{"env"}, os.Stdout, os.Stderr, &Config{}, &cli.Options{Load: prodready.Options{Prefix: "MYAPP_"}})
	fmt.Println("exit status", cli.ExitCode(err))
	// Output:
	// | variable | type | default | profile defaults | required in | secret | description |
	// |---|---|---|---|---|---|---|
	// | `MYAPP_WORKERS` | int | `4` |  |  |  | worker goroutines |
	// | `MYAPP_TOKEN` | prodready.Secret |  |  | production | yes | API token |
	// exit status 0
}

// ExampleExitCode shows how a main function ends: one message and one
// exit, with the status the error calls for.
func ExampleExitCode() {
	err := cli.Run(context.Background(), []string{"chek"}, os.Stdout, os.Stderr, &prodready.Base{}, &cli.Options{Load: prodready.Options{Env: prodready.MapEnv{}}})
	if code := cli.ExitCode(err); code != 0 {
		fmt.Println(err) // a main writes it to os.Stderr, then calls os.Exit(code)
		fmt.Println("exit status", code)
	}
	// Output:
	// prodready: unknown command "chek" (run 'prodready help')
	// exit status 2
}

// A service reads a replica's report (from a file, or a shared cache
// server) and compares it with its own.
func ExampleParseFingerprintJSON() {
	a, err := cli.ParseFingerprintJSON([]byte(`{"format":"prodready-fingerprint","version":1,"profile":"production",
		"fingerprint":"0123456789abcdef0123456789abcdef","key":"0011223344556677",
		"variables":{"PAGE_SIZE":{"digest":"aaaaaaaaaaaaaaaa"},"CACHE_TTL":{"digest":"cccccccccccccccc"}}}`))
	if err != nil {
		panic(err)
	}
	b, err := cli.ParseFingerprintJSON([]byte(`{"format":"prodready-fingerprint","version":1,"profile":"production",
		"fingerprint":"fedcba9876543210fedcba9876543210","key":"0011223344556677",
		"variables":{"PAGE_SIZE":{"digest":"bbbbbbbbbbbbbbbb"},"CACHE_TTL":{"digest":"cccccccccccccccc"}}}`))
	if err != nil {
		panic(err)
	}
	for _, c := range prodready.DiffFingerprints(a.Digests, b.Digests).Changes {
		fmt.Println(c.Name, c.Change)
	}
	// Output: PAGE_SIZE differs
}
