package prodready_test

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/prodready/prodready"
)

// TestProcessEnvironmentSnapshot checks that a load from the process
// environment reads the same values and reports the same problems whether
// the misspelling scan is on (the fields take their values from the scan's
// one listing of the environment) or off (each field looks its variables
// up). Tests never set the process environment, so each case runs this
// test binary again with an environment of its own.
func TestProcessEnvironmentSnapshot(t *testing.T) {
	if os.Getenv("PRODREADY_SNAPSHOT_CHILD") == "1" {
		compareScanOnAndOff(t)
		return
	}
	t.Parallel()
	unrelated := make([]string, 0, 500)
	for i := range 500 {
		unrelated = append(unrelated, fmt.Sprintf("UNRELATED_VAR_%04d=x", i))
	}
	tests := []struct {
		name string
		env  []string
	}{
		{"values", []string{"PAGE_SIZE=20", "SECRET_KEY_FILE=key", "CACHE_TTL=", "LOG_LEVEL=debug", "DEBUG=true", "DATABASE_URL=postgres://u:p@db/app"}},
		{"problems", []string{"PAGE_SIZE=x", "CACHE_URL=redis://h", "CACHE_URL_FILE=key", "PAGESIZE=1", "DATABASE_URL_FIEL=/x", "MAX_PAGE_SIZE=1\x01"}},
		{"among unrelated variables", append([]string{"PAGE_SIZE=7", "CACHE_TLL=1s"}, unrelated...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^TestProcessEnvironmentSnapshot$", "-test.v")
			cmd.Env = append([]string{"PRODREADY_SNAPSHOT_CHILD=1"}, tt.env...)
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), "same with the scan on and off") {
				t.Fatalf("child: %v\n%s", err, out)
			}
		})
	}
}

// compareScanOnAndOff loads Base from the process environment with the
// misspelling scan on and off and fails unless both give the same values,
// origins and findings, the scan's own aside.
func compareScanOnAndOff(t *testing.T) {
	load := func(silence []string) (prodready.Base, *prodready.Report, string) {
		o := &prodready.Options{
			NoDotEnv:    true,
			FS:          fstest.MapFS{"key": {Data: []byte("q7Vx2LmN9pR4tZ8wK3bH6jF1sD5gA0cY-uE_oI2nM8vB4xQz")}},
			Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
			MemoryLimit: func() (int64, error) { return 1 << 30, nil },
			Silence:     silence,
		}
		var b prodready.Base
		rep, err := prodready.LoadWithReport(ctx, &b, o)
		return b, rep, err2str(err)
	}
	bOn, repOn, errOn := load(nil)
	bOff, repOff, errOff := load([]string{"PR-W050"})
	if errOn != errOff {
		t.Fatalf("error with the scan = %q, without = %q", errOn, errOff)
	}
	if !reflect.DeepEqual(repOn.Vars, repOff.Vars) || fmt.Sprintf("%#v", bOn) != fmt.Sprintf("%#v", bOff) {
		t.Fatalf("loaded with the scan:\n%+v\nwithout:\n%+v", repOn.Vars, repOff.Vars)
	}
	withoutScan := slices.DeleteFunc(slices.Clone(repOn.Findings), func(f prodready.Finding) bool { return f.ID == "PR-W050" })
	if !reflect.DeepEqual(withoutScan, repOff.Findings) {
		t.Fatalf("findings with the scan:\n%+v\nwithout:\n%+v", repOn.Findings, repOff.Findings)
	}
	t.Logf("same with the scan on and off: %d variables, %d findings, %d from the scan", len(repOn.Vars), len(repOff.Findings), len(repOn.Findings)-len(withoutScan))
}
