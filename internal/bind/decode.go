package bind

import (
	"encoding"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// A ForeignError is an error from a decoder this package does not own: a
// type's UnmarshalText or a registered decoder. Its message may quote the
// value, which the built-in decoders never do.
type ForeignError struct{ Err error }

// Error returns the decoder's message, which may quote the value.
func (e *ForeignError) Error() string { return e.Err.Error() }

// Unwrap returns the decoder's error.
func (e *ForeignError) Unwrap() error { return e.Err }

// Custom maps a type to a user-registered decoder. A decoder's result must
// be assignable to the type it is registered for.
type Custom map[reflect.Type]func(s string) (any, error)

type decodeFunc func(v reflect.Value, s string, c Custom) error

// Decode parses s into v, which must be the addressable field f describes.
func (f *Field) Decode(v reflect.Value, s string, c Custom) error {
	return f.decode(v, s, c)
}

// DecodeList sets v, a slice field, from already separated items, as a
// configuration file's list gives them.
func (f *Field) DecodeList(v reflect.Value, items []string, c Custom) error {
	if f.Type.Kind() != reflect.Slice || custom(f.Type, c) != nil {
		return errors.New("a list is not allowed here; want a single value")
	}
	out := reflect.MakeSlice(f.Type, len(items), len(items))
	for i, s := range items {
		if err := f.elem(out.Index(i), s, c); err != nil {
			return fmt.Errorf("item %d: %w", i+1, err)
		}
	}
	v.Set(out)
	return nil
}

// DecodeMap sets v, a map field, from key and value pairs, as a
// configuration file's mapping gives them.
func (f *Field) DecodeMap(v reflect.Value, keys, vals []string, c Custom) error {
	if f.Type.Kind() != reflect.Map || custom(f.Type, c) != nil {
		return errors.New("a mapping is not allowed here; want a single value")
	}
	out := reflect.MakeMapWithSize(f.Type, len(keys))
	for i := range keys {
		k := reflect.New(f.Type.Key()).Elem()
		if err := f.key(k, keys[i], c); err != nil {
			return fmt.Errorf("key %d: %w", i+1, err)
		}
		e := reflect.New(f.Type.Elem()).Elem()
		if err := f.elem(e, vals[i], c); err != nil {
			return fmt.Errorf("value of key %d: %w", i+1, err)
		}
		out.SetMapIndex(k, e)
	}
	v.Set(out)
	return nil
}

// IsList reports whether the field holds a list of values.
func (f *Field) IsList() bool {
	return f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() != reflect.Uint8
}

// IsMap reports whether the field holds a map.
func (f *Field) IsMap() bool { return f.Type.Kind() == reflect.Map }

func custom(t reflect.Type, c Custom) func(string) (any, error) {
	if len(c) == 0 {
		return nil
	}
	return c[t]
}

// decodeCustom wraps dec so that a user-registered decoder for t, when
// present at load time, takes precedence.
func decodeCustom(t reflect.Type, dec decodeFunc) decodeFunc {
	return func(v reflect.Value, s string, c Custom) error {
		if fn := custom(t, c); fn != nil {
			return callCustom(fn, v, s)
		}
		return dec(v, s, c)
	}
}

func callCustom(fn func(string) (any, error), v reflect.Value, s string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the registered decoder for %s panicked", v.Type())
		}
	}()
	x, err := fn(s)
	if err != nil {
		return &ForeignError{err}
	}
	rv := reflect.ValueOf(x)
	if !rv.IsValid() || !rv.Type().AssignableTo(v.Type()) {
		return fmt.Errorf("the registered decoder for %s returned a %T", v.Type(), x)
	}
	v.Set(rv)
	return nil
}

// decoderFor returns the decoder of a nested element type, whose lists and
// maps use the default separators.
func decoderFor(t reflect.Type, cfg Config) (decodeFunc, error) {
	return fieldDecoder(t, cfg, ",", "=")
}

// fieldDecoder returns the decoder of a field of type t whose slices and
// maps split on sep and kvsep.
func fieldDecoder(t reflect.Type, cfg Config, sep, kvsep string) (decodeFunc, error) {
	dec, err := baseDecoder(t, cfg, sep, kvsep)
	if err != nil {
		return nil, err
	}
	return decodeCustom(t, dec), nil
}

func baseDecoder(t reflect.Type, cfg Config, sep, kvsep string) (decodeFunc, error) {
	switch {
	case t == durationType:
		return decodeDuration, nil
	case t == levelType:
		return decodeLevel, nil
	case cfg.Decoders[t] != nil:
		dec := cfg.Decoders[t]
		return func(v reflect.Value, s string, _ Custom) error { return dec(v, s) }, nil
	case t == urlType:
		return func(v reflect.Value, s string, _ Custom) error {
			u, err := parseURL(s)
			if err != nil {
				return err
			}
			v.Set(reflect.ValueOf(*u))
			return nil
		}, nil
	case t.Kind() == reflect.Pointer && t.Elem() == urlType:
		return func(v reflect.Value, s string, _ Custom) error {
			u, err := parseURL(s)
			if err != nil {
				return err
			}
			v.Set(reflect.ValueOf(u))
			return nil
		}, nil
	case reflect.PointerTo(t).Implements(textUnmarshalerType):
		return func(v reflect.Value, s string, _ Custom) error {
			if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
				return &ForeignError{err}
			}
			return nil
		}, nil
	}
	switch t.Kind() {
	case reflect.String:
		return func(v reflect.Value, s string, _ Custom) error { v.SetString(s); return nil }, nil
	case reflect.Bool:
		return decodeBool, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return decodeInt, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return decodeUint, nil
	case reflect.Float32, reflect.Float64:
		return decodeFloat, nil
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return func(v reflect.Value, s string, _ Custom) error { v.SetBytes([]byte(s)); return nil }, nil
		}
		elem, err := decoderFor(t.Elem(), cfg)
		if err != nil {
			return nil, fmt.Errorf("slice element: %w", err)
		}
		return sliceDecoder(t, elem, sep), nil
	case reflect.Map:
		kd, err := decoderFor(t.Key(), cfg)
		if err != nil {
			return nil, fmt.Errorf("map key: %w", err)
		}
		vd, err := decoderFor(t.Elem(), cfg)
		if err != nil {
			return nil, fmt.Errorf("map value: %w", err)
		}
		return mapDecoder(t, kd, vd, sep, kvsep), nil
	case reflect.Pointer:
		elem, err := decoderFor(t.Elem(), cfg)
		if err != nil {
			return nil, err
		}
		return func(v reflect.Value, s string, c Custom) error {
			p := reflect.New(t.Elem())
			if err := elem(p.Elem(), s, c); err != nil {
				return err
			}
			v.Set(p)
			return nil
		}, nil
	case reflect.Struct:
		if cfg.Leaf != nil && cfg.Leaf(t) {
			return func(reflect.Value, string, Custom) error {
				return fmt.Errorf("no decoder for %s", t)
			}, nil
		}
	}
	return nil, fmt.Errorf("%w %s", errUnsupported, t)
}

// errUnsupported marks a type the built-in decoding cannot handle: a field
// of it needs a decoder registered at load time.
var errUnsupported = errors.New("unsupported type")

// SplitList splits a list value on sep, trimming spaces around each item.
// An empty or all-space value is an empty list.
func SplitList(s, sep string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	parts := strings.Split(s, sep)
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

func sliceDecoder(t reflect.Type, elem decodeFunc, sep string) decodeFunc {
	return func(v reflect.Value, s string, c Custom) error {
		return decodeSlice(t, elem, v, SplitList(s, sep), c)
	}
}

var stringsType = reflect.TypeFor[[]string]()

func decodeSlice(t reflect.Type, elem decodeFunc, v reflect.Value, items []string, c Custom) error {
	if len(items) == 0 {
		v.SetZero()
		return nil
	}
	if t == stringsType && custom(t.Elem(), c) == nil {
		for i, item := range items {
			if item == "" {
				return fmt.Errorf("item %d is empty", i+1)
			}
		}
		*v.Addr().Interface().(*[]string) = items // items is ours: SplitList made it
		return nil
	}
	out := reflect.MakeSlice(t, len(items), len(items))
	for i, item := range items {
		if item == "" {
			return fmt.Errorf("item %d is empty", i+1)
		}
		if err := elem(out.Index(i), item, c); err != nil {
			return fmt.Errorf("item %d: %w", i+1, err)
		}
	}
	v.Set(out)
	return nil
}

func mapDecoder(t reflect.Type, kd, vd decodeFunc, sep, kvsep string) decodeFunc {
	return func(v reflect.Value, s string, c Custom) error {
		return decodeMap(t, kd, vd, v, s, sep, kvsep, c)
	}
}

func decodeMap(t reflect.Type, kd, vd decodeFunc, v reflect.Value, s, sep, kvsep string, c Custom) error {
	items := SplitList(s, sep)
	out := reflect.MakeMapWithSize(t, len(items))
	for i, item := range items {
		key, val, ok := strings.Cut(item, kvsep)
		if !ok {
			return fmt.Errorf("entry %d has no %q; want key%svalue pairs separated by %q", i+1, kvsep, kvsep, sep)
		}
		key = strings.TrimSpace(key)
		if key == "" {
			return fmt.Errorf("entry %d has an empty key", i+1)
		}
		k := reflect.New(t.Key()).Elem()
		if err := kd(k, key, c); err != nil {
			return fmt.Errorf("entry %d key: %w", i+1, err)
		}
		if out.MapIndex(k).IsValid() {
			return fmt.Errorf("entry %d repeats a key", i+1)
		}
		e := reflect.New(t.Elem()).Elem()
		if err := vd(e, strings.TrimSpace(val), c); err != nil {
			return fmt.Errorf("entry %d value: %w", i+1, err)
		}
		out.SetMapIndex(k, e)
	}
	v.Set(out)
	return nil
}

func decodeBool(v reflect.Value, s string, _ Custom) error {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "t", "true", "y", "yes", "on":
		v.SetBool(true)
	case "0", "f", "false", "n", "no", "off":
		v.SetBool(false)
	default:
		return errors.New("want true or false (also accepted: 1/0, yes/no, on/off)")
	}
	return nil
}

func decodeInt(v reflect.Value, s string, _ Custom) error {
	bits := v.Type().Bits()
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, bits)
	if err != nil {
		lo, hi := -(int64(1) << (bits - 1)), int64(1)<<(bits-1)-1
		if errors.Is(err, strconv.ErrRange) {
			// A 64-bit range is nineteen digits each way, and naming its
			// negative end invites a negative value where the field's own
			// check then wants a positive one (PAGE_SIZE): name the end
			// the value passed.
			switch {
			case bits < 64:
				return fmt.Errorf("out of range; want a whole number from %d to %d", lo, hi)
			case strings.HasPrefix(strings.TrimSpace(s), "-"):
				return fmt.Errorf("out of range; want a whole number of at least %d", lo)
			default:
				return fmt.Errorf("out of range; want a whole number of at most %d", hi)
			}
		}
		if otherBase(s) {
			return fmt.Errorf("decimal only: 0x, 0o and 0b prefixes and _ separators are not read; want a whole number from %d to %d in decimal digits", lo, hi)
		}
		if bits == 64 {
			return errors.New("want a whole number, such as 50")
		}
		return fmt.Errorf("want a whole number from %d to %d", lo, hi)
	}
	v.SetInt(n)
	return nil
}

func decodeUint(v reflect.Value, s string, _ Custom) error {
	bits := v.Type().Bits()
	hi := uint64(math.MaxUint64) >> (64 - bits)
	t := strings.TrimSpace(s)
	n, err := strconv.ParseUint(t, 10, bits)
	if err != nil {
		if strings.HasPrefix(t, "-") {
			return fmt.Errorf("negative; want a whole number from 0 to %d", hi)
		}
		if errors.Is(err, strconv.ErrRange) {
			return fmt.Errorf("out of range; want a whole number from 0 to %d", hi)
		}
		if otherBase(t) {
			return fmt.Errorf("decimal only: 0x, 0o and 0b prefixes and _ separators are not read; want a whole number from 0 to %d in decimal digits", hi)
		}
		return fmt.Errorf("want a whole number from 0 to %d", hi)
	}
	v.SetUint(n)
	return nil
}

// otherBase reports whether s is a whole number that Go would read with
// base 0 (0x1F, 0o17, 0b101, 1_000) but that is not decimal.
func otherBase(s string) bool {
	_, err := strconv.ParseInt(strings.TrimSpace(s), 0, 64)
	return err == nil || errors.Is(err, strconv.ErrRange)
}

func decodeFloat(v reflect.Value, s string, _ Custom) error {
	bits := v.Type().Bits()
	f, err := strconv.ParseFloat(strings.TrimSpace(s), bits)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return fmt.Errorf("out of range for a %d-bit float", bits)
		}
		return errors.New("want a number, such as 0.5")
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return errors.New("want a finite number; NaN and Inf are not allowed")
	}
	v.SetFloat(f)
	return nil
}

var levelType = reflect.TypeFor[slog.Level]()

// decodeLevel parses a slog level as slog does (a name, in any case, with
// an optional offset: "info+2"), with a message that does not quote the
// value back.
func decodeLevel(v reflect.Value, s string, _ Custom) error {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.TrimSpace(s))); err != nil {
		return errors.New("want a log level: debug, info, warn or error, optionally with an offset such as info+2")
	}
	v.SetInt(int64(l))
	return nil
}

// durationSyntax matches what time.ParseDuration accepts, whatever the
// size of the numbers.
var durationSyntax = regexp.MustCompile(`^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|\x{00b5}s|\x{03bc}s|ms|s|m|h))+$`)

func decodeDuration(v reflect.Value, s string, _ Custom) error {
	t := strings.TrimSpace(s)
	d, err := time.ParseDuration(t)
	if err != nil {
		if f, nerr := strconv.ParseFloat(t, 64); nerr == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
			return errors.New("has no unit; want a duration such as 30s, 5m or 1h30m (units: ns, us, ms, s, m, h)")
		}
		if durationSyntax.MatchString(t) {
			// Well formed, so too large: time.ParseDuration says only
			// "invalid duration" for an overflow.
			return errors.New("out of range; want a duration between -2562047h and 2562047h")
		}
		return errors.New("want a duration such as 30s, 5m or 1h30m (units: ns, us, ms, s, m, h)")
	}
	v.SetInt(int64(d))
	return nil
}

func parseURL(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err == nil {
		err = CheckPort(u)
	}
	if err != nil {
		return nil, fmt.Errorf("want a URL such as https://host:port/path (%s)", URLErrorKind(err))
	}
	return u, nil
}

// CheckPort returns an error when u names a port outside 1 to 65535, which
// net/url lets through.
func CheckPort(u *url.URL) error {
	p := u.Port()
	if p == "" {
		return nil
	}
	n, err := strconv.ParseUint(p, 10, 16)
	if err != nil || n == 0 {
		return errors.New("invalid port: want 1 to 65535")
	}
	return nil
}

// URLErrorKind names what is wrong in a URL that net/url rejected, without
// quoting any part of it: url.Error and its inner errors quote the input,
// which may hold a password.
func URLErrorKind(err error) string {
	msg := err.Error()
	var ue *url.Error
	if errors.As(err, &ue) {
		msg = ue.Err.Error()
	}
	switch {
	case strings.HasPrefix(msg, "invalid port"):
		return "invalid port"
	case strings.Contains(msg, "control character"):
		return "contains a control character"
	case strings.HasPrefix(msg, "invalid URL escape"):
		return "invalid %-escape"
	case strings.Contains(msg, "missing protocol scheme"), strings.Contains(msg, "first path segment"):
		return "missing scheme"
	case strings.Contains(msg, "IPv6"), strings.Contains(msg, "missing ']'"):
		return "invalid IPv6 host"
	case strings.Contains(msg, "invalid character"):
		return "invalid character in host"
	case strings.Contains(msg, "userinfo"):
		return "invalid user info"
	}
	return "malformed URL"
}
