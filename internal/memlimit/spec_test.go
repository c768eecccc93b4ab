package memlimit

import (
	"math"
	"strings"
	"testing"
)

func TestParseSpec(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want Spec
	}{
		{name: "empty", in: "", want: Spec{}},
		{name: "blank", in: " \t\n", want: Spec{}},
		{name: "zero", in: "0", want: Spec{}},
		{name: "zero with unit", in: "0MiB", want: Spec{}},
		{name: "zero fraction", in: "0.0GiB", want: Spec{}},
		{name: "plain bytes", in: "1048576", want: Spec{Bytes: 1048576}},
		{name: "leading zeros", in: "007", want: Spec{Bytes: 7}},
		{name: "whole fraction bytes", in: "1.000", want: Spec{Bytes: 1}},
		{name: "B", in: "512B", want: Spec{Bytes: 512}},
		{name: "trimmed", in: "  256MiB\n", want: Spec{Bytes: 256 << 20}},

		{name: "K", in: "64K", want: Spec{Bytes: 64 << 10}},
		{name: "k", in: "64k", want: Spec{Bytes: 64 << 10}},
		{name: "Ki", in: "64Ki", want: Spec{Bytes: 64 << 10}},
		{name: "KiB", in: "64KiB", want: Spec{Bytes: 64 << 10}},
		{name: "kiB", in: "64kiB", want: Spec{Bytes: 64 << 10}},
		{name: "KIB", in: "64KIB", want: Spec{Bytes: 64 << 10}},
		{name: "KB", in: "64KB", want: Spec{Bytes: 64000}},
		{name: "kB", in: "64kB", want: Spec{Bytes: 64000}},

		{name: "M", in: "3M", want: Spec{Bytes: 3 << 20}},
		{name: "m", in: "3m", want: Spec{Bytes: 3 << 20}},
		{name: "Mi", in: "3Mi", want: Spec{Bytes: 3 << 20}},
		{name: "MiB", in: "256MiB", want: Spec{Bytes: 256 << 20}},
		{name: "MB", in: "256MB", want: Spec{Bytes: 256e6}},

		{name: "G", in: "2G", want: Spec{Bytes: 2 << 30}},
		{name: "g", in: "2g", want: Spec{Bytes: 2 << 30}},
		{name: "Gi", in: "2Gi", want: Spec{Bytes: 2 << 30}},
		{name: "GiB", in: "2GiB", want: Spec{Bytes: 2 << 30}},
		{name: "GB", in: "2GB", want: Spec{Bytes: 2e9}},
		{name: "fraction GiB", in: "1.5GiB", want: Spec{Bytes: 3 << 29}},
		{name: "fraction GB", in: "0.1GB", want: Spec{Bytes: 1e8}},
		{name: "fraction rounds down", in: "1.1KiB", want: Spec{Bytes: 1126}},
		{name: "long fraction", in: "0.99999999999999999999999999999999999999999999999KiB", want: Spec{Bytes: 1023}},
		{name: "smallest fraction", in: "0.0009765625KiB", want: Spec{Bytes: 1}},

		{name: "T", in: "1T", want: Spec{Bytes: 1 << 40}},
		{name: "Ti", in: "1Ti", want: Spec{Bytes: 1 << 40}},
		{name: "TiB", in: "1TiB", want: Spec{Bytes: 1 << 40}},
		{name: "TB", in: "1TB", want: Spec{Bytes: 1e12}},
		{name: "max bytes", in: "9223372036854775807", want: Spec{Bytes: math.MaxInt64}},
		{name: "max TiB", in: "8388607TiB", want: Spec{Bytes: 8388607 << 40}},
		{name: "fraction below max", in: "8388607.9999999TiB", want: Spec{Bytes: 9223372036854665856}},
		{name: "fraction just below 2^63", in: "8388607.99999999999999999999TiB", want: Spec{Bytes: math.MaxInt64}},

		{name: "percent", in: "10%", want: Spec{Percent: 10}},
		{name: "fraction percent", in: "12.5%", want: Spec{Percent: 12.5}},
		{name: "hundred percent", in: "100%", want: Spec{Percent: 100}},
		{name: "hundred point zero percent", in: "100.000%", want: Spec{Percent: 100}},
		{name: "small percent", in: "0.001%", want: Spec{Percent: 0.001}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseSpec(tt.in)
			if err != nil {
				t.Fatalf("ParseSpec(%q) error = %v, want %v", tt.in, err, tt.want)
			}
			if got != tt.want {
				t.Errorf("ParseSpec(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseSpecErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string // substring of the error
	}{
		{name: "negative", in: "-1", want: "negative"},
		{name: "negative unit", in: "-1MiB", want: "negative"},
		{name: "negative percent", in: "-5%", want: "negative"},
		{name: "negative zero", in: "-0", want: "negative"},
		{name: "plus sign", in: "+1", want: "sign"},
		{name: "NaN", in: "NaN", want: "finite"},
		{name: "nan percent", in: "nan%", want: "finite"},
		{name: "Inf", in: "Inf", want: "finite"},
		{name: "infinity", in: "infinity", want: "finite"},
		{name: "negative inf", in: "-Inf", want: "negative"},
		{name: "zero percent", in: "0%", want: "greater than 0%"},
		{name: "zero fraction percent", in: "0.000%", want: "greater than 0%"},
		{name: "over 100 percent", in: "101%", want: "at most 100%"},
		{name: "just over 100 percent", in: "100.0000000000000001%", want: "at most 100%"},
		{name: "huge percent", in: "1000000000000000000000%", want: "at most 100%"},
		{name: "underflow percent", in: "0." + strings.Repeat("0", 400) + "1%", want: "too small"},
		{name: "overflow bytes", in: "9223372036854775808", want: "exceeds the maximum"},
		{name: "overflow many digits", in: "123456789012345678901234567890", want: "exceeds the maximum"},
		{name: "overflow unit", in: "8388608TiB", want: "exceeds the maximum"},
		{name: "overflow fraction", in: "8388608.5TiB", want: "exceeds the maximum"},
		{name: "unknown unit", in: "5XB", want: "unknown unit"},
		{name: "unknown prefix", in: "5PiB", want: "unknown unit"},
		{name: "unit too long", in: "5MiBB", want: "unknown unit"},
		{name: "exponent", in: "1e9", want: "unknown unit"},
		{name: "hex", in: "0x10", want: "unknown unit"},
		{name: "two percent signs", in: "5%%", want: "unknown unit"},
		{name: "lowercase b", in: "512b", want: "bits"},
		{name: "Mb", in: "256Mb", want: "bits"},
		{name: "mb", in: "256mb", want: "bits"},
		{name: "kib", in: "1kib", want: "bits"},
		{name: "empty number", in: "MiB", want: "missing number"},
		{name: "only percent", in: "%", want: "missing number"},
		{name: "only point", in: ".", want: "before the decimal point"},
		{name: "leading point", in: ".5GiB", want: "before the decimal point"},
		{name: "trailing point", in: "5.GiB", want: "after the decimal point"},
		{name: "two points", in: "1.2.3", want: "unknown unit"},
		{name: "comma", in: "1,5GiB", want: "unknown unit"},
		{name: "underscore", in: "1_000", want: "unknown unit"},
		{name: "space before unit", in: "256 MiB", want: "white space"},
		{name: "space in number", in: "1 000", want: "white space"},
		{name: "tab before percent", in: "10\t%", want: "white space"},
		{name: "fractional bytes", in: "1.5", want: "whole number"},
		{name: "fractional B", in: "1.5B", want: "whole number"},
		{name: "rounds to zero", in: "0.0001KiB", want: "rounds down to 0"},
		{name: "word", in: "unlimited", want: "missing number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseSpec(tt.in)
			if err == nil {
				t.Fatalf("ParseSpec(%q) = %#v, nil, want error containing %q", tt.in, got, tt.want)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) {
				t.Errorf("ParseSpec(%q) error = %q, want it to contain %q", tt.in, msg, tt.want)
			}
			if !strings.Contains(msg, want) {
				t.Errorf("ParseSpec(%q) error = %q, want it to say %q", tt.in, msg, want)
			}
			if msg != strings.TrimRight(msg, ".!") || strings.ToLower(msg[:1]) != msg[:1] {
				t.Errorf("ParseSpec(%q) error = %q, want lower case and no trailing punctuation", tt.in, msg)
			}
			if got != (Spec{}) {
				t.Errorf("ParseSpec(%q) = %#v with error, want zero Spec", tt.in, got)
			}
		})
	}
}

func TestSpecString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		spec Spec
		want string
	}{
		{name: "no limit", spec: Spec{}, want: "0"},
		{name: "bytes", spec: Spec{Bytes: 1500000}, want: "1500000"},
		{name: "one byte", spec: Spec{Bytes: 1}, want: "1"},
		{name: "KiB", spec: Spec{Bytes: 64 << 10}, want: "64KiB"},
		{name: "MiB", spec: Spec{Bytes: 256 << 20}, want: "256MiB"},
		{name: "1.5GiB is MiB", spec: Spec{Bytes: 3 << 29}, want: "1536MiB"},
		{name: "GiB", spec: Spec{Bytes: 2 << 30}, want: "2GiB"},
		{name: "TiB", spec: Spec{Bytes: 1 << 40}, want: "1TiB"},
		{name: "many TiB", spec: Spec{Bytes: 1 << 50}, want: "1024TiB"},
		{name: "SI", spec: Spec{Bytes: 1e6}, want: "1000000"},
		{name: "SI divisible by KiB", spec: Spec{Bytes: 256e6}, want: "250000KiB"},
		{name: "max", spec: Spec{Bytes: math.MaxInt64}, want: "9223372036854775807"},
		{name: "percent", spec: Spec{Percent: 10}, want: "10%"},
		{name: "fraction percent", spec: Spec{Percent: 12.5}, want: "12.5%"},
		{name: "tiny percent", spec: Spec{Percent: 1e-7}, want: "0.0000001%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.spec.String(); got != tt.want {
				t.Errorf("%#v.String() = %q, want %q", tt.spec, got, tt.want)
			}
		})
	}
}

func TestSpecStringRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
	}{
		{name: "no limit", in: "0"},
		{name: "bytes", in: "1048577"},
		{name: "B", in: "512B"},
		{name: "KB", in: "64KB"},
		{name: "KiB", in: "64KiB"},
		{name: "MB", in: "256MB"},
		{name: "MiB", in: "256MiB"},
		{name: "fraction GiB", in: "1.5GiB"},
		{name: "G", in: "2G"},
		{name: "TB", in: "3TB"},
		{name: "rounded down", in: "1.1KiB"},
		{name: "max", in: "9223372036854775807"},
		{name: "percent", in: "10%"},
		{name: "fraction percent", in: "12.5%"},
		{name: "awkward percent", in: "33.333333333333333333%"},
		{name: "tiny percent", in: "0.0000000000000000000000001%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			spec, err := ParseSpec(tt.in)
			if err != nil {
				t.Fatalf("ParseSpec(%q) error = %v, want nil", tt.in, err)
			}
			text := spec.String()
			got, err := ParseSpec(text)
			if err != nil {
				t.Fatalf("ParseSpec(%q) (String of ParseSpec(%q)) error = %v, want nil", text, tt.in, err)
			}
			if got != spec {
				t.Errorf("ParseSpec(%q) = %#v, want %#v (ParseSpec(%q))", text, got, spec, tt.in)
			}
		})
	}
}

func TestSpecResolve(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		spec    Spec
		limit   int64
		want    int64
		wantErr bool
	}{
		{name: "no limit", spec: Spec{}, limit: 1000, want: 0},
		{name: "no limit without limit", spec: Spec{}, limit: 0, want: 0},
		{name: "bytes", spec: Spec{Bytes: 4096}, limit: 1000, want: 4096},
		{name: "bytes without limit", spec: Spec{Bytes: 4096}, limit: 0, want: 4096},
		{name: "bytes negative limit", spec: Spec{Bytes: 4096}, limit: -1, want: 4096},
		{name: "ten percent", spec: Spec{Percent: 10}, limit: 1000, want: 100},
		{name: "fraction percent", spec: Spec{Percent: 12.5}, limit: 1 << 30, want: 1 << 27},
		{name: "rounds down", spec: Spec{Percent: 10}, limit: 1009, want: 100},
		{name: "decimal percent exact", spec: Spec{Percent: 33.3}, limit: 1000, want: 333},
		{name: "decimal percent 0.1", spec: Spec{Percent: 0.1}, limit: 1000, want: 1},
		{name: "hundred percent", spec: Spec{Percent: 100}, limit: 1 << 40, want: 1 << 40},
		{name: "hundred percent of max", spec: Spec{Percent: 100}, limit: math.MaxInt64, want: math.MaxInt64},
		{name: "half of max", spec: Spec{Percent: 50}, limit: math.MaxInt64, want: math.MaxInt64 / 2},
		{name: "percent zero limit", spec: Spec{Percent: 10}, limit: 0, wantErr: true},
		{name: "percent negative limit", spec: Spec{Percent: 10}, limit: -5, wantErr: true},
		{name: "percent below one byte", spec: Spec{Percent: 10}, limit: 5, wantErr: true},
		{name: "negative bytes", spec: Spec{Bytes: -1}, limit: 1000, wantErr: true},
		{name: "both set", spec: Spec{Bytes: 1, Percent: 1}, limit: 1000, wantErr: true},
		{name: "percent over 100", spec: Spec{Percent: 150}, limit: 1000, wantErr: true},
		{name: "negative percent", spec: Spec{Percent: -1}, limit: 1000, wantErr: true},
		{name: "NaN percent", spec: Spec{Percent: math.NaN()}, limit: 1000, wantErr: true},
		{name: "Inf percent", spec: Spec{Percent: math.Inf(1)}, limit: 1000, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.spec.Resolve(tt.limit)
			if tt.wantErr {
				if err == nil {
					t.Errorf("%#v.Resolve(%d) = %d, nil, want error", tt.spec, tt.limit, got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("%#v.Resolve(%d) = %d, %v, want %d, nil", tt.spec, tt.limit, got, err, tt.want)
			}
		})
	}
}

func FuzzParseSpec(f *testing.F) {
	for _, s := range []string{
		"", "0", "1048576", "512B", "64KB", "64KiB", "256MB", "256MiB",
		"1.5GiB", "2G", "10%", "12.5%", "-1", "NaN", "101%", "256 MiB",
		"9223372036854775808", "1.1KiB", "256mb", "0.0001%",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		spec, err := ParseSpec(in)
		if err != nil {
			if spec != (Spec{}) {
				t.Errorf("ParseSpec(%q) = %#v, %v, want zero Spec with error", in, spec, err)
			}
			return
		}
		if spec.Bytes < 0 || (spec.Percent != 0 && spec.Bytes != 0) ||
			!(spec.Percent == 0 || (spec.Percent > 0 && spec.Percent <= 100)) {
			t.Fatalf("ParseSpec(%q) = %#v, want a valid Spec", in, spec)
		}
		text := spec.String()
		got, err := ParseSpec(text)
		if err != nil || got != spec {
			t.Fatalf("ParseSpec(%q) (String of ParseSpec(%q)) = %#v, %v, want %#v, nil", text, in, got, err, spec)
		}
		if _, err := spec.Resolve(1 << 30); err != nil && spec.Percent == 0 {
			t.Errorf("%#v.Resolve(1<<30) error = %v, want nil", spec, err)
		}
	})
}
