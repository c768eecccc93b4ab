package policy

import "testing"

// TestAdaptRanksByThisEpochsScores checks that adaptation compares every
// candidate's score after this epoch's decay and hits, the current shape's
// included. Until round six one loop updated the scores and picked the
// best, so a candidate before the current shape in the list was compared
// with the current shape's score of the epoch before, not yet decayed:
// the first row stayed at shape 3. Replaying the ARC traces, the fix
// moved the hit ratios by at most 0.2 points (docs/BENCHMARKS.md).
func TestAdaptRanksByThisEpochsScores(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		current int
		scores  []float64
		epoch   []uint64
		want    int
	}{
		// 0: 100×0.8 = 80; 3: 90×0.8 = 72.
		{"a decayed current shape loses", 3, []float64{100, 0, 0, 90}, []uint64{0, 0, 0, 0}, 0},
		// 0: 70×0.8 = 56; 3: 50×0.8 + 40 = 80.
		{"this epoch's hits keep the current shape", 3, []float64{70, 0, 0, 50}, []uint64{0, 0, 0, 40}, 3},
		// 3: 100×0.8 = 80; 0: 90×0.8 = 72.
		{"a later candidate wins", 0, []float64{90, 0, 0, 100}, []uint64{0, 0, 0, 0}, 3},
		{"a tie keeps the current shape", 1, []float64{0, 50, 0, 50}, []uint64{0, 0, 0, 0}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := New(1024, &Options{NoEstimates: true})
			g := &p.groups[0]
			if len(g.shapes) != len(tt.scores) {
				t.Fatalf("%d candidates, want %d", len(g.shapes), len(tt.scores))
			}
			g.current = tt.current
			g.fullEpochs = warmEpochs // past the warm-up
			copy(g.score, tt.scores)
			for i := range g.shapes {
				g.shapes[i].epoch = tt.epoch[i]
			}
			p.adapt(0)
			if g.current != tt.want {
				t.Errorf("adopted shape %d (scores now %v), want %d", g.current, g.score, tt.want)
			}
		})
	}
}
