//go:build race

package signing_test

// raceEnabled reports whether the race detector is on: it makes sync.Pool
// drop items at random, so allocation counts are not measured then.
const raceEnabled = true
