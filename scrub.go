package prodready

import (
	"fmt"
	"os"
)

// scrubEnvironment removes from the process environment, after a load that
// succeeded with Options.ScrubEnvironment, the variables of every secret
// field (a Secret, a SecretURL, or a list or map of them): NAME and
// NAME_FILE, prefix included, whichever of them is set, whether or not it
// was the source that won (an override may have shadowed it, but it is a
// secret all the same). It does nothing when the environment read is not
// the process's own. The secret fields of groups' elements count too.
func (l *loader) scrubEnvironment() error {
	if !l.o.ScrubEnvironment {
		return nil
	}
	if _, real := l.env.(processEnv); !real {
		return nil
	}
	var names []string
	for i := range l.plan.Fields {
		if l.pe.sensitive[i] {
			f := &l.plan.Fields[i]
			names = append(names, l.o.Prefix+f.Name, l.o.Prefix+f.FileName)
		}
	}
	names = append(names, l.groupSecrets...)
	for _, name := range names {
		if _, set := os.LookupEnv(name); !set {
			continue
		}
		if err := os.Unsetenv(name); err != nil {
			return fmt.Errorf("prodready: scrub the environment: unset %s: %w", name, err)
		}
	}
	return nil
}
