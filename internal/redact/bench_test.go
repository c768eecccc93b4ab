package redact

import (
	"errors"
	"testing"
)

func BenchmarkString(b *testing.B) {
	for b.Loop() {
		String("postgres://app:pw@db:5432/app?sslmode=require&password=x;application_name=items")
	}
}

func BenchmarkText(b *testing.B) {
	for b.Loop() {
		Text("cache: redis backend at CACHE_URL redis://:[redacted]@cache:6379/0: dial tcp 10.0.0.1:6379: i/o timeout")
	}
}

func BenchmarkScrubberError(b *testing.B) {
	sc := ForURL("redis://:pa55word@cache:6379/0")
	err := errors.New("rediscache: get: dial tcp 10.0.0.1:6379: connect: connection refused")
	for b.Loop() {
		_ = sc.Error(err)
	}
}
