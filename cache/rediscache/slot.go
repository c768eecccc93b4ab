package rediscache

import (
	"strconv"
	"sync"
)

// Redis Cluster puts a key in one of 16384 hash slots: CRC16 (XMODEM) of
// the key, or of its hash tag, the text between its first '{' and the
// first '}' after it when that text is not empty. Two keys a Lua script or
// a multi-key command touches together must share a slot.
const numSlots = 16384

// slot returns the cluster hash slot of key.
func slot(key string) uint16 { return crc16(hashTag(key)) % numSlots }

// hashTag returns the part of key Redis Cluster hashes.
func hashTag(key string) string {
	for i := 0; i < len(key); i++ {
		if key[i] == '{' {
			for j := i + 1; j < len(key); j++ {
				if key[j] == '}' {
					if j > i+1 {
						return key[i+1 : j]
					}
					return key
				}
			}
			return key
		}
	}
	return key
}

// crc16 is CRC-16/XMODEM (polynomial 0x1021, no reflection, initial 0),
// the checksum Redis Cluster hashes keys with.
func crc16(s string) uint16 {
	var crc uint16
	for i := 0; i < len(s); i++ {
		crc ^= uint16(s[i]) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// slotTags returns, for each slot, a short hash tag (decimal digits) whose
// keys fall in that slot: "{" + slotTags()[s] + "}" anywhere first in a
// key puts the key in slot s. Built once, in about a millisecond.
var slotTags = sync.OnceValue(func() *[numSlots]string {
	var t [numSlots]string
	left := numSlots
	for n := 0; left > 0; n++ {
		tag := strconv.Itoa(n)
		if s := crc16(tag) % numSlots; t[s] == "" {
			t[s] = tag
			left--
		}
	}
	return &t
})
