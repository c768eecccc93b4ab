package redact_test

import (
	"fmt"

	"github.com/prodready/prodready/internal/redact"
)

func ExampleString() {
	s, hidden := redact.String("postgres://app:hunter2@db:5432/app?sslmode=require;password=hunter2&X-Amz-Signature=abc#frag")
	fmt.Println(s, hidden)
	// Output: postgres://app:[redacted]@db:5432/app?sslmode=require;password=[redacted]&X-Amz-Signature=[redacted]#[redacted] true
}

func ExampleText() {
	fmt.Println(redact.Text("failed to connect to `host=db user=app password=hunter2 database=app`: refused"))
	fmt.Println(redact.Text(`parse "postgres://app:hunter2@db:x/app": invalid port ":x" after host`))
	// Output:
	// failed to connect to `host=db user=app password=[redacted] database=app`: refused
	// parse "postgres://app:[redacted]@[redacted]": invalid port ":x" after host
}

func ExampleKey() {
	fmt.Println(redact.Key("cache_tll"))
	fmt.Println(redact.Key("sk_live_4eC39HqLyjWDarjtT1zdp7dc"))
	// Output:
	// "cache_tll"
	// of 32 bytes (not shown: it does not look like a name)
}
