package rpc

import (
	"io"
	"net/http"
	"testing"

	"github.com/kafka-enterprise-orders/orders/internal/sandbox"
)

// TestMutualTLSWantsAClientCertificate: with a client CA, the server
// refuses clients without a certificate it signed, over HTTP/2 and
// HTTP/1.1 alike, and answers those with one.
func TestMutualTLSWantsAClientCertificate(t *testing.T) {
	dir := t.TempDir()
	ca, err := sandbox.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	caFile, err := ca.WriteCert(dir)
	if err != nil {
		t.Fatal(err)
	}
	cert, key, err := ca.Issue(dir, "server", false, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	clientCert, clientKey, err := ca.Issue(dir, "gateway", true)
	if err != nil {
		t.Fatal(err)
	}
	serverCfg, err := TLS{CertFile: cert, KeyFile: key, ClientCAFile: caFile}.ServerConfig()
	if err != nil {
		t.Fatal(err)
	}
	srv := NewHTTPServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, r.Proto) }))
	srv.TLSConfig = serverCfg
	addr := serve(t, srv)

	get := func(c ClientTLS, http2 bool) (string, error) {
		cfg, err := c.Config()
		if err != nil {
			t.Fatal(err)
		}
		var protocols http.Protocols
		protocols.SetHTTP1(!http2)
		protocols.SetHTTP2(http2)
		client := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg, Protocols: &protocols}}
		res, err := client.Get("https://" + addr + "/")
		if err != nil {
			return "", err
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		return string(b), err
	}
	for _, http2 := range []bool{true, false} {
		if _, err := get(ClientTLS{CAFile: caFile}, http2); err == nil {
			t.Errorf("http2=%v: a client without a certificate was served", http2)
		}
		proto, err := get(ClientTLS{CAFile: caFile, CertFile: clientCert, KeyFile: clientKey}, http2)
		if want := map[bool]string{true: "HTTP/2.0", false: "HTTP/1.1"}[http2]; err != nil || proto != want {
			t.Errorf("http2=%v with a client certificate: %q, %v; want %s", http2, proto, err, want)
		}
	}
}
