package prodready_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/internal/redact"
)

// FuzzParseSecretURL parses arbitrary text as a SecretURL, with every "PW"
// in it replaced by a canary. ParseSecretURL must never panic, and its
// error must never quote the canary. A URL it accepts must reveal exactly
// the text given, and, when the canary is its password, the value of a
// query parameter off the redactor's allow-list or the fragment (and
// nowhere else), no
// rendering of it may show the canary: String, every fmt verb, JSON, text
// and both slog handlers.
func FuzzParseSecretURL(f *testing.F) {
	for _, s := range []string{
		"", "PW", "postgres://app:PW@db:5432/app?sslmode=verify-full", "redis://:PW@cache:6379/0",
		"postgres://db/app?password=PW", "postgres://db/app?sslmode=require&PASSWORD=PW", "https://h/?api%5Fkey=PW",
		"postgres://app:p#PW@db/app", "postgres://admin@srv/PW@db/app", "app:PW@tcp(db:3306)/app",
		"db.example.com:5432", "postgres://app:PW@db:99999/app", "postgres://app:PW@[::1:5432/app",
		"postgres://app:P%zzW@db/app", "postgres://app:PW@db/app\n", "https://PW@host", "mysql://u:PW@h/d?token=PW",
		"redis://u:PW@h/?x=1&token=PW&y", "s://u:PW@h?pwd=PW;password=PW", "postgres://app:PW%40x@db/app",
		"http://[fe80::1%25en0]:80/", "postgres://app:PW@db:0/app", "memcached://h:11211", "//u:PW@h/p",
		"postgres://app:@db/app", "redis://h?Token=PW#frag", "x:1234", "postgres://%41pp:PW@db/%50W",
		"postgres://db/app?sslmode=require;password=PW", "postgres://db/app?X-Amz-Signature=PW", "postgres://db/app#PW",
	} {
		f.Add(s)
	}
	const canary = "Zq9canaryXk7"
	forms := []string{canary, hex.EncodeToString([]byte(canary)), strings.ToUpper(hex.EncodeToString([]byte(canary)))}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.Contains(s, canary[2:len(canary)-2]) {
			t.Skip("the input holds the canary already")
		}
		in := strings.ReplaceAll(s, "PW", canary)
		u, err := prodready.ParseSecretURL(in)
		var u2 prodready.SecretURL
		err2 := u2.UnmarshalText([]byte(in))
		if (err == nil) != (err2 == nil) || err == nil && u2.Reveal() != u.Reveal() {
			t.Fatalf("UnmarshalText(%q) = %v, ParseSecretURL = %v", in, err2, err)
		}
		if err != nil {
			if msg := fmt.Sprintf("%v %+v %#v", err, err, err); strings.Contains(msg, canary) {
				t.Fatalf("ParseSecretURL(%q) error quotes the input: %s", in, msg)
			}
			return
		}
		if u.Reveal() != in || u.IsSet() != (in != "") {
			t.Fatalf("ParseSecretURL(%q) reveals %q, set %v", in, u.Reveal(), u.IsSet())
		}
		if in == "" {
			return
		}

		// Is the canary's one occurrence a credential?
		secret := false
		if un, err := url.PathUnescape(in); err == nil && strings.Count(in, canary) == 1 && strings.Count(un, canary) == 1 {
			pu, err := url.Parse(in)
			if err != nil {
				t.Fatalf("ParseSecretURL(%q) accepted what url.Parse refuses: %v", in, err)
			}
			if pw, ok := pu.User.Password(); ok && strings.Contains(pw, canary) {
				secret = true
			}
			// Deny by default (the "Trust" issue): every query value
			// off internal/redact's allow-list, after '&' or ';', and
			// the fragment are credentials.
			for p := range strings.SplitSeq(strings.ReplaceAll(pu.RawQuery, ";", "&"), "&") {
				k, v, _ := strings.Cut(p, "=")
				if !redact.Allowed(k) && strings.Contains(v, canary) {
					secret = true
				}
			}
			if strings.Contains(pu.Fragment, canary) {
				secret = true
			}
		}
		if !secret {
			return
		}
		if !u.HasPassword() {
			t.Errorf("ParseSecretURL(%q).HasPassword() = false, want true", in)
		}
		var buf bytes.Buffer
		j, _ := json.Marshal(u)
		txt, _ := u.MarshalText()
		slog.New(slog.NewTextHandler(&buf, nil)).Info("m", "url", u, "s", struct{ U prodready.SecretURL }{u})
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("m", "url", u)
		outs := map[string]string{
			"String": u.String(),
			"fmt":    fmt.Sprintf("%v|%+v|%#v|%s|%q|%x|%X|%d|%v", u, u, u, u, u, u, u, u, []prodready.SecretURL{u}),
			"JSON":   string(j),
			"text":   string(txt),
			"slog":   buf.String(),
		}
		for where, out := range outs {
			for _, c := range forms {
				if strings.Contains(out, c) {
					t.Fatalf("ParseSecretURL(%q): %s shows the credential: %s", in, where, out)
				}
			}
		}
	})
}
