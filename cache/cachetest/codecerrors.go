package cachetest

import (
	"errors"
	"reflect"
	"sync/atomic"
	"testing"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
)

// failingCodec is a codec whose Marshal or Unmarshal fails.
type failingCodec struct{ marshal, unmarshal bool }

var errCodec = errors.New("codec failure")

func (f failingCodec) Marshal(v any) ([]byte, error) {
	if f.marshal {
		return nil, errCodec
	}
	return cache.JSON{}.Marshal(v)
}

func (f failingCodec) Unmarshal(data []byte, v any) error {
	if f.unmarshal {
		return errCodec
	}
	return cache.JSON{}.Unmarshal(data, v)
}

func testCodecErrors(t *testing.T, s *suite) {
	probe := s.open(t, config{})
	if probe.Backend() == prodready.CacheMemory {
		t.Skip("the memory backend does not encode values")
	}
	tests := []struct {
		name    string
		codec   failingCodec
		wantSet bool // Set succeeds
	}{
		{"unmarshal fails", failingCodec{unmarshal: true}, true},
		{"marshal fails", failingCodec{marshal: true}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := &suite{newCache: s.newCache, key: s.key}
			c := s.open(t, config{opts: cache.Options{Codec: tt.codec}})
			err := c.Set(t.Context(), "k", item(1))
			if (err == nil) != tt.wantSet {
				t.Fatalf("Set error = %v, want success: %v", err, tt.wantSet)
			}
			wantMissing(t, c, "k")
			var n atomic.Int64
			got, err := c.GetOrLoad(t.Context(), "k", loaderOf(&n, item(2)))
			if err != nil || !reflect.DeepEqual(got, item(2)) {
				t.Fatalf("GetOrLoad = %+v, %v, want the loader's %+v, nil", got, err, item(2))
			}
			st := c.Stats()
			if st.CodecErrors == 0 {
				t.Fatalf("Stats().CodecErrors = 0 after codec failures; stats %+v", st)
			}
			if st.Hits != 0 {
				t.Fatalf("Stats().Hits = %d, want 0: an entry that does not decode is a miss", st.Hits)
			}
		})
	}
}
