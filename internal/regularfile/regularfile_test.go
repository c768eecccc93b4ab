package regularfile

import (
	"io/fs"
	"testing"
	"testing/fstest"
	"time"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		mode fs.FileMode
		want string // "" for no error
	}{
		{0o600, ""},
		{fs.ModeDir | 0o700, "is a directory, want a regular file"},
		{fs.ModeNamedPipe | 0o600, "is a named pipe, want a regular file"},
		{fs.ModeSocket | 0o600, "is a socket, want a regular file"},
		{fs.ModeDevice | fs.ModeCharDevice | 0o600, "is a device, want a regular file"},
		{fs.ModeSymlink | 0o777, "is a symbolic link, want a regular file"},
		{fs.ModeIrregular, "is a special file, want a regular file"},
	} {
		st := fileInfo{mode: tt.mode}
		err := Check(st)
		if got := errText(err); got != tt.want {
			t.Errorf("Check(mode %v) = %q, want %q", tt.mode, got, tt.want)
		}
	}
	// A MapFS file is regular unless its mode says otherwise.
	st, err := fs.Stat(fstest.MapFS{"f": {Data: []byte("x")}}, "f")
	if err != nil || Check(st) != nil {
		t.Errorf("Check(a MapFS file) = %v (stat %v), want nil", Check(st), err)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

type fileInfo struct{ mode fs.FileMode }

func (fi fileInfo) Name() string       { return "f" }
func (fi fileInfo) Size() int64        { return 0 }
func (fi fileInfo) Mode() fs.FileMode  { return fi.mode }
func (fi fileInfo) ModTime() time.Time { return time.Time{} }
func (fi fileInfo) IsDir() bool        { return fi.mode.IsDir() }
func (fi fileInfo) Sys() any           { return nil }
