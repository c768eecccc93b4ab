package rediscache

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/prodready/prodready"
)

// The outside attack ("Trust" issue): scrub replaced only the decoded
// password, so a driver's message quoting the URL (percent-escaped
// password) or a token user name kept the credential, and its
// errors.New lost the error chain (errors.Is(err, context.DeadlineExceeded)).
func TestScrubHidesCredentials(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, url, msg, secret string }{
		{"escaped password", "redis://app:p%40ssw0rd9@cache:6379/0", "dial redis://app:p%40ssw0rd9@cache:6379/0", "ssw0rd9"},
		{"decoded password", "redis://app:p%40ssw0rd9@cache:6379/0", "AUTH app p@ssw0rd9 refused", "ssw0rd9"},
		{"token user name", "redis://tok3nABCDEFGHIJ0123@cache:6379/0", "WRONGPASS tok3nABCDEFGHIJ0123", "tok3nABCDEFGHIJ0123"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			u, err := prodready.ParseSecretURL(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			got := scrub(fmt.Errorf("%s: %w", tt.msg, context.DeadlineExceeded), u)
			if strings.Contains(got.Error(), tt.secret) {
				t.Errorf("scrub = %q: shows the credential", got)
			}
			if !errors.Is(got, context.DeadlineExceeded) {
				t.Errorf("scrub = %v: lost the error chain", got)
			}
		})
	}
}
