package testserver

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A PKI is a certificate authority made for one test with crypto/x509:
// a CA and the certificates it signs, as PEM text and as files in the
// test's temporary directory.
type PKI struct {
	tb  testing.TB
	dir string
	ca  *x509.Certificate
	key *ecdsa.PrivateKey

	CAPEM  string // the CA certificate
	CAFile string // its file
}

// A KeyPair is a certificate signed by a PKI and its private key, as PEM
// and as files.
type KeyPair struct {
	CertPEM, KeyPEM   string
	CertFile, KeyFile string
}

// NewPKI makes a CA named name, valid for a day.
func NewPKI(tb testing.TB, name string) *PKI {
	tb.Helper()
	key := newKey(tb)
	tmpl := &x509.Certificate{
		SerialNumber:          serial(tb),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	ca, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	p := &PKI{tb: tb, dir: tb.TempDir(), ca: ca, key: key}
	p.CAPEM = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	p.CAFile = p.write(name+"-ca.pem", p.CAPEM)
	return p
}

// Server returns a server certificate for 127.0.0.1, ::1 and localhost.
func (p *PKI) Server(name string) KeyPair {
	p.tb.Helper()
	return p.issue(name, x509.ExtKeyUsageServerAuth)
}

// Client returns a client certificate with the common name name.
func (p *PKI) Client(name string) KeyPair {
	p.tb.Helper()
	return p.issue(name, x509.ExtKeyUsageClientAuth)
}

func (p *PKI) issue(name string, usage x509.ExtKeyUsage) KeyPair {
	p.tb.Helper()
	key := newKey(p.tb)
	tmpl := &x509.Certificate{
		SerialNumber: serial(p.tb),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{usage},
	}
	if usage == x509.ExtKeyUsageServerAuth {
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
		tmpl.DNSNames = []string{"localhost"}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.ca, &key.PublicKey, p.key)
	if err != nil {
		p.tb.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		p.tb.Fatal(err)
	}
	kp := KeyPair{
		CertPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		KeyPEM:  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})),
	}
	kp.CertFile = p.write(name+".pem", kp.CertPEM)
	kp.KeyFile = p.write(name+"-key.pem", kp.KeyPEM)
	return kp
}

func (p *PKI) write(name, content string) string {
	p.tb.Helper()
	f := filepath.Join(p.dir, name)
	if err := os.WriteFile(f, []byte(content), 0o600); err != nil {
		p.tb.Fatal(err)
	}
	return f
}

func newKey(tb testing.TB) *ecdsa.PrivateKey {
	tb.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

func serial(tb testing.TB) *big.Int {
	tb.Helper()
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		tb.Fatal(err)
	}
	return n
}
