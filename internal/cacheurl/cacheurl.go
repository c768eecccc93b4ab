// Package cacheurl parses CACHE_URL for the redis and memcached backends.
//
// It is the one parser of CACHE_URL: the backends (cache/rediscache and
// cache/memcached) turn its result into their client options, and the root
// package's load-time checks call it, so that every URL a backend would
// refuse or misread fails at load (and in prodready check), with the same
// message, instead of at the first connection.
//
// # Accepted forms
//
// Redis (rueidis' URL form, the subset the backend supports):
//
//	redis://[[user]:password@]host[:port][/db][?option=value&...]
//	rediss://...   the same over TLS
//	valkey://, valkeys://   synonyms of redis:// and rediss://
//
// with the options db (a database number, as the path), dial_timeout (a
// positive Go duration), protocol=2 (RESP2: no client-side cache),
// client_name, client_cache=0 (no client-side cache), addr=host:port
// (more seed addresses, repeatable: a Redis Cluster is detected by the
// client), master_set=NAME (the addresses are Redis Sentinels that
// monitor the master NAME) and, over TLS only, skip_verify (certificate
// verification off; the root's check PR-E043 refuses it under a hardened
// profile). The port is 6379 by default (26379 is not assumed for
// Sentinels: name it). write_timeout and max_retries are refused with the
// reason, and so is any other option, a fragment, a path that is not a
// database number, and the unix scheme.
//
// Memcached:
//
//	memcached://host[:port][,host2[:port]]...
//
// with no user info (the client has no authentication), no path but "/",
// no query and no fragment. The port is 11211 by default.
//
// Errors never quote the password, the user name, or the value of a query
// parameter the parser does not know.
package cacheurl

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prodready/prodready/internal/redact"
)

// Default ports.
const (
	RedisPort     = "6379"
	MemcachedPort = "11211"
)

// Redis is a parsed redis:// or rediss:// URL.
type Redis struct {
	TLS  bool   // rediss:// or valkeys://
	Addr string // host:port of the URL's host, the first of Addrs
	Host string // the URL's host name
	// Addrs are every address the URL names, the URL's host first, then
	// each addr= option in order, without duplicates: Redis servers (one
	// server, or seeds of a cluster), or Sentinels when MasterSet is set.
	Addrs []string
	// MasterSet is master_set: the name of the master the Sentinels at
	// Addrs monitor; "" when the URL names Redis servers.
	MasterSet string
	// SkipVerify is skip_verify (or skip_verify=true) on a TLS URL: the
	// server's certificate is not verified.
	SkipVerify bool
	Username   string
	Password   string
	DB         int
	ClientName string // client_name; "" for none
	// DialTimeout is dial_timeout; 0 when not given.
	DialTimeout time.Duration
	// RESP2 is protocol=2: the client speaks RESP2, which has no
	// client-side caching.
	RESP2 bool
	// NoClientCache is client_cache=0.
	NoClientCache bool
}

// Memcached is a parsed memcached:// URL.
type Memcached struct {
	Servers []string // host:port, in the order given
}

// redisExample and memcachedExample end the messages of errors.
const (
	redisExample     = "want redis://[:password@]host:6379/0 (rediss:// for TLS; ?addr=host2:6379 for more cluster seeds; ?master_set=NAME for Sentinels)"
	memcachedExample = "want memcached://host:11211[,host2:11211]"
)

// refusedRedisOptions are rueidis URL options the backend does not support
// (yet), with the reason.
var refusedRedisOptions = map[string]string{
	"write_timeout": "the backend sets the write timeout from its call timeout (cache.Options.Timeout): remove it",
	"max_retries":   "the backend never retries a call (the cache falls back to the loader): remove it",
}

// ParseRedis parses raw as a Redis URL.
func ParseRedis(raw string) (Redis, error) {
	var r Redis
	u, err := parse(raw)
	if err != nil {
		return r, err
	}
	switch strings.ToLower(u.Scheme) {
	case "redis", "valkey":
	case "rediss", "valkeys":
		r.TLS = true
	case "unix":
		return r, errors.New("unix sockets are not supported by the redis backend; " + redisExample)
	default:
		return r, fmt.Errorf("scheme %q is not redis, rediss, valkey or valkeys; %s", u.Scheme, redisExample)
	}
	if u.Opaque != "" || u.Host == "" || u.Hostname() == "" {
		return r, errors.New("no host; " + redisExample)
	}
	if strings.Contains(u.Host, ",") {
		return r, errors.New("several comma-separated hosts: name the first as the host and each other with addr=, as in redis://h1:6379?addr=h2:6379&addr=h3:6379")
	}
	if strings.Contains(u.Host, ":") {
		if _, _, err := net.SplitHostPort(u.Host); err != nil {
			return r, errors.New("the host is not host:port (put an IPv6 address in brackets: [::1]:6379)")
		}
	}
	port, err := parsePort(u.Port(), RedisPort)
	if err != nil {
		return r, err
	}
	r.Host = u.Hostname()
	r.Addr = net.JoinHostPort(r.Host, port)
	r.Addrs = []string{r.Addr}
	if u.User != nil {
		r.Username = u.User.Username()
		r.Password, _ = u.User.Password()
	}
	if strings.Contains(raw, "#") {
		return r, errors.New("the URL has a fragment (#...), which means nothing to Redis: remove it, or percent-encode '#' in the password as %23")
	}
	pathDB := false
	if p := strings.TrimPrefix(u.Path, "/"); p != "" {
		n, err := parseDB(p)
		if err != nil {
			return r, fmt.Errorf("path %q is not a database number: %w (want /0, /1...)", u.Path, err)
		}
		r.DB, pathDB = n, true
	}
	if u.ForceQuery && u.RawQuery == "" {
		return r, errors.New("the URL ends with an empty query ('?'): remove it")
	}
	if u.RawQuery == "" {
		return r, nil
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return r, errors.New("the query does not parse (a bad %-escape or a ';'): percent-encode special characters")
	}
	for name, vs := range q {
		if name == "addr" {
			if err := r.addSeeds(vs); err != nil {
				return r, err
			}
			continue
		}
		if len(vs) > 1 {
			return r, fmt.Errorf("query option %s is given %d times: give it once", optionName(u.RawQuery, name), len(vs))
		}
		v := vs[0]
		switch name {
		case "db":
			n, err := parseDB(v)
			if err != nil {
				return r, fmt.Errorf("query option db=%q is not a database number: %w", v, err)
			}
			if pathDB && n != r.DB {
				return r, fmt.Errorf("query option db=%d contradicts the path /%d: give the database once", n, r.DB)
			}
			r.DB = n
		case "dial_timeout":
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return r, fmt.Errorf("query option dial_timeout=%q is not a positive duration (want 500ms, 2s...)", v)
			}
			r.DialTimeout = d
		case "protocol":
			// rueidis reads only protocol=2 and ignores any other value:
			// RESP3 is its default, and "3" would silently mean nothing.
			if v != "2" {
				return r, fmt.Errorf("query option protocol=%q: only protocol=2 (RESP2) is an option, RESP3 is the default: remove it or set protocol=2", v)
			}
			r.RESP2 = true
		case "client_name":
			if v == "" || strings.ContainsFunc(v, func(c rune) bool { return c <= ' ' || c > '~' }) {
				return r, errors.New("query option client_name must be printable ASCII without spaces")
			}
			r.ClientName = v
		case "client_cache":
			// rueidis reads only client_cache=0.
			if v != "0" {
				return r, fmt.Errorf("query option client_cache=%q: only client_cache=0 (no client-side cache) is an option: remove it or set client_cache=0", v)
			}
			r.NoClientCache = true
		case "master_set":
			if v == "" || strings.ContainsFunc(v, func(c rune) bool { return c <= ' ' || c > '~' }) {
				return r, errors.New("query option master_set must name the master: printable ASCII without spaces, as in master_set=mymaster")
			}
			r.MasterSet = v
		case "skip_verify":
			skip := v == ""
			if !skip {
				b, err := strconv.ParseBool(v)
				if err != nil {
					return r, fmt.Errorf("query option skip_verify=%q is not true or false", v)
				}
				skip = b
			}
			if !r.TLS {
				return r, errors.New("query option skip_verify means nothing without TLS: remove it, or use rediss://")
			}
			r.SkipVerify = skip
		default:
			if why, ok := refusedRedisOptions[name]; ok {
				return r, fmt.Errorf("query option %s: %s", name, why)
			}
			// The value is not quoted: an unknown option may carry a
			// credential (password=, token=); nor is a name that may be
			// one (optionName).
			return r, fmt.Errorf("unknown query option %s (the options are db, dial_timeout, protocol=2, client_name, client_cache=0, addr, master_set, skip_verify); a password goes before the host: redis://:PASSWORD@host:6379/0", optionName(u.RawQuery, name))
		}
	}
	return r, nil
}

// maxOptionName is the longest query option name an error quotes, as
// the redactor shows at most 32 bytes of a parameter's name.
const maxOptionName = 32

// optionName renders the decoded name of a query option of the raw query
// rawQuery for an error: quoted as the redactor would show it, a name
// (redact.NameLike) written as such and followed by a literal '='; else
// by its length. A secret pasted into the query is an option's name, and
// "tok%3D..." puts a value in one.
func optionName(rawQuery, name string) string {
	if len(name) <= maxOptionName && redact.NameLike(name) {
		for part := range strings.FieldsFuncSeq(rawQuery, func(c rune) bool { return c == '&' || c == ';' }) {
			if strings.HasPrefix(part, name+"=") {
				return strconv.Quote(name)
			}
		}
	}
	return fmt.Sprintf("of %d bytes (not shown: it does not look like a name followed by '=')", len(name))
}

// addSeeds adds the addr= options vs to r.Addrs, with rueidis' rule:
// a missing host is the URL's host. A missing port is refused.
func (r *Redis) addSeeds(vs []string) error {
	for i, v := range vs {
		host, port, err := net.SplitHostPort(v)
		if err != nil || port == "" {
			// rueidis reads an address without a port as the URL's
			// host on port 6379, not as the host it names.
			return fmt.Errorf("query option addr number %d has no port: write host:port, as in addr=h2:6379", i+1)
		}
		if host == "" {
			host = r.Host
		}
		if strings.ContainsAny(host, "[]/@?#,") || strings.ContainsFunc(host, func(c rune) bool { return c <= ' ' || c > '~' }) {
			return fmt.Errorf("query option addr number %d is not host:port", i+1)
		}
		port, err = parsePort(port, RedisPort)
		if err != nil {
			return fmt.Errorf("query option addr number %d: %w", i+1, err)
		}
		if a := net.JoinHostPort(host, port); !slices.Contains(r.Addrs, a) {
			r.Addrs = append(r.Addrs, a)
		}
	}
	return nil
}

// ParseMemcached parses raw as a Memcached URL.
func ParseMemcached(raw string) (Memcached, error) {
	var m Memcached
	u, err := parse(raw)
	if err != nil {
		return m, err
	}
	if s := strings.ToLower(u.Scheme); s != "memcached" {
		return m, fmt.Errorf("scheme %q is not memcached; %s", u.Scheme, memcachedExample)
	}
	if u.User != nil {
		return m, errors.New("the URL has a user name or password, but the memcached client has no authentication (SASL): remove it, and keep the server on a private network; " + memcachedExample)
	}
	if u.Opaque != "" || (u.Path != "" && u.Path != "/") {
		return m, errors.New("the URL has a path, which means nothing to memcached (it has no databases): remove it; " + memcachedExample)
	}
	if u.RawQuery != "" || u.ForceQuery {
		return m, errors.New("the URL has a query, but the memcached backend takes no options: remove it; " + memcachedExample)
	}
	if strings.Contains(raw, "#") {
		return m, errors.New("the URL has a fragment (#...): remove it; " + memcachedExample)
	}
	if u.Host == "" {
		return m, errors.New("no host; " + memcachedExample)
	}
	for i, h := range strings.Split(u.Host, ",") {
		host, port, err := net.SplitHostPort(h)
		if err != nil {
			// No port: the whole thing is the host.
			host, port = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]"), ""
		}
		if host == "" {
			return m, fmt.Errorf("server %d is empty; %s", i+1, memcachedExample)
		}
		if strings.ContainsAny(host, "[]") {
			return m, fmt.Errorf("server %d has a malformed IPv6 address; want [::1]:11211", i+1)
		}
		port, err = parsePort(port, MemcachedPort)
		if err != nil {
			return m, fmt.Errorf("server %d: %w", i+1, err)
		}
		m.Servers = append(m.Servers, net.JoinHostPort(host, port))
	}
	return m, nil
}

// parse parses raw; its error never quotes raw, which url.Parse's does.
func parse(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New("no URL")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("not a URL (percent-encode '@', '/', '?', '#' and '%' in the user name and password)")
	}
	return u, nil
}

// parsePort returns port, or def when it is empty.
func parsePort(port, def string) (string, error) {
	if port == "" {
		return def, nil
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 || port[0] == '+' {
		return "", fmt.Errorf("port %q is not a number from 1 to 65535", port)
	}
	return port, nil
}

// maxDB bounds a database number: Redis's own limit is its "databases"
// setting (16 by default), which only the server knows.
const maxDB = 1 << 20

// parseDB parses a database number: decimal digits only.
func parseDB(s string) (int, error) {
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return 0, errors.New("want decimal digits")
	}
	n, err := strconv.Atoi(s)
	if err != nil || n > maxDB {
		return 0, errors.New("too large")
	}
	return n, nil
}
