package prodready_test

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/prodready/prodready"
)

const canary = "CANARY-7f3a9c1e5b2d4f6a8c0e-s3cr3t-Kz9"

func TestSecretRenderingsAreRedacted(t *testing.T) {
	t.Parallel()
	s := prodready.NewSecret(canary)
	type holder struct {
		Exported   prodready.Secret
		unexported prodready.Secret
		URL        prodready.SecretURL
		urlHidden  prodready.SecretURL
	}
	u, err := prodready.ParseSecretURL("postgres://app:" + canary + "@db:5432/app")
	if err != nil {
		t.Fatal(err)
	}
	h := holder{s, s, u, u}
	var outputs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10s", "%-8v", "%T"} {
		outputs = append(outputs, fmt.Sprintf(verb, s), fmt.Sprintf(verb, h), fmt.Sprintf(verb, &h), fmt.Sprintf(verb, u), fmt.Sprintf(verb, []prodready.Secret{s}))
	}
	outputs = append(outputs, s.String(), s.GoString(), fmt.Sprint(s), fmt.Sprintln(s, h))
	for _, v := range []any{s, h, &h, u, map[string]prodready.Secret{"k": s}} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("json.Marshal(%T) error = %v", v, err)
		}
		outputs = append(outputs, string(b))
	}
	tb, _ := s.MarshalText()
	outputs = append(outputs, string(tb))
	var logs bytes.Buffer
	for _, lg := range []*slog.Logger{slog.New(slog.NewTextHandler(&logs, nil)), slog.New(slog.NewJSONHandler(&logs, nil))} {
		lg.Info("msg", "secret", s, "holder", h, "url", u, slog.Any("any", s))
	}
	outputs = append(outputs, logs.String())
	for _, out := range outputs {
		if strings.Contains(out, canary) {
			t.Errorf("rendering leaked the secret: %s", out)
		}
	}
	if got := s.Reveal(); got != canary {
		t.Errorf("Reveal() = %q, want the value", got)
	}
	if got := fmt.Sprint(u); !strings.Contains(got, "db:5432/app") || !strings.Contains(got, prodready.Redacted) {
		t.Errorf("SecretURL printed %q, want host and path kept, password redacted", got)
	}
	if got := u.Reveal(); !strings.Contains(got, canary) {
		t.Errorf("SecretURL.Reveal() lost the password")
	}
}

func TestSecretBasics(t *testing.T) {
	t.Parallel()
	var zero prodready.Secret
	if zero.IsSet() || zero.Reveal() != "" || zero.Len() != 0 {
		t.Errorf("zero Secret: IsSet=%v Reveal=%q Len=%d, want unset", zero.IsSet(), zero.Reveal(), zero.Len())
	}
	var s prodready.Secret
	if err := s.UnmarshalText([]byte("abc")); err != nil || s.Reveal() != "abc" {
		t.Errorf("UnmarshalText: %v, %q", err, s.Reveal())
	}
	if !s.Equal(prodready.NewSecret("abc")) || s.Equal(prodready.NewSecret("abd")) || s.Equal(zero) {
		t.Error("Equal compares values wrongly")
	}
	if prodready.NewSecret("").IsSet() {
		t.Error(`NewSecret("") is set`)
	}
}

func TestParseSecretURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		in       string
		wantErr  bool
		wantStr  string
		wantPass bool
	}{
		{"postgres with password", "postgres://u:pw@h:5432/db?sslmode=require", false, "postgres://u:[redacted]@h:5432/db?sslmode=require", true},
		{"redis password only", "redis://:pw@127.0.0.1:6379/0", false, "redis://:[redacted]@127.0.0.1:6379/0", true},
		{"no password", "memcached://127.0.0.1:11211", false, "memcached://127.0.0.1:11211", false},
		{"user no password", "postgres://u@h/db", false, "postgres://u@h/db", false},
		{"opaque sqlite", "sqlite:app.db", false, "sqlite:app.db", false},
		{"empty", "", false, "", false},
		{"no scheme", "db.example.com:5432", true, "", false},
		{"bad port", "postgres://u:" + canary + "@h:port/db", true, "", false},
		{"control char", "postgres://u:" + canary + "@h/\x7f", true, "", false},
		{"bad escape", "postgres://u:" + canary + "%zz@h/db", true, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			u, err := prodready.ParseSecretURL(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseSecretURL() error = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil {
				if strings.Contains(err.Error(), canary) || strings.Contains(err.Error(), "pw") {
					t.Errorf("error quotes the input: %v", err)
				}
				return
			}
			if got := u.String(); got != tt.wantStr {
				t.Errorf("String() = %q, want %q", got, tt.wantStr)
			}
			if got := u.HasPassword(); got != tt.wantPass {
				t.Errorf("HasPassword() = %v, want %v", got, tt.wantPass)
			}
			if got := u.Reveal(); got != tt.in {
				t.Errorf("Reveal() = %q, want %q", got, tt.in)
			}
		})
	}
}

func TestCheckKeyStrength(t *testing.T) {
	t.Parallel()
	good, err := prodready.GenerateKey(rand.Reader, 48)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		key     string
		wantErr bool
		reason  string // a fragment of the error, when wantErr
	}{
		{"generated", good.Reveal(), false, ""},
		{"64 hex digits", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", false, ""},
		{"32 hex digits", "9f86d081884c7d659a2feaa0c55ad015", false, ""},
		{"empty", "", true, "empty"},
		{"short", "aB3$xY9!", true, "8 bytes long"},
		{"changeme", "changeme", true, "placeholder"},
		{"placeholder in long key", "django-insecure-please-change-me-0123456789abcdef", true, "placeholder"},
		{"your-secret-key", "your-secret-key-goes-here-and-is-long-enough!", true, "placeholder"},
		{"one character repeated", strings.Repeat("a", 40), true, "distinct"},
		{"pattern repeated", strings.Repeat("abcdefgh", 5), true, "pattern repeated"},
		{"32 decimal digits", "83920174658392017465839201746512", true, "bits"},
		{"few distinct", "abababababcabcabcabcabcabcabcabcabcbababa", true, "distinct"},
		{"development key", "prodready-dev-Zx8kq2LmN4pR7sT1vW3yB6cE9fH0jK5oQ", true, "development key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := prodready.CheckKeyStrength(prodready.NewSecret(tt.key))
			if (err != nil) != tt.wantErr {
				t.Fatalf("CheckKeyStrength() = %v, wantErr %v", err, tt.wantErr)
			}
			if err == nil {
				return
			}
			if !errors.Is(err, prodready.ErrWeakSecret) {
				t.Errorf("CheckKeyStrength() = %v, want it to wrap ErrWeakSecret", err)
			}
			if !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("CheckKeyStrength() = %v, want it to mention %q", err, tt.reason)
			}
			if len(tt.key) >= 6 && strings.Contains(err.Error(), tt.key) {
				t.Errorf("CheckKeyStrength() quotes the key: %v", err)
			}
		})
	}
}

func TestGenerateKey(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 100 {
		k, err := prodready.GenerateKey(nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := prodready.CheckKeyStrength(k); err != nil {
			t.Fatalf("generated key is weak: %v", err)
		}
		if seen[k.Reveal()] {
			t.Fatal("GenerateKey repeated a key")
		}
		seen[k.Reveal()] = true
	}
	if _, err := prodready.GenerateKey(bytes.NewReader(nil), 32); err == nil {
		t.Error("GenerateKey with an empty reader succeeded, want an error")
	}
	if _, err := prodready.GenerateKey(bytes.NewReader(make([]byte, 1<<12)), 32); err == nil {
		t.Error("GenerateKey with an all-zero reader succeeded, want an error")
	}
}

// TestNameFileValueIsSecretEverywhere checks that a value read through
// NAME_FILE is redacted in the report and never quoted in an error, whatever
// its field's type.
//
// Found in the first review of the loader (commit c5dbfb1, tests formerly
// in review_test.go): a file-delivered value in a plain string or int
// field was shown.
func TestNameFileValueIsSecretEverywhere(t *testing.T) {
	t.Parallel()
	var c struct {
		Password string `env:"DB_PASSWORD"`
		Workers  int    `env:"WORKERS"`
	}
	files := fstest.MapFS{"run/secrets/db": {Data: []byte(canary + "\n")}}
	rep, err := prodready.LoadWithReport(ctx, &c, opts(prodready.MapEnv{"DB_PASSWORD_FILE": "/run/secrets/db", "WORKERS_FILE": "/run/secrets/db"}, files))
	if err == nil || !strings.Contains(err.Error(), "WORKERS: invalid value (secret, not shown) from WORKERS_FILE /run/secrets/db") {
		t.Errorf("Load() error = %v", err)
	}
	assertNoCanary(t, canary, "error", err.Error())
	v, _ := rep.Var("DB_PASSWORD")
	if v.Value != prodready.Redacted || !v.Secret {
		t.Errorf("a value read from a NAME_FILE file shows in the report: %+v", v)
	}
}
