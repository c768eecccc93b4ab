package rediscache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/prodready/prodready"
)

const canary = "canary-Pw-9f3e1c"

func TestClientOption(t *testing.T) {
	tests := []struct {
		name     string
		url      string
		wantAddr string
		wantDB   int
		wantUser string
		wantPass string
		wantTLS  bool
		wantErr  bool
	}{
		{name: "defaults", url: "redis://localhost", wantAddr: "localhost:6379"},
		{name: "port and db", url: "redis://10.0.0.1:6380/3", wantAddr: "10.0.0.1:6380", wantDB: 3},
		{name: "password", url: "redis://:" + canary + "@h:1/0", wantAddr: "h:1", wantPass: canary},
		{name: "user and password", url: "redis://app:" + canary + "@h/2", wantAddr: "h:6379", wantDB: 2, wantUser: "app", wantPass: canary},
		{name: "escaped password", url: "redis://:p%40ss@h", wantAddr: "h:6379", wantPass: "p@ss"},
		{name: "tls", url: "rediss://h:6380", wantAddr: "h:6380", wantTLS: true},
		{name: "ipv6", url: "redis://[::1]:6379/0", wantAddr: "[::1]:6379"},
		{name: "trailing slash", url: "redis://h/", wantAddr: "h:6379"},
		{name: "scheme", url: "http://:" + canary + "@h:6379", wantErr: true},
		{name: "memcached scheme", url: "memcached://h:11211", wantErr: true},
		{name: "db not a number", url: "redis://:" + canary + "@h/x", wantErr: true},
		{name: "negative db", url: "redis://h/-1", wantErr: true},
		{name: "nested path", url: "redis://h/0/1", wantErr: true},
		{name: "query", url: "redis://:" + canary + "@h/0?protocol=3", wantErr: true},
		{name: "query password", url: "redis://h/0?password=" + canary, wantErr: true},
		{name: "fragment", url: "redis://h/0#x", wantErr: true},
		{name: "no host", url: "redis:///0", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			u, err := prodready.ParseSecretURL(tt.url)
			if err != nil {
				t.Fatalf("ParseSecretURL: %v", err)
			}
			got, _, err := clientOption(u, nil)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("clientOption(%v) = nil error, want one", u)
				}
				if strings.Contains(err.Error(), canary) {
					t.Errorf("clientOption error %q quotes the password", err)
				}
				if !errors.Is(err, prodready.ErrInvalid) {
					t.Errorf("clientOption error %v does not wrap prodready.ErrInvalid", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("clientOption(%v): %v", u, err)
			}
			if len(got.InitAddress) != 1 || got.InitAddress[0] != tt.wantAddr {
				t.Errorf("InitAddress = %v, want [%s]", got.InitAddress, tt.wantAddr)
			}
			if got.SelectDB != tt.wantDB || got.Username != tt.wantUser || got.Password != tt.wantPass {
				t.Errorf("db, user, password = %d, %q, %q, want %d, %q, %q",
					got.SelectDB, got.Username, got.Password, tt.wantDB, tt.wantUser, tt.wantPass)
			}
			if (got.TLSConfig != nil) != tt.wantTLS {
				t.Errorf("TLS = %v, want %v", got.TLSConfig != nil, tt.wantTLS)
			}
		})
	}
}

func TestKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, prefix, key, want string
	}{
		{"plain", "ns:", "a b", "ns:a b"},
		{"no namespace", "", "k", "k"},
		// A key with a NUL byte is hashed: it cannot reach the keys of
		// leases, which start with a NUL byte after the namespace.
		{"nul", "ns:", "x\x00lock", "ns:\x00sha256:" + sha256Hex("x\x00lock")},
		{"nul without namespace", "", "\x00lock:k", "\x00sha256:" + sha256Hex("\x00lock:k")},
	}
	for _, tt := range tests {
		s := &Store{prefix: tt.prefix}
		if got := s.key(tt.key); got != tt.want {
			t.Errorf("%s: key(%q) = %q, want %q", tt.name, tt.key, got, tt.want)
		}
	}
	s := &Store{prefix: "ns:"}
	if got := s.lockKey("k"); !strings.HasPrefix(got, "{") || !strings.HasSuffix(got, "}ns:\x00lock:k") {
		t.Errorf("lockKey = %q, want {tag}ns:\x00lock:k", got)
	}
	keys := []string{"x", "x\x00lock", "\x00lock:x", ""}
	for _, k := range keys {
		for _, k2 := range keys {
			if s.key(k) == s.lockKey(k2) {
				t.Errorf("key(%q) = lockKey(%q) = %q", k, k2, s.key(k))
			}
		}
	}
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestMillis(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want int64
	}{{"0s", 1}, {"1ns", 1}, {"1ms", 1}, {"1500us", 2}, {"2s", 2000}}
	for _, tt := range tests {
		d, _ := time.ParseDuration(tt.in)
		if got := millis(d); got != tt.want {
			t.Errorf("millis(%s) = %d, want %d", tt.in, got, tt.want)
		}
	}
	// A TTL too long for milliseconds in an int64 is cut to 100 years, not
	// wrapped to 1ms.
	const hundredYears = 100 * 365 * 24 * 3600 * 1000
	for _, d := range []time.Duration{math.MaxInt64, math.MaxInt64 - 1, 200 * 365 * 24 * time.Hour} {
		if got := millis(d); got != hundredYears {
			t.Errorf("millis(%v) = %d, want %d", d, got, hundredYears)
		}
	}
}

func TestCallCtx(t *testing.T) {
	t.Parallel()
	// Armed by Done: it ends at the deadline.
	c := &callCtx{parent: context.Background(), deadline: time.Now().Add(20 * time.Millisecond)}
	select {
	case <-c.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("Done not closed after the deadline")
	}
	if !errors.Is(c.Err(), context.DeadlineExceeded) {
		t.Errorf("Err = %v, want DeadlineExceeded", c.Err())
	}
	c.release()

	// The parent's values pass through; its cancellation and deadline do
	// not: they would end the call on the shared connection.
	type key struct{}
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), key{}, "v"))
	c = &callCtx{parent: parent, deadline: time.Now().Add(time.Hour)}
	if c.Value(key{}) != "v" {
		t.Error("Value does not reach the parent")
	}
	cancel()
	select {
	case <-c.Done():
		t.Error("the parent's cancellation ended the call's context")
	case <-time.After(10 * time.Millisecond):
	}
	if err := c.Err(); err != nil {
		t.Errorf("Err after the parent's cancellation = %v, want nil", err)
	}
	c.release()

	pd, pcancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer pcancel()
	deadline := time.Now().Add(time.Hour)
	c = &callCtx{parent: pd, deadline: deadline}
	if d, _ := c.Deadline(); !d.Equal(deadline) {
		t.Errorf("Deadline = %v, want the Store's %v", d, deadline)
	}
	c.release()
	if c.cancel != nil {
		t.Error("release armed a timer")
	}
}
