package main

import (
	"strings"
	"testing"
)

func TestValidateItem(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		in        ItemInput
		wantParam string
	}{
		{"ok", ItemInput{Name: "Blue Widget", PriceCents: 1999}, ""},
		{"free", ItemInput{Name: "x", PriceCents: 0}, ""},
		{"most expensive", ItemInput{Name: "x", PriceCents: 1_000_000_000_000}, ""},
		{"200 bytes", ItemInput{Name: strings.Repeat("é", 100), PriceCents: 1}, ""},
		{"unicode", ItemInput{Name: "Kaffeetasse ☕ für 2", PriceCents: 1}, ""},
		{"empty name", ItemInput{Name: "", PriceCents: 1}, "name"},
		{"201 bytes", ItemInput{Name: strings.Repeat("a", 201), PriceCents: 1}, "name"},
		{"invalid UTF-8", ItemInput{Name: "a\xffb", PriceCents: 1}, "name"},
		{"newline", ItemInput{Name: "a\nb", PriceCents: 1}, "name"},
		{"NUL", ItemInput{Name: "a\x00b", PriceCents: 1}, "name"},
		{"C1 control", ItemInput{Name: "a\u009bb", PriceCents: 1}, "name"},
		{"negative price", ItemInput{Name: "x", PriceCents: -1}, "price_cents"},
		{"price too high", ItemInput{Name: "x", PriceCents: 1_000_000_000_001}, "price_cents"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			param, msg := validateItem(tt.in)
			if param != tt.wantParam {
				t.Errorf("validateItem(%+v) = %q (%s), want %q", tt.in, param, msg, tt.wantParam)
			}
			if param != "" && !strings.HasPrefix(msg, param+": ") {
				t.Errorf("message %q does not start with the parameter %q", msg, param)
			}
		})
	}
}
