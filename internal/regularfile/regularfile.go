// Package regularfile holds the rules for reading a file whose path comes
// from outside (a NAME_FILE, a --config file, a report given to prodready
// diff): it must be a regular file, checked before it is opened and again
// on what was opened, and the operating system's file is opened without
// blocking, so that a FIFO put at the path cannot hang the reader until a
// writer comes (no signal interrupts a blocked open).
package regularfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// Kind names a special file's kind, for "is a named pipe, want a regular
// file".
func Kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	case m&fs.ModeSymlink != 0:
		return "symbolic link"
	}
	return "special file"
}

// Check returns nil for a regular file, else an error that says what the
// file is: "is a directory, want a regular file", "is a named pipe, ...".
func Check(st fs.FileInfo) error {
	switch m := st.Mode(); {
	case m.IsRegular():
		return nil
	case m.IsDir():
		return errors.New("is a directory, want a regular file")
	default:
		return fmt.Errorf("is a %s, want a regular file", Kind(m))
	}
}

// Open opens name on the operating system's file system for reading,
// without blocking on a FIFO.
func Open(name string) (*os.File, error) {
	return os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
