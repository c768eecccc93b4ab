package prodready

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// VarDigests is the fingerprint of a configuration variable by variable,
// as [FingerprintVars] returns it: enough to say which variables differ
// between two replicas, and nothing about their values but equality.
type VarDigests struct {
	// Fingerprint is FingerprintReport's digest of the whole configuration.
	Fingerprint string
	// Key names the key the Keyed digests are made under: 16 hexadecimal
	// digits, equal for two configurations exactly when their SECRET_KEYs
	// are, derived from SECRET_KEY as the fingerprint's key is (argon2id).
	// It is empty without a SECRET_KEY.
	Key string
	// Vars has one digest a variable, sorted by name.
	Vars []VarDigest
}

// VarDigest is the digest of one variable's effective value.
type VarDigest struct {
	// Name is the variable's name as the Report names it: with the
	// Options.Prefix when FingerprintVars was given the load's Report,
	// without it otherwise.
	Name string
	// Digest is 16 hexadecimal digits, equal for two configurations when
	// the variable's values are (and, for a Keyed digest, their keys).
	Digest string
	// Keyed reports that the value holds a secret (a Secret, a SecretURL,
	// a URL's password, a value read through NAME_FILE, a plain value
	// the Report redacted as a copy of a loaded secret), so that the
	// digest is an HMAC under the key Key names: it says nothing about the
	// secret, and only compares with a digest made under the same key.
	// The variable bound to SECRET_KEY itself is not Keyed: its digest
	// is Key, which compares across keys.
	Keyed bool
}

// FingerprintVars is [FingerprintReport] variable by variable, for finding
// which variables differ between two replicas whose fingerprints do
// (prodready fingerprint --json and prodready diff are built on it).
//
// A variable that holds no secret is digested with SHA-256 of its name
// and value, as the fingerprint sees them, so that its digest compares
// whatever the keys; anyone can confirm a guess at such a value from its
// digest, as the Report shows those values anyway; pass the load's Report,
// so that a plain variable holding a copy of a loaded secret, which the
// Report marks Secret, is digested as a secret. A variable that holds a
// secret is digested with HMAC-SHA256 under the key the fingerprint's
// secrets hide behind (argon2id of SECRET_KEY), so its digest reveals
// nothing of it but whether it equals another replica's under the same
// key. Without a SECRET_KEY, a secret enters only as set or unset, as in
// [Fingerprint]. Like Fingerprint, it derives the key on the first call
// with a given SECRET_KEY in a process; later calls reuse it.
func FingerprintVars(cfg any, rep *Report) (*VarDigests, error) {
	secret := reportSecrets(rep)
	v, pe, fp, err := fingerprintInput(cfg)
	if err != nil {
		return nil, err
	}
	prefix := ""
	if rep != nil {
		// The report names each variable with the prefix the fingerprint
		// leaves out.
		byPath := make(map[string]string, len(pe.plan.Fields))
		for i := range pe.plan.Fields {
			byPath[pe.plan.Fields[i].Path] = pe.plan.Fields[i].Name
		}
		for _, rv := range rep.Vars {
			if name, ok := byPath[rv.Field]; ok && strings.HasSuffix(rv.Name, name) {
				prefix = strings.TrimSuffix(rv.Name, name)
				break
			}
		}
	}
	lines := fp.lines(pe, v, secret)
	d := &VarDigests{Fingerprint: fp.sum(lines)}
	if fp.key != nil {
		d.Key = varDigest(fp.key, "prodready fingerprint key")
	}
	keyName := ""
	if i, ok := pe.plan.Lookup("SECRET_KEY"); ok {
		keyName = pe.plan.Fields[i].Name
	}
	// The lines without the key show a secret as set or unset and a URL
	// password not at all: where they equal the keyed ones, the variable
	// holds no secret.
	plain := make(map[string]string)
	for _, line := range (fingerprinter{}).lines(pe, v, secret) {
		name, _, _ := strings.Cut(line, "=")
		plain[name] = line
	}
	for _, line := range lines {
		name, _, _ := strings.Cut(line, "=")
		vd := VarDigest{Name: prefix + name}
		switch {
		case name == keyName && d.Key != "":
			vd.Digest = d.Key
		case fp.key != nil && line != plain[name]:
			vd.Digest, vd.Keyed = varDigest(fp.key, line), true
		default:
			vd.Digest = varDigest(nil, line)
		}
		d.Vars = append(d.Vars, vd)
	}
	return d, nil
}

// varDigest is the 16-hex-digit digest of a fingerprint line: an
// HMAC-SHA256 under key, or without a key a SHA-256, in a domain of their
// own so that no digest equals a whole-configuration fingerprint.
func varDigest(key []byte, line string) string {
	const domain = "prodready variable digest v1\x00"
	var sum []byte
	if key != nil {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(domain + line))
		sum = m.Sum(nil)
	} else {
		s := sha256.Sum256([]byte(domain + line))
		sum = s[:]
	}
	return hex.EncodeToString(sum[:8])
}

// reportSecrets are the Go field paths of the variables rep marks as
// secret; nil for a nil rep.
func reportSecrets(rep *Report) map[string]bool {
	if rep == nil {
		return nil
	}
	secret := make(map[string]bool)
	for _, v := range rep.Vars {
		if v.Secret {
			secret[v.Field] = true
		}
	}
	return secret
}
