package stream_test

import (
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
)

// TestRegistryWithCredentialsOverTLS: a registry behind HTTPS that wants
// basic auth or a bearer token is reached with the configured credentials
// and CA; without the credentials it refuses, and without the CA the
// client does not trust it.
func TestRegistryWithCredentialsOverTLS(t *testing.T) {
	upstream, err := url.Parse(startRegistry(t).URL())
	if err != nil {
		t.Fatal(err)
	}
	forward := httputil.NewSingleHostReverseProxy(upstream)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, basic := r.BasicAuth()
		if !(basic && user == "orders" && pass == "s3cret,with:odd chars") && r.Header.Get("Authorization") != "Bearer registry-token" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error_code":401,"message":"Unauthorized"}`))
			return
		}
		forward.ServeHTTP(w, r)
	}))
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "registry-ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	encode := func(cfg stream.Config) error {
		client, err := stream.NewRegistryClient(cfg)
		if err != nil {
			return err
		}
		_, err = orderSerde(t, client, true).Encode("orders", &ordersv1.Order{OrderId: "ord-registry-auth"})
		return err
	}
	for name, c := range map[string]struct {
		cfg  stream.Config
		want string // "" for success, else a part of the error
	}{
		"basic auth":     {stream.Config{SchemaRegistryURL: srv.URL, SchemaRegistryUserInfo: "orders:s3cret,with:odd chars", SchemaRegistryCA: ca}, ""},
		"bearer token":   {stream.Config{SchemaRegistryURL: srv.URL, SchemaRegistryToken: "registry-token", SchemaRegistryCA: ca}, ""},
		"no credentials": {stream.Config{SchemaRegistryURL: srv.URL, SchemaRegistryCA: ca}, "401"},
		"wrong password": {stream.Config{SchemaRegistryURL: srv.URL, SchemaRegistryUserInfo: "orders:guess", SchemaRegistryCA: ca}, "401"},
		"CA not given":   {stream.Config{SchemaRegistryURL: srv.URL, SchemaRegistryUserInfo: "orders:s3cret,with:odd chars"}, "certificate"},
	} {
		t.Run(name, func(t *testing.T) {
			err := encode(c.cfg)
			if c.want == "" && err != nil {
				t.Fatalf("encode: %v", err)
			}
			if c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
				t.Fatalf("encode: %v, want an error with %q", err, c.want)
			}
			if err != nil && strings.Contains(err.Error(), "s3cret") {
				t.Errorf("the error quotes the password: %v", err)
			}
		})
	}
}
