package prodready_test

import (
	"fmt"

	"github.com/prodready/prodready"
)

// A CACHE_TLS_CA that holds no certificate is refused at load, naming the
// variable; cache.New gets the same error from ClientConfig.
func ExampleCacheTLS_ClientConfig() {
	env := prodready.MapEnv{
		"CACHE_BACKEND": "redis",
		"CACHE_URL":     "rediss://:pw@redis.internal:6380/0",
		"CACHE_TLS_CA":  "not a certificate",
	}
	var cfg prodready.Base
	err := prodready.Load(ctx, &cfg, opts(env, nil))
	fmt.Println(err)

	tc, err := prodready.CacheTLS{}.ClientConfig()
	fmt.Println(tc == nil, err) // nothing set: the system roots
	// Output:
	// prodready: CACHE_TLS_CA: holds no PEM certificate (want -----BEGIN CERTIFICATE----- blocks) (set CACHE_TLS_CA_FILE to the PEM file of the CA bundle (such as /run/secrets/redis-ca.pem))
	// true <nil>
}
