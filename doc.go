// Package prodready loads a service's configuration into a typed struct,
// once, at start-up: each field is a variable, set by a default, a profile
// (development, testing, production...), a file or the environment. The
// result is immutable, and a production start with a missing or weak secret
// fails with one error that lists every problem.
//
// # Quick start
//
// Declare the service's variables as tagged fields of a struct that embeds
// [Base], the variables every service shares (APP_ENV, SECRET_KEY,
// DATABASE_URL, LOG_LEVEL...), and load it once in main. APP_ENV picks the
// profile:
//
//	type Config struct {
//		prodready.Base
//		StripeKey prodready.Secret `env:"STRIPE_KEY" required:"production"`
//		Workers   int              `env:"WORKERS" default:"4" doc:"worker goroutines"`
//	}
//
//	func main() {
//		var cfg Config
//		if err := prodready.Load(context.Background(), &cfg, nil); err != nil {
//			log.Fatal(err) // prodready: SECRET_KEY: required in production, not set (set SECRET_KEY or SECRET_KEY_FILE)
//		}
//		// use cfg.Workers, cfg.StripeKey.Reveal()...
//	}
//
// The packages that take their settings from the configuration (cache,
// signing, session, jwtauth, paginate) take cfg itself, as a [Settings]:
// any struct that embeds Base is one, passed as a value or a pointer.
//
//	c, err := cache.New[Item](ctx, cfg, nil)
//	s, err := signing.FromConfig(cfg, "reset", nil)
//
// A service that needs only the shared variables can call [NewProduction],
// which loads Base under the [Production] profile:
//
//	cfg, err := prodready.NewProduction(ctx)
//
// # Struct tags
//
// A field is a configuration variable when it has an env tag. The tags are:
//
//	env:"NAME"           the variable; letters, digits and _, not starting with a digit
//	env:"-"              skip the field
//	default:"VALUE"      the value when no source sets one
//	required:"true"      the variable must have a non-blank value
//	required:"a,b"       ... only under profiles a and b and those derived from them
//	doc:"TEXT"           one line for people: the CLI and the reports show it
//	sep:";"              separator of a slice's items or a map's entries (default ",")
//	kvsep:":"            separator of a map entry's key and value (default "=")
//	prefix:"DB_"         on a struct field without env: its fields are DB_HOST, ...
//	key:"true"           on a Secret or []Secret: a key, which hardened profiles judge
//	                     as they judge SECRET_KEY (PR-E013, see [CheckKeyStrength])
//	prefix:"UPSTREAM_"   on a []struct or map[string]struct field: a group (see Groups)
//
// A struct field without an env tag groups variables: embedded or not, its
// fields are walked, under its prefix tag if it has one. Unexported fields
// and fields without an env tag are ignored, except embedded structs.
//
// # Groups
//
// A []T or map[string]T field, T a struct, with a prefix tag is a group of
// elements, each a T whose fields are variables as above. A list's element
// variables are the prefix, the element's index, '_' and the field's name,
// the form caarlos0/env uses for slices:
//
//	Upstreams []Upstream `prefix:"UPSTREAM_"`  // UPSTREAM_0_HOST, UPSTREAM_0_PORT, UPSTREAM_1_HOST...
//	Pools map[string]Upstream `prefix:"POOL_"` // POOL_PRIMARY_HOST, POOL_EU_WEST_HOST...
//
// Indexes are decimal, without leading zeros, and run from 0 without gaps
// (an index that is not a number, or a gap, is an error naming the
// variable). An element variable set to "" counts as unset, as any
// variable does: it makes no element. A map's key is what lies between the prefix and the name of
// one of the element's fields, underscores included: POOL_EU_WEST_HOST is
// key eu_west and field HOST. Keys match without regard to case across
// sources and are stored in lower case; an element's variables must spell
// its key one way. As the field name is matched as a suffix, a map group
// whose element has one field name ending in '_' and another's (HOST and
// PROXY_HOST, or a field FILE beside HOST's HOST_FILE) is refused: its
// keys would be ambiguous.
//
// In a config file a group is a list (or a map) of objects under the
// prefix's name, nested like any other key: "upstream: [{host: a}, {host:
// b, port: 8080}]", "pool: {primary: {host: db1}}". The element variables
// of the overrides, the environment and the .env file then set one element
// field at a time, over the file's value, and may add elements (a list's
// must continue its indexes). A later file's list or map replaces an
// earlier one's whole. Each element field has its default tag, its
// required tag (checked per element), its NAME_FILE form and its secrecy;
// profile defaults do not apply to elements. The report lists every
// element field under its variable's name with its origin, and the
// fingerprint includes them. The misspelling scan knows element variables
// and suggests one for a near miss (UPSTREAM_0_PROT: UPSTREAM_0_PORT).
// A map key is 1 to 64 letters, digits, '_', '-' or '.'. With an
// Environment that cannot list its names (a [LookupFunc]), a list's
// elements are looked up by index up to the first index without variables
// (so a gap there goes unseen), and a map group is an error.
//
// These are refused as programming errors: a group inside a group's
// element; an element that embeds [Base] or holds a [MemorySize]; pointer
// elements ([]*T); a map whose key is not a string; a group prefix that
// does not end in '_', or that overlaps another group's; a field variable
// that reads as an element's (X_0_HOST beside group X_); env, default,
// required, sep or kvsep tags on the group field itself; and a prefix tag
// on a field that is neither a struct nor a group.
//
// These combinations are mistakes, reported by Load as an error that is not
// a [*LoadError] (a programming error, not bad input): required:"true"
// together with default (the default would never be used; use
// required:"production" to require a value in one profile only); a
// required profile name that is neither built in nor among
// [Options.Profiles] (or [Options.Profile] and their ancestors), with a
// suggestion for a misspelling or an abbreviation such as "prod" (names are
// lower case; register a custom profile in every program that loads the
// struct, or the requirement would silently never apply); an env name that is not a valid variable name; two fields with
// the same variable, or one named like another's NAME_FILE form; an empty
// sep or kvsep; a pointer to a struct that would group variables; a
// MemorySize inside a pointer, slice or map; a [Base] that is a named or
// nested field or has a prefix tag (embed it, directly or through embedded
// structs; use [Options.Prefix] to prefix every variable); a key tag other
// than "true" or "false", or key:"true" on a field that is not a Secret or a
// []Secret; and a field whose type cannot be decoded and has no decoder in
// [Options.Decoders].
//
// # Types
//
// string; bool (true/false, 1/0, yes/no, on/off, t/f, y/n, any case); int,
// int8 ... int64 and uint ... uint64, decimal only (0x1F, 0o17, 0b1 and
// 1_000 are refused, saying so; 017 is seventeen), with range checks; float32
// and float64, finite only; [time.Duration] ("30s", "1h30m"; a bare number
// is refused, a negative one accepted: refuse it in a [Check], as CACHE_TTL's
// does); []T and map[K]V of those types; []byte (the text as bytes);
// [net/url.URL] and *url.URL; [log/slog.Level]; [Secret], [SecretURL],
// [MemorySize], [LogFormat], [CacheBackend]; pointers to any of them; any
// type whose pointer implements [encoding.TextUnmarshaler]; and any type
// with a decoder in [Options.Decoders], which takes precedence.
//
// A value that is the empty string — a variable, an override, a .env entry,
// a config file's "", or an empty NAME_FILE file — is treated as unset: the
// next source down, or the default, applies. For a required variable that
// is an error ("set but empty").
//
// # Sources
//
// Each variable takes the value of the highest of these sources that sets
// it, lowest first:
//
//  1. the field's default tag;
//  2. the active profile's defaults, then its parent's (see [Profile]);
//  3. configuration files, YAML or JSON, in the order given by
//     [Options.ConfigFiles] or the CONFIG_FILE variable; later files win;
//  4. the .env file ([Options.DotEnv], ".env" by default), never read under
//     a hardened profile unless [Options.AllowDotEnvInProduction];
//  5. the process environment ([Options.Env]);
//  6. [Options.Overrides].
//
// At the override, environment and .env levels, NAME_FILE names a file
// whose content is the value of NAME: the way Docker and Kubernetes deliver
// secrets. From a UTF-8 text file exactly one final line break, "\n" or
// "\r\n", is removed (the one echo and editors add) and every other byte
// is kept; a file that is not UTF-8 is a binary key and is taken byte for
// byte, final 0x0A or 0x0D included (a text Secret with white space at its
// ends is refused, as below). Setting both NAME and NAME_FILE at
// one level is an error. The file must be a regular file of at most
// [MaxSecretFileSize] bytes, not counting one final line break; one
// readable by group or others is reported (PR-W044). A value read this way
// is treated as a secret in reports and errors, whatever the field's type.
// The path itself is shown in errors and origins only once a file is found
// there: a NAME_FILE value that names nothing may be the secret itself,
// pasted instead of a path, so it shows as "API_TOKEN_FILE (35 bytes, not
// shown)".
//
// In a configuration file a key is a variable's name in any case, with '-'
// allowed for '_', and a nested map adds its key as a prefix, so both
// "cache_ttl: 10m" and "cache: {ttl: 10m}" set CACHE_TTL. Lists and maps
// fill slice and map fields. An unknown key is an error with a "did you
// mean" suggestion. Files are limited in size, nesting and number of
// values (see Limits); duplicate keys are an error.
//
// APP_ENV (or APP_ENV_FILE) selects the profile from [Options.Overrides] or
// the environment only: files are read after the profile is chosen, so one
// that sets APP_ENV to another profile is an error (PR-E009).
//
// # Limits
//
// Every source is untrusted input, so the loader bounds what it reads:
//
//	MaxValueSize       64 KiB   one value from the environment, an override, .env or a
//	                            config file (each list item, map key and map value, and
//	                            a config file's list as a whole, joined by its separator)
//	MaxSecretFileSize  64 KiB   a file named by NAME_FILE (plus one final line break)
//	MaxPathSize        4095     the path a NAME_FILE or CONFIG_FILE variable gives
//	                            (PATH_MAX, 4096, less the NUL that ends it)
//	MaxConfigFileSize  1 MiB    a YAML or JSON configuration file
//	MaxDotEnvSize      1 MiB    the .env file
//	MaxConfigDepth     32       levels of nesting in a configuration file
//	MaxConfigValues    100,000  values in a configuration file, counted after YAML
//	                            aliases and merge keys are expanded ("billion laughs")
//	MaxConfigText      2 MiB    the keys and values of a configuration file in all,
//	                            also after expansion (a long value named by many aliases)
//
// Going over a limit is an [ErrInvalid] error naming the variable or file;
// a file's size is checked before it is read, and again while it is read. Configuration, .env and
// NAME_FILE files must be regular files (symbolic links are followed; a
// loop is an error): a directory, FIFO, socket or device is refused after a
// stat, before it is opened, so a FIFO cannot block Load. On the default
// file system the file is also opened with O_NONBLOCK and checked again, in
// case it was swapped in between. A NAME_FILE file readable by group or
// others is a warning (PR-W044), not an error, since Kubernetes mounts
// secrets with mode 0644 by default; the mode is checked on the default
// file system only.
//
// Configuration and .env files must be UTF-8 without NUL bytes. A value
// from the environment, an override, a NAME_FILE file or a configuration
// file (where an escape such as "\0" or "\u0000" can still make a NUL)
// that holds a NUL byte or is not UTF-8 is an error for a field that is not
// free text (a number, a duration, a URL...); a field that takes any text
// (a string, a Secret) loads it as given, with a warning (PR-W045). The
// message names the list item or map entry at fault. A Secret or []byte
// read through NAME_FILE may hold binary data without a warning.
//
// A file path from a variable (CONFIG_FILE, NAME_FILE) is shown in messages
// and origins as given when it is printable text, else quoted with Go's
// escapes; a path over 512 bytes shows its last 256, where the file name
// is.
//
// # Origins and reports
//
// Every value remembers where it came from ([Origin]): "default", "profile
// production", "config.yaml:12", ".env:3", "env", "SECRET_KEY_FILE
// /run/secrets/key", "override", "generated". [LoadWithReport] returns a
// [Report] with each variable's effective value (secrets as [Redacted], URL
// passwords removed) and origin, and every finding. [Describe] documents
// every variable of a struct (type, defaults per profile, the profiles that
// require it, whether it is secret) without reading any source; the
// prodready env command prints it.
//
// # Secrets
//
// A Secret value with white space at its start or end is refused (a
// trailing newline is the usual mistake), unless it is not UTF-8 text (a
// binary key, whose edge bytes are part of it): the items of a list such as
// SECRET_KEY_FALLBACKS are trimmed, so a key kept verbatim would not match
// itself once rotated into the fallbacks.
//
// With [Options.ScrubEnvironment], a successful load removes every secret
// field's NAME and NAME_FILE from the process environment, so that child
// processes do not inherit them; the service's own /proc/<pid>/environ
// still shows the environment it started with (see the option's limits).
//
// [Secret] and [SecretURL] redact every rendering: String, GoString, all fmt
// verbs, JSON, text marshalling and slog. [Secret.Reveal] is the only way
// out. A SecretURL shows its host and path with the password, and query
// parameters such as password= or token=, replaced. Errors name the
// variable and never quote a secret's value, nor anything read through
// NAME_FILE; other values are quoted, truncated to 64 bytes, with URL and
// DSN passwords and credential query parameters removed. A message from a
// decoder this package does not own (a type's UnmarshalText, a registered
// decoder) is dropped when it repeats part of the value, and always for a
// secret.
//
// Under a hardened profile SECRET_KEY and each of SECRET_KEY_FALLBACKS must
// pass [CheckKeyStrength]. Under Development and Testing a missing
// SECRET_KEY is replaced by a random key for this process only, with a
// warning (PR-W001); it can never pass the production checks.
//
// # Errors
//
// Load reports every problem at once as a [*LoadError] holding one
// [*FieldError] per problem. Use errors.Is with [ErrMissing], [ErrInvalid],
// [ErrWeakSecret] and [ErrUnknownProfile], and errors.As for the details. On
// error the destination struct is left unchanged.
//
// # Checks
//
// After loading, Load runs the deploy checks ([BuiltinChecks] and
// [Options.Checks]) for the active profile. Each [Finding] has a stable ID,
// a severity, the variable, a message and a hint. Errors make Load fail;
// warnings and infos are logged to [Options.Logger] and listed in the
// report. [Options.Silence] drops findings by ID, except the loader's own
// errors (PR-E001 to PR-E009), which stop a value from loading, and, under a
// hardened profile, its rules ([HardeningRules]): PR-E010, PR-E011, PR-E013,
// PR-E020 and PR-E043.
//
//	PR-E001  a required variable is not set
//	PR-E002  a value cannot be decoded
//	PR-E003  both NAME and NAME_FILE are set
//	PR-E004  the file NAME_FILE names cannot be read
//	PR-E005  a config file cannot be read or parsed, or has an unknown key
//	PR-E006  the .env file cannot be read or parsed
//	PR-E007  an override names an unknown variable
//	PR-E008  a profile sets a default for an unknown variable
//	PR-E009  a file sets APP_ENV to another profile, or .env sets a variable read before it
//	PR-W001  SECRET_KEY is not set: a random key is used for this process
//	PR-E010  SECRET_KEY is weak or a placeholder (hardened profiles)
//	PR-E011  a SECRET_KEY_FALLBACKS key is weak (hardened profiles)
//	PR-W012  a fallback key repeats SECRET_KEY or another fallback
//	PR-E013  a Secret tagged key:"true" is weak (hardened profiles)
//	PR-E020  DEBUG is on under a hardened profile
//	PR-E021  PAGE_SIZE is below 1
//	PR-E022  MAX_PAGE_SIZE is below 1 or above 2147483646
//	PR-E023  PAGE_SIZE is larger than MAX_PAGE_SIZE
//	PR-E030  CACHE_TTL is zero or negative
//	PR-W031  CACHE_TTL is under 1s or over 7 days
//	PR-E032  CACHE_MAX_SIZE is below 1
//	PR-E033  CACHE_BACKEND needs a server but CACHE_URL is not set
//	PR-E034  CACHE_URL's scheme does not match CACHE_BACKEND
//	PR-W035  CACHE_URL is set but CACHE_BACKEND is memory, which ignores it
//	PR-I036  a shared cache has no CACHE_NAMESPACE (hardened profiles)
//	PR-E037  CACHE_URL is not a form its backend accepts
//	PR-E038  CACHE_NAMESPACE contains ':', the separator between namespace and key
//	PR-E043  CACHE_URL turns TLS certificate verification off (skip_verify) under a hardened profile
//	PR-E044  CACHE_TLS_CA, CACHE_TLS_CERT or CACHE_TLS_KEY is not usable, or set without a TLS CACHE_URL
//	PR-W039  CACHE_ESTIMATES is on with a server backend, which ignores it
//	PR-I040  the in-process cache is used under a hardened profile
//	PR-W041  DATABASE_URL is SQLite under a hardened profile
//	PR-W042  DATABASE_URL turns TLS off (sslmode=disable) under a hardened profile
//	PR-W043  a .env file exists but is not read under a hardened profile
//	PR-W044  a NAME_FILE file is readable by group or others
//	PR-W045  a text value holds a NUL byte or is not valid UTF-8
//	PR-E046  CACHE_AUTOSIZE is on without a memory budget (CACHE_MAX_MEMORY or a container limit)
//	PR-E047  CACHE_AUTOSIZE is on with a server backend or an explicit CACHE_MAX_SIZE, which it would ignore
//	PR-E048  CACHE_AUTOSIZE_MARGIN is outside 0 to 50 points
//	PR-W050  an unknown variable looks like a misspelling, or carries the prefix
//	PR-W051  CACHE_URL sends a password in clear text (redis://) to a server off this host under a hardened profile
//
// PR-W050 compares the names of the whole environment with the struct's
// variables (indexed once per type): with [Options.Prefix] set, every
// unknown variable carrying the prefix is reported; without one, those
// within two edits of a known name. Silencing PR-W050 skips that scan.
//
// # Immutability
//
// Load builds the configuration in a new value and copies it into the
// destination only on success; slices and maps are newly made, and the
// library keeps no reference to them. [Fingerprint] digests the effective
// configuration, secrets through a keyed one-way hash, so replicas can be
// compared for drift; [FingerprintVars] digests it variable by variable, and
// [DiffFingerprints] names the variables in which two replicas differ.
//
// # Concurrency
//
// Load, LoadWithReport, Fingerprint and every method of Secret, SecretURL
// and Profile are safe for concurrent use. Plans are built once per struct
// type and cached for the life of the process.
package prodready
