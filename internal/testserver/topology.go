package testserver

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// redisArgs are the arguments every private redis-server gets: loopback,
// no persistence, quiet.
func redisArgs(port string) []string {
	return []string{"--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning"}
}

// A Cluster is a Redis Cluster of private servers, each a master owning
// a third of the slots, started by [StartRedisCluster] and stopped when
// the test ends.
type Cluster struct {
	Nodes []*Server
}

// URL returns the cluster's URL in rueidis' form: the first node as the
// host, the others as addr= seeds.
func (c *Cluster) URL() string {
	u := "redis://" + c.Nodes[0].Addr()
	for i, n := range c.Nodes[1:] {
		sep := "&"
		if i == 0 {
			sep = "?"
		}
		u += sep + "addr=" + n.Addr()
	}
	return u
}

// StartRedisCluster starts n redis-server processes with cluster support
// on free loopback ports, joins them with redis-cli --cluster create (n
// masters, no replicas), and waits until every node reports the cluster
// ok. It skips tb (fails it under PRODREADY_REQUIRE_SERVERS=1) when
// redis-server or redis-cli is not installed.
func StartRedisCluster(tb testing.TB, n int) *Cluster {
	tb.Helper()
	if _, err := exec.LookPath("redis-cli"); err != nil {
		unavailable(tb, "redis-cli", err.Error())
	}
	dir := tb.TempDir()
	c := &Cluster{}
	for range n {
		c.Nodes = append(c.Nodes, start(tb, "redis-server", func(port string) []string {
			return append(redisArgs(port), "--cluster-enabled", "yes",
				"--cluster-config-file", filepath.Join(dir, "nodes-"+port+".conf"),
				"--cluster-node-timeout", "2000", "--dir", dir)
		}))
	}
	args := []string{"--cluster", "create"}
	for _, s := range c.Nodes {
		args = append(args, s.Addr())
	}
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "redis-cli", args...).CombinedOutput(); err != nil {
		tb.Fatalf("testserver: redis-cli --cluster create: %v\n%s", err, out)
	}
	deadline := time.Now().Add(startTimeout)
	for _, s := range c.Nodes {
		for {
			info, err := command(s.Addr(), nil, "CLUSTER", "INFO")
			if err == nil && strings.Contains(info, "cluster_state:ok") {
				break
			}
			if time.Now().After(deadline) {
				tb.Fatalf("testserver: cluster node %s not ok within %v: %v %s", s.Addr(), startTimeout, err, info)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return c
}

// A Sentinels is a Redis master, its replica, and three Sentinels that
// monitor them, started by [StartRedisSentinel].
type Sentinels struct {
	Master, Replica *Server
	Sentinels       []*Server
	MasterSet       string
}

// URL returns the URL of the master set in rueidis' form: the first
// Sentinel as the host, the others as addr=, and master_set.
func (s *Sentinels) URL() string {
	u := "redis://" + s.Sentinels[0].Addr() + "/0?master_set=" + s.MasterSet
	for _, x := range s.Sentinels[1:] {
		u += "&addr=" + x.Addr()
	}
	return u
}

// MasterAddr asks the Sentinels which server is the master now.
func (s *Sentinels) MasterAddr() (string, error) {
	var last error
	for _, x := range s.Sentinels {
		out, err := command(x.Addr(), nil, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", s.MasterSet)
		if err == nil {
			f := strings.Fields(out)
			if len(f) == 2 {
				return net.JoinHostPort(f[0], f[1]), nil
			}
			err = fmt.Errorf("sentinel answered %q", out)
		}
		last = err
	}
	return "", last
}

// StartRedisSentinel starts a master, a replica of it, and three
// Sentinels (redis-server --sentinel, quorum 2) that fail it over one
// second after it stops answering, all on free loopback ports. It returns
// once the Sentinels know the replica. It skips tb (fails it under
// PRODREADY_REQUIRE_SERVERS=1) when redis-server is not installed.
func StartRedisSentinel(tb testing.TB) *Sentinels {
	tb.Helper()
	dir := tb.TempDir()
	st := &Sentinels{MasterSet: "prodready"}
	// The replica writes the master's snapshot to its directory: the
	// test's, not the package's.
	st.Master = start(tb, "redis-server", func(port string) []string {
		return append(redisArgs(port), "--dir", dir, "--dbfilename", "dump-"+port+".rdb")
	})
	_, mport, _ := net.SplitHostPort(st.Master.Addr())
	st.Replica = start(tb, "redis-server", func(port string) []string {
		return append(redisArgs(port), "--dir", dir, "--dbfilename", "dump-"+port+".rdb", "--replicaof", "127.0.0.1", mport)
	})
	for i := range 3 {
		st.Sentinels = append(st.Sentinels, start(tb, "redis-server", func(port string) []string {
			conf := filepath.Join(dir, fmt.Sprintf("sentinel-%d-%s.conf", i, port))
			body := fmt.Sprintf("port %s\nbind 127.0.0.1\ndir %s\n"+
				"sentinel monitor %s 127.0.0.1 %s 2\n"+
				"sentinel down-after-milliseconds %[3]s 1000\n"+
				"sentinel failover-timeout %[3]s 4000\n"+
				"sentinel parallel-syncs %[3]s 1\n", port, dir, st.MasterSet, mport)
			if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
				tb.Fatal(err)
			}
			return []string{conf, "--sentinel", "--loglevel", "warning"}
		}))
	}
	// Wait until the replica is in sync and every Sentinel knows it and
	// the other Sentinels: a failover needs both.
	deadline := time.Now().Add(startTimeout)
	for {
		ready := true
		if info, err := command(st.Replica.Addr(), nil, "INFO", "replication"); err != nil || !strings.Contains(info, "master_link_status:up") {
			ready = false
		}
		for _, x := range st.Sentinels {
			info, err := command(x.Addr(), nil, "INFO", "sentinel")
			if err != nil || !strings.Contains(info, "slaves=1,sentinels=3") {
				ready = false
			}
		}
		if ready {
			return st
		}
		if time.Now().After(deadline) {
			tb.Fatalf("testserver: the Sentinels did not see the replica and each other within %v", startTimeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// noTLS matches what a redis-server built without TLS says of --tls-port.
var noTLS = regexp.MustCompile(`(?i)tls.*(not|fail)|bad directive`)

// A TLSServer is a private redis-server that speaks only TLS, started by
// [StartRedisTLS].
type TLSServer struct {
	*Server
	PKI    *PKI
	Client KeyPair // a client certificate the server accepts
}

// URL returns rediss://127.0.0.1:port/0.
func (s *TLSServer) URL() string { return "rediss://" + s.Addr() + "/0" }

// StartRedisTLS starts redis-server with only a TLS port, its
// certificate signed by a CA made for the test; with requireClientCert,
// it also demands a client certificate signed by that CA
// (--tls-auth-clients yes). It skips tb (fails it under
// PRODREADY_REQUIRE_SERVERS=1) when redis-server is not installed or was
// built without TLS.
func StartRedisTLS(tb testing.TB, requireClientCert bool) *TLSServer {
	tb.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		unavailable(tb, "redis-server", err.Error())
	}
	// A build without TLS refuses --tls-port (the wording varies by
	// version); a TLS build exits with "not listen anywhere".
	if out, _ := exec.Command("redis-server", "--tls-port", "0", "--port", "0").CombinedOutput(); noTLS.Match(out) {
		unavailable(tb, "redis-server with TLS", "this redis-server was built without TLS support")
	}
	pki := NewPKI(tb, "redis-test")
	server := pki.Server("redis")
	client := pki.Client("prodready")
	pair, err := tls.X509KeyPair([]byte(client.CertPEM), []byte(client.KeyPEM))
	if err != nil {
		tb.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM([]byte(pki.CAPEM))
	probe := &tls.Config{RootCAs: roots, Certificates: []tls.Certificate{pair}, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
	auth := "no"
	if requireClientCert {
		auth = "yes"
	}
	s := startTLS(tb, "redis-server", func(port string) []string {
		return []string{"--port", "0", "--tls-port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning",
			"--tls-cert-file", server.CertFile, "--tls-key-file", server.KeyFile, "--tls-ca-cert-file", pki.CAFile,
			"--tls-auth-clients", auth}
	}, probe)
	return &TLSServer{Server: s, PKI: pki, Client: client}
}

// command sends one command to the Redis server (or Sentinel) at addr,
// over TLS with tc when it is not nil, and returns the reply as text: a
// bulk string, or an array's elements one a line. An error reply is an
// error.
func command(addr string, tc *tls.Config, args ...string) (string, error) {
	c, err := net.DialTimeout("tcp", addr, probeTimeout)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(probeTimeout))
	if tc != nil {
		c = tls.Client(c, tc)
	}
	var req strings.Builder
	fmt.Fprintf(&req, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&req, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := c.Write([]byte(req.String())); err != nil {
		return "", err
	}
	r := bufio.NewReader(c)
	return readReply(r)
}

// readReply reads one RESP2 reply.
func readReply(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", fmt.Errorf("empty reply")
	}
	switch line[0] {
	case '+', ':':
		return line[1:], nil
	case '-':
		return "", fmt.Errorf("redis: %s", line[1:])
	case '$':
		var n int
		fmt.Sscan(line[1:], &n)
		if n < 0 {
			return "", nil
		}
		b := make([]byte, n+2)
		if _, err := io.ReadFull(r, b); err != nil {
			return "", err
		}
		return string(b[:n]), nil
	case '*':
		var n int
		fmt.Sscan(line[1:], &n)
		var out []string
		for range max(n, 0) {
			s, err := readReply(r)
			if err != nil {
				return "", err
			}
			out = append(out, s)
		}
		return strings.Join(out, "\n"), nil
	}
	return "", fmt.Errorf("unknown reply %q", line)
}

// Command sends one command to the Redis server at addr (plain TCP) and
// returns its reply as text, for tests that look at a server directly.
func Command(addr string, args ...string) (string, error) { return command(addr, nil, args...) }
