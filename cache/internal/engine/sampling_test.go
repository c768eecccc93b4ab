package engine

import (
	"strconv"
	"testing"

	"github.com/prodready/prodready/cache/internal/policy"
)

// TestSampledReadsHaveTheirOwnBuffers: when the read buffers are full, a
// read of a key the policy samples for its miniatures is still recorded,
// in the sampled buffers, while a read of another key is dropped. Before,
// both were dropped alike, and the miniatures that steer the policy's
// shape saw a thinned sample whenever one reader outran the drainer.
func TestSampledReadsHaveTheirOwnBuffers(t *testing.T) {
	t.Parallel()
	// A large capacity and a small miniature: a sample of about 1/64.
	e, err := New(&Options[int]{
		Capacity: 1 << 16,
		Policy: func(c uint64) policy.Policy {
			return policy.New(c, &policy.Options{SampleEntries: 1024, NoEstimates: true})
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Stop()
	thr := e.sampling.Load()
	if thr == 0 {
		t.Fatal("the adaptive policy publishes no sample threshold")
	}
	var in, out string
	for i := 0; in == "" || out == ""; i++ {
		k := strconv.Itoa(i)
		if policy.Sampled(e.hash(k), thr) {
			in = k
		} else {
			out = k
		}
	}
	e.Set(in, 1)
	e.Set(out, 2)
	e.mu.Lock()
	// Fill the unsampled rings only: the drainer is behind on them.
	for _, b := range []*buffer{&e.hits, &e.misses} {
		for i := range b.rings {
			r := &b.rings[i]
			for r.tail.Load()-r.head.Load() < ringSize {
				tail := r.tail.Load()
				r.slots[tail&(ringSize-1)].Store(e.hash(out))
				r.tail.Store(tail + 1)
			}
		}
	}
	before := pending(&e.hits)
	e.mu.Unlock()
	for _, k := range []string{in, out} {
		if _, ok := e.GetIfPresent(k); !ok {
			t.Fatalf("%s missing", k)
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if got := pending(&e.sampledHits); got != 1 {
		t.Errorf("sampled hits pending: %d, want 1 (the read of the sampled key)", got)
	}
	if got := pending(&e.hits); got != before {
		t.Errorf("unsampled hits pending: %d, want %d (the read of the other key dropped)", got, before)
	}
}

// TestStaticPolicySamplesNothing: a policy that runs no miniature
// publishes no threshold, so that reads take the plain buffers.
func TestStaticPolicySamplesNothing(t *testing.T) {
	t.Parallel()
	e, err := New(&Options[int]{Capacity: 64, Policy: lruTinyLFU})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Stop()
	if thr := e.sampling.Load(); thr != 0 {
		t.Errorf("sample threshold %d, want 0", thr)
	}
}
