package cache

import (
	"fmt"
	"io"
	"log/slog"
	"strconv"
)

// String returns the Cache's backend and, for redis and memcached, its
// CACHE_URL with the credentials redacted, such as
// "cache.Cache[redis redis://:REDACTED@host:6379/0]".
func (c *Cache[V]) String() string {
	if c == nil {
		return "cache.Cache[nil]"
	}
	if c.url == "" {
		return "cache.Cache[" + string(c.kind) + "]"
	}
	return "cache.Cache[" + string(c.kind) + " " + c.url + "]"
}

// Format implements [fmt.Formatter], so that every verb, %#v and %+v
// included, prints [Cache.String] and never the Cache's fields, among
// which the strings that redact the URL's credentials from errors. %q
// quotes it.
func (c *Cache[V]) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		_, _ = io.WriteString(f, strconv.Quote(c.String()))
		return
	}
	_, _ = io.WriteString(f, c.String())
}

// LogValue implements [slog.LogValuer]: the backend and the redacted URL.
func (c *Cache[V]) LogValue() slog.Value {
	if c == nil {
		return slog.StringValue("<nil>")
	}
	attrs := []slog.Attr{slog.String("backend", string(c.kind))}
	if c.url != "" {
		attrs = append(attrs, slog.String("url", c.url))
	}
	return slog.GroupValue(attrs...)
}
