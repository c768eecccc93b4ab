package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prodready/prodready"
)

// TestLoggerDurations: the JSON logs wrote durations as nanoseconds
// ("timeout":10000000000, found in the Trust review), which read as a
// number of anything. They are text, as in the text format.
func TestLoggerDurations(t *testing.T) {
	t.Parallel()
	tests := []struct {
		format prodready.LogFormat
		want   []string
	}{
		{prodready.LogJSON, []string{`"d":"1.5s"`, `"g":{"d2":"1m0s"}`, `"n":5`, `"zero":"0s"`}},
		{prodready.LogText, []string{"d=1.5s", "g.d2=1m0s", "n=5", "zero=0s"}},
	}
	for _, tt := range tests {
		t.Run(string(tt.format), func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			newLogger(&buf, tt.format, slog.LevelInfo).Info("x", "d", 1500*time.Millisecond, slog.Group("g", "d2", time.Minute), "n", 5, "zero", time.Duration(0))
			for _, w := range tt.want {
				if !strings.Contains(buf.String(), w) {
					t.Errorf("log %s lacks %s", buf.String(), w)
				}
			}
		})
	}
}

// TestExitError: with LOG_FORMAT=json, the reason the service stopped was
// still a line of plain text (found in the Trust review), which a pipeline
// that reads JSON drops or mangles.
func TestExitError(t *testing.T) {
	t.Parallel()
	joined := errors.Join(errors.New("SECRET_KEY: required"), errors.New("ADMIN_TOKEN: required"))
	tests := []struct {
		name       string
		logFormat  *string
		appEnv     *string
		err        error
		wantJSON   bool
		wantErrors int
	}{
		{name: "unset", err: joined},
		{name: "text", logFormat: ptr("text"), err: joined},
		{name: "invalid", logFormat: ptr("jsn"), err: joined},
		{name: "json", logFormat: ptr("json"), err: joined, wantJSON: true, wantErrors: 2},
		{name: "JSON with spaces", logFormat: ptr(" JSON "), err: errors.New("LISTEN_ADDR: in use"), wantJSON: true},
		{name: "production's default", appEnv: ptr("production"), err: joined, wantJSON: true, wantErrors: 2},
		{name: "production, text", appEnv: ptr("Production"), logFormat: ptr("text"), err: joined},
		{name: "development's default", appEnv: ptr("development"), err: joined},
		{name: "unknown profile", appEnv: ptr("prod"), err: joined},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := prodready.MapEnv{}
			if tt.logFormat != nil {
				env["LOG_FORMAT"] = *tt.logFormat
			}
			if tt.appEnv != nil {
				env["APP_ENV"] = *tt.appEnv
			}
			var buf bytes.Buffer
			exitError(&buf, env, tt.err)
			if !tt.wantJSON {
				if want := "itemsapi: " + tt.err.Error() + "\n"; buf.String() != want {
					t.Errorf("exitError() wrote %q, want %q", buf.String(), want)
				}
				return
			}
			var rec struct {
				Level, Msg, Err string
				Errors          []string
			}
			var raw map[string]any
			if err := json.Unmarshal(buf.Bytes(), &raw); err != nil || strings.Count(buf.String(), "\n") != 1 {
				t.Fatalf("exitError() wrote %q, want one JSON record: %v", buf.String(), err)
			}
			json.Unmarshal(buf.Bytes(), &rec)
			if rec.Level != "ERROR" || rec.Msg == "" || rec.Err != tt.err.Error() || len(rec.Errors) != tt.wantErrors || raw["time"] == nil {
				t.Errorf("exitError() wrote %s, want level ERROR, a msg, the error and %d errors", buf.String(), tt.wantErrors)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// TestStartupFailureJSON runs the binary with LOG_FORMAT=json and a start-up
// that fails, in the configuration or after it (the port): every line of
// stderr is a JSON record, one of them the error, and no secret shows.
func TestStartupFailureJSON(t *testing.T) {
	t.Parallel()
	strong := randomText(t, 48)
	tests := []struct {
		name     string
		env      map[string]string
		want     []string
		wantJSON bool
	}{
		{"production without SECRET_KEY", map[string]string{"LOG_FORMAT": "json", "APP_ENV": "production", "ADMIN_TOKEN": strong}, []string{"SECRET_KEY"}, true},
		{"several bad variables", map[string]string{"LOG_FORMAT": "json", "REQUEST_TIMEOUT": "0s", "SEED_ITEMS": "-1", "ADMIN_TOKEN": strong}, []string{"REQUEST_TIMEOUT", "SEED_ITEMS"}, true},
		{"LOG_FORMAT in capitals", map[string]string{"LOG_FORMAT": "JSON", "LISTEN_ADDR": "bogus"}, []string{"LISTEN_ADDR"}, true},
		{"port in use, after the configuration", map[string]string{"LOG_FORMAT": "json", "ADMIN_TOKEN": strong}, []string{"LISTEN_ADDR", "address already in use"}, true},
		{"LOG_FORMAT itself invalid", map[string]string{"LOG_FORMAT": "jsn", "ADMIN_TOKEN": strong}, []string{"LOG_FORMAT"}, false},
		{"production's default", map[string]string{"APP_ENV": "production", "ADMIN_TOKEN": strong}, []string{"SECRET_KEY"}, true},
		{"text", map[string]string{"LOG_FORMAT": "text", "APP_ENV": "production", "ADMIN_TOKEN": strong}, []string{"SECRET_KEY"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			env := tt.env
			if env["LISTEN_ADDR"] == "" {
				env["LISTEN_ADDR"] = ln.Addr().String()
			}
			_, stderr, code := runCommand(t, t.TempDir(), env)
			if code != 1 {
				t.Fatalf("exit status %d, want 1\nstderr:\n%s", code, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			checkNoLeak(t, "stderr", stderr, []string{strong})
			if !tt.wantJSON {
				if !strings.HasPrefix(stderr, "itemsapi: ") && !strings.Contains(stderr, "\nitemsapi: ") {
					t.Errorf("stderr has no line \"itemsapi: ...\":\n%s", stderr)
				}
				return
			}
			errs := 0
			sc := bufio.NewScanner(strings.NewReader(stderr))
			for sc.Scan() {
				var rec map[string]any
				if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
					t.Errorf("stderr line %q is not JSON: %v", sc.Text(), err)
					continue
				}
				if rec["level"] == "ERROR" && rec["err"] != nil {
					errs++
				}
			}
			if errs != 1 {
				t.Errorf("%d error records, want 1:\n%s", errs, stderr)
			}
		})
	}
}

// TestJSONLogDurations runs the binary with LOG_FORMAT=json through a
// shutdown, whose records carry SHUTDOWN_DRAIN and SHUTDOWN_TIMEOUT.
func TestJSONLogDurations(t *testing.T) {
	t.Parallel()
	in := start(t, "itemsapi", t.TempDir(), map[string]string{"SEED_ITEMS": "1", "LOG_FORMAT": "json", "SHUTDOWN_DRAIN": "1500ms", "SHUTDOWN_TIMEOUT": "7s"})
	in.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-in.exited:
	case <-time.After(30 * time.Second):
		t.Fatal("no exit 30s after SIGTERM")
	}
	logs := in.output()
	for _, w := range []string{`"drain":"1.5s"`, `"timeout":"7s"`} {
		if !strings.Contains(logs, w) {
			t.Errorf("logs lack %s:\n%s", w, logs)
		}
	}
}
