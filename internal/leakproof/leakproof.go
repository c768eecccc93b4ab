// Package leakproof finds canary secrets in the outputs of a program: the
// scanner behind the leak-proof tests (TestNoSecretLeaks), which render
// every public output of the module with canaries in its configuration and
// fail on any trace of them.
//
// A canary is a made-up secret, long and random enough that it cannot show
// up in an output by chance. An output leaks it when it holds the canary
// itself or one of the encodings a careless renderer would apply: base64
// (standard, URL-safe, with or without padding), hex (lower and upper
// case), URL query escaping and JSON string escaping. See [Encodings].
//
// # Why base64 needs three offsets
//
// Base64 turns every group of 3 bytes into 4 characters. A canary copied
// into a longer blob before it is encoded (a cookie payload, a token, a
// dump of a struct) starts at a byte offset that is 0, 1 or 2 modulo 3, and
// the characters that encode it depend on that offset and on the bytes
// around it: base64(canary) is then not a substring of base64(blob). What
// stays the same is the encoding of the whole 3-byte groups that lie inside
// the canary. So for each offset k in 0, 1, 2 the scanner looks for the
// encoding of canary[k:k+3n], the longest run of whole groups from k,
// without padding and without the last partial group, whose characters
// depend on what follows. One of the three matches whatever the canary's
// position in the blob. Hex needs no such care: it encodes each byte on
// its own.
package leakproof

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
)

// minGroups is the fewest whole base64 groups (3 bytes each) an offset
// form must cover: shorter forms would match by chance.
const minGroups = 4

// scanned counts the outputs Check has looked at, in this process.
var scanned atomic.Int64

// Scanned returns the number of outputs Check has scanned so far in this
// process, for a test to report how much it covered.
func Scanned() int64 { return scanned.Load() }

// Encodings returns the forms in which canary would show in a leaking
// output, by name: "raw"; "base64-std+k", "base64-url+k" for k in 0, 1, 2
// (the whole 3-byte groups from byte k, unpadded, so that the canary is
// found inside a longer encoded blob; see the package documentation);
// "base64-std", "base64-url" and "base64-rawurl", the canary's own
// complete encodings; "hex" and "HEX"; "query" (url.QueryEscape) and "path"
// (url.PathEscape) when they differ from the raw form; "json" (the
// canary as escaped inside a JSON string) when it differs; and "middle",
// the middle 16 bytes, so that a cut or truncated canary is found too. The
// canary should be at least 32 bytes long; base64 offset forms of fewer
// than 4 groups are left out.
func Encodings(canary string) map[string]string {
	b := []byte(canary)
	m := map[string]string{
		"raw":           canary,
		"base64-std":    base64.StdEncoding.EncodeToString(b),
		"base64-url":    base64.URLEncoding.EncodeToString(b),
		"base64-rawurl": base64.RawURLEncoding.EncodeToString(b),
		"hex":           hex.EncodeToString(b),
		"HEX":           strings.ToUpper(hex.EncodeToString(b)),
	}
	for k := range 3 {
		if len(b) < k {
			break
		}
		n := (len(b) - k) / 3
		if n < minGroups {
			continue
		}
		groups := b[k : k+3*n]
		m[fmt.Sprintf("base64-std+%d", k)] = base64.RawStdEncoding.EncodeToString(groups)
		m[fmt.Sprintf("base64-url+%d", k)] = base64.RawURLEncoding.EncodeToString(groups)
	}
	if q := url.QueryEscape(canary); q != canary {
		m["query"] = q
	}
	if p := url.PathEscape(canary); p != canary {
		m["path"] = p
	}
	if j, err := json.Marshal(canary); err == nil {
		if s := string(j[1 : len(j)-1]); s != canary {
			m["json"] = s
		}
	}
	if len(canary) >= 32 {
		mid := len(canary)/2 - 8
		m["middle"] = canary[mid : mid+16]
	}
	return m
}

// Check fails tb if output holds any of the canaries in any form
// [Encodings] lists, naming where the output came from, the canary (by
// its position in canaries) and the form found, with the text around it.
// It counts the output in [Scanned].
func Check(tb testing.TB, where string, output []byte, canaries ...string) {
	tb.Helper()
	scanned.Add(1)
	for i, c := range canaries {
		if c == "" {
			tb.Fatalf("leakproof.Check(%s): canary %d is empty", where, i)
		}
		enc := Encodings(c)
		names := make([]string, 0, len(enc))
		for name := range enc {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			at := bytes.Index(output, []byte(enc[name]))
			if at < 0 {
				continue
			}
			lo, hi := max(at-80, 0), min(at+len(enc[name])+80, len(output))
			tb.Errorf("%s leaks canary %d (form %s) at byte %d: ...%q...", where, i, name, at, output[lo:hi])
			break // one report per canary and output
		}
	}
}
