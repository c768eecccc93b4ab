package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// The outside attack ("Trust" issue): DATABASE_URL credentials in query
// parameters of names off the old list, or after ';', printed in the
// service's start-up error and log: SecretURL, and the store's scrub that
// replaced only the user-info password, kept them; pgx's own message
// quotes the URL it could not parse.
func TestStartupErrorHidesDatabaseCredentials(t *testing.T) {
	t.Parallel()
	const c = "C4NARYitems"
	tests := []string{
		"postgres://app@127.0.0.1:1/app?sslmode=disable;password=" + c,
		"postgres://app@127.0.0.1:1/app?sslmode=disable&client_secret=" + c + "&connect_timeout=1",
		"postgres://app@127.0.0.1:1/app?sslmode=disable&X-Amz-Signature=" + c + "&connect_timeout=1",
		"postgres://app:" + c + "@127.0.0.1:1/app?sslmode=disable&connect_timeout=1",
		"postgres://app@127.0.0.1:1/app?sslmode=disable&connect_timeout=1#" + c,
		"postgres://app@127.0.0.1:1/app?sslmode=bogus&sas_token=" + c,
		"sqlite:/nonexistent-dir/x.db?sig=" + c,
	}
	for _, raw := range tests {
		t.Run(raw[:strings.Index(raw, c)], func(t *testing.T) {
			t.Parallel()
			var logs strings.Builder
			logger := slog.New(slog.NewTextHandler(&logs, nil))
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			st, err := openStore(ctx, raw, 0, logger)
			if err == nil {
				st.close()
				t.Fatalf("openStore(%q) = nil error, want one", raw)
			}
			for where, out := range map[string]string{
				"error": fmt.Sprintf("%v %+v %#v", err, err, err),
				"log":   logs.String(),
			} {
				if strings.Contains(out, c) {
					t.Errorf("openStore %s shows the credential: %s", where, out)
				}
			}
		})
	}
}
