package prodready

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"time"
)

// BuiltinChecks returns the deploy checks [Load] runs on a configuration
// that embeds [Base], in the order it runs them. The IDs are stable: E is an
// error (Load fails), W a warning, I an info. The loader's own findings
// (PR-E001 to PR-E009, PR-W001, PR-W043, PR-W044, PR-W045, PR-W050) are
// listed by [LoaderFindings].
func BuiltinChecks() []Check { return slices.Clone(builtinChecks) }

// builtinChecks is never modified; BuiltinChecks hands out copies.
var builtinChecks = []Check{
	{ID: "PR-E010", Severity: SeverityError, Title: "SECRET_KEY is weak or a placeholder (hardened profiles)", Run: checkSecretKey},
	{ID: "PR-E011", Severity: SeverityError, Title: "a SECRET_KEY_FALLBACKS key is weak (hardened profiles)", Run: checkFallbacks},
	{ID: "PR-W012", Severity: SeverityWarning, Title: "a fallback key repeats SECRET_KEY or another fallback", Run: checkFallbackDupes},
	{ID: "PR-E013", Severity: SeverityError, Title: "a Secret tagged key:\"true\" is weak (hardened profiles)", Run: checkKeyFields},
	{ID: "PR-E020", Severity: SeverityError, Title: "DEBUG is on under a hardened profile", Run: checkDebug},
	{ID: "PR-E021", Severity: SeverityError, Title: "PAGE_SIZE is below 1", Run: checkPageSize},
	{ID: "PR-E022", Severity: SeverityError, Title: "MAX_PAGE_SIZE is below 1 or above 2147483646", Run: checkMaxPageSize},
	{ID: "PR-E023", Severity: SeverityError, Title: "PAGE_SIZE is larger than MAX_PAGE_SIZE", Run: checkPageBounds},
	{ID: "PR-E030", Severity: SeverityError, Title: "CACHE_TTL is zero or negative", Run: checkTTL},
	{ID: "PR-W031", Severity: SeverityWarning, Title: "CACHE_TTL is under 1s or over 7 days", Run: checkTTLRange},
	{ID: "PR-E032", Severity: SeverityError, Title: "CACHE_MAX_SIZE is below 1", Run: checkMaxSize},
	{ID: "PR-E033", Severity: SeverityError, Title: "CACHE_BACKEND needs a server but CACHE_URL is not set", Run: checkCacheURLSet},
	{ID: "PR-E034", Severity: SeverityError, Title: "CACHE_URL's scheme does not match CACHE_BACKEND", Run: checkCacheScheme},
	{ID: "PR-W035", Severity: SeverityWarning, Title: "CACHE_URL is set but CACHE_BACKEND is memory, which ignores it", Run: checkCacheURLIgnored},
	{ID: "PR-I036", Severity: SeverityInfo, Title: "a shared cache has no CACHE_NAMESPACE (hardened profiles)", Run: checkNamespace},
	{ID: "PR-E037", Severity: SeverityError, Title: "CACHE_URL is not a form its backend accepts", Run: checkCacheURLForm},
	{ID: "PR-E038", Severity: SeverityError, Title: "CACHE_NAMESPACE contains ':', the separator between namespace and key", Run: checkNamespaceColon},
	{ID: "PR-W039", Severity: SeverityWarning, Title: "CACHE_ESTIMATES is on with a server backend, which ignores it", Run: checkEstimatesApply},
	{ID: "PR-I040", Severity: SeverityInfo, Title: "the in-process cache is used under a hardened profile", Run: checkMemoryBackend},
	{ID: "PR-W041", Severity: SeverityWarning, Title: "DATABASE_URL is SQLite under a hardened profile", Run: checkSQLite},
	{ID: "PR-W042", Severity: SeverityWarning, Title: "DATABASE_URL turns TLS off (sslmode=disable) under a hardened profile", Run: checkSSLMode},
	{ID: "PR-W051", Severity: SeverityWarning, Title: "CACHE_URL sends a password in clear text (redis://) to a server off this host under a hardened profile", Run: checkCachePlainText},
	{ID: "PR-E043", Severity: SeverityError, Title: "CACHE_URL turns TLS certificate verification off (skip_verify) under a hardened profile", Run: checkCacheSkipVerify},
	{ID: "PR-E044", Severity: SeverityError, Title: "CACHE_TLS_CA, CACHE_TLS_CERT or CACHE_TLS_KEY is not usable TLS material, or is set without a TLS CACHE_URL", Run: checkCacheTLS},
	{ID: "PR-E046", Severity: SeverityError, Title: "CACHE_AUTOSIZE is on without a memory budget (CACHE_MAX_MEMORY or a container limit)", Run: checkAutosizeBudget},
	{ID: "PR-E047", Severity: SeverityError, Title: "CACHE_AUTOSIZE is on with a server backend or an explicit CACHE_MAX_SIZE, which it would ignore", Run: checkAutosizeApplies},
	{ID: "PR-E048", Severity: SeverityError, Title: "CACHE_AUTOSIZE_MARGIN is outside 0 to 50 points", Run: checkAutosizeMargin},
}

// hardeningRules are the checks that enforce a hardened profile's rules.
var hardeningRules = []string{"PR-E010", "PR-E011", "PR-E013", "PR-E020", "PR-E043"}

// HardeningRules returns the IDs of the checks that enforce a hardened
// profile's rules, which [Options.Silence] cannot silence under one: weak
// keys (PR-E010, PR-E011, PR-E013), DEBUG on (PR-E020) and a CACHE_URL
// that turns certificate verification off (PR-E043).
func HardeningRules() []string { return slices.Clone(hardeningRules) }

// LoaderFindings returns a description of the findings the loader itself
// reports, for documentation: their Run is nil.
func LoaderFindings() []Check {
	return []Check{
		{ID: idMissing, Severity: SeverityError, Title: "a required variable is not set"},
		{ID: idInvalid, Severity: SeverityError, Title: "a value cannot be decoded"},
		{ID: idBothSet, Severity: SeverityError, Title: "both NAME and NAME_FILE are set"},
		{ID: idEnvFile, Severity: SeverityError, Title: "the file NAME_FILE names cannot be read"},
		{ID: idConfigFile, Severity: SeverityError, Title: "a config file cannot be read or parsed, or has an unknown key"},
		{ID: idDotEnvFile, Severity: SeverityError, Title: "the .env file cannot be read or parsed"},
		{ID: idOverride, Severity: SeverityError, Title: "an override names an unknown variable"},
		{ID: idProfileDefs, Severity: SeverityError, Title: "a profile sets a default for an unknown variable"},
		{ID: idAppEnv, Severity: SeverityError, Title: "a file sets APP_ENV to another profile, or .env sets a variable read before it"},
		{ID: idDevKey, Severity: SeverityWarning, Title: "SECRET_KEY is not set: a random key is used for this process"},
		{ID: idDotEnvProd, Severity: SeverityWarning, Title: "a .env file exists but is not read under a hardened profile"},
		{ID: idFileMode, Severity: SeverityWarning, Title: "a NAME_FILE file is readable by group or others"},
		{ID: idOddText, Severity: SeverityWarning, Title: "a text value holds a NUL byte or is not valid UTF-8"},
		{ID: idUnknownVar, Severity: SeverityWarning, Title: "an unknown variable looks like a misspelling, or carries the prefix"},
	}
}

// name is the full name of the Base variable v, with Options.Prefix: a
// check's messages name the variable the operator actually sets.
func (in *CheckInput) name(v string) string { return in.Prefix + v }

// finding builds a finding about the variable key; in msg and hint, $
// stands for its full name. A message that starts with "$ " drops it: the
// key is shown beside the message.
func (in *CheckInput) finding(key, msg, hint string) Finding {
	full := in.name(key)
	msg = strings.TrimPrefix(msg, "$ ")
	return Finding{Key: full, Message: strings.ReplaceAll(msg, "$", full), Hint: strings.ReplaceAll(hint, "$", full), Origin: in.Origin(full)}
}

// checkSecretKey (PR-E010) refuses a weak or placeholder SECRET_KEY under
// a hardened profile: sessions and tokens signed with it could be forged.
func checkSecretKey(_ context.Context, in *CheckInput) []Finding {
	b := in.Base
	if b == nil || !in.Profile.Hardened() || !b.SecretKey.IsSet() {
		return nil
	}
	err := CheckKeyStrength(b.SecretKey)
	if err == nil {
		return nil
	}
	f := in.finding("SECRET_KEY", err.Error(), "generate one with prodready gen-secret, or: head -c 48 /dev/urandom | base64")
	f.Field = "Base.SecretKey"
	f.Err = &causeError{msg: f.Message, kind: ErrWeakSecret}
	return []Finding{f}
}

// checkFallbacks (PR-E011) refuses a weak key among SECRET_KEY_FALLBACKS
// under a hardened profile: a fallback still verifies signatures, so a weak
// one is as much a way in as a weak current key.
func checkFallbacks(_ context.Context, in *CheckInput) []Finding {
	b := in.Base
	if b == nil || !in.Profile.Hardened() {
		return nil
	}
	var out []Finding
	for i, k := range b.SecretKeyFallbacks {
		if err := CheckKeyStrength(k); err != nil {
			f := in.finding("SECRET_KEY_FALLBACKS", fmt.Sprintf("key %d of %d: %s", i+1, len(b.SecretKeyFallbacks), err), "remove it: a weak old key is still a way in")
			f.Field = "Base.SecretKeyFallbacks"
			f.Err = &causeError{msg: f.Message, kind: ErrWeakSecret}
			out = append(out, f)
		}
	}
	return out
}

// checkFallbackDupes (PR-W012) warns of a fallback key equal to SECRET_KEY
// or to an earlier fallback: usually a rotation done halfway.
func checkFallbackDupes(_ context.Context, in *CheckInput) []Finding {
	b := in.Base
	if b == nil {
		return nil
	}
	var out []Finding
	for i, k := range b.SecretKeyFallbacks {
		if b.SecretKey.IsSet() && k.Equal(b.SecretKey) {
			out = append(out, in.finding("SECRET_KEY_FALLBACKS", fmt.Sprintf("$ key %d is the same as %s", i+1, in.name("SECRET_KEY")), "remove it from the fallbacks"))
			continue
		}
		for j := range i {
			if k.Equal(b.SecretKeyFallbacks[j]) {
				out = append(out, in.finding("SECRET_KEY_FALLBACKS", fmt.Sprintf("$ key %d repeats key %d", i+1, j+1), "remove the repeat"))
				break
			}
		}
	}
	return out
}

// checkDebug (PR-E020) refuses DEBUG=true under a hardened profile.
func checkDebug(_ context.Context, in *CheckInput) []Finding {
	if in.Base == nil || !in.Profile.Hardened() || !in.Base.Debug {
		return nil
	}
	return []Finding{in.finding("DEBUG", "$ is true under the "+in.Profile.Name()+" profile: debugging aids leak internals to clients", "set $=false")}
}

// checkPageSize (PR-E021) refuses a PAGE_SIZE below 1, which the decoder
// accepts as an integer but pagination cannot use.
func checkPageSize(_ context.Context, in *CheckInput) []Finding {
	if in.Base == nil || in.Base.PageSize >= 1 {
		return nil
	}
	return []Finding{in.finding("PAGE_SIZE", fmt.Sprintf("$ is %d; want at least 1", in.Base.PageSize), "set $ to a positive number such as 50")}
}

// maxPageSizeLimit is the largest MAX_PAGE_SIZE: a query of a page
// fetches one row more than it returns, and paginate keeps that count in
// 32 bits (paginate.Limits refuses more, as a program error).
const maxPageSizeLimit = 1<<31 - 2

// checkMaxPageSize (PR-E022) refuses a MAX_PAGE_SIZE below 1 or above
// maxPageSizeLimit. Above it, the configuration loaded and every list
// request then failed with a 500 (an outside review, round six).
func checkMaxPageSize(_ context.Context, in *CheckInput) []Finding {
	if in.Base == nil || in.Base.MaxPageSize >= 1 && in.Base.MaxPageSize <= maxPageSizeLimit {
		return nil
	}
	return []Finding{in.finding("MAX_PAGE_SIZE", fmt.Sprintf("$ is %d; want 1 to %d, the most rows one request may ask for", in.Base.MaxPageSize, maxPageSizeLimit), "set $ to a positive number such as 100")}
}

// checkPageBounds (PR-E023) refuses a default page larger than the
// largest allowed; values below 1 are checkPageSize's and
// checkMaxPageSize's to report.
func checkPageBounds(_ context.Context, in *CheckInput) []Finding {
	b := in.Base
	if b == nil || b.PageSize < 1 || b.MaxPageSize < 1 || b.PageSize <= b.MaxPageSize {
		return nil
	}
	return []Finding{in.finding("PAGE_SIZE", fmt.Sprintf("$ (%d) is larger than %s (%d)", b.PageSize, in.name("MAX_PAGE_SIZE"), b.MaxPageSize), "lower $ or raise "+in.name("MAX_PAGE_SIZE"))}
}

// checkTTL (PR-E030) refuses a CACHE_TTL of zero or less: the decoder
// takes any duration, but a cache entry needs a positive lifetime.
func checkTTL(_ context.Context, in *CheckInput) []Finding {
	if in.Base == nil || in.Base.CacheTTL > 0 {
		return nil
	}
	return []Finding{in.finding("CACHE_TTL", fmt.Sprintf("$ is %s; want a positive duration", in.Base.CacheTTL), "set $ to a duration such as 10m")}
}

// checkTTLRange (PR-W031) warns of a CACHE_TTL that is positive but
// implausible: under a second, or over a week.
func checkTTLRange(_ context.Context, in *CheckInput) []Finding {
	if in.Base == nil || in.Base.CacheTTL <= 0 {
		return nil
	}
	switch ttl := in.Base.CacheTTL; {
	case ttl < time.Second:
		return []Finding{in.finding("CACHE_TTL", fmt.Sprintf("$ is %s: entries expire before they are reused", ttl), "use seconds or minutes, such as 10m")}
	case ttl > 7*24*time.Hour:
		return []Finding{in.finding("CACHE_TTL", fmt.Sprintf("$ is %s: stale data may be served for days", ttl), "use minutes or hours, and invalidate on writes")}
	}
	return nil
}

// checkMaxSize (PR-E032) refuses a CACHE_MAX_SIZE below 1.
func checkMaxSize(_ context.Context, in *CheckInput) []Finding {
	if in.Base == nil || in.Base.CacheMaxSize >= 1 {
		return nil
	}
	return []Finding{in.finding("CACHE_MAX_SIZE", fmt.Sprintf("$ is %d; want at least 1", in.Base.CacheMaxSize), "set $ to a positive number such as 4096")}
}

// checkCacheURLSet (PR-E033) refuses a server backend (redis, memcached)
// without CACHE_URL: there would be no server to connect to.
func checkCacheURLSet(_ context.Context, in *CheckInput) []Finding {
	b := in.Base
	if b == nil || b.CacheBackend == CacheMemory || b.CacheBackend == "" || b.CacheURL.IsSet() {
		return nil
	}
	return []Finding{in.finding("CACHE_URL", fmt.Sprintf("%s is %s but $ is not set", in.name("CACHE_BACKEND"), b.CacheBackend), "set $ to the server, such as "+exampleCacheURL(b.CacheBackend))}
}

// exampleCacheURL is a URL of the form backend b accepts, for a hint.
func exampleCacheURL(b CacheBackend) string {
	if b == CacheMemcached {
		return "memcached://127.0.0.1:11211"
	}
	return "redis://127.0.0.1:6379/0"
}

// cacheSchemes are the schemes each backend accepts (see internal/cacheurl).
var cacheSchemes = map[CacheBackend][]string{
	CacheRedis:     {"redis", "rediss", "valkey", "valkeys"},
	CacheMemcached: {"memcached"},
}

// checkCacheScheme (PR-E034) refuses a CACHE_URL whose scheme is not one
// of its backend's (a redis:// URL with CACHE_BACKEND=memcached).
func checkCacheScheme(_ context.Context, in *CheckInput) []Finding {
	b := in.Base
	if b == nil || !b.CacheURL.IsSet() {
		return nil
	}
	schemes, ok := cacheSchemes[b.CacheBackend]
	if !ok {
		return nil
	}
	for _, s := range schemes {
		if b.CacheURL.Scheme() == s {
			return nil
		}
	}
	return []Finding{in.finding("CACHE_URL", fmt.Sprintf("$ has scheme %q, but %s=%s wants %s", b.CacheURL.Scheme(), in.name("CACHE_BACKEND"), b.CacheBackend, strings.Join(schemes, ", ")), "use a URL such as "+exampleCacheURL(b.CacheBackend))}
}

// checkCacheURLIgnored (PR-W035) warns of a CACHE_URL that the memory
// backend ignores: the operator likely meant to use the server.
func checkCacheURLIgnored(_ context.Context, in *CheckInput) []Finding {
	b := in.Base
	if b == nil || b.CacheBackend != CacheMemory || !b.CacheURL.IsSet() {
		return nil
	}
	return []Finding{in.finding("CACHE_URL", fmt.Sprintf("$ is set but %s is memory, which ignores it", in.name("CACHE_BACKEND")), "set "+in.name("CACHE_BACKEND")+" to redis or memcached, or unset $")}
}

// checkNamespace (PR-I036) notes a shared cache without CACHE_NAMESPACE
// under a hardened profile: two services would share one key space.
func checkNamespace(_ context.Context, in *CheckInput) []Finding {
	b := in.Base
	if b == nil || !in.Profile.Hardened() || b.CacheBackend != CacheRedis && b.CacheBackend != CacheMemcached || b.CacheNamespace != "" {
		return nil
	}
	return []Finding{in.finding("CACHE_NAMESPACE", "$ is empty: keys of services sharing this cache server can collide", "set $ to the service's name")}
}

// checkNamespaceColon (PR-E038) refuses a CACHE_NAMESPACE holding ':', as
// cache.New does: the backends put ':' between namespace and key, so
// namespace "a" with key "b:c" would be namespace "a:b" with key "c".
func checkNamespaceColon(_ context.Context, in *CheckInput) []Finding {
	b := in.Base
	if b == nil || !strings.Contains(b.CacheNamespace, ":") {
		return nil
	}
	return []Finding{in.finding("CACHE_NAMESPACE", "$ is "+quote(b.CacheNamespace)+", which contains ':', the separator the cache backends put between namespace and key, so two namespaces could share keys",
		"set $ to a name without ':' (letters, digits, '-', '_' or '.')")}
}

// checkMemoryBackend (PR-I040) notes the in-process cache under a
// hardened profile, where several replicas usually run.
func checkMemoryBackend(_ context.Context, in *CheckInput) []Finding {
	b := in.Base
	if b == nil || !in.Profile.Hardened() || b.CacheBackend != CacheMemory {
		return nil
	}
	return []Finding{in.finding("CACHE_BACKEND", "$ is memory: each replica keeps its own cache, so replicas can serve different data until entries expire", "with several replicas, set $=redis and CACHE_URL")}
}

// checkSQLite (PR-W041) warns of an SQLite DATABASE_URL under a hardened
// profile: a local file does not survive the container nor scale out.
func checkSQLite(_ context.Context, in *CheckInput) []Finding {
	b := in.Base
	if b == nil || !in.Profile.Hardened() || !strings.HasPrefix(b.DatabaseURL.Scheme(), "sqlite") {
		return nil
	}
	return []Finding{in.finding("DATABASE_URL", "$ is an SQLite database: one file on one machine, lost with the container unless on a volume", "use a database server (postgres://...) when running several replicas")}
}

// checkSSLMode (PR-W042) warns of a DATABASE_URL that turns TLS off
// under a hardened profile (see sslModeDisabled for the forms caught).
func checkSSLMode(_ context.Context, in *CheckInput) []Finding {
	b := in.Base
	if b == nil || !in.Profile.Hardened() || !b.DatabaseURL.IsSet() {
		return nil
	}
	if sslModeDisabled(b.DatabaseURL.URL().RawQuery) {
		return []Finding{in.finding("DATABASE_URL", "$ has sslmode=disable: credentials and data cross the network in clear text", "use sslmode=verify-full (or require)")}
	}
	return nil
}

// checkCachePlainText (PR-W051) warns, under a hardened profile, of a
// redis:// (or valkey://) CACHE_URL with a password and a server off this
// host (its host, a cluster seed or a Sentinel): the password and every cached value cross the network in clear
// text, as DATABASE_URL's sslmode=disable (PR-W042) would send them.
func checkCachePlainText(_ context.Context, in *CheckInput) []Finding {
	b := in.Base
	if b == nil || !in.Profile.Hardened() || !b.CacheURL.IsSet() {
		return nil
	}
	u := b.CacheURL.URL()
	scheme := strings.ToLower(u.Scheme)
	if scheme != "redis" && scheme != "valkey" || u.User == nil {
		return nil
	}
	if _, ok := u.User.Password(); !ok {
		return nil
	}
	// The password goes to the host, and to every cluster seed or
	// Sentinel the query adds (?addr=).
	remote := ""
	for _, hostport := range append([]string{u.Host}, u.Query()["addr"]...) {
		host := hostport
		if h, _, err := net.SplitHostPort(hostport); err == nil {
			host = h
		}
		host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
		if ip := net.ParseIP(host); !strings.EqualFold(host, "localhost") && (ip == nil || !ip.IsLoopback()) {
			remote = hostport
			break
		}
	}
	if remote == "" {
		return nil
	}
	return []Finding{in.finding("CACHE_URL", "$ is "+scheme+"://, without TLS, to "+quote(remote)+": its password and the cached values cross the network in clear text",
		"use rediss:// (TLS; "+in.name("CACHE_TLS_CA")+" for a private CA), or silence PR-W051 where a private network is the protection")}
}

// sslModeDisabled reports whether a query sets sslmode=disable, with either
// separator ('&' or ';') and an escaped name: url.Values drops a pair that
// follows a ';', which hid the setting from this check.
func sslModeDisabled(rawQuery string) bool {
	for _, pair := range strings.FieldsFunc(rawQuery, func(r rune) bool { return r == '&' || r == ';' }) {
		name, value, _ := strings.Cut(pair, "=")
		name, err1 := url.QueryUnescape(name)
		value, err2 := url.QueryUnescape(value)
		if err1 == nil && err2 == nil && strings.EqualFold(strings.TrimSpace(name), "sslmode") && strings.EqualFold(strings.TrimSpace(value), "disable") {
			return true
		}
	}
	return false
}

// runChecks runs the built-in checks on an embedded Base and the service's
// own checks, and drops silenced findings.
func (l *loader) runChecks(ctx context.Context, nv reflect.Value) {
	silenced := func(id string) bool {
		// The production rules are the profile's, not advice: they cannot
		// be silenced under a hardened profile.
		if l.prof.Hardened() && slices.Contains(hardeningRules, id) {
			return false
		}
		return slicesContainsFold(l.o.Silence, id)
	}
	// Loader findings of warning and info severity can be silenced too.
	if len(l.o.Silence) > 0 {
		kept := l.findings[:0]
		for _, f := range l.findings {
			if f.Severity == SeverityError || !silenced(f.ID) {
				kept = append(kept, f)
			}
		}
		l.findings = kept
	}
	// A variable that failed to load has its zero value: checks would only
	// repeat the problem.
	var failed []string
	for _, f := range l.findings {
		if f.Severity == SeverityError && f.Key != "" {
			failed = append(failed, f.Key)
		}
	}
	// A service's checks see a copy, so that one cannot change the loaded
	// scalars. The built-in checks only read: alone, they see the loaded
	// value itself, which spares a copy and an allocation per load.
	cp := nv.Addr()
	if len(l.o.Checks) > 0 {
		cp = reflect.New(nv.Type())
		cp.Elem().Set(nv)
	}
	l.checkIn = CheckInput{Profile: l.prof, Prefix: l.o.Prefix, Config: cp.Interface(), l: l}
	in := &l.checkIn
	if hb, ok := in.Config.(hasBase); ok {
		in.Base = hb.base()
	}
	for _, list := range [2][]Check{builtinChecks, l.o.Checks} {
		for _, c := range list {
			if c.Run == nil || silenced(c.ID) {
				continue
			}
			for _, f := range runCheck(ctx, c, in) {
				if f.ID == "" {
					f.ID = c.ID
				}
				if silenced(f.ID) || slices.Contains(failed, f.Key) {
					continue
				}
				if f.Severity == 0 {
					f.Severity = cmp.Or(c.Severity, SeverityWarning)
				}
				if f.Severity == SeverityError && f.Err == nil {
					f.Err = &causeError{msg: f.Message, kind: ErrInvalid}
				}
				l.add(f)
			}
		}
	}
}

// runCheck runs one check, turning a panic in a service's own check into an
// error finding rather than a crash at start-up.
func runCheck(ctx context.Context, c Check, in *CheckInput) (out []Finding) {
	defer func() {
		if r := recover(); r != nil {
			msg := fmt.Sprintf("check %s panicked", c.ID)
			out = []Finding{{ID: c.ID, Severity: SeverityError, Message: msg, Err: &causeError{msg: msg, kind: ErrInvalid, err: errors.New("panic")}}}
		}
	}()
	return c.Run(ctx, in)
}
