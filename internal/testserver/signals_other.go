//go:build !unix

package testserver

import "os"

// sigStop and sigCont are nil where a process cannot be paused by a
// signal (Windows): Pause and Resume skip the test.
var sigStop, sigCont os.Signal
