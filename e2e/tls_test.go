package e2e_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/kafka-enterprise-orders/orders/cmd/orders/devstack"
	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	"github.com/kafka-enterprise-orders/orders/gen/orders/v1/ordersv1connect"
	"github.com/kafka-enterprise-orders/orders/internal/testenv"
)

// TestTheStackServesTLS runs the dev stack over TLS with a CA made for the
// run: every service and the gateway answer HTTPS only, over Connect, gRPC
// and REST; the gateway reaches the services over TLS (they speak nothing
// else); a client that does not trust the CA, or speaks cleartext, gets
// nothing.
func TestTheStackServesTLS(t *testing.T) {
	st, _ := launch(t, devstack.Options{Log: testenv.Logger(t), NoPostgres: true, NoCouchbase: true, Auth: true, TLS: true})
	for name, url := range map[string]string{"order-producer": st.OrderURL, "gateway": st.GatewayURL} {
		if !strings.HasPrefix(url, "https://") {
			t.Fatalf("%s at %s, want https://", name, url)
		}
	}
	pem, err := os.ReadFile(st.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		t.Fatal("no CA certificate in " + st.CAFile)
	}
	trusting := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}, ForceAttemptHTTP2: true}}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	place := &ordersv1.PlaceOrderRequest{CustomerId: "cus-0001", Country: "DE", Currency: "EUR",
		Items: []*ordersv1.LineItem{{Sku: "SKU-1001", Name: "Cups", Quantity: 1, UnitPriceMinor: 2499}}}
	for name, opts := range map[string][]connect.ClientOption{"Connect": nil, "gRPC": {connect.WithGRPC()}} {
		client := ordersv1connect.NewOrderServiceClient(trusting, st.OrderURL, append(opts, connect.WithInterceptors(bearer(st.Token)))...)
		if _, err := client.PlaceOrder(ctx, place); err != nil {
			t.Errorf("%s over TLS: %v", name, err)
		}
	}
	req, err := http.NewRequestWithContext(ctx, "POST", st.GatewayURL+"/v1/orders", strings.NewReader(
		`{"customer_id":"cus-0001","country":"DE","currency":"EUR","items":[{"sku":"SKU-1001","quantity":1,"unit_price_minor":"2499"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+st.Token)
	res, err := trusting.Do(req)
	if err != nil {
		t.Fatalf("gateway over TLS: %v", err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("POST %s/v1/orders: %d, want 200 (through the gateway's TLS hop to order-producer)", st.GatewayURL, res.StatusCode)
	}

	untrusting := ordersv1connect.NewOrderServiceClient(&http.Client{Transport: &http.Transport{}}, st.OrderURL, connect.WithInterceptors(bearer(st.Token)))
	if _, err := untrusting.PlaceOrder(ctx, place); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("a client without the CA: %v, want a certificate error", err)
	}
	cleartext := ordersv1connect.NewOrderServiceClient(http.DefaultClient, "http://"+strings.TrimPrefix(st.OrderURL, "https://"), connect.WithInterceptors(bearer(st.Token)))
	if _, err := cleartext.PlaceOrder(ctx, place); err == nil {
		t.Error("cleartext HTTP to a TLS endpoint placed an order")
	}
}
