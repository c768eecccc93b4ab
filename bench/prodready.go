package bench

import (
	"context"
	"log/slog"
	"time"

	"github.com/prodready/prodready"
)

// ProdreadyConfig is the configuration struct as a prodready user writes it.
type ProdreadyConfig struct {
	ServiceName     string           `env:"SERVICE_NAME" required:"true"`
	DeployEnv       string           `env:"DEPLOY_ENV" default:"development"`
	HTTPHost        string           `env:"HTTP_HOST" default:"0.0.0.0"`
	Port            int              `env:"PORT" default:"3000"`
	MetricsPort     int              `env:"METRICS_PORT" default:"9090"`
	LogLevel        string           `env:"LOG_LEVEL" default:"warn"`
	LogJSON         bool             `env:"LOG_JSON" default:"false"`
	Debug           bool             `env:"DEBUG" default:"false"`
	ReadTimeout     time.Duration    `env:"READ_TIMEOUT" default:"15s"`
	WriteTimeout    time.Duration    `env:"WRITE_TIMEOUT" default:"15s"`
	IdleTimeout     time.Duration    `env:"IDLE_TIMEOUT" default:"120s"`
	ShutdownTimeout time.Duration    `env:"SHUTDOWN_TIMEOUT" default:"15s"`
	MaxBodyBytes    int64            `env:"MAX_BODY_BYTES" default:"4194304"`
	Workers         int              `env:"WORKERS" default:"4"`
	QueueSize       int              `env:"QUEUE_SIZE" default:"1000"`
	RateLimit       float64          `env:"RATE_LIMIT" default:"100"`
	Features        []string         `env:"FEATURES" sep:","`
	CORSEnabled     bool             `env:"CORS_ENABLED" default:"false"`
	RedisAddr       string           `env:"REDIS_ADDR" default:"localhost:6379"`
	CacheEnabled    bool             `env:"CACHE_ENABLED" default:"true"`
	OTelEndpoint    string           `env:"OTEL_ENDPOINT"`
	SecretKey       prodready.Secret `env:"SECRET_KEY" required:"true" key:"true"`
	DB              ProdreadyDB      `prefix:"DB_"`
}

// ProdreadyDB is the nested database group, read from DB_*.
type ProdreadyDB struct {
	Host     string `env:"HOST" default:"localhost"`
	Port     int    `env:"PORT" default:"5432"`
	Name     string `env:"NAME" default:"app"`
	User     string `env:"USER" default:"app"`
	MaxConns int    `env:"MAX_CONNS" default:"10"`
}

// ProdreadyOptions are the options of the prodready rows: the process
// environment, no files, the Testing profile and a logger that drops
// everything.
func ProdreadyOptions() *prodready.Options {
	return &prodready.Options{
		Profile:  prodready.Testing,
		NoDotEnv: true,
		Logger:   slog.New(slog.DiscardHandler),
	}
}

// ProdreadyOptionsNoScan is ProdreadyOptions with check PR-W050, the scan
// of the whole environment for misspelled variable names, silenced.
func ProdreadyOptionsNoScan() *prodready.Options {
	o := ProdreadyOptions()
	o.Silence = []string{"PR-W050"}
	return o
}

// ProdreadyOptionsProduction is ProdreadyOptions under a hardened profile,
// whose extra cost over Testing is the strength estimate of the keys tagged
// key:"true" (SECRET_KEY here, check PR-E013). It is Production with the
// struct's own LOG_LEVEL default, as Production's "info" would differ from
// the other loaders' "warn".
func ProdreadyOptionsProduction() *prodready.Options {
	o := ProdreadyOptions()
	o.Profile = prodready.Production.Derive("bench-production", map[string]string{"LOG_LEVEL": "warn"})
	return o
}

// LoadProdready loads ProdreadyConfig with opts.
func LoadProdready(ctx context.Context, opts *prodready.Options) (ProdreadyConfig, error) {
	var c ProdreadyConfig
	err := prodready.Load(ctx, &c, opts)
	return c, err
}
