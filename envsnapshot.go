package prodready

import (
	"os"
	"runtime"
	"strings"
	"sync/atomic"
)

// The process environment read once per load: with the misspelling scan
// on, the scan lists every variable anyway (os.Environ), so that one
// listing also gives the fields their values, instead of two
// os.LookupEnv calls per field (NAME and NAME_FILE), each taking the
// environment's lock and hashing the name again.
//
// A type loaded more than once (tests, benchmarks, a service reloading)
// keeps what the last listing taught (environScan): when the next listing
// has the same names in the same order, the piece index and the scan's
// edit distances would decide the same again, so only the values are
// taken from the new listing.

// envValue is one variable of the snapshot: its value and whether it is set.
type envValue struct {
	v  string
	ok bool
}

// environScan is what snapshotEnv and the misspelling scan learned from one
// listing of the environment, for a type: it depends only on the names of
// the listing and their order, never on the values, and it holds no value
// (a secret's above all): the names are copied out of the listing.
type environScan struct {
	// keys are "NAME=" of every entry, in os.Environ's order, one after
	// the other; entry i's ends at ends[i]. (Offsets, not strings: a third
	// of the memory, and nothing for the garbage collector to scan.)
	keys     string
	ends     []uint32
	slots    []envSlot // the entries that are a field's NAME or NAME_FILE
	reported []string  // the names the scan reported (copies)
}

// envSlot says that entry at of the listing is the variable of slot (2i for
// field i's NAME, 2i+1 for its NAME_FILE), its value from byte off.
type envSlot struct{ at, off, slot int }

// matches reports whether env, a new listing, has exactly the names of the
// one s was learned from, in the same order. A key ends with the first '='
// of its entry (names hold none), so a prefix match is a name match.
func (s *environScan) matches(env []string) bool {
	if len(env) != len(s.ends) {
		return false
	}
	start := uint32(0)
	for i, kv := range env {
		end := s.ends[i]
		if k := s.keys[start:end]; len(kv) < len(k) || kv[:len(k)] != k {
			return false
		}
		start = end
	}
	return true
}

// snapshotEnv reads the process environment once, when the scan will list
// it: each field's NAME and NAME_FILE go to its fieldState (env, envFile),
// and the names the misspelling scan must look at (those the piece index
// lets through) to l.scanNames. Most unrelated variables cost a length test
// and a few table loads. A snapshot is also a consistent view: a variable
// set by another goroutine meanwhile is seen by all fields or none.
//
// When the type's last environScan matches the listing, the fields' values
// come from the entries it names and the scan looks only at the names it
// reported: a comparison of names per variable instead of the index.
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
	env := os.Environ()
	l.snapped = true
	if s := pe.envScan.Load(); s != nil && s.matches(env) {
		for _, e := range s.slots {
			l.setSlot(e.slot, env[e.at][e.off:])
		}
		l.scanNames = s.reported
		return
	}
	lo, hi := pe.scanLengths()
	l.scanNames = l.scanBuf[:0]
	// The first listing of a type is not kept: a service that loads once
	// would pay for the copy and never use it.
	var learn *environScan
	if pe.snapshots.Add(1) > 1 {
		learn = &environScan{ends: make([]uint32, len(env)), slots: make([]envSlot, 0, 2*len(l.fields))}
	}
	keys := 0 // the length of learn.keys
	for j, kv := range env {
		i := strings.IndexByte(kv, '=')
		if learn != nil {
			if i <= 0 {
				learn = nil // an entry without a name: not worth learning
			} else {
				keys += i + 1
				learn.ends[j] = uint32(keys)
			}
		}
		// A field's own name always passes the index (it is within no
		// edits of itself), so only names that pass are looked up.
		if i <= 0 || !pe.near.mayBeNear(kv[:i]) {
			continue
		}
		name := kv[:i]
		if s, ok := pe.slots[name]; ok {
			l.setSlot(s, kv[i+1:])
			if learn != nil {
				learn.slots = append(learn.slots, envSlot{j, i + 1, s})
			}
		} else if len(name) >= lo && len(name) <= hi {
			l.scanNames = append(l.scanNames, name)
		}
	}
	if learn != nil {
		learn.copyKeys(env, keys)
		l.learning = learn // scanUnknown adds what it reports, then publishes it
	}
}

// setSlot records value as the variable of slot (see envSlot).
func (l *loader) setSlot(slot int, value string) {
	if st := &l.fields[slot/2]; slot%2 == 0 {
		st.env = envValue{value, true}
	} else {
		st.envFile = envValue{value, true}
	}
}

// copyKeys sets s.keys from env and s.ends, n bytes: the names are copied,
// so that the entries (which hold the values) are not kept.
func (s *environScan) copyKeys(env []string, n int) {
	var b strings.Builder
	b.Grow(n)
	start := uint32(0)
	for i, kv := range env {
		b.WriteString(kv[:s.ends[i]-start])
		start = s.ends[i]
	}
	s.keys = b.String()
}

// learnReported is called by the scan for each name of l.scanNames it
// reported; publishLearnt then makes the loader's environScan the type's.
func (l *loader) learnReported(name string) {
	if l.learning != nil {
		l.learning.reported = append(l.learning.reported, strings.Clone(name))
	}
}

// publishLearnt makes what this load learnt from the environment the
// type's, for the next load.
func (l *loader) publishLearnt() {
	if l.learning != nil {
		l.pe.envScan.Store(l.learning)
		l.learning = nil
	}
}

// envScanCache is a type's last environScan, and how many listings its
// loads made (see snapshotEnv).
type envScanCache struct {
	envScan   atomic.Pointer[environScan]
	snapshots atomic.Uint32
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
