package prodready_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"testing/fstest"
	"time"

	"github.com/prodready/prodready"
)

// quiet is a logger for examples: warnings are not part of their output.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// A service embeds Base, adds its own fields, and loads once at start-up.
func Example() {
	type Config struct {
		prodready.Base
		StripeKey prodready.Secret `env:"STRIPE_KEY" required:"production" doc:"Stripe API key"`
		Workers   int              `env:"WORKERS" default:"4" doc:"worker goroutines"`
	}
	key, err := prodready.GenerateKey(nil, 32) // in a real service: SECRET_KEY from the environment (prodready gen-secret)
	if err != nil {
		log.Fatal(err)
	}
	env := prodready.MapEnv{ // in a real service: nil Options, the process environment
		"APP_ENV":    "production",
		"SECRET_KEY": key.Reveal(),
		"STRIPE_KEY": "sk_live_abc123",
		"WORKERS":    "8",
	}
	var cfg Config
	if err := prodready.Load(context.Background(), &cfg, &prodready.Options{Env: env, NoDotEnv: true, Logger: quiet}); err != nil {
		log.Fatal(err)
	}
	fmt.Println(cfg.AppEnv, cfg.Workers, cfg.PageSize, cfg.CacheTTL, cfg.CacheMaxSize)
	fmt.Println(cfg.StripeKey) // secrets never print
	// Output:
	// production 8 50 10m0s 4096
	// [redacted]
}

func ExampleLoad() {
	type Config struct {
		Addr    string        `env:"ADDR" default:"127.0.0.1:8080" doc:"listen address"`
		Timeout time.Duration `env:"TIMEOUT" default:"5s"`
		Tags    []string      `env:"TAGS"`
		DB      struct {
			Host string `env:"HOST" default:"localhost"`
			Port int    `env:"PORT" default:"5432"`
		} `prefix:"DB_"`
	}
	var cfg Config
	err := prodready.Load(context.Background(), &cfg, &prodready.Options{
		Env:      prodready.MapEnv{"TIMEOUT": "30s", "TAGS": "a,b", "DB_HOST": "db.internal"},
		NoDotEnv: true,
		Logger:   quiet,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s %s %q %s:%d\n", cfg.Addr, cfg.Timeout, cfg.Tags, cfg.DB.Host, cfg.DB.Port)
	// Output: 127.0.0.1:8080 30s ["a" "b"] db.internal:5432
}

// Load reports every problem at once, and never prints a secret.
func ExampleLoad_missingSecret() {
	var cfg prodready.Base
	err := prodready.Load(context.Background(), &cfg, &prodready.Options{
		Env:      prodready.MapEnv{"APP_ENV": "production", "DEBUG": "true", "PAGE_SIZE": "lots"},
		NoDotEnv: true,
		Logger:   quiet,
	})
	fmt.Println(err)
	fmt.Println(errors.Is(err, prodready.ErrMissing), errors.Is(err, prodready.ErrInvalid))
	// Output:
	// prodready: 3 configuration errors (profile production):
	// 	DEBUG: is true under the production profile: debugging aids leak internals to clients (set DEBUG=false)
	// 	PAGE_SIZE: invalid value "lots" from environment: want a whole number, such as 50 (fix PAGE_SIZE in the environment: it takes a whole number from 1 to the value of MAX_PAGE_SIZE)
	// 	SECRET_KEY: required in production, not set (set SECRET_KEY or SECRET_KEY_FILE)
	// true true
}

// A YAML or JSON file sits between the defaults and the environment; every
// value remembers where it came from.
func ExampleLoadWithReport() {
	fsys := fstest.MapFS{"config.yaml": {Data: []byte("page_size: 20\ncache:\n  ttl: 2m\n")}}
	key, err := prodready.GenerateKey(nil, 32) // in a real service: SECRET_KEY from the environment
	if err != nil {
		log.Fatal(err)
	}
	var cfg prodready.Base
	rep, err := prodready.LoadWithReport(context.Background(), &cfg, &prodready.Options{
		Profile:     prodready.Production,
		Env:         prodready.MapEnv{"SECRET_KEY": key.Reveal(), "CACHE_MAX_SIZE": "8192"},
		FS:          fsys,
		ConfigFiles: []string{"config.yaml"},
		Logger:      quiet,
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, name := range []string{"SECRET_KEY", "PAGE_SIZE", "CACHE_TTL", "CACHE_MAX_SIZE", "LOG_FORMAT", "MAX_PAGE_SIZE"} {
		v, _ := rep.Var(name)
		fmt.Printf("%-15s %-11s %s\n", v.Name, v.Value, v.Origin)
	}
	// Output:
	// SECRET_KEY      [redacted]  env
	// PAGE_SIZE       20          config.yaml:1
	// CACHE_TTL       2m0s        config.yaml:3
	// CACHE_MAX_SIZE  8192        env
	// LOG_FORMAT      json        profile production
	// MAX_PAGE_SIZE   100         default
}

// NewProduction is the quick path: Base under the Production profile, from
// the process environment. (This example is compiled, not run: its output
// depends on the environment it runs in.)
func ExampleNewProduction() {
	cfg, err := prodready.NewProduction(context.Background())
	if err != nil {
		log.Fatal(err) // prodready: SECRET_KEY: required in production, not set (...)
	}
	fmt.Println(cfg.PageSize, cfg.CacheConfig().TTL)
}

func ExampleSecret() {
	key := prodready.NewSecret("hunter2-but-much-longer-and-random")
	b, _ := json.Marshal(map[string]any{"key": key})
	fmt.Println(key, string(b))
	fmt.Printf("%v %+v %#v %q\n", key, key, key, key)
	fmt.Println(len(key.Reveal()))
	// Output:
	// [redacted] {"key":"[redacted]"}
	// [redacted] [redacted] prodready.Secret("[redacted]") "[redacted]"
	// 34
}

func ExampleCheckKeyStrength() {
	fmt.Println(prodready.CheckKeyStrength(prodready.NewSecret("changeme")))
	key, err := prodready.GenerateKey(nil, 32) // what prodready gen-secret prints
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(prodready.CheckKeyStrength(key))
	// Output:
	// weak key: 8 bytes long, want at least 32; only 7 distinct characters, want at least 8; looks like a placeholder or example value
	// <nil>
}

// Two replicas with the same configuration and key print the same
// fingerprint; any difference, a secret's included, changes it.
func ExampleFingerprint() {
	key, err := prodready.GenerateKey(nil, 32) // both replicas' SECRET_KEY
	if err != nil {
		log.Fatal(err)
	}
	load := func(pageSize string) prodready.Base {
		var b prodready.Base
		prodready.MustLoad(context.Background(), &b, &prodready.Options{
			Profile:  prodready.Production,
			Env:      prodready.MapEnv{"SECRET_KEY": key.Reveal(), "PAGE_SIZE": pageSize},
			NoDotEnv: true,
			Logger:   quiet,
		})
		return b
	}
	a, _ := prodready.Fingerprint(load("50"))
	b, _ := prodready.Fingerprint(load("50"))
	c, _ := prodready.Fingerprint(load("60"))
	fmt.Println(len(a), a == b, a == c)
	// Output: 32 true false
}

// A service derives its own profile without copying one; APP_ENV can then
// select it.
func ExampleProfile_Derive() {
	staging := prodready.Production.Derive("staging", map[string]string{"LOG_LEVEL": "debug"})
	var cfg prodready.Base
	err := prodready.Load(context.Background(), &cfg, &prodready.Options{
		Profiles: []prodready.Profile{staging},
		Env:      prodready.MapEnv{"APP_ENV": "staging"},
		NoDotEnv: true,
		Logger:   quiet,
	})
	fmt.Println(staging.Is(prodready.Production), staging.Hardened())
	fmt.Println(err) // staging inherits Production's rules
	// Output:
	// true true
	// prodready: SECRET_KEY: required in staging, not set (set SECRET_KEY or SECRET_KEY_FILE)
}
