package engine

import (
	"testing"
	"testing/synctest"
	"time"
)

// TestCoarseClockExpires checks the default clock in a synctest bubble: an
// entry is found within its lifetime, gone once the lifetime and a tick
// have passed, and Stop ends the clock's goroutine (synctest.Test fails
// while a goroutine of the bubble is left).
func TestCoarseClockExpires(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		e, err := New(&Options[int]{Capacity: 10, Lifetime: lifetime(int64(50 * time.Millisecond))})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Stop()
		e.Set("a", 1)
		time.Sleep(30 * time.Millisecond)
		if _, ok := e.GetIfPresent("a"); !ok {
			t.Fatal("entry gone at 30 ms of a 50 ms lifetime")
		}
		time.Sleep(50*time.Millisecond - 30*time.Millisecond + coarseTick + time.Millisecond)
		if _, ok := e.GetIfPresent("a"); ok {
			t.Fatal("entry found past its lifetime and a tick")
		}
	})
}
