package redact

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"
	"testing"
)

// canary is the credential planted in every input below.
const canary = "C4NARYz9Q"

// attackParams are the query parameters the outside attack (the "Trust"
// issue) printed through SecretURL, `prodready print`, the logs and
// /debug/config: the old redactors hid a fixed list of names and split
// the query only on '&'.
var attackParams = []string{
	"password", "client_secret", "secret_key", "access_key", "private_key", "key", "sig",
	"signature", "X-Amz-Signature", "X-Amz-Credential", "api-key", "session_token",
	"sas_token", "SharedAccessSignature", "pw", "auth", "authorization", "bearer",
	"credentials", "apitoken", "+password", "password%00", "%70assword", "%2570assword",
	"PASSWORD", "unknown_param", "x",
}

// TestStringHidesEveryQueryValue renders URLs holding the canary in every
// place the attack found, with both separators.
func TestStringHidesEveryQueryValue(t *testing.T) {
	t.Parallel()
	type tc struct{ name, in string }
	var tests []tc
	for _, p := range attackParams {
		for _, sep := range []string{"&", ";"} {
			tests = append(tests,
				tc{p + " after sslmode, " + sep, "postgres://app@db/app?sslmode=require" + sep + p + "=" + canary},
				tc{p + " first, " + sep, "redis://cache:6379/0?" + p + "=" + canary + sep + "dial_timeout=1s"},
			)
		}
	}
	tests = append(tests,
		tc{"password in user info", "postgres://app:" + canary + "@db:5432/app"},
		tc{"escaped password", "postgres://app:" + canary + "%40x@db/app"},
		tc{"token as user name", "https://ghp" + canary + "123abcdef@github.com/x"},
		tc{"user name not name-like", "https://" + canary + "%21@host/"},
		tc{"fragment", "postgres://db/app#" + canary},
		tc{"password with #", "postgres://app:1#" + canary + "@db/app"},
		tc{"'@' in query", "redis://:6379?" + canary + "@cache/0"},
		tc{"'@' in path", "postgres://admin@srv/" + canary + "@db/app"},
		tc{"opaque with '@'", "mysql:app:" + canary + "@tcp(db)/app"},
		tc{"bad port", "postgres://app:" + canary + "@db:notaport/app"},
		tc{"unparseable", "postgres://app:" + canary + "@db/%zz"},
		tc{"no scheme", "app:" + canary + "@db"},
		tc{"garbage", "\x00" + canary},
		tc{"part without =", "postgres://db/app?" + canary},
		tc{"allowed name, '@' in value", "postgres://db/app?application_name=u:" + canary + "@h"},
		tc{"control byte in name", "postgres://db/app?sslmode%0a=" + canary},
		tc{"sslmode with space", "postgres://db/app?+sslmode=" + canary},
		tc{"forced query", "postgres://db/app?&=" + canary},
	)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, hidden := String(tt.in)
			if strings.Contains(got, canary) {
				t.Errorf("String(%q) = %q: leaks the canary", tt.in, got)
			}
			if !hidden {
				t.Errorf("String(%q) hidden = false, want true", tt.in)
			}
			if u, err := url.Parse(tt.in); err == nil {
				if got, _ := URL(u); strings.Contains(got, canary) {
					t.Errorf("URL(%q) = %q: leaks the canary", tt.in, got)
				}
			}
			if tt.name == "garbage" {
				return // free text without a URL shape is not a credential to Text
			}
			for _, wrap := range []string{"%s", "parse %q: invalid port", "dial %s: refused", "(%s)", "url=%s;"} {
				msg := fmt.Sprintf(wrap, tt.in)
				if got := Text(msg); strings.Contains(got, canary) {
					t.Errorf("Text(%q) = %q: leaks the canary", msg, got)
				}
			}
		})
	}
}

// TestStringShows checks the exact, readable output: what is harmless
// stays.
func TestStringShows(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"postgres://app:pw@db/app?sslmode=require&password=x", "postgres://app:[redacted]@db/app?sslmode=require&password=[redacted]"},
		{"postgres://app:pw@db/app?sslmode=require;password=x", "postgres://app:[redacted]@db/app?sslmode=require;password=[redacted]"},
		{"postgres://db:5432/app?connect_timeout=5&application_name=items&target_session_attrs=read-write&pool_max_conns=10", "postgres://db:5432/app?connect_timeout=5&application_name=items&target_session_attrs=read-write&pool_max_conns=10"},
		{"redis://cache:6379/0?addr=h2:6379&addr=h3:6379&master_set=m&db=1&protocol=3&client_name=api", "redis://cache:6379/0?addr=h2:6379&addr=h3:6379&master_set=m&db=1&protocol=3&client_name=api"},
		{"rediss://cache:6379/0?skip_verify=true&client_cache=0", "rediss://cache:6379/0?skip_verify=true&client_cache=0"},
		{"redis://u@cache:6379/0?dial_timeout=1s&read_timeout=2s&write_timeout=2s&timeout=3s", "redis://u@cache:6379/0?dial_timeout=1s&read_timeout=2s&write_timeout=2s&timeout=3s"},
		{"postgres://db/app?SSLMODE=disable", "postgres://db/app?SSLMODE=disable"},
		{"postgres://db/app?%73slmode=disable", "postgres://db/app?%73slmode=disable"},
		{"postgres://db/app?+password=x", "postgres://db/app?[redacted]"},
		{"postgres://db/app?password%00=x", "postgres://db/app?[redacted]"},
		{"postgres://db/app?X-Amz-Signature=abc", "postgres://db/app?X-Amz-Signature=[redacted]"},
		{"postgres://db/app#frag", "postgres://db/app#[redacted]"},
		{"postgres://db/app#", "postgres://db/app"},
		{"postgres://db/app?", "postgres://db/app?"},
		{"https://ghp0123456789abcdef@github.com/", "https://[redacted]@github.com/"},
		{"postgres://app@db/app", "postgres://app@db/app"},
		{"redis://:pw@cache:6379/0", "redis://:[redacted]@cache:6379/0"},
		{"sqlite:app.db", "sqlite:app.db"},
		{"sqlite::memory:", "sqlite::memory:"},
		{"redis:u:pw", "redis:[redacted]"},
		{"memcached://h1:11211,h2:11211", "memcached://h1:11211,h2:11211"},
		{"postgres://app:pw@db:notaport/app", "postgres://app:[redacted]@[redacted]"},
		{"postgres://app:1#pw@db/app?password=x", "postgres://app:[redacted]@[redacted]"},
		{"postgres://db/app#@secret", "postgres://[redacted]"},
		{"postgres://db:1#x@secret", "postgres://db:[redacted]@[redacted]"},
		{"postgres://a@b:p/w@db/app", "postgres://[redacted]"},
		{"postgres://db/app?user=app&dbname=app&host=h&port=5432", "postgres://db/app?user=app&dbname=app&host=h&port=5432"},
		{"postgres://db:5432/%zz", "postgres://db:5432/[redacted]"},
		{"db.example.com:5432 pw", "db.example.com:[redacted]"},
		{"\x00garbage", "[redacted]"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			if got, _ := String(tt.in); got != tt.want {
				t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestText redacts credentials in free text: the messages drivers write.
func TestText(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"pgx key/value DSN", "failed to connect to `host=db user=app password=" + canary + " database=app`: refused",
			"failed to connect to `host=db user=app password=[redacted] database=app`: refused"},
		{"quoted DSN value", "host=db password='a b " + canary + "' dbname=app", "host=db password=[redacted] dbname=app"},
		{"double-quoted value", `sslpassword="` + canary + `\" x" sslmode=require`, "sslpassword=[redacted] sslmode=require"},
		{"url.Parse error", `parse "postgres://app:` + canary + `@db:x/app": invalid port ":x" after host`,
			`parse "postgres://app:[redacted]@[redacted]": invalid port ":x" after host`},
		{"URL in a sentence", "DATABASE_URL postgres://app:" + canary + "@db/app?sslmode=disable: refused",
			"DATABASE_URL postgres://app:[redacted]@db/app?sslmode=disable: refused"},
		{"path query", "GET /v1/items?sig=" + canary + "&page=2 failed", "GET /v1/items?sig=[redacted]&page=[redacted] failed"},
		{"mysql DSN", "app:" + canary + "@tcp(db:3306)/app", "app:[redacted]@tcp(db:3306)/app"},
		{"bearer", "Authorization: Bearer " + canary + "abc", "Authorization: Bearer [redacted]"},
		{"escaped names", "x +password=" + canary + " password%00=" + canary, "x +password=[redacted] password%00=[redacted]"},
		{"harmless", "want 3 retries, got n=4 at host db:5432", "want 3 retries, got n=4 at host db:5432"},
		{"already redacted", "postgres://app:[redacted]@db/app?password=[redacted]#[redacted]", "postgres://app:[redacted]@db/app?password=[redacted]#[redacted]"},
		{"already redacted, bad URL", "postgres://[redacted] and /[redacted]", "postgres://[redacted] and /[redacted]"},
		{"bare ://", "a ://" + canary, "a ://[redacted]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Text(tt.in)
			if got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := Text(got); again != got {
				t.Errorf("Text(Text(%q)) = %q, want it unchanged %q", tt.in, again, got)
			}
		})
	}
}

// TestScrubber removes one URL's known credentials wherever a driver puts
// them, even outside a URL, and keeps the error chain.
func TestScrubber(t *testing.T) {
	t.Parallel()
	raw := "postgres://app:" + canary + "%2F1@db/app?sslmode=require;sas_token=" + canary + "T#" + canary + "F"
	sc := ForURL(raw)
	inner := fs.ErrNotExist
	tests := []string{
		"connect " + raw + ": refused",
		"auth failed for password " + canary + "/1",
		"bad token " + canary + "T in reply",
		"fragment " + canary + "F",
		"escaped " + url.QueryEscape(canary+"/1"),
	}
	for _, msg := range tests {
		err := sc.Error(fmt.Errorf("%s: %w", msg, inner))
		if strings.Contains(err.Error(), canary) {
			t.Errorf("Scrubber.Error(%q) = %q: leaks the canary", msg, err)
		}
		if !errors.Is(err, inner) {
			t.Errorf("Scrubber.Error(%q) does not unwrap to the cause", msg)
		}
	}
	if got := sc.String("connect " + raw); got != "connect postgres://app:[redacted]@db/app?sslmode=require;sas_token=[redacted]#[redacted]" {
		t.Errorf("Scrubber.String = %q", got)
	}
	plain := errors.New("nothing to hide")
	if got := sc.Error(plain); got != plain {
		t.Errorf("Scrubber.Error(%v) = %v, want the same error", plain, got)
	}
	if sc.Error(nil) != nil {
		t.Error("Scrubber.Error(nil) != nil")
	}
}

func TestMarked(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{
		"postgres://app:[redacted]@db":   true,
		"redis://db?password=[redacted]": true,
		"postgres://db#[redacted]":       true,
		"the text [redacted] only":       false,
		"postgres://db/app":              false,
	} {
		if got := Marked(in); got != want {
			t.Errorf("Marked(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want bool // quoted
	}{
		{"cache_ttl", true}, {"oauth2_client_id", true}, {"CacheTTL", true}, {"HTTPSProxy", true},
		{"x509_cert_sha256", true}, {"page-size", true}, {"log.level", true},
		{"sk_live_4eC39HqLyjWDarjtT1zdp7dc", false},
		{"9f86d081884c7d659a2feaa0c55ad015", false},
		{"ghp_R2d2C3po0123abcdXYZ", false},
		{"p@ss:w0rd", false}, {"with space", false}, {"", true}, {"nul\x00", false},
		{strings.Repeat("a", 65), false},
	}
	for _, tt := range tests {
		got := Key(tt.in)
		if quoted := strings.HasPrefix(got, `"`); quoted != tt.want {
			t.Errorf("Key(%q) = %q, want quoted %v", tt.in, got, tt.want)
		}
		if !tt.want && tt.in != "" && strings.Contains(got, tt.in) {
			t.Errorf("Key(%q) = %q: shows the key", tt.in, got)
		}
	}
}

// TestTextPunctuation keeps a sentence's punctuation out of the URL, so
// that the URL parses and its host shows.
func TestTextPunctuation(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"dial redis://a:pw@h1:6379, then redis://h2:6379.", "dial redis://a:[redacted]@h1:6379, then redis://h2:6379."},
		{"DATABASE_URL postgres://app:pw@db/app: refused", "DATABASE_URL postgres://app:[redacted]@db/app: refused"},
		// After a query, the punctuation may be the credential's last byte.
		{"(see postgres://db/app?password=pw.)", "(see postgres://db/app?password=[redacted]"},
	}
	for _, tt := range tests {
		if got := Text(tt.in); got != tt.want {
			t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
