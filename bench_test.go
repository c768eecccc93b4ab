package prodready_test

import (
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/prodready/prodready"
)

// benchConfig is the realistic 27-value struct of docs/BENCHMARKS.md.
type benchConfig struct {
	AppName        string           `env:"APP_NAME" default:"svc"`
	Port           int              `env:"PORT" default:"8080"`
	Host           string           `env:"HOST" default:"127.0.0.1"`
	Debug          bool             `env:"DEBUG"`
	LogLevel       string           `env:"LOG_LEVEL" default:"info"`
	ReadTimeout    time.Duration    `env:"READ_TIMEOUT" default:"5s"`
	WriteTimeout   time.Duration    `env:"WRITE_TIMEOUT" default:"10s"`
	IdleTimeout    time.Duration    `env:"IDLE_TIMEOUT" default:"60s"`
	MaxConns       int              `env:"MAX_CONNS" default:"100"`
	Workers        int              `env:"WORKERS" default:"4"`
	Features       []string         `env:"FEATURES"`
	Region         string           `env:"REGION"`
	Zone           string           `env:"ZONE"`
	RateLimit      int              `env:"RATE_LIMIT"`
	Burst          int              `env:"BURST"`
	EnableMetrics  bool             `env:"ENABLE_METRICS"`
	EnableTracing  bool             `env:"ENABLE_TRACING"`
	MetricsPath    string           `env:"METRICS_PATH" default:"/metrics"`
	ShutdownGrace  time.Duration    `env:"SHUTDOWN_GRACE"`
	CacheTTLBench  time.Duration    `env:"CACHE_TTL_B"`
	SecretKey      prodready.Secret `env:"SECRET_KEY"`
	UploadLimitMiB int              `env:"UPLOAD_LIMIT_MIB"`
	DB             struct {
		Host    string `env:"HOST"`
		Port    int    `env:"PORT" default:"5432"`
		User    string `env:"USER"`
		Name    string `env:"NAME"`
		SSLMode string `env:"SSLMODE" default:"require"`
	} `prefix:"DB_"`
}

func benchEnv(extra int) prodready.MapEnv {
	env := prodready.MapEnv{
		"APP_NAME": "orders", "PORT": "9090", "HOST": "0.0.0.0", "DEBUG": "false", "LOG_LEVEL": "warn",
		"READ_TIMEOUT": "3s", "WRITE_TIMEOUT": "7s", "MAX_CONNS": "250", "WORKERS": "8", "FEATURES": "a,b,c",
		"REGION": "eu-west-1", "ZONE": "b", "RATE_LIMIT": "100", "ENABLE_METRICS": "true", "SHUTDOWN_GRACE": "20s",
		"SECRET_KEY": "hF3k9Qz7Lp2Xv8Rt5Wn1Yb6Mc4Jd0Gs-Ua_Ek", "DB_HOST": "db.internal", "DB_USER": "orders", "DB_NAME": "orders", "UPLOAD_LIMIT_MIB": "16",
	}
	for i := range extra {
		env[fmt.Sprintf("UNRELATED_VARIABLE_%04d", i)] = "some value that is not ours"
	}
	return env
}

func benchOpts(env prodready.MapEnv) *prodready.Options {
	return &prodready.Options{Profile: prodready.Testing, Env: env, NoDotEnv: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// BenchmarkLoad measures Load of the 27-value struct with an injected
// environment; the comparison with the process environment, a hand-written
// loader and the peers is in the bench module.
func BenchmarkLoad(b *testing.B) {
	for _, tc := range []struct {
		name    string
		extra   int
		silence bool
	}{
		{"env=20", 0, false},
		{"env=520", 500, false},
		{"env=520,scan=off", 500, true},
	} {
		b.Run(tc.name, func(b *testing.B) {
			o := benchOpts(benchEnv(tc.extra))
			if tc.silence {
				o.Silence = []string{"PR-W050"}
			}
			var c benchConfig
			if err := prodready.Load(ctx, &c, o); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := prodready.Load(ctx, &c, o); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkFingerprint(b *testing.B) {
	var c benchConfig
	prodready.MustLoad(ctx, &c, benchOpts(benchEnv(0)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := prodready.Fingerprint(&c); err != nil {
			b.Fatal(err)
		}
	}
}

func TestSecretRenderingDoesNotAllocate(t *testing.T) {
	s := prodready.NewSecret(canary)
	if n := testing.AllocsPerRun(100, func() { _ = s.String(); _ = s.LogValue(); _ = s.Reveal() }); n != 0 {
		t.Errorf("Secret String/LogValue/Reveal allocate %v times, want 0", n)
	}
}
