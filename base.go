package prodready

import (
	"fmt"
	"log/slog"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prodready/prodready/internal/memlimit"
)

// Base holds the variables every service shares. Embed it in a service's own
// configuration struct to get these fields and the profile rules:
//
//	type Config struct {
//		prodready.Base
//		Workers int `env:"WORKERS" default:"4" doc:"worker goroutines"`
//	}
//
// The defaults below are Base's; each profile overrides some of them (see
// [Development], [Testing], [Production]).
type Base struct {
	// AppEnv is the name of the active profile, whatever selected it.
	AppEnv string `env:"APP_ENV" default:"development" doc:"profile to run under: development, testing, production, or one the service registers"`
	// Debug turns on debugging aids. Production requires it off.
	Debug bool `env:"DEBUG" default:"false" doc:"debugging aids (stack traces, verbose errors); must be false in production"`
	// SecretKey signs session cookies, tokens and pagination cursors.
	SecretKey Secret `env:"SECRET_KEY" required:"production" doc:"key that signs sessions, tokens and cursors; at least 32 random bytes (prodready gen-secret)"`
	// SecretKeyFallbacks are previous keys, still accepted when verifying
	// while a rotation completes; the newest first.
	SecretKeyFallbacks []Secret `env:"SECRET_KEY_FALLBACKS" doc:"previous keys, comma-separated, still accepted for verification during a rotation"`
	// DatabaseURL is the database to connect to.
	DatabaseURL SecretURL `env:"DATABASE_URL" default:"sqlite:app.db" doc:"database URL: sqlite:FILE or postgres://user:password@host:5432/db?sslmode=require"`
	// LogLevel is the lowest level logged.
	LogLevel slog.Level `env:"LOG_LEVEL" default:"info" doc:"lowest log level: debug, info, warn or error"`
	// LogFormat is the log encoding.
	LogFormat LogFormat `env:"LOG_FORMAT" default:"text" doc:"log encoding: text or json"`
	// PageSize is the number of items in a list response when the client
	// asks for no size.
	PageSize int `env:"PAGE_SIZE" default:"50" doc:"items per page when a request names no size"`
	// MaxPageSize is the largest page a client may ask for.
	MaxPageSize int `env:"MAX_PAGE_SIZE" default:"100" doc:"largest page size a request may ask for"`
	// CacheBackend selects the cache implementation.
	CacheBackend CacheBackend `env:"CACHE_BACKEND" default:"memory" doc:"cache backend: memory (in-process), redis or memcached"`
	// CacheURL locates the cache server of the redis and memcached backends.
	CacheURL SecretURL `env:"CACHE_URL" doc:"cache server URL: redis://[:password@]host:6379/0 (rediss:// for TLS, ?addr=host:port for more cluster seeds, ?master_set=NAME for Sentinels) or memcached://host:11211"`
	// CacheTTL is how long a cached entry lives.
	CacheTTL time.Duration `env:"CACHE_TTL" default:"5m" doc:"how long a cached entry lives"`
	// CacheMaxSize bounds the number of cached entries per process.
	CacheMaxSize int `env:"CACHE_MAX_SIZE" default:"1024" doc:"most entries the in-process cache holds; a default gives way to CACHE_MAX_MEMORY, a value set beside it bounds the cache too"`
	// CacheMaxMemory bounds the memory of the in-process cache.
	CacheMaxMemory MemorySize `env:"CACHE_MAX_MEMORY" default:"0" doc:"memory bound of the in-process cache: bytes (256MiB) or a share of the container limit (10%); 0 for none"`
	// CacheAutosize lets the in-process cache size itself within its
	// memory budget; see docs/CACHE.md, "Sizing".
	CacheAutosize bool `env:"CACHE_AUTOSIZE" default:"false" doc:"let the in-process cache grow and shrink its memory bound by its hit-ratio estimates, within CACHE_MAX_MEMORY (else 25% of the container limit); CACHE_MAX_SIZE then does not apply"`
	// CacheAutosizeMargin is how much hit ratio autosize gives up for a
	// smaller cache, in points.
	CacheAutosizeMargin float64 `env:"CACHE_AUTOSIZE_MARGIN" default:"0.5" doc:"points of hit ratio CACHE_AUTOSIZE gives up for a smaller cache: it picks the smallest size within this of the best estimate (0 to 50)"`
	// CacheEstimates runs the in-process cache's estimates of other sizes
	// without autosize; see docs/CACHE.md, "Reading the estimates".
	CacheEstimates bool `env:"CACHE_ESTIMATES" default:"false" doc:"estimate, while serving, the in-process cache's hit ratio at 1/4x to 8x its bound (Stats.Sizing, /debug/cache, the PR-I049 finding), for about 2.5 MB per cache; CACHE_AUTOSIZE turns it on"`
	// CacheNamespace prefixes every key the service stores in a shared cache.
	CacheNamespace string `env:"CACHE_NAMESPACE" doc:"prefix of every cache key, so services sharing a cache server do not collide"`
	// CacheTLSCA, CacheTLSCert and CacheTLSKey are the TLS material of a
	// rediss:// CACHE_URL (see cachetls.go).
	CacheTLSCA   string `env:"CACHE_TLS_CA" doc:"PEM certificates of the CAs that sign the cache server's certificate (rediss://), instead of the system roots; usually CACHE_TLS_CA_FILE"`
	CacheTLSCert string `env:"CACHE_TLS_CERT" doc:"PEM client certificate (and chain) for a cache server that requires mutual TLS; usually CACHE_TLS_CERT_FILE"`
	CacheTLSKey  Secret `env:"CACHE_TLS_KEY" doc:"PEM private key of CACHE_TLS_CERT; usually CACHE_TLS_KEY_FILE"`

	// cacheMaxSizeDefault says that no source above the defaults set
	// CACHE_MAX_SIZE (the loader sets it): CacheConfig then lets a
	// CACHE_MAX_MEMORY bound the cache alone.
	cacheMaxSizeDefault bool
}

// Settings is what the packages that take their settings from the
// configuration accept (signing.FromConfig, paginate.LimitsFrom,
// paginate.NewCursors, session.New, jwtauth.New, cache.New): a service's
// own configuration struct, which gets the method by embedding [Base], as
// a value or a pointer, or a Base itself.
//
//	type Config struct {
//		prodready.Base
//		Workers int `env:"WORKERS" default:"4"`
//	}
//	var cfg Config // loaded by prodready.Load
//	s, err := signing.FromConfig(cfg, "reset", nil)
//
// The method returns a copy: a package given the configuration cannot
// change it.
type Settings interface {
	// BaseConfig returns a copy of the embedded Base.
	BaseConfig() Base
}

var _ Settings = Base{}

// BaseConfig returns a copy of b, which no change reaches back to b: the
// SecretKeyFallbacks slice is copied too (a Secret is immutable). It
// makes b, and every struct that embeds it, a [Settings].
func (b Base) BaseConfig() Base {
	b.SecretKeyFallbacks = slices.Clone(b.SecretKeyFallbacks)
	return b
}

// base lets Load find the Base embedded in any configuration struct.
func (b *Base) base() *Base { return b }

// hasBase is satisfied by any struct that embeds Base, through the
// promoted base method: Load finds Base this way, whatever the struct.
type hasBase interface{ base() *Base }

var hasBaseType = reflect.TypeFor[hasBase]()

// baseRange is the range Base's variable name (without the prefix) takes,
// which its check enforces once it has decoded (PR-E021, PR-E022,
// PR-E032, PR-E048), for the hint of a value that does not decode: the decoder
// knows only the Go type's range, and a new user who fixed MAX_PAGE_SIZE
// to the int's largest value met PR-E022 next. "" for any other variable,
// or a struct without Base.
func (l *loader) baseRange(name string) string {
	if !reflect.PointerTo(l.plan.Type).Implements(hasBaseType) {
		return ""
	}
	switch name {
	case "PAGE_SIZE":
		return "a whole number from 1 to the value of " + l.o.Prefix + "MAX_PAGE_SIZE"
	case "MAX_PAGE_SIZE":
		return "a whole number from 1 to " + strconv.Itoa(maxPageSizeLimit)
	case "CACHE_MAX_SIZE":
		return "a whole number of 1 or more"
	case "CACHE_AUTOSIZE_MARGIN":
		return "a number of points from 0 to " + strconv.Itoa(maxAutosizeMargin)
	}
	return ""
}

// CacheConfig returns the cache settings as a plain value: what cache.New
// reads from the configuration it is given.
func (b Base) CacheConfig() CacheConfig {
	return CacheConfig{
		Backend:   b.CacheBackend,
		URL:       b.CacheURL,
		TTL:       b.CacheTTL,
		MaxSize:   b.cacheMaxSize(),
		MaxMemory: b.CacheMaxMemory.Bytes,
		Namespace: b.CacheNamespace,
		// CACHE_AUTOSIZE: see autosize_check.go.
		Autosize:       b.CacheAutosize,
		AutosizeMargin: b.CacheAutosizeMargin,
		Estimates:      b.CacheEstimates,
		// The redis and memcached backends authenticate their entries
		// with a key derived from these (see package cache).
		SecretKey:          b.SecretKey,
		SecretKeyFallbacks: slices.Clone(b.SecretKeyFallbacks),
		TLS:                CacheTLS{CA: b.CacheTLSCA, Cert: b.CacheTLSCert, Key: b.CacheTLSKey},
	}
}

// cacheMaxSize is the count CacheConfig bounds the cache by: none (0)
// when a CACHE_MAX_MEMORY is set and CACHE_MAX_SIZE is only a default (the
// production profile's 4,096 entries would otherwise bound a cache of
// 64 MiB as well), CacheMaxSize otherwise, both bounds then holding.
func (b Base) cacheMaxSize() int {
	if b.CacheMaxMemory.Bytes > 0 && b.cacheMaxSizeDefault {
		return 0
	}
	return b.CacheMaxSize
}

// CacheConfig is everything a cache needs to be built.
type CacheConfig struct {
	Backend   CacheBackend // memory, redis or memcached
	URL       SecretURL    // the server of the redis and memcached backends
	TTL       time.Duration
	MaxSize   int    // most entries held in process
	MaxMemory int64  // most bytes held in process; 0 for no bound
	Namespace string // prefix of every key
	// SecretKey authenticates the entries of the redis and memcached
	// backends (a MAC under a key derived for the purpose), which
	// refuse to open without it; SecretKeyFallbacks are still accepted
	// when reading. The memory backend ignores both.
	SecretKey          Secret
	SecretKeyFallbacks []Secret
	// TLS is the TLS material of a rediss:// URL: the CAs to trust and a
	// client certificate. Its zero value means the system roots and no
	// client certificate.
	TLS CacheTLS
	// Autosize lets the memory backend move its bound within its budget
	// (MaxMemory, else a share of the container limit), toward the
	// smallest size whose estimated hit ratio is within AutosizeMargin
	// points of the best; MaxSize then does not apply. The other
	// backends refuse it.
	Autosize       bool
	AutosizeMargin float64 // in points of hit ratio: 0.5 is half a point
	// Estimates makes the memory backend estimate its hit ratio at ¼× to
	// 8× its bound (Stats.Sizing) without moving it; Autosize implies it.
	// Without either, only the 1× estimate runs (adaptation's own). The
	// other backends ignore it.
	Estimates bool
}

// LogFormat is the encoding of log records: text or json.
type LogFormat string

// Log formats.
const (
	LogText LogFormat = "text"
	LogJSON LogFormat = "json"
)

// UnmarshalText accepts "text" or "json", in any case.
func (f *LogFormat) UnmarshalText(b []byte) error {
	switch v := LogFormat(strings.ToLower(strings.TrimSpace(string(b)))); v {
	case LogText, LogJSON:
		*f = v
		return nil
	}
	return fmt.Errorf("want text or json")
}

// NewHandler returns a slog handler writing records in format f at level and
// above; Base's LogFormat and LogLevel are meant for it.
func (f LogFormat) NewHandler(w interface{ Write([]byte) (int, error) }, level slog.Leveler) slog.Handler {
	opts := &slog.HandlerOptions{Level: level}
	if f == LogJSON {
		return slog.NewJSONHandler(w, opts)
	}
	return slog.NewTextHandler(w, opts)
}

// CacheBackend names a cache implementation.
type CacheBackend string

// Cache backends.
const (
	CacheMemory    CacheBackend = "memory"
	CacheRedis     CacheBackend = "redis"
	CacheMemcached CacheBackend = "memcached"
)

// UnmarshalText accepts memory, redis or memcached, in any case.
func (c *CacheBackend) UnmarshalText(b []byte) error {
	switch v := CacheBackend(strings.ToLower(strings.TrimSpace(string(b)))); v {
	case CacheMemory, CacheRedis, CacheMemcached:
		*c = v
		return nil
	}
	return fmt.Errorf("want memory, redis or memcached")
}

// A MemorySize is an amount of memory given either in bytes ("256MiB",
// "1GB", "1048576") or as a share of the memory limit of the container the
// process runs in ("10%"). KiB, MiB, GiB and TiB and the bare K, M, G and T
// are powers of 1024; KB, MB, GB and TB are powers of 1000.
//
// [Load] resolves a percentage into Bytes with the limit from cgroup v2,
// then cgroup v1, then /proc/meminfo (see [Options.MemoryLimit]).
type MemorySize struct {
	Bytes   int64   // the size in bytes; 0 means no limit
	Percent float64 // the share of the memory limit it was given as, or 0
}

// UnmarshalText parses a size; see [MemorySize].
func (m *MemorySize) UnmarshalText(b []byte) error {
	spec, err := memlimit.ParseSpec(string(b))
	if err != nil {
		return err
	}
	*m = MemorySize{Bytes: spec.Bytes, Percent: spec.Percent}
	return nil
}

// String returns the size as it was given, followed by the resolved byte
// count for a percentage.
func (m MemorySize) String() string {
	if m.Percent > 0 {
		s := memlimit.Spec{Percent: m.Percent}.String()
		if m.Bytes > 0 {
			s += " (" + memlimit.Spec{Bytes: m.Bytes}.String() + ")"
		}
		return s
	}
	return memlimit.Spec{Bytes: m.Bytes}.String()
}

// MarshalText returns the size in the form UnmarshalText reads: the
// percentage when one was given, the byte count otherwise.
func (m MemorySize) MarshalText() ([]byte, error) {
	if m.Percent > 0 {
		return []byte(memlimit.Spec{Percent: m.Percent}.String()), nil
	}
	return []byte(memlimit.Spec{Bytes: m.Bytes}.String()), nil
}

// finishBase applies the profile rules to an embedded Base: it records the
// profile in AppEnv and gives a development profile a random key.
func (l *loader) finishBase(nv reflect.Value) {
	hb, ok := nv.Addr().Interface().(hasBase)
	if !ok {
		return
	}
	b := hb.base()
	b.AppEnv = l.prof.Name()
	if i, ok := l.plan.Lookup("CACHE_MAX_SIZE"); ok {
		b.cacheMaxSizeDefault = !l.fields[i].set
	}
	if i, ok := l.plan.Lookup("APP_ENV"); ok {
		l.fields[i].origin = l.profOrigin
		l.fields[i].raw = b.AppEnv
	}
	if b.SecretKey.IsSet() || !l.prof.p.devKey {
		return
	}
	if i, ok := l.plan.Lookup("SECRET_KEY"); ok && l.fields[i].origin.Source > SourceProfile {
		return // set but empty, or invalid: already reported
	}
	k, err := devKey(l.o.Rand)
	full := l.o.Prefix + "SECRET_KEY"
	if err != nil {
		l.errorf(Finding{ID: idInvalid, Key: full, Field: "Base.SecretKey"},
			ErrInvalid, err, "could not generate a development key: %s", err)
		return
	}
	b.SecretKey = k
	if i, ok := l.plan.Lookup("SECRET_KEY"); ok {
		l.fields[i].origin = Origin{Source: SourceGenerated, Name: "random, this process only"}
	}
	l.add(Finding{ID: idDevKey, Severity: SeverityWarning, Key: full, Field: "Base.SecretKey",
		Origin:  Origin{Source: SourceGenerated, Name: "random, this process only"},
		Message: "not set: using a random key for this process; sessions and tokens will not survive a restart or work across instances",
		Hint:    "set " + full + " (prodready gen-secret makes one)"})
}

// resolveMemory turns MemorySize percentages into bytes. The memory limit
// is read once per load, and only when a percentage needs it.
func (l *loader) resolveMemory(nv reflect.Value) {
	var (
		limit    int64
		limitErr error
		read     bool
	)
	for i := range l.plan.Fields {
		f := &l.plan.Fields[i]
		if f.Type != memSizeType {
			continue
		}
		m := nv.FieldByIndex(f.Index).Addr().Interface().(*MemorySize)
		if m.Percent == 0 {
			continue
		}
		if !read {
			limit, limitErr = l.memoryLimit()
			read = true
		}
		err := limitErr
		if err == nil {
			m.Bytes, err = memlimit.Spec{Percent: m.Percent}.Resolve(limit)
		}
		if err != nil {
			l.errorf(Finding{ID: idInvalid, Key: l.o.Prefix + f.Name, Field: f.Path, Origin: l.fields[i].origin, Hint: "give an absolute size such as 256MiB"},
				ErrInvalid, err, "cannot resolve %s of the memory limit: %s", memlimit.Spec{Percent: m.Percent}, err)
		}
	}
}

// memoryLimit is the limit a MemorySize percentage is taken of:
// Options.MemoryLimit when set (tests, or a limit known otherwise), else the
// cgroup's limit or /proc/meminfo's MemTotal (see memlimit.Limit).
func (l *loader) memoryLimit() (int64, error) {
	if l.o.MemoryLimit != nil {
		return l.o.MemoryLimit()
	}
	n, _, err := memlimit.Limit(os.DirFS("/"))
	return n, err
}
