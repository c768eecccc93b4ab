package signing_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/signing"
)

// A fixed key and clock keep the examples' output stable; a service takes
// its key from the loaded configuration (see ExampleFromConfig).
var (
	exampleKey = prodready.NewSecret("an-example-key-of-43-characters-for-tests-1")
	exampleNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
)

func ExampleSigner_Verify() {
	now := exampleNow
	s, err := signing.New(exampleKey, "password-reset", &signing.Options{
		MaxAge: time.Hour,
		Now:    func() time.Time { return now },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	token := s.Sign([]byte("user-42"))
	fmt.Println(token)

	payload, err := s.Verify(token)
	fmt.Printf("%s %v\n", payload, err)

	now = now.Add(2 * time.Hour)
	_, err = s.Verify(token)
	fmt.Println("expired:", errors.Is(err, signing.ErrExpired))

	_, err = s.Verify(token[:len(token)-2] + "xx")
	fmt.Println("tampered:", errors.Is(err, signing.ErrInvalidSignature))
	// Output:
	// v1.dXNlci00Mg.AAABnKlFCgA.fEmFI_7-eN9VAOuCwQ5J65UmLtSYwN6PzY2edk2TFaE
	// user-42 <nil>
	// expired: true
	// tampered: true
}

// A rotation: the new key signs, the old one, as a fallback, still verifies
// the tokens signed before.
func ExampleSigner_VerifyToken_rotation() {
	oldKey := exampleKey
	newKey := prodready.NewSecret("the-next-example-key-of-43-characters-for-2")

	before, _ := signing.New(oldKey, "session", nil)
	token := before.Sign([]byte("alice"))

	during, _ := signing.New(newKey, "session", &signing.Options{
		Fallbacks: []prodready.Secret{oldKey},
	})
	t, err := during.VerifyToken(token)
	fmt.Printf("%s verified by key %d: %v\n", t.Payload, t.KeyIndex, err)
	if t.KeyIndex > 0 {
		// Signed again with the current key, keeping its signing time so
		// that its life is not extended.
		token = during.SignAt(t.Payload, t.SignedAt)
	}

	after, _ := signing.New(newKey, "session", nil)
	_, err = after.Verify(token)
	fmt.Println("after the old key is retired:", err)
	// Output:
	// alice verified by key 1: <nil>
	// after the old key is retired: <nil>
}

func ExampleSigner_VerifyJSON() {
	s, _ := signing.New(exampleKey, "invite", &signing.Options{NoTimestamp: true})
	token, _ := s.SignJSON(map[string]any{"team": 7, "role": "editor"})

	var invite struct {
		Team int    `json:"team"`
		Role string `json:"role"`
	}
	err := s.VerifyJSON(token, &invite)
	fmt.Printf("%+v %v\n", invite, err)

	// A token is valid for its purpose only.
	cursor, _ := signing.New(exampleKey, "cursor", nil)
	_, err = cursor.Verify(token)
	fmt.Println(errors.Is(err, signing.ErrInvalidSignature))
	// Output:
	// {Team:7 Role:editor} <nil>
	// true
}

// A service passes its own configuration struct, which embeds
// prodready.Base: SECRET_KEY signs, SECRET_KEY_FALLBACKS still verify.
func ExampleFromConfig() {
	type Config struct {
		prodready.Base
		Extra string `env:"EXTRA"`
	}
	var cfg Config
	err := prodready.Load(context.Background(), &cfg, &prodready.Options{
		Profile: prodready.Testing,
		Env: prodready.MapEnv{
			"SECRET_KEY":           "an-example-key-of-43-characters-for-tests-2",
			"SECRET_KEY_FALLBACKS": exampleKey.Reveal(),
		},
		NoDotEnv: true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := signing.FromConfig(cfg, "reset", &signing.Options{MaxAge: time.Hour})
	if err != nil {
		fmt.Println(err)
		return
	}
	payload, err := s.Verify(s.Sign([]byte("user-42")))
	fmt.Printf("%s %v\n", payload, err)

	// A link signed before the rotation, with the key now in the fallbacks.
	old, _ := signing.New(exampleKey, "reset", nil)
	payload, err = s.Verify(old.Sign([]byte("user-7")))
	fmt.Printf("%s %v\n", payload, err)
	// Output:
	// user-42 <nil>
	// user-7 <nil>
}
