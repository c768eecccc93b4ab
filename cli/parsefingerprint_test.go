package cli_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cli"
)

const sampleReport = `{"format":"prodready-fingerprint","version":1,"profile":"production",
"fingerprint":"0123456789abcdef0123456789abcdef","key":"0011223344556677",
"variables":{"PAGE_SIZE":{"digest":"aaaaaaaaaaaaaaaa"},"DATABASE_URL":{"digest":"bbbbbbbbbbbbbbbb","keyed":true}}}`

// ParseFingerprintJSON reads back what FingerprintJSON writes, and refuses
// what is not a report, quoting no more than a short part of it.
func TestParseFingerprintJSON(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("z", 500)
	tests := []struct {
		name, data string
		ok         bool
	}{
		{"report", sampleReport, true},
		{"not json", "{", false},
		{"other format", strings.Replace(sampleReport, "prodready-fingerprint", "other", 1), false},
		{"version 2", strings.Replace(sampleReport, `"version":1`, `"version":2`, 1), false},
		{"short digest", strings.Replace(sampleReport, "aaaaaaaaaaaaaaaa", "aaaa", 1), false},
		{"long bad key", strings.Replace(sampleReport, "0011223344556677", long, 1), false},
		{"name with a space", strings.Replace(sampleReport, "PAGE_SIZE", "PAGE SIZE", 1), false},
		{"trailing data", sampleReport + "{}", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := cli.ParseFingerprintJSON([]byte(tt.data))
			if (err == nil) != tt.ok {
				t.Fatalf("ParseFingerprintJSON() error = %v, want ok %v", err, tt.ok)
			}
			if err != nil {
				if strings.Contains(err.Error(), long) {
					t.Errorf("error quotes the whole bad value: %.80s...", err)
				}
				return
			}
			want := &prodready.VarDigests{Fingerprint: "0123456789abcdef0123456789abcdef", Key: "0011223344556677", Vars: []prodready.VarDigest{
				{Name: "DATABASE_URL", Digest: "bbbbbbbbbbbbbbbb", Keyed: true}, {Name: "PAGE_SIZE", Digest: "aaaaaaaaaaaaaaaa"}}}
			if r.Profile != "production" || r.KeyGenerated || r.Digests.Fingerprint != want.Fingerprint || r.Digests.Key != want.Key ||
				len(r.Digests.Vars) != 2 || r.Digests.Vars[0] != want.Vars[0] || r.Digests.Vars[1] != want.Vars[1] {
				t.Errorf("ParseFingerprintJSON() = %+v %+v, want %+v", r, r.Digests, want)
			}
		})
	}
}

// FuzzParseFingerprintJSON: a report comes from a file or from a cache
// server other replicas write to; no input panics, and what parses has
// well-formed digests.
func FuzzParseFingerprintJSON(f *testing.F) {
	f.Add([]byte(sampleReport))
	f.Add([]byte(`{"format":"prodready-fingerprint","version":1,"variables":{}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := cli.ParseFingerprintJSON(data)
		if err != nil {
			return
		}
		if len(r.Digests.Fingerprint) != 32 {
			t.Fatalf("fingerprint %q accepted", r.Digests.Fingerprint)
		}
		for _, v := range r.Digests.Vars {
			if len(v.Digest) != 16 || v.Name == "" {
				t.Fatalf("variable %+v accepted", v)
			}
		}
		if _, err := json.Marshal(r.Digests); err != nil {
			t.Fatal(err)
		}
	})
}
