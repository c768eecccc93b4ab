package prodready

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"unicode/utf8"

	"github.com/prodready/prodready/internal/regularfile"
)

// MaxSecretFileSize is the most a file named by a NAME_FILE variable may
// hold, in bytes (64 KiB), not counting one final line break ("\n" or
// "\r\n"), which is removed from a text file: a 64 KiB key saved with a
// newline loads.
const MaxSecretFileSize = 64 << 10

// readSecretFile reads the file a NAME_FILE variable names, with one final
// line break ("\n" or "\r\n") removed from a text file (see trimLineBreak). exists says that something was found at p,
// so that p is a path and may be shown.
func (l *loader) readSecretFile(name, p string) (content string, exists bool, err error) {
	fp := fsPath(l.fsys, p)
	st, err := fs.Stat(l.fsys, fp)
	if err != nil {
		return "", false, fileErr(err)
	}
	if err := regularfile.Check(st); err != nil {
		return "", true, err
	}
	// The limit is on the content: one final line break is allowed on
	// top, as it is removed.
	const fileLimit int64 = MaxSecretFileSize + 2 // + "\r\n"
	if st.Size() > fileLimit {
		return "", true, &sizeError{st.Size(), MaxSecretFileSize}
	}
	if st.Mode().Perm()&0o044 != 0 && st.Mode().Perm() != 0 {
		if _, real := l.fsys.(osFS); real {
			l.add(Finding{ID: idFileMode, Severity: SeverityWarning, Key: name,
				Origin:  Origin{Source: SourceEnvFile, Var: name + "_FILE", Name: showPath(p)},
				Message: fmt.Sprintf("read from a file that other users can read (mode %s)", st.Mode().Perm()),
				Hint:    "chmod 600 the file, or 400"})
		}
	}
	b, err := readLimited(l.fsys, fp, fileLimit)
	if se := (*sizeError)(nil); errors.As(err, &se) {
		se.limit = MaxSecretFileSize
	}
	if err != nil {
		return "", true, err
	}
	kept := b
	if utf8.Valid(b) {
		kept = trimLineBreak(b)
	}
	if len(kept) > MaxSecretFileSize {
		return "", true, &sizeError{int64(len(b)), MaxSecretFileSize}
	}
	return string(kept), true, nil
}

// trimLineBreak removes one final "\n" or "\r\n" from b, the line break
// that echo, editors and secret manifests add, and nothing more: a lone
// "\r" is not a line break on any system that writes these files. It is
// applied to text files only: a file that is not UTF-8 is a binary key,
// written by a program rather than an editor, and taken byte for byte, so a
// random key whose last byte is 0x0A (one in 256) keeps it.
func trimLineBreak(b []byte) []byte {
	switch {
	case len(b) >= 2 && b[len(b)-2] == '\r' && b[len(b)-1] == '\n':
		return b[:len(b)-2]
	case len(b) >= 1 && b[len(b)-1] == '\n':
		return b[:len(b)-1]
	}
	return b
}

// fileErr turns a file system error into a message without the Go call
// chain and without repeating itself: "does not exist", "permission
// denied"... errors.Is still sees fs.ErrNotExist and the others.
func fileErr(err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &shortError{"does not exist", fs.ErrNotExist}
	case errors.Is(err, fs.ErrPermission):
		return &shortError{"permission denied", fs.ErrPermission}
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("cannot read: %w", pe.Err)
	}
	return fmt.Errorf("cannot read: %w", err)
}

// A shortError says msg and wraps err without repeating err's text.
type shortError struct {
	msg string
	err error
}

// Error is the short message alone.
func (e *shortError) Error() string { return e.msg }

// Unwrap returns the error a shortError stands for, such as fs.ErrNotExist.
func (e *shortError) Unwrap() error { return e.err }

// readLimited reads a regular file of at most limit bytes, reading no more
// than limit+1 whatever the size stat reported: a file may grow between
// the stat and the read.
func readLimited(fsys fs.FS, name string, limit int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fileErr(err)
	}
	defer f.Close()
	// The caller checked the path; check what was opened, in case the
	// path changed in between (osFS opens without blocking on a FIFO).
	if st, err := f.Stat(); err != nil {
		return nil, fileErr(err)
	} else if err := regularfile.Check(st); err != nil {
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fileErr(err)
	}
	if int64(len(b)) > limit {
		return nil, &sizeError{-1, limit}
	}
	return b, nil
}

// sizeString renders a byte limit for a message: "64 KiB", "1 MiB".
func sizeString(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// A sizeError says a file or value is larger than its limit.
type sizeError struct {
	size  int64 // -1 when unknown
	limit int64
}

// Error says the size when it is known, else only the limit.
func (e *sizeError) Error() string {
	if e.size < 0 {
		return "is larger than the " + sizeString(e.limit) + " limit"
	}
	return fmt.Sprintf("is %d bytes, larger than the %s limit", e.size, sizeString(e.limit))
}
