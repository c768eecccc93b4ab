package prodready_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"

	"github.com/prodready/prodready"
)

// queryCredentialNames are the query parameters through which the outside
// attack ("Trust" issue) read credentials: SecretURL hid a fixed list of
// names and split the query only on '&', so each of these printed in
// String, JSON, %#v, slog, `prodready print`, the logs and /debug/config.
var queryCredentialNames = []string{
	"password", "client_secret", "secret_key", "access_key", "private_key", "key", "sig",
	"signature", "X-Amz-Signature", "X-Amz-Credential", "api-key", "session_token",
	"sas_token", "SharedAccessSignature", "pw", "auth", "authorization", "bearer",
	"credentials", "apitoken", "+password", "password%00",
}

// credentialURLs returns URLs that carry c as a credential, by test name:
// in a query parameter of every name above after '&' and after ';', in the
// fragment and as a token user name.
func credentialURLs(c string) map[string]string {
	urls := map[string]string{
		"fragment":        "postgres://app@db/app?sslmode=require#" + c,
		"token user name": "postgres://" + c + "@db/app",
	}
	for _, p := range queryCredentialNames {
		urls["query "+p+" after &"] = "postgres://app@db:5432/app?sslmode=require&" + p + "=" + c
		urls["query "+p+" after ;"] = "postgres://app@db:5432/app?sslmode=require;" + p + "=" + c
	}
	return urls
}

// TestSecretURLHidesQueryCredentials renders a SecretURL holding a canary
// in each place of credentialURLs through every output it has.
func TestSecretURLHidesQueryCredentials(t *testing.T) {
	t.Parallel()
	c := "CANARYq" + strongKey(t)
	for name, raw := range credentialURLs(c) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u, err := prodready.ParseSecretURL(raw)
			if err != nil {
				assertNoCanary(t, c, "ParseSecretURL error", fmt.Sprintf("%v %+v %#v", err, err, err))
				return
			}
			if u.Reveal() != raw {
				t.Fatalf("Reveal() = %q, want the URL as given", u.Reveal())
			}
			j, _ := json.Marshal(u)
			txt, _ := u.MarshalText()
			var logs bytes.Buffer
			slog.New(slog.NewTextHandler(&logs, nil)).Info("db", "url", u)
			slog.New(slog.NewJSONHandler(&logs, nil)).Info("db", "url", u)
			outs := []string{u.String(), u.GoString(), string(j), string(txt), logs.String()}
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
				outs = append(outs, fmt.Sprintf(verb, u), fmt.Sprintf(verb, struct{ U prodready.SecretURL }{u}))
			}
			for i, out := range outs {
				assertNoCanary(t, c, fmt.Sprintf("output %d", i), out)
			}
			if !strings.Contains(u.String(), "db") {
				t.Errorf("String() = %q: want the host shown", u.String())
			}
		})
	}
}

// TestSecretURLShowsHarmlessParameters keeps what operators need: the
// allow-listed parameters and the user name.
func TestSecretURLShowsHarmlessParameters(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"postgres://app:pw@db:5432/app?sslmode=require&connect_timeout=5", "postgres://app:[redacted]@db:5432/app?sslmode=require&connect_timeout=5"},
		{"postgres://app@db/app?sslmode=require;password=x", "postgres://app@db/app?sslmode=require;password=[redacted]"},
		{"redis://:pw@cache:6379/0?dial_timeout=1s", "redis://:[redacted]@cache:6379/0?dial_timeout=1s"},
	}
	for _, tt := range tests {
		u, err := prodready.ParseSecretURL(tt.in)
		if err != nil {
			t.Fatalf("ParseSecretURL(%q): %v", tt.in, err)
		}
		if got := u.String(); got != tt.want {
			t.Errorf("ParseSecretURL(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
		if !u.HasPassword() {
			t.Errorf("ParseSecretURL(%q).HasPassword() = false, want true", tt.in)
		}
	}
}

// TestURLPasswordWithSpecialCharacters checks that a URL whose password
// holds an unescaped '#', '?' or '/' is refused without being quoted, by
// ParseSecretURL, by Load, and in the report of plain *url.URL and string
// fields.
//
// Found in the first review of the loader (commit c5dbfb1, tests formerly
// in review_test.go): such a password parsed into the host or
// fragment and was printed whole.
func TestURLPasswordWithSpecialCharacters(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{
		"postgres://app:1234#" + canary + "@db:5432/app",
		"redis://:6379?" + canary + "@cache/0",
		"redis://u:ab/" + canary + "@host:6379",
	} {
		if _, err := prodready.ParseSecretURL(raw); err == nil || strings.Contains(err.Error(), canary) {
			t.Errorf("ParseSecretURL accepted a URL with an '@' outside its user info, or quoted it: %v", err)
		}
		var b prodready.Base
		err := prodready.Load(ctx, &b, opts(prodready.MapEnv{"DATABASE_URL": raw}, nil))
		if err == nil {
			t.Fatalf("Load accepted %s", "DATABASE_URL with an unescaped '#'")
		}
		assertNoCanary(t, canary, "error", err.Error())
		var c struct {
			U *url.URL `env:"U"`
			S string   `env:"S"`
		}
		rep, err := prodready.LoadWithReport(ctx, &c, opts(prodready.MapEnv{"U": raw, "S": raw, "P": raw}, nil))
		if err != nil {
			assertNoCanary(t, canary, "error", err.Error())
		}
		assertNoCanary(t, canary, "report", findingsText(rep)+varsText(rep))
	}
}

// TestSecretURLShapesThatHideAPassword checks that SecretURL refuses a driver
// DSN and an '@' in the path without quoting the password, and redacts
// credential query parameters.
//
// Found in the second review of the loader (commit d8a6708, tests formerly
// in review_test.go): those shapes printed the password.
func TestSecretURLShapesThatHideAPassword(t *testing.T) {
	t.Parallel()
	const pw = "hunter2pwCANARY"
	refused := []string{
		"app:" + pw + "@tcp(db:3306)/app",
		"admin:" + pw + "@db.internal:5432/app",
		"postgres://admin@srv:1234/" + pw + "@db.internal/app",
	}
	for _, raw := range refused {
		_, err := prodready.ParseSecretURL(raw)
		if err == nil || strings.Contains(err.Error(), pw) {
			t.Errorf("ParseSecretURL(a URL hiding its password) = %v, want a refusal that does not quote it", err)
		}
	}
	for _, raw := range []string{
		"postgres://db.internal/app?user=app&password=" + pw + "&sslmode=require",
		"redis://cache:6379/0?password=" + pw,
	} {
		u, err := prodready.ParseSecretURL(raw)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(u.String(), pw) || !u.HasPassword() || u.Reveal() != raw {
			t.Errorf("String() = %q, HasPassword %v: a password in the query must be redacted", u.String(), u.HasPassword())
		}
	}
}
