package prodready

import (
	"strings"
	"testing"
)

func TestShowPath(t *testing.T) {
	t.Parallel()
	long := "/" + strings.Repeat("deploy/", 70) + "app.yaml" // 499 bytes: shown whole
	huge := "/" + strings.Repeat("d/", 1000) + "app.yaml"    // 2009 bytes: its end
	tests := []struct {
		name, in, want string
	}{
		{"plain", "/etc/app/config.yaml", "/etc/app/config.yaml"},
		{"relative", "secret.txt", "secret.txt"},
		{"non-ASCII printable", "/srv/café/c.yaml", "/srv/café/c.yaml"},
		{"long printable is whole", long, long},
		{"huge printable keeps its end", huge, "..." + huge[len(huge)-256:] + " (2009-byte path)"},
		{"control characters are quoted", "c.yaml\n\x1b[31m", `"c.yaml\n\x1b[31m"`},
		{"invalid UTF-8 is quoted", "c\xff.yaml", `"c\xff.yaml"`},
		{"huge unprintable keeps its quoted end", strings.Repeat("\x01", 200) + "app.yaml", `..."` + strings.Repeat(`\x01`, 56) + `app.yaml" (208-byte path)`},
		{"cut on a rune boundary", strings.Repeat("é", 300), "..." + strings.Repeat("é", 128) + " (600-byte path)"},
	}
	for _, tt := range tests {
		if got := showPath(tt.in); got != tt.want {
			t.Errorf("%s: showPath(%.40q) = %.300q, want %.300q", tt.name, tt.in, got, tt.want)
		}
	}
}
