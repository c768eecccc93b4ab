package bench

import (
	"context"
	"errors"
	"strings"
	"time"

	caarlos0 "github.com/caarlos0/env/v11"
	"github.com/ilyakaznacheev/cleanenv"
	kelsey "github.com/kelseyhightower/envconfig"
	"github.com/knadh/koanf/providers/confmap"
	koanfenv "github.com/knadh/koanf/providers/env/v2"
	"github.com/knadh/koanf/v2"
	sethvargo "github.com/sethvargo/go-envconfig"
	"github.com/spf13/viper"
)

// Each library gets the same struct with its own tags: the same variable
// names, the same defaults, SERVICE_NAME and SECRET_KEY required.

// ---- github.com/caarlos0/env/v11 ----

// CaarlosConfig is the struct for caarlos0/env.
type CaarlosConfig struct {
	ServiceName     string        `env:"SERVICE_NAME,required,notEmpty"`
	DeployEnv       string        `env:"DEPLOY_ENV" envDefault:"development"`
	HTTPHost        string        `env:"HTTP_HOST" envDefault:"0.0.0.0"`
	Port            int           `env:"PORT" envDefault:"3000"`
	MetricsPort     int           `env:"METRICS_PORT" envDefault:"9090"`
	LogLevel        string        `env:"LOG_LEVEL" envDefault:"warn"`
	LogJSON         bool          `env:"LOG_JSON" envDefault:"false"`
	Debug           bool          `env:"DEBUG" envDefault:"false"`
	ReadTimeout     time.Duration `env:"READ_TIMEOUT" envDefault:"15s"`
	WriteTimeout    time.Duration `env:"WRITE_TIMEOUT" envDefault:"15s"`
	IdleTimeout     time.Duration `env:"IDLE_TIMEOUT" envDefault:"120s"`
	ShutdownTimeout time.Duration `env:"SHUTDOWN_TIMEOUT" envDefault:"15s"`
	MaxBodyBytes    int64         `env:"MAX_BODY_BYTES" envDefault:"4194304"`
	Workers         int           `env:"WORKERS" envDefault:"4"`
	QueueSize       int           `env:"QUEUE_SIZE" envDefault:"1000"`
	RateLimit       float64       `env:"RATE_LIMIT" envDefault:"100"`
	Features        []string      `env:"FEATURES" envSeparator:","`
	CORSEnabled     bool          `env:"CORS_ENABLED" envDefault:"false"`
	RedisAddr       string        `env:"REDIS_ADDR" envDefault:"localhost:6379"`
	CacheEnabled    bool          `env:"CACHE_ENABLED" envDefault:"true"`
	OTelEndpoint    string        `env:"OTEL_ENDPOINT"`
	SecretKey       string        `env:"SECRET_KEY,required,notEmpty"`
	DB              CaarlosDB     `envPrefix:"DB_"`
}

// CaarlosDB is the nested database group for caarlos0/env.
type CaarlosDB struct {
	Host     string `env:"HOST" envDefault:"localhost"`
	Port     int    `env:"PORT" envDefault:"5432"`
	Name     string `env:"NAME" envDefault:"app"`
	User     string `env:"USER" envDefault:"app"`
	MaxConns int    `env:"MAX_CONNS" envDefault:"10"`
}

// LoadCaarlos loads CaarlosConfig with env.ParseAs.
func LoadCaarlos() (CaarlosConfig, error) {
	return caarlos0.ParseAs[CaarlosConfig]()
}

// ---- github.com/sethvargo/go-envconfig ----

// SethvargoConfig is the struct for sethvargo/go-envconfig.
type SethvargoConfig struct {
	ServiceName     string        `env:"SERVICE_NAME, required"`
	DeployEnv       string        `env:"DEPLOY_ENV, default=development"`
	HTTPHost        string        `env:"HTTP_HOST, default=0.0.0.0"`
	Port            int           `env:"PORT, default=3000"`
	MetricsPort     int           `env:"METRICS_PORT, default=9090"`
	LogLevel        string        `env:"LOG_LEVEL, default=warn"`
	LogJSON         bool          `env:"LOG_JSON, default=false"`
	Debug           bool          `env:"DEBUG, default=false"`
	ReadTimeout     time.Duration `env:"READ_TIMEOUT, default=15s"`
	WriteTimeout    time.Duration `env:"WRITE_TIMEOUT, default=15s"`
	IdleTimeout     time.Duration `env:"IDLE_TIMEOUT, default=120s"`
	ShutdownTimeout time.Duration `env:"SHUTDOWN_TIMEOUT, default=15s"`
	MaxBodyBytes    int64         `env:"MAX_BODY_BYTES, default=4194304"`
	Workers         int           `env:"WORKERS, default=4"`
	QueueSize       int           `env:"QUEUE_SIZE, default=1000"`
	RateLimit       float64       `env:"RATE_LIMIT, default=100"`
	Features        []string      `env:"FEATURES"`
	CORSEnabled     bool          `env:"CORS_ENABLED, default=false"`
	RedisAddr       string        `env:"REDIS_ADDR, default=localhost:6379"`
	CacheEnabled    bool          `env:"CACHE_ENABLED, default=true"`
	OTelEndpoint    string        `env:"OTEL_ENDPOINT"`
	SecretKey       string        `env:"SECRET_KEY, required"`
	DB              SethvargoDB   `env:", prefix=DB_"`
}

// SethvargoDB is the nested database group for sethvargo/go-envconfig.
type SethvargoDB struct {
	Host     string `env:"HOST, default=localhost"`
	Port     int    `env:"PORT, default=5432"`
	Name     string `env:"NAME, default=app"`
	User     string `env:"USER, default=app"`
	MaxConns int    `env:"MAX_CONNS, default=10"`
}

// LoadSethvargo loads SethvargoConfig with envconfig.Process.
func LoadSethvargo(ctx context.Context) (SethvargoConfig, error) {
	var c SethvargoConfig
	err := sethvargo.Process(ctx, &c)
	return c, err
}

// ---- github.com/kelseyhightower/envconfig ----

// KelseyConfig is the struct for kelseyhightower/envconfig.
type KelseyConfig struct {
	ServiceName     string        `envconfig:"SERVICE_NAME" required:"true"`
	DeployEnv       string        `envconfig:"DEPLOY_ENV" default:"development"`
	HTTPHost        string        `envconfig:"HTTP_HOST" default:"0.0.0.0"`
	Port            int           `envconfig:"PORT" default:"3000"`
	MetricsPort     int           `envconfig:"METRICS_PORT" default:"9090"`
	LogLevel        string        `envconfig:"LOG_LEVEL" default:"warn"`
	LogJSON         bool          `envconfig:"LOG_JSON" default:"false"`
	Debug           bool          `envconfig:"DEBUG" default:"false"`
	ReadTimeout     time.Duration `envconfig:"READ_TIMEOUT" default:"15s"`
	WriteTimeout    time.Duration `envconfig:"WRITE_TIMEOUT" default:"15s"`
	IdleTimeout     time.Duration `envconfig:"IDLE_TIMEOUT" default:"120s"`
	ShutdownTimeout time.Duration `envconfig:"SHUTDOWN_TIMEOUT" default:"15s"`
	MaxBodyBytes    int64         `envconfig:"MAX_BODY_BYTES" default:"4194304"`
	Workers         int           `envconfig:"WORKERS" default:"4"`
	QueueSize       int           `envconfig:"QUEUE_SIZE" default:"1000"`
	RateLimit       float64       `envconfig:"RATE_LIMIT" default:"100"`
	Features        []string      `envconfig:"FEATURES"`
	CORSEnabled     bool          `envconfig:"CORS_ENABLED" default:"false"`
	RedisAddr       string        `envconfig:"REDIS_ADDR" default:"localhost:6379"`
	CacheEnabled    bool          `envconfig:"CACHE_ENABLED" default:"true"`
	OTelEndpoint    string        `envconfig:"OTEL_ENDPOINT"`
	SecretKey       string        `envconfig:"SECRET_KEY" required:"true"`
	DB              KelseyDB      `envconfig:"DB"`
}

// KelseyDB is the nested database group for kelseyhightower/envconfig.
// Its fields have no envconfig tags on purpose: a field tagged
// envconfig:"PORT" inside the DB group falls back to the top-level PORT
// when DB_PORT is unset (the tag is also an alternative name), so DB.Port
// would come out as 8080, not 5432. Untagged fields take the key
// DB_<FIELD>, and split_words makes MaxConns DB_MAX_CONNS.
type KelseyDB struct {
	Host     string `default:"localhost"`
	Port     int    `default:"5432"`
	Name     string `default:"app"`
	User     string `default:"app"`
	MaxConns int    `split_words:"true" default:"10"`
}

// LoadKelsey loads KelseyConfig with envconfig.Process and no prefix.
func LoadKelsey() (KelseyConfig, error) {
	var c KelseyConfig
	err := kelsey.Process("", &c)
	return c, err
}

// ---- github.com/ilyakaznacheev/cleanenv ----

// CleanenvConfig is the struct for cleanenv.
type CleanenvConfig struct {
	ServiceName     string        `env:"SERVICE_NAME" env-required:"true"`
	DeployEnv       string        `env:"DEPLOY_ENV" env-default:"development"`
	HTTPHost        string        `env:"HTTP_HOST" env-default:"0.0.0.0"`
	Port            int           `env:"PORT" env-default:"3000"`
	MetricsPort     int           `env:"METRICS_PORT" env-default:"9090"`
	LogLevel        string        `env:"LOG_LEVEL" env-default:"warn"`
	LogJSON         bool          `env:"LOG_JSON" env-default:"false"`
	Debug           bool          `env:"DEBUG" env-default:"false"`
	ReadTimeout     time.Duration `env:"READ_TIMEOUT" env-default:"15s"`
	WriteTimeout    time.Duration `env:"WRITE_TIMEOUT" env-default:"15s"`
	IdleTimeout     time.Duration `env:"IDLE_TIMEOUT" env-default:"120s"`
	ShutdownTimeout time.Duration `env:"SHUTDOWN_TIMEOUT" env-default:"15s"`
	MaxBodyBytes    int64         `env:"MAX_BODY_BYTES" env-default:"4194304"`
	Workers         int           `env:"WORKERS" env-default:"4"`
	QueueSize       int           `env:"QUEUE_SIZE" env-default:"1000"`
	RateLimit       float64       `env:"RATE_LIMIT" env-default:"100"`
	Features        []string      `env:"FEATURES" env-separator:","`
	CORSEnabled     bool          `env:"CORS_ENABLED" env-default:"false"`
	RedisAddr       string        `env:"REDIS_ADDR" env-default:"localhost:6379"`
	CacheEnabled    bool          `env:"CACHE_ENABLED" env-default:"true"`
	OTelEndpoint    string        `env:"OTEL_ENDPOINT"`
	SecretKey       string        `env:"SECRET_KEY" env-required:"true"`
	DB              CleanenvDB    `env-prefix:"DB_"`
}

// CleanenvDB is the nested database group for cleanenv.
type CleanenvDB struct {
	Host     string `env:"HOST" env-default:"localhost"`
	Port     int    `env:"PORT" env-default:"5432"`
	Name     string `env:"NAME" env-default:"app"`
	User     string `env:"USER" env-default:"app"`
	MaxConns int    `env:"MAX_CONNS" env-default:"10"`
}

// LoadCleanenv loads CleanenvConfig with cleanenv.ReadEnv.
func LoadCleanenv() (CleanenvConfig, error) {
	var c CleanenvConfig
	err := cleanenv.ReadEnv(&c)
	return c, err
}

// ---- github.com/knadh/koanf/v2 ----

// KoanfConfig is the struct for koanf, unmarshalled with koanf tags.
type KoanfConfig struct {
	ServiceName     string        `koanf:"service_name"`
	DeployEnv       string        `koanf:"deploy_env"`
	HTTPHost        string        `koanf:"http_host"`
	Port            int           `koanf:"port"`
	MetricsPort     int           `koanf:"metrics_port"`
	LogLevel        string        `koanf:"log_level"`
	LogJSON         bool          `koanf:"log_json"`
	Debug           bool          `koanf:"debug"`
	ReadTimeout     time.Duration `koanf:"read_timeout"`
	WriteTimeout    time.Duration `koanf:"write_timeout"`
	IdleTimeout     time.Duration `koanf:"idle_timeout"`
	ShutdownTimeout time.Duration `koanf:"shutdown_timeout"`
	MaxBodyBytes    int64         `koanf:"max_body_bytes"`
	Workers         int           `koanf:"workers"`
	QueueSize       int           `koanf:"queue_size"`
	RateLimit       float64       `koanf:"rate_limit"`
	Features        []string      `koanf:"features"`
	CORSEnabled     bool          `koanf:"cors_enabled"`
	RedisAddr       string        `koanf:"redis_addr"`
	CacheEnabled    bool          `koanf:"cache_enabled"`
	OTelEndpoint    string        `koanf:"otel_endpoint"`
	SecretKey       string        `koanf:"secret_key"`
	DB              KoanfDB       `koanf:"db"`
}

// KoanfDB is the nested database group for koanf.
type KoanfDB struct {
	Host     string `koanf:"host"`
	Port     int    `koanf:"port"`
	Name     string `koanf:"name"`
	User     string `koanf:"user"`
	MaxConns int    `koanf:"max_conns"`
}

// koanfDefaults are loaded first, with the confmap provider.
var koanfDefaults = map[string]any{
	"deploy_env":       "development",
	"http_host":        "0.0.0.0",
	"port":             3000,
	"metrics_port":     9090,
	"log_level":        "warn",
	"log_json":         false,
	"debug":            false,
	"read_timeout":     "15s",
	"write_timeout":    "15s",
	"idle_timeout":     "120s",
	"shutdown_timeout": "15s",
	"max_body_bytes":   4194304,
	"workers":          4,
	"queue_size":       1000,
	"rate_limit":       100.0,
	"cors_enabled":     false,
	"redis_addr":       "localhost:6379",
	"cache_enabled":    true,
	"db.host":          "localhost",
	"db.port":          5432,
	"db.name":          "app",
	"db.user":          "app",
	"db.max_conns":     10,
}

// koanfEnvKey maps DB_HOST to db.host and PORT to port, and splits the
// comma-separated FEATURES (koanf's default decoding does not split
// strings into slices).
func koanfEnvKey(k, v string) (string, any) {
	key := strings.ToLower(k)
	if strings.HasPrefix(key, "db_") {
		key = "db." + key[len("db_"):]
	}
	if key == "features" {
		return key, strings.Split(v, ",")
	}
	return key, v
}

// LoadKoanf loads KoanfConfig: defaults from a confmap, then the whole
// environment with the env provider, then Unmarshal. koanf has no notion
// of a required key, so the two required values are checked by hand.
func LoadKoanf() (KoanfConfig, error) {
	k := koanf.New(".")
	if err := k.Load(confmap.Provider(koanfDefaults, "."), nil); err != nil {
		return KoanfConfig{}, err
	}
	if err := k.Load(koanfenv.Provider(".", koanfenv.Opt{TransformFunc: koanfEnvKey}), nil); err != nil {
		return KoanfConfig{}, err
	}
	var c KoanfConfig
	if err := k.Unmarshal("", &c); err != nil {
		return KoanfConfig{}, err
	}
	return c, checkRequired(c.ServiceName, c.SecretKey)
}

// ---- github.com/spf13/viper ----

// ViperConfig is the struct for viper, unmarshalled with mapstructure tags.
type ViperConfig struct {
	ServiceName     string        `mapstructure:"service_name"`
	DeployEnv       string        `mapstructure:"deploy_env"`
	HTTPHost        string        `mapstructure:"http_host"`
	Port            int           `mapstructure:"port"`
	MetricsPort     int           `mapstructure:"metrics_port"`
	LogLevel        string        `mapstructure:"log_level"`
	LogJSON         bool          `mapstructure:"log_json"`
	Debug           bool          `mapstructure:"debug"`
	ReadTimeout     time.Duration `mapstructure:"read_timeout"`
	WriteTimeout    time.Duration `mapstructure:"write_timeout"`
	IdleTimeout     time.Duration `mapstructure:"idle_timeout"`
	ShutdownTimeout time.Duration `mapstructure:"shutdown_timeout"`
	MaxBodyBytes    int64         `mapstructure:"max_body_bytes"`
	Workers         int           `mapstructure:"workers"`
	QueueSize       int           `mapstructure:"queue_size"`
	RateLimit       float64       `mapstructure:"rate_limit"`
	Features        []string      `mapstructure:"features"`
	CORSEnabled     bool          `mapstructure:"cors_enabled"`
	RedisAddr       string        `mapstructure:"redis_addr"`
	CacheEnabled    bool          `mapstructure:"cache_enabled"`
	OTelEndpoint    string        `mapstructure:"otel_endpoint"`
	SecretKey       string        `mapstructure:"secret_key"`
	DB              ViperDB       `mapstructure:"db"`
}

// ViperDB is the nested database group for viper.
type ViperDB struct {
	Host     string `mapstructure:"host"`
	Port     int    `mapstructure:"port"`
	Name     string `mapstructure:"name"`
	User     string `mapstructure:"user"`
	MaxConns int    `mapstructure:"max_conns"`
}

// viperKeys are every key of ViperConfig; viperDefaults the defaults of
// the optional ones (the same as koanf's).
var (
	viperKeys = []string{
		"service_name", "deploy_env", "http_host", "port", "metrics_port",
		"log_level", "log_json", "debug", "read_timeout", "write_timeout",
		"idle_timeout", "shutdown_timeout", "max_body_bytes", "workers",
		"queue_size", "rate_limit", "features", "cors_enabled", "redis_addr",
		"cache_enabled", "otel_endpoint", "secret_key",
		"db.host", "db.port", "db.name", "db.user", "db.max_conns",
	}
	viperDefaults = koanfDefaults
)

// LoadViper loads ViperConfig: a new Viper, AutomaticEnv with "." mapped
// to "_" (db.host reads DB_HOST), SetDefault for the optional keys,
// BindEnv for every key (so that Unmarshal sees keys without a default
// too) and Unmarshal. The two required values are checked by hand.
func LoadViper() (ViperConfig, error) {
	v := viper.New()
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	for k, d := range viperDefaults {
		v.SetDefault(k, d)
	}
	for _, k := range viperKeys {
		if err := v.BindEnv(k); err != nil {
			return ViperConfig{}, err
		}
	}
	var c ViperConfig
	if err := v.Unmarshal(&c); err != nil {
		return ViperConfig{}, err
	}
	return c, checkRequired(c.ServiceName, c.SecretKey)
}

// checkRequired is the hand-written required check of the koanf and viper
// loaders, which have none of their own.
func checkRequired(serviceName, secretKey string) error {
	var errs []error
	if strings.TrimSpace(serviceName) == "" {
		errs = append(errs, errors.New("SERVICE_NAME: required, not set"))
	}
	if strings.TrimSpace(secretKey) == "" {
		errs = append(errs, errors.New("SECRET_KEY: required, not set"))
	}
	return errors.Join(errs...)
}
