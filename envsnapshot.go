package prodready

import (
	"os"
	"runtime"
	"strings"
)

// The process environment read once per load: with the misspelling scan
// on, the scan lists every variable anyway (os.Environ), so that one
// listing also gives the fields their values, instead of two
// os.LookupEnv calls per field (NAME and NAME_FILE), each taking the
// environment's lock and hashing the name again.

// envValue is one variable of the snapshot: its value and whether it is set.
type envValue struct {
	v  string
	ok bool
}

// snapshotEnv reads the process environment once, when the scan will list
// it: each field's NAME and NAME_FILE go to its fieldState (env, envFile),
// and the names the misspelling scan must look at (those the piece index
// lets through) to l.scanNames. Most unrelated variables cost a length test
// and a few table loads. A snapshot is also a consistent view: a variable
// set by another goroutine meanwhile is seen by all fields or none.
//
// It applies only where the scan's own shortcut does (no Options.Prefix,
// no groups) and where names are case-sensitive, as os.LookupEnv's are
// outside Windows. (os.Environ, unlike os.LookupEnv, does not tell go
// test's cache which variables a test read.)
func (l *loader) snapshotEnv() {
	if _, ok := l.env.(processEnv); !ok || l.o.Prefix != "" || len(l.pe.grp) > 0 || l.pe.slots == nil ||
		runtime.GOOS == "windows" || runtime.GOOS == "plan9" || slicesContainsFold(l.o.Silence, idUnknownVar) {
		return
	}
	pe := l.pe
	lo, hi := pe.scanLengths()
	l.scanNames = l.scanBuf[:0]
	for _, kv := range os.Environ() {
		i := strings.IndexByte(kv, '=')
		// A field's own name always passes the index (it is within no
		// edits of itself), so only names that pass are looked up.
		if i <= 0 || !pe.near.mayBeNear(kv[:i]) {
			continue
		}
		name := kv[:i]
		if s, ok := pe.slots[name]; ok {
			if st := &l.fields[s/2]; s%2 == 0 {
				st.env = envValue{kv[i+1:], true}
			} else {
				st.envFile = envValue{kv[i+1:], true}
			}
		} else if len(name) >= lo && len(name) <= hi {
			l.scanNames = append(l.scanNames, name)
		}
	}
	l.snapped = true
}

// envPair returns NAME and NAME_FILE of field slot/2 at level: from the
// snapshot for the environment when there is one, else by lookup.
func (l *loader) envPair(level int, name, fileName string, slot int) (v string, ok bool, fv string, fok bool) {
	if level == levelEnv && l.snapped && slot >= 0 {
		st := &l.fields[slot/2]
		return st.env.v, st.env.ok, st.envFile.v, st.envFile.ok
	}
	v, ok = l.lookupAt(level, name)
	fv, fok = l.lookupAt(level, fileName)
	return v, ok, fv, fok
}
