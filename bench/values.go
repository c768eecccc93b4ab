// Package bench compares loading one configuration struct from the process
// environment with prodready, a hand-written loader and other libraries.
//
// It is a module of its own so that the library's go.mod never requires the
// libraries it is compared with. Run ./run.sh for the benchmark and its
// ratio table; docs/BENCHMARKS.md records a run.
package bench

import "time"

// Values is the configuration every loader must produce, in plain types, so
// that the loaders' results can be compared field by field. Each loader has
// its own struct with its own tags and converts it to Values.
type Values struct {
	ServiceName     string
	DeployEnv       string
	HTTPHost        string
	Port            int
	MetricsPort     int
	LogLevel        string
	LogJSON         bool
	Debug           bool
	ReadTimeout     time.Duration
	WriteTimeout    time.Duration
	IdleTimeout     time.Duration
	ShutdownTimeout time.Duration
	MaxBodyBytes    int64
	Workers         int
	QueueSize       int
	RateLimit       float64
	Features        []string
	CORSEnabled     bool
	RedisAddr       string
	CacheEnabled    bool
	OTelEndpoint    string
	SecretKey       string
	DB              DBValues
}

// DBValues is the nested group of database settings, read from DB_*.
type DBValues struct {
	Host     string
	Port     int
	Name     string
	User     string
	MaxConns int
}

// SecretKey is the value of SECRET_KEY in the benchmarks: 48 random
// characters.
const SecretKey = "q7Vx2LmN9pR4tZ8wK3bH6jF1sD5gA0cY-uE_oI2nM8vB4xQz"

// SetVars are the 20 variables the benchmarks set. The other 7 variables
// of the struct (HTTP_HOST, METRICS_PORT, DEBUG, IDLE_TIMEOUT, QUEUE_SIZE,
// CACHE_ENABLED and DB_PORT) are left unset and take their defaults.
var SetVars = map[string]string{
	"SERVICE_NAME":     "orders-api",
	"DEPLOY_ENV":       "staging",
	"PORT":             "8080",
	"LOG_LEVEL":        "info",
	"LOG_JSON":         "true",
	"READ_TIMEOUT":     "5s",
	"WRITE_TIMEOUT":    "10s",
	"SHUTDOWN_TIMEOUT": "30s",
	"MAX_BODY_BYTES":   "1048576",
	"WORKERS":          "8",
	"RATE_LIMIT":       "250.5",
	"FEATURES":         "search,checkout,recommendations",
	"CORS_ENABLED":     "true",
	"REDIS_ADDR":       "redis.internal:6379",
	"OTEL_ENDPOINT":    "http://otel-collector.observability:4317",
	"SECRET_KEY":       SecretKey,
	"DB_HOST":          "orders-db.internal.example.com",
	"DB_NAME":          "orders",
	"DB_USER":          "orders_svc",
	"DB_MAX_CONNS":     "20",
}

// DefaultedVars are the variables of the struct that the benchmarks leave
// unset, so that every loader applies its default.
var DefaultedVars = []string{
	"HTTP_HOST", "METRICS_PORT", "DEBUG", "IDLE_TIMEOUT", "QUEUE_SIZE", "CACHE_ENABLED", "DB_PORT",
}

// Want is what every loader must produce from SetVars and the defaults.
func Want() Values {
	return Values{
		ServiceName:     "orders-api",
		DeployEnv:       "staging",
		HTTPHost:        "0.0.0.0",
		Port:            8080,
		MetricsPort:     9090,
		LogLevel:        "info",
		LogJSON:         true,
		Debug:           false,
		ReadTimeout:     5 * time.Second,
		WriteTimeout:    10 * time.Second,
		IdleTimeout:     120 * time.Second,
		ShutdownTimeout: 30 * time.Second,
		MaxBodyBytes:    1 << 20,
		Workers:         8,
		QueueSize:       1000,
		RateLimit:       250.5,
		Features:        []string{"search", "checkout", "recommendations"},
		CORSEnabled:     true,
		RedisAddr:       "redis.internal:6379",
		CacheEnabled:    true,
		OTelEndpoint:    "http://otel-collector.observability:4317",
		SecretKey:       SecretKey,
		DB: DBValues{
			Host:     "orders-db.internal.example.com",
			Port:     5432,
			Name:     "orders",
			User:     "orders_svc",
			MaxConns: 20,
		},
	}
}
