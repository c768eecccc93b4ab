package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/prodready/prodready"
)

// TestLogFindingsVocabulary: the library logs a finding as check=PR-W041
// var=DATABASE_URL, but the service logged the same finding as id=PR-W041
// key=DATABASE_URL (found by a new user grepping the logs for check=). The
// service now uses the library's names.
func TestLogFindingsVocabulary(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		f    prodready.Finding
		want map[string]any // the attributes, besides time
	}{
		{
			name: "warning on a variable",
			f:    prodready.Finding{ID: "PR-W041", Severity: prodready.SeverityWarning, Key: "DATABASE_URL", Message: "no TLS", Hint: "add sslmode=require", Origin: prodready.Origin{Source: prodready.SourceEnv}},
			want: map[string]any{"level": "WARN", "msg": "DATABASE_URL: no TLS", "check": "PR-W041", "var": "DATABASE_URL", "origin": prodready.SourceEnv.String(), "hint": "add sslmode=require"},
		},
		{
			name: "info on no variable, no hint",
			f:    prodready.Finding{ID: "PR-I001", Severity: prodready.SeverityInfo, Message: "profile development"},
			want: map[string]any{"level": "INFO", "msg": "profile development", "check": "PR-I001"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			logger := slog.New(slog.NewJSONHandler(&buf, nil))
			logFindings(context.Background(), logger, []prodready.Finding{tt.f})
			var got map[string]any
			if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
				t.Fatalf("log line %q: %v", buf.String(), err)
			}
			delete(got, "time")
			if len(got) != len(tt.want) {
				t.Errorf("attributes %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s = %v, want %v (line %s)", k, got[k], v, buf.String())
				}
			}
			for _, old := range []string{"id", "key"} {
				if _, ok := got[old]; ok {
					t.Errorf("attribute %q logged: the library's names are check and var", old)
				}
			}
		})
	}
}
