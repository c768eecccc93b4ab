package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cli"
)

// GET /debug/config holds the fingerprint report that "config fingerprint
// --json" prints, and the start-up log line its fingerprint; neither shows
// a secret or a plain hash of one.
func TestDebugConfigFingerprint(t *testing.T) {
	t.Parallel()
	const password = "pw-canary-9z8y7x6w"
	s, logs := newTestServer(t, prodready.MapEnv{"DATABASE_URL": "postgres://app:" + password + "@db:5432/app"})
	h := s.handler()
	w := do(h, "POST", "/login", "application/json", `{"token":"`+testToken+`"}`)
	if w.Code != 204 {
		t.Fatalf("login = %d", w.Code)
	}
	w = do(h, "GET", "/debug/config", "", "", w.Result().Cookies()[0])
	var got struct {
		Fingerprint struct {
			Version     int    `json:"version"`
			Fingerprint string `json:"fingerprint"`
			Key         string `json:"key"`
			Variables   map[string]struct {
				Digest string `json:"digest"`
				Keyed  bool   `json:"keyed"`
			} `json:"variables"`
		} `json:"fingerprint"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &got); w.Code != 200 || err != nil {
		t.Fatalf("GET /debug/config = %d %s", w.Code, w.Body)
	}
	fp := got.Fingerprint
	want, err := prodready.FingerprintReport(s.cfg, s.report)
	if err != nil {
		t.Fatal(err)
	}
	if fp.Version != 1 || fp.Fingerprint != want || len(fp.Key) != 16 || len(fp.Variables) != len(s.report.Vars) {
		t.Errorf("fingerprint = %+v, want version 1, fingerprint %s and %d variables", fp, want, len(s.report.Vars))
	}
	for _, name := range []string{"DATABASE_URL", "ADMIN_TOKEN"} {
		if !fp.Variables[name].Keyed {
			t.Errorf("%s digest %+v is not keyed", name, fp.Variables[name])
		}
	}
	s.logConfigFingerprint()
	if n := strings.Count(logs.String(), "configuration fingerprint"); n != 1 || !strings.Contains(logs.String(), "fingerprint="+want) {
		t.Errorf("logs hold %d fingerprint lines, want one with %s:\n%s", n, want, logs)
	}
	out := w.Body.String() + logs.String()
	for _, secret := range []string{testKey, testToken, password} {
		sum := sha256.Sum256([]byte(secret))
		for _, f := range []string{secret, hex.EncodeToString(sum[:])[:16]} {
			if strings.Contains(out, f) {
				t.Errorf("/debug/config or the logs hold a secret or its SHA-256")
			}
		}
	}
}

// Two replicas started with one different variable: each logs its
// fingerprint at start-up, and diff of their GET /debug/config reports
// names exactly that variable; likewise for SECRET_KEY alone.
func TestReplicasDriftNamesTheVariable(t *testing.T) {
	t.Parallel()
	token, key := randomText(t, 32), randomText(t, 48)
	env := map[string]string{
		"SEED_ITEMS":   "3",
		"DATABASE_URL": "sqlite:items.db",
		"ADMIN_TOKEN":  token,
		"SECRET_KEY":   key,
		"PAGE_SIZE":    "20",
	}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range env {
			m[a] = b
		}
		m[k] = v
		return m
	}
	otherKey := randomText(t, 48)
	envs := map[string]map[string]string{"a": env, "b": with("PAGE_SIZE", "21"), "c": with("SECRET_KEY", otherKey)}
	dir := t.TempDir()
	fingerprints := map[string]string{}
	for _, name := range []string{"a", "b", "c"} {
		in := start(t, "itemsapi-"+name, t.TempDir(), envs[name], token, key, otherKey)
		in.login(t, token)
		var got struct {
			Fingerprint json.RawMessage `json:"fingerprint"`
		}
		decode(t, in.do(t, "GET", "/debug/config", "", true), 200, &got)
		if err := os.WriteFile(filepath.Join(dir, name+".json"), got.Fingerprint, 0o600); err != nil {
			t.Fatal(err)
		}
		var r struct {
			Fingerprint string `json:"fingerprint"`
		}
		if err := json.Unmarshal(got.Fingerprint, &r); err != nil || len(r.Fingerprint) != 32 {
			t.Fatalf("%s: fingerprint %s: %v", name, got.Fingerprint, err)
		}
		fingerprints[name] = r.Fingerprint
		// The start-up line, logged in the background.
		deadline := time.Now().Add(time.Minute)
		for !strings.Contains(in.output(), "fingerprint="+r.Fingerprint) {
			if time.Now().After(deadline) {
				t.Fatalf("%s logged no fingerprint %s:\n%s", name, r.Fingerprint, in.output())
			}
			time.Sleep(20 * time.Millisecond)
		}
		if n := strings.Count(in.output(), "configuration fingerprint"); n != 1 {
			t.Errorf("%s logged its fingerprint %d times, want once", name, n)
		}
	}
	if fingerprints["a"] == fingerprints["b"] || fingerprints["a"] == fingerprints["c"] {
		t.Errorf("fingerprints %v: want a different one for each replica", fingerprints)
	}
	for _, tt := range []struct{ b, want string }{{"a", ""}, {"b", "PAGE_SIZE\n"}, {"c", "SECRET_KEY\n"}} {
		var stdout, stderr bytes.Buffer
		err := cli.Run(context.Background(), []string{"diff", filepath.Join(dir, "a.json"), filepath.Join(dir, tt.b+".json")},
			&stdout, &stderr, &Config{}, &cli.Options{Name: "prodready"})
		if stdout.String() != tt.want || (err == nil) != (tt.want == "") {
			t.Errorf("diff a %s = %q (%v, %s), want %q", tt.b, stdout.String(), err, stderr.String(), tt.want)
		}
	}
}
