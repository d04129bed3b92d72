package rpc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"

	analyticsv1 "github.com/kafka-enterprise-orders/orders/gen/analytics/v1"
	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	"github.com/kafka-enterprise-orders/orders/internal/rpc"
	"github.com/kafka-enterprise-orders/orders/internal/testenv"
	"github.com/kafka-enterprise-orders/orders/internal/validate"
)

// echoValidators check a few fields of the echoed requests.
var echoValidators = []rpc.Validator{
	rpc.Check(func(r *ordersv1.PlaceOrderRequest) error {
		var c validate.Checker
		c.CustomerID("customer_id", r.GetCustomerId())
		c.Country("country", r.GetCountry())
		return c.Err()
	}),
	rpc.Check(func(r *analyticsv1.GetCountryStatsRequest) error {
		var c validate.Checker
		c.Country("country", r.GetCountry())
		return c.Err()
	}),
}

// echoServer serves PlaceOrder and GetCountryStats through the platform's
// handler options (size limit, validation); the handler echoes the
// decoded request so that decoding and validation are all that is tested.
func echoServer(t testing.TB) *httptest.Server {
	srv := rpc.NewServer(testenv.Logger(t))
	echoOrder := connect.NewUnaryHandlerSimple("/orders.v1.OrderService/PlaceOrder",
		func(_ context.Context, req *ordersv1.PlaceOrderRequest) (*ordersv1.PlaceOrderRequest, error) {
			return req, nil
		},
		srv.HandlerOptions(echoValidators...)...)
	echoStats := connect.NewUnaryHandlerSimple("/analytics.v1.AnalyticsService/GetCountryStats",
		func(_ context.Context, req *analyticsv1.GetCountryStatsRequest) (*analyticsv1.GetCountryStatsRequest, error) {
			return req, nil
		}, srv.HandlerOptions(echoValidators...)...)
	srv.Handle("orders.v1.OrderService", "/orders.v1.OrderService/", echoOrder)
	srv.Handle("analytics.v1.AnalyticsService", "/analytics.v1.AnalyticsService/", echoStats)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts
}

// FuzzRequestDecoding posts arbitrary bytes as protobuf and as JSON
// requests: the answer is a decoded, valid request (200) or a Connect error
// with a client-error code — never a 500, never a panic.
func FuzzRequestDecoding(f *testing.F) {
	valid, _ := proto.Marshal(&ordersv1.PlaceOrderRequest{CustomerId: "cus-0001", Country: "DE", Currency: "EUR",
		Items: []*ordersv1.LineItem{{Sku: "SKU-1", Quantity: 1, UnitPriceMinor: 100}}})
	f.Add(valid, false)
	f.Add([]byte(`{"customer_id":"cus-0001","country":"DE","currency":"EUR","items":[{"sku":"S","quantity":1,"unit_price_minor":"5"}]}`), true)
	f.Add([]byte(`{"items":[{"quantity":-1}]}`), true)
	f.Add([]byte{0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f}, false)
	f.Add([]byte(`{"country":`), true)
	f.Add([]byte{}, false)
	ts := echoServer(f)
	clientCodes := map[string]bool{"invalid_argument": true, "resource_exhausted": true, "unimplemented": true}
	f.Fuzz(func(t *testing.T, body []byte, asJSON bool) {
		for _, path := range []string{"/orders.v1.OrderService/PlaceOrder", "/analytics.v1.AnalyticsService/GetCountryStats"} {
			ct := "application/proto"
			if asJSON {
				ct = "application/json"
			}
			res, err := http.Post(ts.URL+path, ct, bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			out, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				continue
			}
			var e struct {
				Code string `json:"code"`
			}
			if err := json.Unmarshal(out, &e); err != nil || !clientCodes[e.Code] {
				t.Fatalf("%s %s %q: status %d body %s", path, ct, body, res.StatusCode, out)
			}
		}
	})
}
