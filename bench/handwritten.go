package bench

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// LoadHandwritten is what a careful engineer writes without a library:
// os.LookupEnv and strconv, a default for each optional variable, every
// problem collected into one error, and the required variables checked.
func LoadHandwritten() (Values, error) {
	var (
		c    Values
		errs []error
	)
	str := func(name, def string) string {
		if v, ok := os.LookupEnv(name); ok && v != "" {
			return v
		}
		return def
	}
	required := func(name string) string {
		v, ok := os.LookupEnv(name)
		if !ok || strings.TrimSpace(v) == "" {
			errs = append(errs, fmt.Errorf("%s: required, not set", name))
		}
		return v
	}
	integer := func(name string, def int) int {
		v := str(name, "")
		if v == "" {
			return def
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
		return n
	}
	boolean := func(name string, def bool) bool {
		v := str(name, "")
		if v == "" {
			return def
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
		return b
	}
	duration := func(name string, def time.Duration) time.Duration {
		v := str(name, "")
		if v == "" {
			return def
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
		return d
	}

	c.ServiceName = required("SERVICE_NAME")
	c.DeployEnv = str("DEPLOY_ENV", "development")
	c.HTTPHost = str("HTTP_HOST", "0.0.0.0")
	c.Port = integer("PORT", 3000)
	c.MetricsPort = integer("METRICS_PORT", 9090)
	c.LogLevel = str("LOG_LEVEL", "warn")
	c.LogJSON = boolean("LOG_JSON", false)
	c.Debug = boolean("DEBUG", false)
	c.ReadTimeout = duration("READ_TIMEOUT", 15*time.Second)
	c.WriteTimeout = duration("WRITE_TIMEOUT", 15*time.Second)
	c.IdleTimeout = duration("IDLE_TIMEOUT", 120*time.Second)
	c.ShutdownTimeout = duration("SHUTDOWN_TIMEOUT", 15*time.Second)
	if v := str("MAX_BODY_BYTES", ""); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			errs = append(errs, fmt.Errorf("MAX_BODY_BYTES: %w", err))
		}
		c.MaxBodyBytes = n
	} else {
		c.MaxBodyBytes = 4 << 20
	}
	c.Workers = integer("WORKERS", 4)
	c.QueueSize = integer("QUEUE_SIZE", 1000)
	if v := str("RATE_LIMIT", ""); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			errs = append(errs, fmt.Errorf("RATE_LIMIT: %w", err))
		}
		c.RateLimit = f
	} else {
		c.RateLimit = 100
	}
	if v := str("FEATURES", ""); v != "" {
		c.Features = strings.Split(v, ",")
	}
	c.CORSEnabled = boolean("CORS_ENABLED", false)
	c.RedisAddr = str("REDIS_ADDR", "localhost:6379")
	c.CacheEnabled = boolean("CACHE_ENABLED", true)
	c.OTelEndpoint = str("OTEL_ENDPOINT", "")
	c.SecretKey = required("SECRET_KEY")
	c.DB.Host = str("DB_HOST", "localhost")
	c.DB.Port = integer("DB_PORT", 5432)
	c.DB.Name = str("DB_NAME", "app")
	c.DB.User = str("DB_USER", "app")
	c.DB.MaxConns = integer("DB_MAX_CONNS", 10)

	if len(errs) > 0 {
		return Values{}, errors.Join(errs...)
	}
	return c, nil
}
