package rediscache

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/internal/cacheurl"
	"github.com/redis/rueidis"
)

// sentinelRefresh is how often the client asks the Sentinels for the
// master besides following their +switch-master messages: a message missed
// (the connection to the Sentinel dropped while it was sent) would bind the
// Store to the old master until the next refresh.
const sentinelRefresh = 2 * time.Second

// clusterRefresh is how often a cluster client rescans the slots besides
// following MOVED replies.
const clusterRefresh = 10 * time.Second

// topologyOptions sets what depends on the topology the URL names. rueidis
// picks the client: with master_set, the Sentinel client; with several
// addresses, the cluster client, which asks the seeds for the slots; with
// one, the client of one server. Every client keeps one pipelined
// connection per server (pipelineMultiplex).
func topologyOptions(o *rueidis.ClientOption) {
	// One address without master_set is one server: rueidis's detection
	// would start a cluster client first, whose background refresh
	// outlives a failed connection. New asks the server whether it is a
	// cluster node instead (see clusterNode).
	o.ForceSingleClient = len(o.InitAddress) == 1 && o.Sentinel.MasterSet == ""
	o.Sentinel.TopologyRefreshInterval = sentinelRefresh
	o.ClusterOption.ShardsRefreshInterval = clusterRefresh
	// A MOVED or ASK loop ends with an error instead of running until the
	// call's timeout.
	o.ClusterOption.MaxMovedRedirections = 5
}

// boundNearCache keeps the client-side cache within total bytes. A
// rueidis client-side cache belongs to a connection, and a cluster client
// holds one per node: when c has several nodes, it is closed and a client
// whose connections each hold total/nodes bytes is returned instead.
func boundNearCache(ctx context.Context, c rueidis.Client, copt rueidis.ClientOption, total int64) (rueidis.Client, error) {
	n := int64(len(c.Nodes()))
	if n <= 1 || c.Mode() != rueidis.ClientModeCluster {
		return c, nil
	}
	c.Close()
	copt.CacheSizeEachConn = int(max(total/n, 1))
	return newClient(ctx, copt)
}

// connectError is New's error for err, from connecting to the servers of
// r: an authentication or TLS failure is named, and nothing quotes the
// password of u.
func connectError(err error, u prodready.SecretURL, r cacheurl.Redis) error {
	if a := authFailure(err); a != nil {
		return fmt.Errorf("rediscache: connect: %w", a)
	}
	if te := tlsFailure(err, r.Addr); te != nil {
		return fmt.Errorf("rediscache: connect: %w", scrub(te, u))
	}
	what := "connect"
	switch {
	case r.MasterSet != "":
		what = fmt.Sprintf("connect to master %q through the Sentinels at %v", r.MasterSet, r.Addrs)
	case len(r.Addrs) > 1:
		what = fmt.Sprintf("connect to the cluster seeds %v", r.Addrs)
	}
	return fmt.Errorf("rediscache: %s: %w", what, scrub(err, u))
}

// clusterNode reports whether the one server c is connected to is a node
// of a Redis Cluster (INFO cluster says cluster_enabled:1): a URL that
// names one node of a cluster then gets a cluster client, as rueidis's
// own detection would give it. A server or proxy without INFO is not.
func clusterNode(ctx context.Context, c rueidis.Client) bool {
	info, err := c.Do(ctx, c.B().Info().Section("cluster").Build()).ToString()
	return err == nil && strings.Contains(info, "cluster_enabled:1")
}
