package prodready_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/prodready/prodready"
)

// djangoChars is the alphabet of Django's get_random_secret_key().
const djangoChars = "abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)"

// randomKeyGenerators make keys the way the tools operators use do, from
// crypto/rand.
var randomKeyGenerators = []struct {
	name string
	gen  func(tb testing.TB) string
}{
	{"prodready gen-secret", func(tb testing.TB) string {
		k, err := prodready.GenerateKey(nil, 0)
		if err != nil {
			tb.Fatal(err)
		}
		return k.Reveal()
	}},
	{"openssl rand -hex 32", func(tb testing.TB) string { return hex.EncodeToString(randomBytes(tb, 32)) }},
	{"openssl rand -base64 32", func(tb testing.TB) string { return base64.StdEncoding.EncodeToString(randomBytes(tb, 32)) }},
	{"python secrets.token_urlsafe(32)", func(tb testing.TB) string { return base64.RawURLEncoding.EncodeToString(randomBytes(tb, 32)) }},
	{"django get_random_secret_key()", func(tb testing.TB) string {
		b := make([]byte, 50)
		for i := range b {
			n, err := rand.Int(rand.Reader, big.NewInt(int64(len(djangoChars))))
			if err != nil {
				tb.Fatal(err)
			}
			b[i] = djangoChars[n.Int64()]
		}
		return string(b)
	}},
	{"32 raw random bytes", func(tb testing.TB) string { return string(randomBytes(tb, 32)) }},
}

func randomBytes(tb testing.TB, n int) []byte {
	tb.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	return b
}

// TestCheckKeyStrengthRandomKeys: keys from the usual generators pass. The
// estimator puts them 60 bits or more above the bar (see
// TestKeyEstimateRandomMargin), so a failure here is a bug, not bad luck.
func TestCheckKeyStrengthRandomKeys(t *testing.T) {
	t.Parallel()
	for _, g := range randomKeyGenerators {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			for range 50 {
				if err := prodready.CheckKeyStrength(prodready.NewSecret(g.gen(t))); err != nil {
					t.Fatalf("CheckKeyStrength(random key) = %v, want nil", err)
				}
			}
		})
	}
}

// weakKeys are keys that the outside attack of the Trust issue found by
// dictionary in well under a second (or that passed the old rules the
// same way), and more of their kinds. Each must be refused under
// production, however long.
var weakKeys = []struct {
	name, key string
}{
	// From the Trust issue: a key that is not UTF-8 got only the length check.
	{"32 bytes of 0xFF", strings.Repeat("\xff", 32)},
	{"password repeated then a Latin-1 byte", "passwordpasswordpasswordpassword\xe9"},
	// From the Trust issue: phrases and patterns passed.
	{"pangram", "the quick brown fox jumps over the lazy dog"},
	{"alphabet then digits", "abcdefghijklmnopqrstuvwxyz012345"},
	{"correct horse battery staple", "correct horse battery staple 2024"},
	{"repeat defeated by a trailing character", "Summer2024!Summer2024!Summer2024!x"},
	// More of the same kinds.
	{"keyboard walk", "qwertyuiop[]asdfghjkl;'zxcvbnm,./1234567890-="},
	{"l33t phrase", "Tr0ub4dor&3-c0rr3ct-h0rs3-b4tt3ry-st4pl3"},
	{"reversed words", "drowssap-terces-nimda-tset-tluafed-revres"},
	{"words with capitals and a year", "DragonMonkeyFootballBaseball1984!!"},
	{"sequences", "0123456789abcdefghijABCDEFGHIJ9876543210"},
	{"dash-separated words", "blue-river-green-mountain-happy-dog"},
	{"low byte diversity", "\x00\x01\x02\x03\x01\x00\x03\x02\x01\x02\x00\x03\x02\x01\x03\x00\x01\x03\x00\x02\x03\x00\x02\x01\x00\x02\x01\x03\x02\x03\x01\x00\x04\x05\x06\x07"},
	{"printable phrase then binary", "letmeinletmeinletmein\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8a"},
	{"thirty-two decimal digits", "83920174658392017465839201746512"},
}

func TestCheckKeyStrengthWeakKeys(t *testing.T) {
	t.Parallel()
	for _, tt := range weakKeys {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := prodready.CheckKeyStrength(prodready.NewSecret(tt.key))
			if err == nil {
				t.Fatal("CheckKeyStrength() = nil, want a weak-key error")
			}
			if !errors.Is(err, prodready.ErrWeakSecret) {
				t.Errorf("CheckKeyStrength() = %v, want it to wrap ErrWeakSecret", err)
			}
			assertNoKeyPart(t, err.Error(), tt.key)
		})
	}
}

// assertNoKeyPart fails when msg holds 6 or more consecutive bytes of key.
func assertNoKeyPart(t *testing.T, msg, key string) {
	t.Helper()
	for i := 0; i+6 <= len(key); i++ {
		if strings.Contains(msg, key[i:i+6]) {
			t.Errorf("message %q contains part of the key (%q)", msg, key[i:i+6])
		}
	}
}

// TestCheckKeyStrengthMessage: the count of distinct characters reads
// right for one (the Trust issue: "only 1 distinct characters").
func TestCheckKeyStrengthMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, key, want string
	}{
		{"one character", strings.Repeat("z", 40), "only 1 distinct character,"},
		{"one byte", strings.Repeat("\xff", 40), "only 1 distinct byte,"},
		{"two characters", strings.Repeat("zy", 20), "only 2 distinct characters,"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := prodready.CheckKeyStrength(prodready.NewSecret(tt.key))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("CheckKeyStrength() = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestKeySameVerdictFromEnvAndFile: a key gets the same verdict whether it
// comes from SECRET_KEY or from the file SECRET_KEY_FILE names. (The Trust
// issue: a key that is not UTF-8 passed through the file and got only a
// warning through the environment.)
func TestKeySameVerdictFromEnvAndFile(t *testing.T) {
	t.Parallel()
	type row struct {
		name, key string
		weak      bool
	}
	var rows []row
	for _, w := range weakKeys {
		if !strings.Contains(w.key, "\x00") { // no environment variable holds a NUL
			rows = append(rows, row{w.name, w.key, true})
		}
	}
	for _, g := range randomKeyGenerators {
		k := g.gen(t)
		// No environment variable holds a NUL; a file loses one final
		// line break (secret_file_linebreak_test.go).
		for strings.Contains(k, "\x00") || strings.HasSuffix(k, "\n") {
			k = g.gen(t)
		}
		rows = append(rows, row{g.name, k, false})
	}
	// Binary keys whose edge bytes are white space: part of the key.
	edge := string(randomBytes(t, 30))
	rows = append(rows, row{"raw random bytes between spaces", " \xff" + strings.ReplaceAll(edge, "\x00", "\x01") + "\t", false})
	for _, tt := range rows {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, src := range []string{"environment", "file"} {
				env := prodready.MapEnv{"SECRET_KEY": tt.key}
				fsys := fstest.MapFS{}
				if src == "file" {
					env = prodready.MapEnv{"SECRET_KEY_FILE": "run/secrets/key"}
					fsys["run/secrets/key"] = &fstest.MapFile{Data: []byte(tt.key), Mode: 0o600}
				}
				o := opts(env, fsys)
				o.Profile = prodready.Production
				var b prodready.Base
				err := prodready.Load(ctx, &b, o)
				if err == nil && b.SecretKey.Reveal() != tt.key {
					t.Errorf("from the %s: the loaded key differs from the bytes given (%d bytes, want %d)", src, b.SecretKey.Len(), len(tt.key))
				}
				if tt.weak {
					if !errors.Is(err, prodready.ErrWeakSecret) {
						t.Errorf("from the %s: Load() = %v, want ErrWeakSecret", src, err)
					}
					var fe *prodready.FieldError
					if errors.As(err, &fe) && fe.Check != "PR-E010" {
						t.Errorf("from the %s: check = %s, want PR-E010", src, fe.Check)
					}
				} else if err != nil {
					t.Errorf("from the %s: Load() = %v, want nil", src, err)
				}
				if err != nil {
					assertNoKeyPart(t, err.Error(), tt.key)
				}
			}
		})
	}
}

func BenchmarkCheckKeyStrength(b *testing.B) {
	for _, g := range randomKeyGenerators {
		b.Run(g.name, func(b *testing.B) {
			k := prodready.NewSecret(g.gen(b))
			_ = prodready.CheckKeyStrength(k) // loads the word lists
			b.ReportAllocs()
			for b.Loop() {
				if err := prodready.CheckKeyStrength(k); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("weak phrase", func(b *testing.B) {
		k := prodready.NewSecret("correct horse battery staple 2024")
		b.ReportAllocs()
		for b.Loop() {
			_ = prodready.CheckKeyStrength(k)
		}
	})
}

// keyTagConfig has keys of the service's own that it marks for the key
// rule.
type keyTagConfig struct {
	prodready.Base
	Signing prodready.Secret   `env:"SIGNING_KEY" key:"true"`
	Tokens  []prodready.Secret `env:"API_TOKENS" key:"true"`
	Plain   prodready.Secret   `env:"DB_PASSWORD"`
}

// TestKeyTag: a Secret tagged key:"true" is judged as SECRET_KEY is under
// hardened profiles (PR-E013), and only there; an untagged Secret is not.
func TestKeyTag(t *testing.T) {
	t.Parallel()
	strong, other := strongKey(t), strongKey(t)
	weak := "correct horse battery staple 2024"
	tests := []struct {
		name    string
		profile prodready.Profile
		env     prodready.MapEnv
		wantKey string // variable of the PR-E013 error; "" for none
	}{
		{"strong keys", prodready.Production, prodready.MapEnv{"SIGNING_KEY": strong, "API_TOKENS": strong + "," + other}, ""},
		{"weak tagged key", prodready.Production, prodready.MapEnv{"SIGNING_KEY": weak}, "SIGNING_KEY"},
		{"weak item of a tagged list", prodready.Production, prodready.MapEnv{"API_TOKENS": strong + "," + weak}, "API_TOKENS"},
		{"weak binary tagged key", prodready.Production, prodready.MapEnv{"SIGNING_KEY": strings.Repeat("\xff", 32)}, "SIGNING_KEY"},
		{"weak untagged secret", prodready.Production, prodready.MapEnv{"DB_PASSWORD": weak}, ""},
		{"weak tagged key in development", prodready.Development, prodready.MapEnv{"SIGNING_KEY": weak}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := prodready.MapEnv{"SECRET_KEY": strongKey(t)}
			for k, v := range tt.env {
				env[k] = v
			}
			o := opts(env, nil)
			o.Profile = tt.profile
			var c keyTagConfig
			err := prodready.Load(ctx, &c, o)
			if tt.wantKey == "" {
				if err != nil {
					t.Fatalf("Load() = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, prodready.ErrWeakSecret) {
				t.Fatalf("Load() = %v, want ErrWeakSecret", err)
			}
			var fe *prodready.FieldError
			if !errors.As(err, &fe) || fe.Key != tt.wantKey || fe.Check != "PR-E013" {
				t.Errorf("Load() = %v, want a PR-E013 error about %s", err, tt.wantKey)
			}
			for _, v := range tt.env {
				assertNoKeyPart(t, err.Error(), v)
			}
		})
	}
}

// TestKeyTagMisuse: a key tag on a field that is not a Secret, or with a
// value other than true or false, is a programming error Load reports.
func TestKeyTagMisuse(t *testing.T) {
	t.Parallel()
	var notSecret struct {
		Name string `env:"NAME" key:"true"`
	}
	var badValue struct {
		K prodready.Secret `env:"K" key:"yes"`
	}
	for _, cfg := range []any{&notSecret, &badValue} {
		err := prodready.Load(ctx, cfg, opts(nil, nil))
		if err == nil || !strings.Contains(err.Error(), "key") {
			t.Errorf("Load(%T) = %v, want an error about the key tag", cfg, err)
		}
	}
}

// FuzzCheckKeyStrength feeds any bytes to the key rule: it must not panic,
// must give the same verdict twice, and its message must be clean text
// (no byte of a binary key leaks into it).
func FuzzCheckKeyStrength(f *testing.F) {
	for _, w := range weakKeys {
		f.Add([]byte(w.key))
	}
	f.Add([]byte("hF3k9Qz7Lp2Xv8Rt5Wn1Yb6Mc4Jd0Gs-Ua_EkQ9zLp2Xv8Rt5W"))
	f.Add([]byte(strings.Repeat("ab", 300)))
	f.Fuzz(func(t *testing.T, key []byte) {
		err := prodready.CheckKeyStrength(prodready.NewSecret(string(key)))
		again := prodready.CheckKeyStrength(prodready.NewSecret(string(key)))
		if (err == nil) != (again == nil) || err != nil && err.Error() != again.Error() {
			t.Fatalf("two verdicts on one key: %v, then %v", err, again)
		}
		if err == nil {
			return
		}
		if !errors.Is(err, prodready.ErrWeakSecret) {
			t.Errorf("CheckKeyStrength() = %v, want it to wrap ErrWeakSecret", err)
		}
		for _, r := range err.Error() {
			if r < ' ' || r > '~' {
				t.Fatalf("message holds %q, want printable ASCII only: %q", r, err)
			}
		}
	})
}

// A Secret tagged key:"true" is judged as SECRET_KEY is under a hardened
// profile: a passphrase is refused, with the variable named and the key
// not shown.
func Example_keyTag() {
	key, err := prodready.GenerateKey(nil, 32) // in a real service: SECRET_KEY from the environment
	if err != nil {
		panic(err)
	}
	type Config struct {
		prodready.Base
		WebhookKey prodready.Secret `env:"WEBHOOK_KEY" key:"true"`
	}
	var c Config
	err = prodready.Load(context.Background(), &c, &prodready.Options{
		Profile: prodready.Production,
		Env: prodready.MapEnv{
			"SECRET_KEY":  key.Reveal(),
			"WEBHOOK_KEY": "correct horse battery staple 2024",
		},
		FS:          fstest.MapFS{},
		Logger:      slog.New(slog.DiscardHandler),
		MemoryLimit: func() (int64, error) { return 1 << 30, nil },
	})
	var fe *prodready.FieldError
	if errors.As(err, &fe) {
		fmt.Println(fe.Key, fe.Check, errors.Is(err, prodready.ErrWeakSecret))
	}
	// Output: WEBHOOK_KEY PR-E013 true
}
