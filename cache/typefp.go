package cache

import (
	"fmt"
	"hash/fnv"
	"io"
	"reflect"
	"strings"
)

// fingerprint returns the envelope fingerprint of V encoded by codec: a
// hash of the names of both types. An entry written for another V (or by
// another Codec) does not decode as a wrong zero value: it is a miss.
func fingerprint[V any](codec Codec) uint64 {
	h := fnv.New64a()
	_, _ = io.WriteString(h, typeName(reflect.TypeFor[V]()))
	_, _ = io.WriteString(h, "\x00")
	_, _ = io.WriteString(h, typeName(reflect.TypeOf(codec)))
	return h.Sum64()
}

// typeName names t for the fingerprint by its full import path: a named
// type is its package path and name ("example.com/app/model.User"), so
// that two packages called model do not collide as String's "model.User"
// would. Generic instantiations, whose Name holds the type arguments by
// package name only, and unnamed types (pointers, slices, maps...) use
// String, with the pointer, slice and map element types named in full.
func typeName(t reflect.Type) string {
	if t == nil {
		return "<nil>"
	}
	if t.Name() != "" && t.PkgPath() != "" && !strings.Contains(t.Name(), "[") {
		return t.PkgPath() + "." + t.Name()
	}
	switch t.Kind() {
	case reflect.Pointer:
		if t.Name() == "" {
			return "*" + typeName(t.Elem())
		}
	case reflect.Slice:
		if t.Name() == "" {
			return "[]" + typeName(t.Elem())
		}
	case reflect.Array:
		if t.Name() == "" {
			return fmt.Sprintf("[%d]%s", t.Len(), typeName(t.Elem()))
		}
	case reflect.Map:
		if t.Name() == "" {
			return "map[" + typeName(t.Key()) + "]" + typeName(t.Elem())
		}
	}
	if t.PkgPath() != "" {
		return t.PkgPath() + "." + t.String() // generic: path of the generic type too
	}
	return t.String()
}
