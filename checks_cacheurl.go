package prodready

import (
	"context"
	"slices"
	"strings"

	"github.com/prodready/prodready/internal/cacheurl"
)

// checkCacheURLForm reports a CACHE_URL that the backend CACHE_BACKEND
// names would refuse or misread, with the parser the backends themselves
// use (internal/cacheurl), so that prodready check and Load catch it
// before the service connects. A wrong scheme is PR-E034's.
func checkCacheURLForm(_ context.Context, in *CheckInput) []Finding {
	b := in.Base
	if b == nil || !b.CacheURL.IsSet() || !slices.Contains(cacheSchemes[b.CacheBackend], b.CacheURL.Scheme()) {
		return nil
	}
	var err error
	switch b.CacheBackend {
	case CacheRedis:
		_, err = cacheurl.ParseRedis(b.CacheURL.Reveal())
	case CacheMemcached:
		_, err = cacheurl.ParseMemcached(b.CacheURL.Reveal())
	}
	if err == nil {
		return nil
	}
	// The message shows the URL as SecretURL renders it (password
	// redacted) without its query, whose unknown options may carry
	// credentials SecretURL does not know; cacheurl's errors quote no
	// credential.
	shown, _, cut := strings.Cut(b.CacheURL.String(), "?")
	if cut {
		shown += "?..."
	}
	return []Finding{in.finding("CACHE_URL", "$ "+shown+" is not a URL the "+string(b.CacheBackend)+" backend accepts: "+err.Error(), "use a URL such as "+exampleCacheURL(b.CacheBackend))}
}
