package memlimit

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode"
)

// A Spec is a parsed memory size: either an absolute number of bytes or a
// percentage of the memory limit. The zero Spec means "no limit".
type Spec struct {
	Bytes   int64   // absolute size; 0 with Percent 0 means "no limit"
	Percent float64 // in (0, 100]; 0 when Bytes is used
}

// want is appended to every ParseSpec error to say what a valid value looks like.
const want = `want a size like "256MiB" or a percentage like "10%"`

// maxIntDigits is the number of decimal digits of math.MaxInt64; an integer
// part with more significant digits always overflows.
const maxIntDigits = 19

// maxFracDigits bounds the fraction digits used to compute a byte count.
// Every multiple of 1/unit for the units used here (at most 10^12 or 2^40) has
// a terminating decimal expansion of at most 40 digits, so truncating the
// fraction to 40 digits cannot change the rounded-down result.
const maxFracDigits = 40

// Unit sizes.
const (
	kib = int64(1) << 10
	mib = int64(1) << 20
	gib = int64(1) << 30
	tib = int64(1) << 40
)

// ParseSpec parses a memory size: "" or "0" (no limit), a byte count
// ("1048576", "512B"), a size with a unit ("64KB", "64KiB", "256MiB",
// "1.5GiB", "2G") or a percentage of the memory limit ("10%", "12.5%").
//
// KB, MB, GB and TB are powers of 1000; KiB, MiB, GiB, TiB (also written Ki,
// Mi, Gi, Ti) and a bare K, M, G, T are powers of 1024. The prefix letter and
// the "i" are case-insensitive; the final "B" must be upper case because "b"
// means bits. See the package documentation for details.
//
// Surrounding white space is trimmed. ParseSpec returns an error for negative,
// non-finite or malformed numbers, unknown units, white space inside the value,
// sizes that overflow int64 bytes, and percentages outside (0, 100].
func ParseSpec(s string) (Spec, error) {
	s = strings.TrimSpace(s)
	fail := func(format string, args ...any) (Spec, error) {
		// The input is not quoted: the caller quotes it, truncated, and it
		// may be a secret put in the wrong variable.
		return Spec{}, fmt.Errorf("invalid memory size: %s; %s", fmt.Sprintf(format, args...), want)
	}
	if s == "" {
		return Spec{}, nil
	}
	if strings.ContainsFunc(s, unicode.IsSpace) {
		return fail("white space inside the value")
	}
	if s[0] == '-' {
		return fail("negative size")
	}
	if s[0] == '+' {
		return fail("unexpected sign")
	}
	if l := strings.ToLower(strings.TrimSuffix(s, "%")); strings.HasPrefix(l, "nan") || strings.HasPrefix(l, "inf") {
		return fail("not a finite number")
	}

	// Split into number and unit.
	intPart, fracPart, unit, err := splitNumber(s)
	if err != nil {
		return fail("%v", err)
	}

	if unit == "%" {
		return parsePercent(intPart, fracPart, fail)
	}

	mult, err := unitSize(unit)
	if err != nil {
		return fail("%v", err)
	}
	n, err := toBytes(intPart, fracPart, mult)
	if err != nil {
		return fail("%v", err)
	}
	return Spec{Bytes: n}, nil
}

// splitNumber splits s into the digits before the decimal point, the digits
// after it (without the point) and the remaining unit text. The number must be
// one or more digits, optionally followed by a point and one or more digits.
func splitNumber(s string) (intPart, fracPart, unit string, err error) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	intPart = s[:i]
	if intPart == "" {
		if i < len(s) && s[i] == '.' {
			return "", "", "", errors.New("missing digits before the decimal point")
		}
		return "", "", "", errors.New("missing number")
	}
	if i < len(s) && s[i] == '.' {
		i++
		j := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		fracPart = s[j:i]
		if fracPart == "" {
			return "", "", "", errors.New("missing digits after the decimal point")
		}
	}
	return intPart, fracPart, s[i:], nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// unitSize returns the number of bytes in one unit.
func unitSize(unit string) (int64, error) {
	if unit == "" || unit == "B" {
		return 1, nil
	}
	if strings.HasSuffix(unit, "b") && isUnitLike(unit) {
		return 0, errors.New(`a lower-case "b" in the unit means bits, use "B" for bytes`)
	}
	unknown := errors.New("unknown unit (B; KiB, MiB, GiB, TiB, also written Ki or K, ..., are powers of 1024; KB, MB, GB, TB are powers of 1000)")
	var bin int64
	var si int64
	switch unit[0] {
	case 'K', 'k':
		bin, si = kib, 1e3
	case 'M', 'm':
		bin, si = mib, 1e6
	case 'G', 'g':
		bin, si = gib, 1e9
	case 'T', 't':
		bin, si = tib, 1e12
	default:
		return 0, unknown
	}
	switch unit[1:] {
	case "", "i", "I", "iB", "IB":
		return bin, nil
	case "B":
		return si, nil
	}
	return 0, unknown
}

// isUnitLike reports whether unit has the shape of a known unit apart from
// letter case, so that "Mb" gets the bits hint but "xyzb" does not.
func isUnitLike(unit string) bool {
	switch strings.ToLower(unit) {
	case "b", "kb", "kib", "mb", "mib", "gb", "gib", "tb", "tib":
		return true
	}
	return false
}

// toBytes returns floor((intPart.fracPart) * mult). A byte count without a
// larger unit (mult 1) must be whole.
func toBytes(intPart, fracPart string, mult int64) (int64, error) {
	intPart = strings.TrimLeft(intPart, "0")
	fracPart = strings.TrimRight(fracPart, "0")
	if mult == 1 && fracPart != "" {
		return 0, errors.New("a byte count must be a whole number")
	}
	if len(intPart) > maxIntDigits {
		return 0, errOverflow
	}
	if len(fracPart) > maxFracDigits {
		fracPart = fracPart[:maxFracDigits]
	}
	// value = (intPart fracPart as one integer) * mult / 10^len(fracPart)
	m, ok := new(big.Int).SetString("0"+intPart+fracPart, 10)
	if !ok {
		return 0, errors.New("malformed number") // unreachable: digits only
	}
	m.Mul(m, big.NewInt(mult))
	m.Quo(m, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(len(fracPart))), nil))
	if !m.IsInt64() {
		return 0, errOverflow
	}
	n := m.Int64()
	if n == 0 && (intPart != "" || fracPart != "") {
		return 0, errors.New("size rounds down to 0 bytes, which would mean no limit")
	}
	return n, nil
}

var errOverflow = fmt.Errorf("size exceeds the maximum of %d bytes", int64(math.MaxInt64))

// parsePercent parses the number of a percentage spec.
func parsePercent(intPart, fracPart string, fail func(string, ...any) (Spec, error)) (Spec, error) {
	ip := strings.TrimLeft(intPart, "0")
	fp := strings.TrimRight(fracPart, "0")
	if ip == "" && fp == "" {
		return fail("percentage must be greater than 0%%")
	}
	// Compare with 100 exactly, before any rounding to float64.
	if len(ip) > 3 || (len(ip) == 3 && (ip > "100" || (ip == "100" && fp != ""))) {
		return fail("percentage must be at most 100%%")
	}
	text := intPart
	if fracPart != "" {
		text += "." + fracPart
	}
	p, err := strconv.ParseFloat(text, 64)
	if err != nil || p <= 0 || p > 100 {
		return fail("percentage too small to represent")
	}
	return Spec{Percent: p}, nil
}

// String returns the canonical text of s, which ParseSpec parses back to s:
// "0" for no limit, a whole number of the largest binary unit that fits
// exactly ("256MiB", "1GiB"), else the number of bytes ("1500000"), or a
// percentage ("10%", "12.5%").
func (s Spec) String() string {
	if s.Percent != 0 {
		return strconv.FormatFloat(s.Percent, 'f', -1, 64) + "%"
	}
	n := s.Bytes
	if n <= 0 {
		return strconv.FormatInt(n, 10)
	}
	for _, u := range []struct {
		size int64
		name string
	}{{tib, "TiB"}, {gib, "GiB"}, {mib, "MiB"}, {kib, "KiB"}} {
		if n%u.size == 0 {
			return strconv.FormatInt(n/u.size, 10) + u.name
		}
	}
	return strconv.FormatInt(n, 10)
}

// Resolve returns the number of bytes s stands for: s.Bytes, or s.Percent of
// limit rounded down. The zero Spec resolves to 0, meaning "no limit".
//
// Resolve returns an error if s.Percent is set and limit <= 0, if a
// percentage of limit is less than one byte (0 would mean "no limit"), or if s
// is not a Spec that ParseSpec could return (negative Bytes, Percent outside
// (0, 100] or NaN, or both fields set).
func (s Spec) Resolve(limit int64) (int64, error) {
	switch {
	case s.Percent == 0:
		if s.Bytes < 0 {
			return 0, fmt.Errorf("invalid memory size: negative byte count %d", s.Bytes)
		}
		return s.Bytes, nil
	case s.Bytes != 0:
		return 0, fmt.Errorf("invalid memory size: both Bytes (%d) and Percent (%v) set", s.Bytes, s.Percent)
	case !(s.Percent > 0 && s.Percent <= 100): // also catches NaN
		return 0, fmt.Errorf("invalid memory size: percentage %v outside (0, 100]", s.Percent)
	case limit <= 0:
		return 0, fmt.Errorf("cannot resolve %s: no memory limit known (limit is %d)", s, limit)
	}
	// Use the shortest decimal form of Percent, which is what the user
	// wrote, so that 33.3% of 1000 is 333 and not 332.
	p, ok := new(big.Rat).SetString(strconv.FormatFloat(s.Percent, 'f', -1, 64))
	if !ok {
		return 0, fmt.Errorf("invalid memory size: percentage %v", s.Percent) // unreachable
	}
	p.Mul(p, new(big.Rat).SetInt64(limit))
	p.Quo(p, big.NewRat(100, 1))
	n := new(big.Int).Quo(p.Num(), p.Denom()) // floor: both positive
	if n.Sign() == 0 {
		return 0, fmt.Errorf("%s of %d bytes is less than 1 byte", s, limit)
	}
	return n.Int64(), nil // n <= limit because Percent <= 100
}
