package bind

import (
	"reflect"
	"strings"
	"testing"
)

// An int field given 0x1F said only "want a whole number" (Trust issue):
// the value is a whole number, in another base. The message says that
// only decimal is read, without quoting the value.
func TestDecodeIntDecimalOnly(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		typ  reflect.Type
		in   string
		want string // "" for no error
	}{
		{"int hex", reflect.TypeFor[int](), "0x1F", "decimal only"},
		{"int hex upper", reflect.TypeFor[int](), "0X1f", "decimal only"},
		{"int octal", reflect.TypeFor[int](), "0o17", "decimal only"},
		{"int binary", reflect.TypeFor[int](), "0b101", "decimal only"},
		{"int negative hex", reflect.TypeFor[int](), "-0x10", "decimal only"},
		{"int8 hex", reflect.TypeFor[int8](), "0x1F", "decimal only"},
		{"int underscores", reflect.TypeFor[int](), "1_000", "decimal only"},
		{"uint hex", reflect.TypeFor[uint](), "0x1F", "decimal only"},
		{"uint16 octal", reflect.TypeFor[uint16](), "0o7", "decimal only"},
		{"int decimal with leading zero", reflect.TypeFor[int](), "017", ""},
		{"int word", reflect.TypeFor[int](), "lots", "whole number"},
		{"int plain", reflect.TypeFor[int](), "31", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dec, err := fieldDecoder(tt.typ, Config{}, ",", "=")
			if err != nil {
				t.Fatal(err)
			}
			v := reflect.New(tt.typ).Elem()
			err = dec(v, tt.in, nil)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("decode(%q) error = %v", tt.in, err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("decode(%q) error = %v, want it to contain %q", tt.in, err, tt.want)
			case err != nil && strings.Contains(err.Error(), tt.in):
				t.Errorf("decode(%q) error = %v quotes the value", tt.in, err)
			}
		})
	}
}
