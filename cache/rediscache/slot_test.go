package rediscache

import (
	"strings"
	"testing"
)

// TestSlot: the hash slots of keys Redis itself documents (CLUSTER KEYSLOT
// answers these), and its hash-tag rule.
func TestSlot(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key  string
		want uint16
	}{
		{"123456789", 12739}, // the CRC-16/XMODEM check value 0x31C3, mod 16384
		{"foo", 12182},
		{"bar", 5061},
		{"{user1000}.following", 3443},
		{"{user1000}.followers", 3443},
		{"foo{}{bar}", 8363},             // an empty tag: the whole key
		{"foo{{bar}}zap", 4015},          // the tag is "{bar"
		{"foo{bar}{zap}", 5061},          // the first tag: "bar"
		{"{unclosed", slot("{unclosed")}, // no '}': the whole key
	}
	for _, tt := range tests {
		if got := slot(tt.key); got != tt.want {
			t.Errorf("slot(%q) = %d, want %d", tt.key, got, tt.want)
		}
	}
}

// TestLockKeySlot: a lock key falls in the slot of its data key, for keys
// with and without braces and NUL bytes, with any namespace, and keys
// without braces of ours still spread over the slots.
func TestLockKeySlot(t *testing.T) {
	t.Parallel()
	keys := []string{"", "a", "user:42", "{x}", "a}b", "{", "x\x00y", strings.Repeat("k", 300)}
	for _, prefix := range []string{"", "ns:", "{ns}:", "n{s:"} {
		s := &Store{prefix: prefix}
		for _, k := range keys {
			if got, want := slot(s.lockKey(k)), slot(s.key(k)); got != want {
				t.Errorf("prefix %q key %q: lock slot %d, data slot %d", prefix, k, got, want)
			}
			for _, k2 := range keys {
				if s.key(k2) == s.lockKey(k) {
					t.Errorf("prefix %q: key(%q) = lockKey(%q)", prefix, k2, k)
				}
			}
		}
	}
	seen := map[uint16]bool{}
	s := &Store{prefix: "ns:"}
	for i := range 1000 {
		seen[slot(s.key("item:"+string(rune('a'+i%26))+strings.Repeat("x", i/26)))] = true
	}
	if len(seen) < 900 {
		t.Errorf("1000 keys of one namespace fall in %d slots, want them spread", len(seen))
	}
	for sl, tag := range slotTags() {
		if slot("{"+tag+"}") != uint16(sl) {
			t.Fatalf("slotTags()[%d] = %q, in slot %d", sl, tag, slot("{"+tag+"}"))
		}
	}
}
