package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/prodready/prodready"
)

// ANSI colors of check's text output.
const (
	colorReset  = "\x1b[0m"
	colorRed    = "\x1b[1;31m"
	colorYellow = "\x1b[1;33m"
	colorCyan   = "\x1b[1;36m"
	colorGreen  = "\x1b[1;32m"
)

func (r *runner) check(ctx context.Context, args []string) error {
	fs := r.newFlags("check")
	var c common
	c.register(fs)
	format := &choiceFlag{v: "text", choices: []string{"text", "json"}}
	fs.Var(format, "format", "output `format`: text or json")
	failLevel := prodready.SeverityWarning
	fs.TextVar(&failLevel, "fail-level", prodready.SeverityWarning, "exit 1 when a finding reaches `level`: error, warning or info")
	var silence listFlag
	fs.Var(&silence, "silence", "drop the findings of the checks `ID,ID...`, built-in or the service's own (not PR-E001 to PR-E009, nor PR-E010, PR-E011, PR-E013, PR-E020 and PR-E043 under a hardened profile)")
	color := &choiceFlag{v: "auto", choices: []string{"auto", "always", "never"}}
	fs.Var(color, "color", "color the text output: `auto` (on a terminal, unless NO_COLOR is set), always or never")
	if err := r.parse(fs, "check", args); err != nil {
		return err
	}
	if err := r.checkSilence(silence); err != nil {
		return err
	}
	o, err := r.loadOptions("check", &c, silence)
	if err != nil {
		return err
	}
	_, rep, err := r.load(ctx, "check", o)
	var le *prodready.LoadError
	if rep == nil || err != nil && !errors.As(err, &le) {
		return err
	}
	if err := r.checkHardenedSilence(silence, o, rep); err != nil {
		return err
	}
	findings := slices.Clone(rep.Findings)
	slices.SortStableFunc(findings, func(a, b prodready.Finding) int { return cmp.Compare(b.Severity, a.Severity) })
	failing := 0
	for _, f := range findings {
		if f.Severity >= failLevel {
			failing++
		}
	}
	if format.v == "json" {
		err = writeCheckJSON(r.stdout, rep.Profile, failLevel, failing == 0, findings)
	} else {
		err = writeCheckText(r.stdout, rep.Profile, failLevel, findings, r.useColor(color.v))
	}
	if err != nil {
		return r.errorf("check", "%w", err)
	}
	if failing > 0 {
		return r.errorf("check", "%s at or above level %s: %w", plural(failing, "finding"), failLevel, ErrCheckFailed)
	}
	return nil
}

// checkSilence returns a *UsageError when --silence names an ID that
// nothing could silence: an ID that is neither a built-in check, a loader
// finding, one of the service's own checks (Options.Load.Checks), nor one
// of the finding IDs such a check emits (its ID followed by more, as
// MYAPP-W001 for the check MYAPP); or one of the loader's errors
// (PR-E001 to PR-E009), which are never silenced. A typo would otherwise
// silence nothing, silently. IDs compare without regard to case, as the
// library compares them.
func (r *runner) checkSilence(ids []string) error {
	var known, unsilenceable []string
	for _, c := range prodready.LoaderFindings() {
		if c.Severity == prodready.SeverityError {
			unsilenceable = append(unsilenceable, c.ID)
		}
	}
	for _, list := range [][]prodready.Check{prodready.BuiltinChecks(), prodready.LoaderFindings(), r.o.Load.Checks} {
		for _, c := range list {
			if c.ID != "" {
				known = append(known, c.ID)
			}
		}
	}
	for _, id := range ids {
		if slices.ContainsFunc(unsilenceable, func(k string) bool { return strings.EqualFold(k, id) }) {
			return r.usagef("check", "--silence: %s cannot be silenced: the loader's own errors, PR-E001 to PR-E009, stop a value from loading", clean(id))
		}
		if slices.ContainsFunc(known, func(k string) bool { return strings.EqualFold(k, id) }) ||
			slices.ContainsFunc(r.o.Load.Checks, func(c prodready.Check) bool { return emittedBy(id, c.ID) }) {
			continue
		}
		best, bestD := "", -1
		for _, k := range known {
			if d := editDistance(strings.ToUpper(id), strings.ToUpper(k)); bestD < 0 || d < bestD {
				best, bestD = k, d
			}
		}
		if bestD >= 0 && bestD <= 2 {
			return r.usagef("check", "--silence: unknown check ID %s (the closest known ID is %s)", clean(id), best)
		}
		return r.usagef("check", "--silence: unknown check ID %s (run '%s check --format json' for the IDs of the findings)", clean(id), r.o.Name)
	}
	return nil
}

// emittedBy reports whether a finding ID may be one that the check
// checkID emits: checkID followed by more, compared without regard to
// case.
func emittedBy(id, checkID string) bool {
	return checkID != "" && len(id) > len(checkID) && strings.EqualFold(id[:len(checkID)], checkID)
}

// hardeningRules are the checks that enforce a hardened profile's rules,
// which cannot be silenced under one: the library's list, so that the two
// cannot disagree.
var hardeningRules = prodready.HardeningRules()

// checkHardenedSilence returns a *UsageError when --silence names one of
// the hardening rules and the profile loaded under is hardened: the
// library would keep their findings anyway.
func (r *runner) checkHardenedSilence(ids []string, o *prodready.Options, rep *prodready.Report) error {
	p := o.Profile
	if p.IsZero() {
		custom := o.Profiles
		var err error
		if p, err = prodready.LookupProfile(rep.Profile, custom); err != nil {
			return nil // an unknown APP_ENV: the load failed, and check lists it
		}
	}
	if !p.Hardened() {
		return nil
	}
	for _, id := range ids {
		if slices.ContainsFunc(hardeningRules, func(k string) bool { return strings.EqualFold(k, id) }) {
			return r.usagef("check", "--silence: %s cannot be silenced under the hardened profile %s (%s are its rules)", clean(id), text(p.Name()), andList(hardeningRules))
		}
	}
	return nil
}

// editDistance returns the Levenshtein distance of a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// useColor reports whether check colors its text output: always, never,
// or, for auto, when stdout is a terminal and NO_COLOR is unset or empty.
func (r *runner) useColor(mode string) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	if v, ok := r.env.Lookup("NO_COLOR"); ok && v != "" {
		return false
	}
	if v, _ := r.env.Lookup("TERM"); v == "dumb" {
		return false
	}
	return r.o.IsTerminal(r.stdout)
}

// counts returns the number of findings of each severity.
func counts(findings []prodready.Finding) (errs, warns, infos int) {
	for _, f := range findings {
		switch f.Severity {
		case prodready.SeverityError:
			errs++
		case prodready.SeverityWarning:
			warns++
		default:
			infos++
		}
	}
	return errs, warns, infos
}

// writeCheckText writes the findings grouped by severity, most severe
// first, aligned in columns, and a one-line summary.
func writeCheckText(w io.Writer, profile string, failLevel prodready.Severity, findings []prodready.Finding, color bool) error {
	paint := func(c, s string) string {
		if !color {
			return s
		}
		return c + s + colorReset
	}
	idW, keyW := 0, 0
	for _, f := range findings {
		idW = max(idW, len(clean(f.ID)))
		keyW = max(keyW, len(keyOf(f)))
	}
	b := &strings.Builder{}
	groups := []struct {
		sev   prodready.Severity
		title string
		color string
	}{
		{prodready.SeverityError, "errors", colorRed},
		{prodready.SeverityWarning, "warnings", colorYellow},
		{prodready.SeverityInfo, "infos", colorCyan},
	}
	indent := strings.Repeat(" ", 2+idW+2)
	for _, g := range groups {
		var in []prodready.Finding
		for _, f := range findings {
			if f.Severity == g.sev || g.sev == prodready.SeverityInfo && f.Severity < prodready.SeverityInfo {
				in = append(in, f)
			}
		}
		if len(in) == 0 {
			continue
		}
		fmt.Fprintf(b, "%s\n", paint(g.color, fmt.Sprintf("%s (%d)", strings.ToUpper(g.title), len(in))))
		for _, f := range in {
			fmt.Fprintf(b, "  %-*s  %-*s  %s\n", idW, clean(f.ID), keyW, keyOf(f), text(f.Message))
			if f.Origin != (prodready.Origin{}) {
				fmt.Fprintf(b, "%sorigin: %s\n", indent, clean(f.Origin.String()))
			}
			if f.Hint != "" {
				fmt.Fprintf(b, "%shint:   %s\n", indent, text(f.Hint))
			}
		}
		b.WriteString("\n")
	}
	errs, warns, infos := counts(findings)
	summary := fmt.Sprintf("%s, %s, %s", plural(errs, "error"), plural(warns, "warning"), plural(infos, "info"))
	failing := 0
	for _, f := range findings {
		if f.Severity >= failLevel {
			failing++
		}
	}
	verdict := paint(colorGreen, "ready")
	if failing > 0 {
		verdict = paint(colorRed, "not ready")
	}
	fmt.Fprintf(b, "%s: %s (profile %s, fail level %s)\n", summary, verdict, text(profile), failLevel)
	_, err := io.WriteString(w, b.String())
	return err
}

func keyOf(f prodready.Finding) string {
	if f.Key == "" {
		return "-"
	}
	return clean(f.Key)
}

// jsonFinding is a finding in check's JSON output.
type jsonFinding struct {
	ID       string `json:"id"`
	Severity string `json:"severity"`
	Key      string `json:"key,omitempty"`
	Field    string `json:"field,omitempty"`
	Message  string `json:"message"`
	Origin   string `json:"origin,omitempty"`
	Hint     string `json:"hint,omitempty"`
}

func writeCheckJSON(w io.Writer, profile string, failLevel prodready.Severity, ready bool, findings []prodready.Finding) error {
	errs, warns, infos := counts(findings)
	out := struct {
		Profile   string         `json:"profile"`
		FailLevel string         `json:"fail_level"`
		Ready     bool           `json:"ready"`
		Counts    map[string]int `json:"counts"`
		Findings  []jsonFinding  `json:"findings"`
	}{
		Profile:   profile,
		FailLevel: failLevel.String(),
		Ready:     ready,
		Counts:    map[string]int{"error": errs, "warning": warns, "info": infos},
		Findings:  []jsonFinding{},
	}
	for _, f := range findings {
		jf := jsonFinding{ID: f.ID, Severity: f.Severity.String(), Key: f.Key, Field: f.Field, Message: f.Message, Hint: f.Hint}
		if f.Origin != (prodready.Origin{}) {
			jf.Origin = f.Origin.String()
		}
		out.Findings = append(out.Findings, jf)
	}
	return writeJSON(w, out)
}

// andList joins ids as English does: "A, B and C".
func andList(ids []string) string {
	if len(ids) < 2 {
		return strings.Join(ids, "")
	}
	return strings.Join(ids[:len(ids)-1], ", ") + " and " + ids[len(ids)-1]
}
