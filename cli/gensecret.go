package cli

import (
	"fmt"

	"github.com/prodready/prodready"
)

// genSecret runs gen-secret: a new key of --bytes random bytes, from
// Options.Load.Rand (crypto/rand by default), on stdout. It is the one
// command that prints a secret, and the secret is new.
func (r *runner) genSecret(args []string) error {
	fs := r.newFlags("gen-secret")
	n := fs.Int("bytes", 48, fmt.Sprintf("random `N` bytes in the key, %d to %d", prodready.MinKeyBytes, maxKeyBytes))
	if err := r.parse(fs, "gen-secret", args); err != nil {
		return err
	}
	if *n < prodready.MinKeyBytes || *n > maxKeyBytes {
		return r.usagef("gen-secret", "--bytes %d: want %d to %d", *n, prodready.MinKeyBytes, maxKeyBytes)
	}
	k, err := prodready.GenerateKey(r.o.Load.Rand, *n)
	if err != nil {
		return r.errorf("gen-secret", "%w", err)
	}
	if _, err := fmt.Fprintln(r.stdout, k.Reveal()); err != nil {
		return r.errorf("gen-secret", "%w", err)
	}
	return nil
}

// maxKeyBytes is the largest key gen-secret makes: its text must fit in a
// NAME_FILE file.
const maxKeyBytes = prodready.MaxSecretFileSize / 2
