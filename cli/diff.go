package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/internal/regularfile"
)

// The report that "fingerprint --json" prints and "diff" reads: format
// fingerprintFormat, version fingerprintVersion.
//
//	{
//	  "format": "prodready-fingerprint",
//	  "version": 1,
//	  "profile": "production",
//	  "fingerprint": "<32 hex digits: what fingerprint prints>",
//	  "key": "<16 hex digits naming the SECRET_KEY-derived key, or empty without SECRET_KEY>",
//	  "key_generated": true,                    // only when SECRET_KEY was generated for the run
//	  "variables": {
//	    "PAGE_SIZE":    {"digest": "<16 hex digits>"},
//	    "DATABASE_URL": {"digest": "<16 hex digits>", "keyed": true}
//	  }
//	}
//
// A variable's digest is prodready.FingerprintVars's: equal for two
// reports when the variable's values are; a keyed digest (a variable that
// holds a secret) compares only between reports with the same key. A
// later version that changes the meaning of a field changes "version";
// fields may be added within a version, and readers ignore those they do
// not know.
const (
	fingerprintFormat  = "prodready-fingerprint"
	fingerprintVersion = 1
	diffVersion        = 1
	// maxReportSize bounds a report diff reads: a report is about 60
	// bytes a variable, so this is tens of thousands of variables.
	maxReportSize = 4 << 20
	maxNameLen    = 256
)

// fingerprintReport is the JSON of "fingerprint --json".
type fingerprintReport struct {
	Format       string               `json:"format"`
	Version      int                  `json:"version"`
	Profile      string               `json:"profile"`
	Fingerprint  string               `json:"fingerprint"`
	Key          string               `json:"key"`
	KeyGenerated bool                 `json:"key_generated,omitempty"`
	Variables    map[string]varDigest `json:"variables"`
}

type varDigest struct {
	Digest string `json:"digest"`
	Keyed  bool   `json:"keyed,omitempty"`
}

// FingerprintJSON returns the report "fingerprint --json" prints for the
// configuration cfg that [prodready.LoadWithReport] loaded with report rep
// and options with the given Prefix, so that a service can show its own
// (in a debug endpoint, say) in the form "diff" reads. Its first call with
// a SECRET_KEY derives the fingerprint's key: a fraction of a second of
// argon2id (see [prodready.Fingerprint]).
func FingerprintJSON(cfg any, rep *prodready.Report, prefix string) (json.RawMessage, error) {
	if rep == nil {
		return nil, errors.New("FingerprintJSON needs the load's report")
	}
	key, _ := rep.Var(prefix + "SECRET_KEY")
	b := &bytes.Buffer{}
	if err := writeFingerprintJSON(b, cfg, rep, key.Origin.Source == prodready.SourceGenerated); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// writeFingerprintJSON writes the fingerprint of cfg, variable by
// variable, as fingerprintReport.
func writeFingerprintJSON(w io.Writer, cfg any, rep *prodready.Report, generated bool) error {
	d, err := prodready.FingerprintVars(cfg, rep)
	if err != nil {
		return err
	}
	out := fingerprintReport{
		Format: fingerprintFormat, Version: fingerprintVersion, Profile: rep.Profile,
		Fingerprint: d.Fingerprint, Key: d.Key, KeyGenerated: generated,
		Variables: make(map[string]varDigest, len(d.Vars)),
	}
	for _, v := range d.Vars {
		out.Variables[v.Name] = varDigest{Digest: v.Digest, Keyed: v.Keyed}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// ErrConfigsDiffer means that diff found variables that differ. [ExitCode]
// maps it to 1.
var ErrConfigsDiffer = errors.New("the configurations differ")

// diffHelp is diff's entry in helps.
var diffHelp = helpText{name: "diff", args: "A.json B.json",
	summary: "list the variables that differ between two saved fingerprints",
	details: "Reads two reports saved with 'fingerprint --json' and prints, one a line and sorted, the\n" +
		"names of the variables whose digests differ or that only one report has; never a value.\n" +
		"A secret's digest is keyed by SECRET_KEY: when the keys differ, SECRET_KEY is listed and\n" +
		"the secrets cannot be compared (a note on stderr names them). Exits 0 when no variable\n" +
		"differs, 1 when some do, 2 when a report cannot be read or is not a fingerprint report.",
	examples: []string{
		"{} fingerprint --json > a.json   # on each replica",
		"{} diff a.json b.json",
		"{} diff --json a.json b.json",
	}}

// diffChange is a line of "diff --json".
type diffChange struct {
	Name   string `json:"name"`
	Change string `json:"change"` // "differs", "only_in_a", "only_in_b"
}

func (r *runner) diff(args []string) error {
	fs := r.newFlags("diff")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	files, err := r.parseArgs(fs, "diff", args)
	if err != nil {
		return err
	}
	if len(files) != 2 {
		got := strconv.Itoa(len(files)) + " arguments"
		if len(files) == 1 {
			got = "one argument"
		}
		return r.usagef("diff", "takes two reports saved with 'fingerprint --json', got %s", got)
	}
	a, err := r.readFingerprintReport(files[0])
	if err != nil {
		return &UsageError{Err: r.errorf("diff", "%w", err)}
	}
	b, err := r.readFingerprintReport(files[1])
	if err != nil {
		return &UsageError{Err: r.errorf("diff", "%w", err)}
	}
	changes, notCompared := diffReports(a, b)
	out := &bytes.Buffer{}
	if *asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		_ = enc.Encode(struct {
			Version     int          `json:"version"`
			Identical   bool         `json:"identical"`
			Variables   []diffChange `json:"variables"`
			NotCompared []string     `json:"not_compared"`
		}{diffVersion, len(changes)+len(notCompared) == 0, changes, notCompared})
	} else {
		for _, c := range changes {
			fmt.Fprintln(out, c.Name)
		}
	}
	if _, err := r.stdout.Write(out.Bytes()); err != nil {
		return r.errorf("diff", "%w", err)
	}
	if len(notCompared) > 0 {
		if _, err := fmt.Fprintf(r.stderr, "%s diff: note: the reports' SECRET_KEYs differ, so these secrets cannot be compared: %s\n",
			r.o.Name, strings.Join(notCompared, ", ")); err != nil {
			return r.errorf("diff", "%w", err)
		}
	}
	if a.KeyGenerated || b.KeyGenerated {
		if _, err := fmt.Fprintf(r.stderr, "%s diff: warning: a report's SECRET_KEY was generated for its run: set SECRET_KEY to compare secrets\n", r.o.Name); err != nil {
			return r.errorf("diff", "%w", err)
		}
	}
	uncompared := ""
	if len(notCompared) > 0 {
		uncompared = "; " + plural(len(notCompared), "secret") + " could not be compared"
	}
	switch {
	case len(changes) > 0:
		return r.errorf("diff", "%w in %s%s", ErrConfigsDiffer, plural(len(changes), "variable"), uncompared)
	case len(notCompared) > 0:
		// The secrets may be equal; without a common key, nobody can say.
		return r.errorf("diff", "%w, maybe: %s could not be compared", ErrConfigsDiffer, plural(len(notCompared), "secret"))
	}
	return nil
}

// parseArgs is parse for a command that takes arguments: flags may come
// before, between or after them. It returns the arguments.
func (r *runner) parseArgs(fs *flag.FlagSet, name string, args []string) ([]string, error) {
	var rest []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			if err := r.commandHelp(fs, name); err != nil {
				return nil, r.errorf(name, "%w", err)
			}
			return nil, flag.ErrHelp
		}
		if err != nil {
			return nil, &UsageError{Err: &fileError{msg: text(fs.Name() + ": " + err.Error()), err: err}}
		}
		if fs.NArg() == 0 {
			return rest, nil
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// diffReports lists the variables whose digests differ, or that one
// report only has, sorted; and, apart, the keyed ones that cannot be
// compared because the keys differ: prodready.DiffFingerprints, which the
// reference service's GET /debug/fleet shares.
func diffReports(a, b *fingerprintReport) (changes []diffChange, notCompared []string) {
	d := prodready.DiffFingerprints(a.digests(), b.digests())
	changes = make([]diffChange, 0, len(d.Changes))
	for _, c := range d.Changes {
		changes = append(changes, diffChange{c.Name, string(c.Change)})
	}
	return changes, d.NotCompared
}

// digests returns r as prodready.FingerprintVars returns a configuration's
// digests: the variables sorted by name.
func (r *fingerprintReport) digests() *prodready.VarDigests {
	d := &prodready.VarDigests{Fingerprint: r.Fingerprint, Key: r.Key, Vars: make([]prodready.VarDigest, 0, len(r.Variables))}
	for _, n := range slices.Sorted(maps.Keys(r.Variables)) {
		v := r.Variables[n]
		d.Vars = append(d.Vars, prodready.VarDigest{Name: n, Digest: v.Digest, Keyed: v.Keyed})
	}
	return d
}

// A FingerprintReport is a report of "fingerprint --json", parsed and
// checked by [ParseFingerprintJSON].
type FingerprintReport struct {
	// Profile is the profile the configuration was loaded under.
	Profile string
	// KeyGenerated reports that SECRET_KEY was generated for the run (a
	// development key), so that no other report's keyed digests compare
	// with this one's.
	KeyGenerated bool
	// Digests are the fingerprint and the digests of the variables, for
	// [prodready.DiffFingerprints].
	Digests *prodready.VarDigests
}

// ParseFingerprintJSON parses a report that "fingerprint --json" printed
// or [FingerprintJSON] returned, which nothing vouches for (a file, a
// value read from a cache server shared with other replicas): it checks
// the format and version, and that the fingerprint, the key and every
// digest are hexadecimal digits of their lengths and every name printable.
// Its error quotes at most 40 bytes of a bad field, never a whole value.
func ParseFingerprintJSON(data []byte) (*FingerprintReport, error) {
	r, err := parseFingerprintReport(data)
	if err != nil {
		return nil, err
	}
	return &FingerprintReport{Profile: r.Profile, KeyGenerated: r.KeyGenerated, Digests: r.digests()}, nil
}

// readFingerprintReport reads and checks the report in file, which
// nothing vouches for, on Options.Load.FS as --config files are read.
func (r *runner) readFingerprintReport(file string) (*fingerprintReport, error) {
	f, err := openReport(r.o.Load.FS, file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxReportSize+1))
	if err != nil {
		return nil, &fileError{msg: fmt.Sprintf("cannot read %q: %v", file, err), err: err}
	}
	rep, err := parseFingerprintReport(data)
	if err != nil {
		return nil, fmt.Errorf("%q: %w (make it with 'fingerprint --json > FILE')", file, err)
	}
	return rep, nil
}

// openReport opens a report file on fsys, or the operating system's file
// system if nil, as a regular file only: a FIFO blocks a plain open until
// a writer comes, past any signal (the CLI stops on a cancelled context,
// which cannot interrupt an open), and a device reads forever. The type
// is checked before the open and again on what was opened, which on the
// operating system's file system is opened without blocking, in case the
// path changed in between.
func openReport(fsys fs.FS, file string) (fs.File, error) {
	var st fs.FileInfo
	var err error
	if fsys != nil {
		st, err = fs.Stat(fsys, file)
	} else {
		st, err = os.Stat(file)
	}
	if err == nil {
		err = regularfile.Check(st)
	}
	if err != nil {
		return nil, reportFileError(file, err)
	}
	var f fs.File
	if fsys != nil {
		f, err = fsys.Open(file)
	} else {
		f, err = regularfile.Open(file)
	}
	if err != nil {
		return nil, reportFileError(file, err)
	}
	if st, err = f.Stat(); err == nil {
		err = regularfile.Check(st)
	}
	if err != nil {
		f.Close()
		return nil, reportFileError(file, err)
	}
	return f, nil
}

// reportFileError is the error of a report file that cannot be read.
func reportFileError(file string, err error) error {
	msg := err.Error()
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		msg = pe.Err.Error() // the path is named once, quoted
		return &fileError{msg: fmt.Sprintf("cannot read %q: %s", file, msg), err: err}
	}
	return &fileError{msg: fmt.Sprintf("%q: %s", file, msg), err: err}
}

// parseFingerprintReport parses a report of version fingerprintVersion.
func parseFingerprintReport(data []byte) (*fingerprintReport, error) {
	if len(data) > maxReportSize {
		return nil, fmt.Errorf("larger than %d MiB: not a fingerprint report", maxReportSize>>20)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var rep fingerprintReport
	if err := dec.Decode(&rep); err != nil {
		return nil, fmt.Errorf("not a fingerprint report: invalid JSON: %s", text(err.Error()))
	}
	if dec.More() {
		return nil, errors.New("not a fingerprint report: data after the JSON object")
	}
	switch {
	case rep.Format != fingerprintFormat:
		return nil, fmt.Errorf("not a fingerprint report: format is %s, want %q", strconvQuote(rep.Format), fingerprintFormat)
	case rep.Version != fingerprintVersion:
		return nil, fmt.Errorf("fingerprint report version %d, want %d (make both reports with the same release)", rep.Version, fingerprintVersion)
	case !isHex(rep.Fingerprint, 32):
		return nil, fmt.Errorf("fingerprint %s is not 32 hexadecimal digits", strconvQuote(rep.Fingerprint))
	case rep.Key != "" && !isHex(rep.Key, 16):
		return nil, fmt.Errorf("key %s is not 16 hexadecimal digits", strconvQuote(rep.Key))
	case rep.Variables == nil:
		return nil, errors.New("no \"variables\" object")
	}
	for n, v := range rep.Variables {
		if !printableName(n) {
			return nil, fmt.Errorf("variable name %s: want up to %d printable characters without spaces", strconvQuote(n), maxNameLen)
		}
		if !isHex(v.Digest, 16) {
			return nil, fmt.Errorf("variable %s: digest %s is not 16 hexadecimal digits", n, strconvQuote(v.Digest))
		}
	}
	return &rep, nil
}

// strconvQuote quotes s, shortened: s comes from an untrusted file.
func strconvQuote(s string) string {
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return fmt.Sprintf("%q", s)
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// printableName reports whether n can be printed on a line of its own.
func printableName(n string) bool {
	return n != "" && len(n) <= maxNameLen && strings.IndexFunc(n, func(c rune) bool {
		return c == unicode.ReplacementChar || !unicode.IsPrint(c) || unicode.IsSpace(c)
	}) < 0
}
