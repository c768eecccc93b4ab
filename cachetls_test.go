package prodready_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/internal/testserver"
)

// tlsCanary stands in for a private key that is not PEM: it must never
// show.
const tlsCanary = "canary-TLS-key-5b1e77c3"

// TestCacheTLSMaterial: CACHE_TLS_CA, CACHE_TLS_CERT and CACHE_TLS_KEY (or
// their _FILE forms) are checked at load, each problem an ErrInvalid that
// names its variable and never shows the key.
func TestCacheTLSMaterial(t *testing.T) {
	t.Parallel()
	pki := testserver.NewPKI(t, "cache")
	other := testserver.NewPKI(t, "other")
	client := pki.Client("api")
	stranger := other.Client("api")
	files := fstest.MapFS{
		"ca.pem":       {Data: []byte(pki.CAPEM), Mode: 0o600},
		"client.pem":   {Data: []byte(client.CertPEM), Mode: 0o600},
		"client.key":   {Data: []byte(client.KeyPEM), Mode: 0o600},
		"stranger.key": {Data: []byte(stranger.KeyPEM), Mode: 0o600},
		"garbage.key":  {Data: []byte(tlsCanary), Mode: 0o600},
	}
	const tlsURL = "rediss://127.0.0.1:6380/0"
	tests := []struct {
		name    string
		env     prodready.MapEnv
		wantKey string // the variable of the error; "" for a load that succeeds
		wantID  string
		wantMsg string
	}{
		{name: "CA file", env: prodready.MapEnv{"CACHE_TLS_CA_FILE": "ca.pem"}},
		{name: "CA inline", env: prodready.MapEnv{"CACHE_TLS_CA": pki.CAPEM}},
		{name: "mutual TLS from files", env: prodready.MapEnv{"CACHE_TLS_CA_FILE": "ca.pem", "CACHE_TLS_CERT_FILE": "client.pem", "CACHE_TLS_KEY_FILE": "client.key"}},
		{name: "client certificate only", env: prodready.MapEnv{"CACHE_TLS_CERT_FILE": "client.pem", "CACHE_TLS_KEY": strings.TrimSpace(client.KeyPEM)}},
		{name: "CA file missing", env: prodready.MapEnv{"CACHE_TLS_CA_FILE": "nope.pem"}, wantKey: "CACHE_TLS_CA", wantID: "PR-E004"},
		{name: "CA not PEM", env: prodready.MapEnv{"CACHE_TLS_CA": "not a certificate"}, wantKey: "CACHE_TLS_CA", wantID: "PR-E044", wantMsg: "no PEM certificate"},
		{name: "CA is a key", env: prodready.MapEnv{"CACHE_TLS_CA_FILE": "client.key"}, wantKey: "CACHE_TLS_CA", wantID: "PR-E044", wantMsg: "want CERTIFICATE"},
		{name: "certificate without key", env: prodready.MapEnv{"CACHE_TLS_CERT_FILE": "client.pem"}, wantKey: "CACHE_TLS_KEY", wantID: "PR-E044", wantMsg: "needs its private key"},
		{name: "key without certificate", env: prodready.MapEnv{"CACHE_TLS_KEY_FILE": "client.key"}, wantKey: "CACHE_TLS_CERT", wantID: "PR-E044", wantMsg: "needs its client certificate"},
		{name: "certificate not PEM", env: prodready.MapEnv{"CACHE_TLS_CERT": "nope", "CACHE_TLS_KEY_FILE": "client.key"}, wantKey: "CACHE_TLS_CERT", wantID: "PR-E044", wantMsg: "not PEM"},
		{name: "key not PEM", env: prodready.MapEnv{"CACHE_TLS_CERT_FILE": "client.pem", "CACHE_TLS_KEY_FILE": "garbage.key"}, wantKey: "CACHE_TLS_KEY", wantID: "PR-E044", wantMsg: "not PEM"},
		{name: "key of another certificate", env: prodready.MapEnv{"CACHE_TLS_CERT_FILE": "client.pem", "CACHE_TLS_KEY_FILE": "stranger.key"}, wantKey: "CACHE_TLS_KEY", wantID: "PR-E044", wantMsg: "does not go with CACHE_TLS_CERT"},
		{name: "TLS material without rediss", env: prodready.MapEnv{"CACHE_TLS_CA_FILE": "ca.pem", "CACHE_URL": "redis://127.0.0.1:6379/0"}, wantKey: "CACHE_TLS_CA", wantID: "PR-E044", wantMsg: "would be ignored"},
		{name: "TLS material with memory backend", env: prodready.MapEnv{"CACHE_TLS_CA_FILE": "ca.pem", "CACHE_BACKEND": "memory", "CACHE_URL": ""}, wantKey: "CACHE_TLS_CA", wantID: "PR-E044", wantMsg: "would be ignored"},
		{name: "valkeys", env: prodready.MapEnv{"CACHE_TLS_CA_FILE": "ca.pem", "CACHE_URL": "valkeys://127.0.0.1:6380/0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := prodready.MapEnv{"CACHE_BACKEND": "redis", "CACHE_URL": tlsURL}
			for k, v := range tt.env {
				env[k] = v
			}
			var cfg prodready.Base
			rep, err := prodready.LoadWithReport(ctx, &cfg, opts(env, files))
			shown := fmt.Sprintf("%v %+v %+v", err, rep, cfg)
			for _, k := range []string{tlsCanary, keyBody(client.KeyPEM), keyBody(stranger.KeyPEM)} {
				if strings.Contains(shown, k) {
					t.Errorf("Load shows a private key: %s", shown)
				}
			}
			if tt.wantKey == "" {
				if err != nil {
					t.Fatalf("Load() = %v", err)
				}
				tc, err := cfg.CacheConfig().TLS.ClientConfig()
				if err != nil || tc == nil {
					t.Fatalf("ClientConfig() = %v, %v; want a configuration", tc, err)
				}
				if _, ok := env["CACHE_TLS_CERT_FILE"]; ok && len(tc.Certificates) != 1 {
					t.Errorf("ClientConfig() has %d certificates, want the client's", len(tc.Certificates))
				}
				return
			}
			if !errors.Is(err, prodready.ErrInvalid) {
				t.Fatalf("Load() = %v, want ErrInvalid", err)
			}
			if !hasFinding(rep, tt.wantID, tt.wantKey) {
				t.Errorf("Load() findings %v, want %s on %s", rep.Findings, tt.wantID, tt.wantKey)
			}
			if !strings.Contains(err.Error(), tt.wantKey) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("Load() = %q, want it to name %s and say %q", err, tt.wantKey, tt.wantMsg)
			}
		})
	}
}

// keyBody returns a line of a PEM key's base64 body.
func keyBody(pemText string) string { return strings.Split(pemText, "\n")[1] }

// TestCacheTLSClientConfigErrors: ClientConfig refuses what the load-time
// check refuses, with a *TLSMaterialError that wraps ErrInvalid and does
// not show the key.
func TestCacheTLSClientConfigErrors(t *testing.T) {
	t.Parallel()
	pki := testserver.NewPKI(t, "cache")
	c := pki.Client("api")
	var key prodready.Secret
	if err := key.UnmarshalText([]byte(tlsCanary)); err != nil {
		t.Fatal(err)
	}
	_, err := prodready.CacheTLS{Cert: c.CertPEM, Key: key}.ClientConfig()
	var me *prodready.TLSMaterialError
	if !errors.As(err, &me) || me.Var != "CACHE_TLS_KEY" || !errors.Is(err, prodready.ErrInvalid) {
		t.Fatalf("ClientConfig() = %v, want a *TLSMaterialError for CACHE_TLS_KEY wrapping ErrInvalid", err)
	}
	if strings.Contains(fmt.Sprintf("%v %+v %#v", err, err, err), tlsCanary) {
		t.Errorf("ClientConfig's error shows the key: %v", err)
	}
	if tc, err := (prodready.CacheTLS{}).ClientConfig(); tc != nil || err != nil {
		t.Errorf("zero CacheTLS.ClientConfig() = %v, %v; want nil, nil (the system roots)", tc, err)
	}
}

// TestCacheURLTopologies: the URL forms of a Redis Cluster, Sentinel and
// Valkey load like a one-server redis:// URL, and skip_verify is refused
// under a hardened profile (PR-E043, which cannot be silenced) but not in
// development.
func TestCacheURLTopologies(t *testing.T) {
	t.Parallel()
	key := strongKey(t)
	tests := []struct {
		name    string
		url     string
		profile prodready.Profile
		wantID  string
	}{
		{name: "cluster seeds", url: "redis://:pw@10.0.0.1:7000?addr=10.0.0.2:7000&addr=10.0.0.3:7000"},
		{name: "sentinel", url: "redis://10.0.0.1:26379/0?master_set=mymaster&addr=10.0.0.2:26379&addr=10.0.0.3:26379"},
		{name: "valkey", url: "valkey://10.0.0.1:6379/1"},
		{name: "valkeys", url: "valkeys://cache.internal:6380/0?client_name=api"},
		{name: "skip_verify in development", url: "rediss://cache.internal:6380/0?skip_verify=true"},
		{name: "skip_verify in production", url: "rediss://cache.internal:6380/0?skip_verify=true", profile: prodready.Production, wantID: "PR-E043"},
		{name: "skip_verify=false in production", url: "rediss://cache.internal:6380/0?skip_verify=false", profile: prodready.Production},
		{name: "cluster seed without port", url: "redis://10.0.0.1:7000?addr=10.0.0.2", wantID: "PR-E037"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := prodready.MapEnv{"CACHE_BACKEND": "redis", "CACHE_URL": tt.url, "CACHE_NAMESPACE": "api", "SECRET_KEY": key}
			o := opts(env, nil)
			o.Profile = tt.profile
			o.Silence = []string{"PR-E043"} // a hardening rule: not silenced
			var cfg prodready.Base
			rep, err := prodready.LoadWithReport(ctx, &cfg, o)
			if tt.wantID == "" {
				if err != nil {
					t.Fatalf("Load(%s) = %v", tt.url, err)
				}
				return
			}
			if !errors.Is(err, prodready.ErrInvalid) || !hasFinding(rep, tt.wantID, "CACHE_URL") {
				t.Fatalf("Load(%s) = %v, want %s on CACHE_URL", tt.url, err, tt.wantID)
			}
		})
	}
}

// FuzzCacheTLS: no TLS material, however malformed, makes ClientConfig
// panic or show the key in its error, and what it accepts is usable.
func FuzzCacheTLS(f *testing.F) {
	pki := testserver.NewPKI(f, "fuzz")
	c := pki.Client("api")
	f.Add(pki.CAPEM, c.CertPEM, c.KeyPEM)
	f.Add("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "", "")
	f.Add("", c.CertPEM, "-----BEGIN PRIVATE KEY-----\n"+tlsCanary+"\n-----END PRIVATE KEY-----\n")
	f.Add("", "", tlsCanary)
	f.Fuzz(func(t *testing.T, ca, cert, key string) {
		m := prodready.CacheTLS{CA: ca, Cert: cert, Key: prodready.NewSecret(key)}
		tc, err := m.ClientConfig()
		if err != nil {
			if !errors.Is(err, prodready.ErrInvalid) {
				t.Fatalf("ClientConfig() = %v, want ErrInvalid", err)
			}
			if len(key) >= 8 && strings.Contains(err.Error(), key) {
				// Unless the static text holds it: the error for another
				// key of the same length would then hold it too.
				other := prodready.CacheTLS{CA: ca, Cert: cert, Key: prodready.NewSecret(strings.Repeat("\x01", len(key)))}
				if _, oerr := other.ClientConfig(); oerr == nil || !strings.Contains(oerr.Error(), key) {
					t.Fatalf("ClientConfig() error %q shows the key", err)
				}
			}
			return
		}
		if m.IsSet() && tc == nil {
			t.Fatal("ClientConfig() = nil configuration for set material")
		}
		if cert != "" && (tc == nil || len(tc.Certificates) != 1) {
			t.Fatal("ClientConfig() dropped the client certificate")
		}
	})
}
