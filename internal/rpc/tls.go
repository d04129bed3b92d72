package rpc

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"

	"github.com/kafka-enterprise-orders/orders/internal/config"
)

// TLS is a server's certificate and, for mutual TLS, the CA its clients'
// certificates must chain to. It is enabled when a certificate is set.
type TLS struct {
	CertFile, KeyFile string
	ClientCAFile      string // set: clients must present a certificate it signed
}

// Register adds --tls-cert, --tls-key and --tls-client-ca.
func (t *TLS) Register(s *config.Set) {
	s.String(&t.CertFile, "tls-cert", "", "PEM certificate (chain) to serve HTTPS with; cleartext HTTP and h2c without it")
	s.String(&t.KeyFile, "tls-key", "", "PEM private key of --tls-cert")
	s.String(&t.ClientCAFile, "tls-client-ca", "", "PEM CA bundle: require client certificates it signed (mutual TLS)")
}

// Enabled reports whether a certificate is configured.
func (t TLS) Enabled() bool { return t.CertFile != "" }

// ServerConfig loads the certificate (and client CA) into a server's
// tls.Config: TLS 1.2 at least, HTTP/2 and HTTP/1.1 by ALPN.
func (t TLS) ServerConfig() (*tls.Config, error) {
	if t.KeyFile == "" {
		return nil, errors.New("tls: --tls-key is required with --tls-cert")
	}
	cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("tls: load --tls-cert/--tls-key: %w", err)
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2", "http/1.1"}}
	if t.ClientCAFile != "" {
		if cfg.ClientCAs, err = loadPool(t.ClientCAFile); err != nil {
			return nil, err
		}
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return cfg, nil
}

// ClientTLS is how a client (the gateway) trusts and authenticates to
// https:// services: a CA bundle to verify them (empty: the system's) and,
// for mutual TLS, a client certificate.
type ClientTLS struct {
	CAFile            string
	CertFile, KeyFile string
}

// Register adds the client options under prefix (e.g. "backend" gives
// --backend-ca, --backend-cert, --backend-key).
func (c *ClientTLS) Register(s *config.Set, prefix, what string) {
	s.String(&c.CAFile, prefix+"-ca", "", "PEM CA bundle that signs the "+what+"' certificates (default: the system's)")
	s.String(&c.CertFile, prefix+"-cert", "", "PEM client certificate to present to the "+what+" (mutual TLS)")
	s.String(&c.KeyFile, prefix+"-key", "", "PEM private key of --"+prefix+"-cert")
}

// Config returns the client's tls.Config.
func (c ClientTLS) Config() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.CAFile != "" {
		pool, err := loadPool(c.CAFile)
		if err != nil {
			return nil, err
		}
		cfg.RootCAs = pool
	}
	if c.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("tls: load client certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

func loadPool(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("tls: read CA bundle: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("tls: %s holds no PEM certificate", path)
	}
	return pool, nil
}
