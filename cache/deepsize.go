package cache

import (
	"reflect"
	"sync"
	"unsafe"
)

// deepSize estimates the bytes a value of type V holds in the heap: its
// own size plus everything it reaches through pointers, slices, maps,
// strings, interfaces and channels, unexported fields included. Memory
// reached twice (a shared pointer, a cycle, two strings on one buffer) is
// counted once. Allocations are rounded up to 16 bytes, and maps charged
// for their table's slack, roughly as the runtime spends them.
//
// The walk is bounded: a slice, array or map of more than deepSample
// elements that hold pointers is sampled (deepSample elements, evenly
// spread, and the mean extrapolated), and after deepBudget visited
// values it stops following pointers, so weighing a huge graph costs a
// bounded time and under-estimates it rather than stalling a Set.
func deepSize(v any) uint64 {
	if v == nil {
		return 0
	}
	w := deepWalker{seen: map[uintptr]struct{}{}}
	rv := reflect.ValueOf(v)
	return uint64(rv.Type().Size()) + w.indirect(rv)
}

const (
	deepSample = 64
	deepBudget = 1 << 14
)

type deepWalker struct {
	seen   map[uintptr]struct{}
	visits int
}

// first reports whether the memory at p is seen for the first time.
func (w *deepWalker) first(p uintptr) bool {
	if _, ok := w.seen[p]; ok {
		return false
	}
	w.seen[p] = struct{}{}
	return true
}

func alloc(n uintptr) uint64 { return uint64((n + 15) &^ 15) }

// indirect returns the bytes v reaches outside its own inline size.
func (w *deepWalker) indirect(v reflect.Value) uint64 {
	t := v.Type()
	if !hasPointers(t) {
		return 0
	}
	w.visits++
	if w.visits > deepBudget {
		return 0
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() || !w.first(v.Pointer()) {
			return 0
		}
		e := v.Elem()
		return alloc(e.Type().Size()) + w.indirect(e)
	case reflect.Interface:
		if v.IsNil() {
			return 0
		}
		e := v.Elem()
		switch e.Kind() {
		case reflect.Pointer, reflect.Map, reflect.Chan, reflect.Func, reflect.UnsafePointer:
			return w.indirect(e) // the interface holds the pointer itself
		}
		return alloc(e.Type().Size()) + w.indirect(e) // boxed
	case reflect.String:
		s := v.String()
		if len(s) == 0 || !w.first(uintptr(unsafe.Pointer(unsafe.StringData(s)))) {
			return 0
		}
		return alloc(uintptr(len(s)))
	case reflect.Slice:
		if v.IsNil() || v.Cap() == 0 || !w.first(v.Pointer()) {
			return 0
		}
		n := alloc(uintptr(v.Cap()) * t.Elem().Size())
		return n + w.elements(v.Len(), v.Index)
	case reflect.Array:
		return w.elements(v.Len(), v.Index)
	case reflect.Struct:
		var n uint64
		for i := range v.NumField() {
			n += w.indirect(v.Field(i))
		}
		return n
	case reflect.Map:
		if v.IsNil() || !w.first(v.Pointer()) {
			return 0
		}
		// A Swiss table: slots of key, value and a control byte, at most
		// 7/8 full, and a header.
		slot := t.Key().Size() + t.Elem().Size() + 1
		n := alloc(48) + alloc(uintptr(v.Len())*slot*8/7)
		if !hasPointers(t.Key()) && !hasPointers(t.Elem()) {
			return n
		}
		step := max(v.Len()/deepSample, 1)
		var sum uint64
		seen := 0
		it := v.MapRange()
		for i := 0; it.Next(); i++ {
			if i%step != 0 {
				continue
			}
			sum += w.indirect(it.Key()) + w.indirect(it.Value())
			seen++
		}
		if seen > 0 && seen < v.Len() {
			sum = sum * uint64(v.Len()) / uint64(seen)
		}
		return n + sum
	case reflect.Chan:
		if v.IsNil() || !w.first(v.Pointer()) {
			return 0
		}
		return alloc(96) + alloc(uintptr(v.Cap())*t.Elem().Size())
	}
	return 0 // func, unsafe.Pointer: not the value's to own
}

// elements returns the bytes the first n elements reach, sampled beyond
// deepSample of them.
func (w *deepWalker) elements(n int, at func(int) reflect.Value) uint64 {
	if n == 0 || !hasPointers(at(0).Type()) {
		return 0
	}
	step := max(n/deepSample, 1)
	var sum uint64
	seen := 0
	for i := 0; i < n; i += step {
		sum += w.indirect(at(i))
		seen++
	}
	if seen < n {
		sum = sum * uint64(n) / uint64(seen)
	}
	return sum
}

var pointerful sync.Map // reflect.Type -> bool

// hasPointers reports whether a value of type t can reach memory outside
// itself.
func hasPointers(t reflect.Type) bool {
	if b, ok := pointerful.Load(t); ok {
		return b.(bool)
	}
	b := computeHasPointers(t, map[reflect.Type]bool{})
	pointerful.Store(t, b)
	return b
}

func computeHasPointers(t reflect.Type, visiting map[reflect.Type]bool) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.String, reflect.Slice, reflect.Map, reflect.Chan:
		return true
	case reflect.Array:
		return t.Len() > 0 && computeHasPointers(t.Elem(), visiting)
	case reflect.Struct:
		if visiting[t] {
			return false
		}
		visiting[t] = true
		for i := range t.NumField() {
			if computeHasPointers(t.Field(i).Type, visiting) {
				return true
			}
		}
	}
	return false
}
