package cacheurl

import (
	"reflect"
	"slices"
	"testing"

	"github.com/redis/rueidis"
)

// agreeWithRueidis fails t unless rueidis.ParseURL reads raw, which
// ParseRedis accepted as r, the same way: the forms are rueidis' own, so a
// URL that works with rueidis means the same to the backend.
func agreeWithRueidis(t *testing.T, raw string, r Redis) {
	t.Helper()
	o, err := rueidis.ParseURL(raw)
	if u, perr := parse(raw); err != nil && perr == nil && u.Path == "/" {
		// rueidis refuses an empty database number ("redis://h/"),
		// which ParseRedis reads as no path.
		u.Path = ""
		o, err = rueidis.ParseURL(u.String())
	}
	if err != nil {
		// rueidis matches schemes case-sensitively; ParseRedis does not.
		if u, perr := parse(raw); perr == nil && u.Scheme != lower(u.Scheme) {
			return
		}
		t.Fatalf("ParseRedis accepts %q, rueidis.ParseURL does not: %v", raw, err)
	}
	if got := slices.Compact(slices.Clone(o.InitAddress)); !sameSet(got, r.Addrs) {
		t.Errorf("%q: rueidis addresses %v, ParseRedis %v", raw, o.InitAddress, r.Addrs)
	}
	if (o.TLSConfig != nil) != r.TLS || (r.TLS && o.TLSConfig.InsecureSkipVerify != r.SkipVerify) {
		t.Errorf("%q: rueidis TLS %+v, ParseRedis TLS=%v skip=%v", raw, o.TLSConfig, r.TLS, r.SkipVerify)
	}
	if o.SelectDB != r.DB || o.Sentinel.MasterSet != r.MasterSet || o.ClientName != r.ClientName ||
		o.AlwaysRESP2 != r.RESP2 || o.DisableCache != r.NoClientCache ||
		o.Username != r.Username || o.Password != r.Password ||
		(r.DialTimeout != 0 && o.Dialer.Timeout != r.DialTimeout) {
		t.Errorf("%q: rueidis reads %+v, ParseRedis %+v", raw, o, r)
	}
}

// lower is strings.ToLower for ASCII, as URL schemes are.
func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// sameSet reports whether a and b hold the same strings.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return reflect.DeepEqual(slices.Compact(a), slices.Compact(b))
}

// TestAgreesWithRueidis: every URL form the backend accepts means to it
// what it means to rueidis.ParseURL.
func TestAgreesWithRueidis(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{
		"redis://h",
		"redis://app:pw@h:7000/3",
		"rediss://h:6380/1?dial_timeout=2s&client_name=api",
		"redis://h1:7000?addr=h2:7001&addr=h3:6379",
		"redis://s1:26379/2?master_set=mymaster&addr=s2:26379",
		"valkey://h/1?protocol=2&client_cache=0",
		"valkeys://h:6380?skip_verify=true",
		"rediss://h?skip_verify",
	} {
		r, err := ParseRedis(raw)
		if err != nil {
			t.Fatalf("ParseRedis(%q): %v", raw, err)
		}
		agreeWithRueidis(t, raw, r)
	}
}
