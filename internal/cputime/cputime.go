//go:build unix

// Package cputime reads the CPU time the process has used, for the
// benchmarks that report cpu-ns/op beside ns/op: on a shared machine the
// wall time of an operation counts the other processes, and it misses the
// work of the goroutines it wakes (a cache's drainer, the garbage
// collector), which the process's CPU time counts.
package cputime

import (
	"syscall"
	"time"
)

// Process returns the user and system CPU time the process has used. It is
// 0 if the system does not say (getrusage fails only for a bad argument),
// which a benchmark shows as a cpu-ns/op of 0 or less.
func Process() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
