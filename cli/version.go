package cli

import (
	"fmt"
	"runtime/debug"
)

// version runs version: Options.Version, else the main module's version
// from the build information.
func (r *runner) version(args []string) error {
	fs := r.newFlags("version")
	if err := r.parse(fs, "version", args); err != nil {
		return err
	}
	v := r.o.Version
	if v == "" {
		v = "(unknown)"
		if bi, ok := debug.ReadBuildInfo(); ok {
			v = bi.Main.Version
		}
	}
	if _, err := fmt.Fprintf(r.stdout, "%s %s\n", r.o.Name, v); err != nil {
		return r.errorf("version", "%w", err)
	}
	return nil
}
