package prodready_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
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
