//go:build unix

package testserver

import (
	"os"
	"syscall"
)

// sigStop and sigCont pause and continue a process (Pause, Resume).
var sigStop, sigCont os.Signal = syscall.SIGSTOP, syscall.SIGCONT
