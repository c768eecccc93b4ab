package prodready

import (
	"errors"

	"github.com/prodready/prodready/internal/bind"
)

// invalidShared reports a configuration file's value that a field's
// decoder refused, without quoting it, when the value is a YAML anchor's
// or an alias's (cfgfile.Node.Shared): "secret_key: &a S" with
// "log_level: *a" would otherwise print S in LOG_LEVEL's error. The rule
// is the simplest sound one: the loader cannot tell which copy is the
// secret's, so no copy of anchored text is quoted; comparing the value
// with every secret's would miss a secret that fails to load.
func (l *loader) invalidShared(f *bind.Field, full string, origin Origin, raw string, err error) {
	why := err.Error()
	if fe := (*bind.ForeignError)(nil); errors.As(err, &fe) {
		why = foreignRejected(f)
	}
	why = scrub(why, raw)
	l.errorf(Finding{ID: idInvalid, Key: full, Field: f.Path, Origin: origin, Hint: "fix " + full + " (" + origin.String() + ")"},
		ErrInvalid, errors.New(why), "invalid value (not shown: a YAML anchor's, which an alias may share with a secret) from %s: %s", origin, why)
}
