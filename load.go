package prodready

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"reflect"
	"slices"
	"strings"

	"github.com/prodready/prodready/internal/bind"
	"github.com/prodready/prodready/internal/cfgfile"
	"github.com/prodready/prodready/internal/dotenv"
)

// IDs of the findings the loader itself reports. The errors (E) stop a
// value from loading, so they cannot be silenced; the warnings (W) can.
const (
	idMissing     = "PR-E001"
	idInvalid     = "PR-E002"
	idBothSet     = "PR-E003"
	idEnvFile     = "PR-E004"
	idConfigFile  = "PR-E005"
	idDotEnvFile  = "PR-E006"
	idOverride    = "PR-E007"
	idProfileDefs = "PR-E008"
	idAppEnv      = "PR-E009"
	idDevKey      = "PR-W001"
	idDotEnvProd  = "PR-W043"
	idFileMode    = "PR-W044"
	idOddText     = "PR-W045"
	idUnknownVar  = "PR-W050"
)

// MaxPathSize is the longest path, in bytes, that a NAME_FILE or
// CONFIG_FILE variable may give: Linux's PATH_MAX (4096) less the NUL that
// ends a path in the kernel. A longer one is refused without being looked
// up; a NAME_FILE value that names no file is never shown, as it may be a
// secret pasted instead of a path.
const MaxPathSize = 4095

// MaxConfigFileSize is the largest configuration file (YAML or JSON), and
// MaxDotEnvSize the largest .env file, in bytes (1 MiB each). A larger file
// is refused before it is read.
const (
	MaxConfigFileSize = cfgfile.MaxSize
	MaxDotEnvSize     = dotenv.MaxSize
)

// MaxConfigDepth is the deepest nesting a configuration file may have (the
// top-level map is level 1), and MaxConfigValues the most values it may
// hold, counted after YAML aliases and merge keys are expanded: a "billion
// laughs" document stops there.
const (
	MaxConfigDepth  = cfgfile.MaxDepth
	MaxConfigValues = cfgfile.MaxNodes
)

// MaxConfigText is the most text, in bytes (2 MiB), that the keys and
// values of a configuration file may add up to, counted after YAML aliases
// and merge keys are expanded: a 60 KiB value named by a few dozen aliases
// stops there. A file without aliases never reaches it.
const MaxConfigText = cfgfile.MaxText

// Load fills the struct dst points to from the sources in precedence order
// (tag defaults < profile defaults < config files < .env file < environment
// < Options.Overrides), then runs the checks of the active profile.
//
// It reports every problem at once: the error is a [*LoadError] whose
// [*FieldError]s wrap [ErrMissing], [ErrInvalid], [ErrWeakSecret] or
// [ErrUnknownProfile]. On error dst is left unchanged. Warnings do not fail
// Load; they are logged to Options.Logger ([LoadWithReport] returns them).
//
// A nil opts is the zero [Options]. A context already done makes Load
// return its error. Load is safe to call from several goroutines; it keeps
// no reference to dst.
func Load(ctx context.Context, dst any, opts *Options) error {
	_, err := load(ctx, dst, opts, false)
	return err
}

// MustLoad is like [Load] but panics on error. It is meant for examples
// and tests; a service should handle Load's error and exit.
func MustLoad(ctx context.Context, dst any, opts *Options) {
	if err := Load(ctx, dst, opts); err != nil {
		panic(err)
	}
}

// NewProduction loads [Base] under the [Production] profile from the process
// environment: the quick path for a service that needs only the shared
// variables. It fails when SECRET_KEY is missing or weak, DEBUG is on, or
// any value is invalid, listing every problem in one error.
func NewProduction(ctx context.Context) (Base, error) {
	var b Base
	err := Load(ctx, &b, &Options{Profile: Production})
	return b, err
}

// LoadWithReport is [Load] that also returns the [Report]: every variable
// with its effective value (secrets redacted) and origin, and every finding.
// The report is returned even when loading fails.
func LoadWithReport(ctx context.Context, dst any, opts *Options) (*Report, error) {
	return load(ctx, dst, opts, true)
}

// load is Load and LoadWithReport: it refuses a programming error (dst
// not a struct pointer, an unusable type, a required tag naming no
// profile) before any source is read, picks the profile, and runs the
// loader.
func load(ctx context.Context, dst any, opts *Options, wantReport bool) (*Report, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("prodready: load: %w", err)
	}
	rv := reflect.ValueOf(dst)
	if !rv.IsValid() || rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("prodready: Load needs a non-nil pointer to a struct, got %T", dst)
	}
	pe := planFor(rv.Elem().Type())
	if pe.err != nil {
		return nil, fmt.Errorf("prodready: %s: %w", rv.Elem().Type(), pe.err)
	}
	l := pe.newLoader()
	if opts != nil {
		l.o = *opts
	}
	defer pe.release(l)
	for _, f := range pe.everyField() {
		if f.NeedsDecoder && l.o.Decoders[f.Type] == nil {
			return nil, fmt.Errorf("prodready: %s: %s: unsupported type %s: implement encoding.TextUnmarshaler or register a decoder in Options.Decoders", rv.Elem().Type(), f.Path, f.Type)
		}
		for _, name := range f.RequiredIn {
			if known, near := l.knownProfile(name); !known {
				return nil, fmt.Errorf("prodready: %s: %s: required:%q names no profile (built-in or in Options.Profiles)%s", rv.Elem().Type(), f.Path, name, near)
			}
		}
	}
	if err := l.init(); err != nil {
		return nil, err
	}
	if !l.resolveProfile() {
		return l.result(reflect.Value{}, reflect.Value{}, wantReport)
	}
	return l.run(ctx, rv.Elem(), wantReport)
}

// loader is the state of one load: what the sources gave, each field's
// origin, and the findings so far. It lives for one call of load.
type loader struct {
	o    Options
	plan *bind.Plan
	pe   *planEntry
	env  Environment
	fsys fs.FS
	prof Profile
	// profOrigin is where the profile choice came from.
	profOrigin Origin
	// profLabel is the unknown profile name APP_ENV asked for, which the
	// report and the error show instead of the stand-in l.prof.
	profLabel string

	fileVals map[int]fileValue // field index -> value from the config files
	dotenv   map[string]dotenvValue
	findings []Finding
	fields   []fieldState // one per plan field
	checkIn  CheckInput   // what the checks see, kept here to save an allocation

	groupFiles   map[int]fileValue // group index -> its list or map from the config files
	groupVars    []Var             // the report's lines for the groups' elements
	groupSecrets []string          // the variables of the elements' secret fields, for ScrubEnvironment
	inGroup      bool              // the loader of one group element: no profile defaults
	// secretTexts are the loaded secrets' values, whose copies elsewhere
	// are not shown (secret_copies.go).
	secretTexts  []secretText
	secretsReady bool                // secretTexts longest first, secretGrams built (withoutSecrets)
	secretGrams  map[string]struct{} // every run of secretGram bytes of the secrets' forms

	snapped   bool         // the fields hold the environment's values (snapshotEnv)
	scanNames []string     // the variables the misspelling scan must look at
	scanBuf   [16]string   // scanNames' first array, allocated with the loader
	learning  *environScan // what this load learns from the environment (snapshotEnv), until the scan publishes it
}

// fieldState is what the loader learns about one field.
type fieldState struct {
	origin Origin
	raw    string // the value's text, for messages
	set    bool   // whether a source above the defaults set it

	env, envFile envValue // NAME and NAME_FILE in the environment, when snapshotEnv read it
}

// init fills in the defaults for the environment and the file system and
// validates the profiles given in the options.
func (l *loader) init() error {
	l.env = l.o.Env
	if l.env == nil {
		l.env = processEnv{}
	}
	l.fsys = l.o.FS
	if l.fsys == nil {
		l.fsys = osFS{}
	}
	if err := validateProfiles(l.o.Profiles); err != nil {
		return fmt.Errorf("prodready: %w", err)
	}
	if !l.o.Profile.IsZero() {
		if err := validateProfiles([]Profile{l.o.Profile}); err != nil {
			return fmt.Errorf("prodready: %w", err)
		}
	}
	return nil
}

// run loads every field into a new value, in precedence order, then
// applies the profile rules and checks. dst is set only by result, and
// only when nothing failed, so a failed load leaves it unchanged.
func (l *loader) run(ctx context.Context, dst reflect.Value, wantReport bool) (*Report, error) {
	if n := len(l.plan.Fields); cap(l.fields) >= n {
		l.fields = l.fields[:n] // a released loader's, cleared
	} else {
		l.fields = make([]fieldState, n)
	}

	l.checkProfileDefaults()
	l.checkOverrides()
	l.readConfigFiles()
	l.readDotEnv()
	l.snapshotEnv()

	nv := reflect.New(l.plan.Type).Elem()
	custom := bind.Custom(l.o.Decoders)
	for i := range l.plan.Fields {
		l.loadField(i, nv, custom)
	}
	l.loadGroups(nv, custom)
	l.finishBase(nv)
	l.resolveMemory(nv)
	l.scanUnknown()
	l.runChecks(ctx, nv)
	l.collectSecretTexts(nv)
	l.hideSecretCopies()
	l.log(ctx)
	return l.result(dst, nv, wantReport)
}

// checkProfileDefaults reports defaults of the service's own profiles that
// name no variable of the struct: a misspelled override would otherwise be
// ignored. The built-in profiles' defaults for Base's variables are skipped
// when the struct has no Base.
func (l *loader) checkProfileDefaults() {
	for x := l.prof.p; x != nil; x = x.parent {
		if slices.Contains(BuiltinProfiles(), Profile{x}) {
			continue
		}
		for _, k := range sortedKeys(x.defaults) {
			if _, ok := l.plan.Lookup(k); !ok {
				l.errorf(Finding{ID: idProfileDefs, Key: k, Origin: Origin{Source: SourceProfile, Name: x.name}, Hint: "fix the name in the profile's defaults" + l.suggest(k)},
					ErrInvalid, nil, "profile %s sets a default for an unknown variable", x.name)
			}
		}
	}
}

// checkOverrides reports override keys that name no variable: an option
// or flag meant to set one would otherwise be dropped without a word.
func (l *loader) checkOverrides() {
	for _, k := range sortedKeys(l.o.Overrides) {
		bare, ok := strings.CutPrefix(k, l.o.Prefix)
		if _, known := l.pe.known[bare]; ok && known {
			continue
		}
		if _, _, _, element := l.pe.elementOf(bare); ok && element {
			continue
		}
		hint := "fix the name" + l.suggest(bare)
		if !ok {
			hint = "override keys carry the prefix " + l.o.Prefix
		}
		l.errorf(Finding{ID: idOverride, Key: safeKey(k), Origin: Origin{Source: SourceOverride}, Hint: hint},
			ErrInvalid, nil, "an override names an unknown variable")
	}
}

// suggest is a hint's "; did you mean NAME?" for an unknown name, or "".
func (l *loader) suggest(name string) string {
	if s := closest(name, l.pe); s != "" {
		return "; did you mean " + s + "?"
	}
	return ""
}

// log sends warnings and infos to the logger.
func (l *loader) log(ctx context.Context) {
	logger := l.o.Logger
	if logger == nil {
		logger = slog.Default()
	}
	for _, f := range l.findings {
		level := slog.LevelInfo
		switch f.Severity {
		case SeverityError:
			continue
		case SeverityWarning:
			level = slog.LevelWarn
		}
		attrs := []slog.Attr{slog.String("check", f.ID)}
		if f.Key != "" {
			attrs = append(attrs, slog.String("var", f.Key))
		}
		if f.Hint != "" {
			attrs = append(attrs, slog.String("hint", f.Hint))
		}
		msg := f.Message
		if f.Key != "" {
			msg = f.Key + ": " + msg
		}
		logger.LogAttrs(ctx, level, "prodready: "+msg, attrs...)
	}
}

// result builds the report, when wanted, and the error of every error
// finding; without errors it copies nv into dst.
func (l *loader) result(dst, nv reflect.Value, wantReport bool) (*Report, error) {
	// The findings come in the order the sources and checks were visited;
	// the error and the report list them by variable name (problems with
	// no variable, such as an unreadable file, first), each variable's in
	// the order they were found, so that two loads of the same input say
	// the same thing whatever the order of an Environment's names or a
	// service check's map.
	slices.SortStableFunc(l.findings, func(a, b Finding) int { return strings.Compare(a.Key, b.Key) })
	var rep *Report
	if wantReport {
		rep = l.report(nv)
	}
	var errs []*FieldError
	for _, f := range l.findings {
		if f.Severity == SeverityError {
			errs = append(errs, &FieldError{Field: f.Field, Key: f.Key, Check: f.ID, Origin: f.Origin, Hint: f.Hint, Err: f.Err})
		}
	}
	if len(errs) > 0 {
		return rep, &LoadError{Profile: l.profileName(), Errors: errs}
	}
	if err := l.scrubEnvironment(); err != nil {
		return rep, err
	}
	dst.Set(nv)
	return rep, nil
}

// add records a finding; result sorts them once loading is done.
func (l *loader) add(f Finding) {
	l.findings = append(l.findings, f)
}

// errorf records f as an error finding: its Message is format and args, and
// its Err wraps kind (ErrInvalid...) and cause for errors.Is. f gives the
// rest by name (ID, Key, Field, Origin, Hint), as nine positional
// parameters were hard to read at the call sites.
func (l *loader) errorf(f Finding, kind, cause error, format string, args ...any) {
	f.Severity = SeverityError
	f.Message = fmt.Sprintf(format, args...)
	f.Err = &causeError{msg: f.Message, kind: kind, err: cause}
	l.add(f)
}

// sortedKeys returns m's keys sorted, so that findings come in the same
// order on every load.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
