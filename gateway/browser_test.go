package gateway

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	"github.com/kafka-enterprise-orders/orders/gen/orders/v1/ordersv1connect"
	"github.com/kafka-enterprise-orders/orders/internal/rpc"
)

// placing is an OrderService that counts the orders it is asked to place.
type placing struct {
	ordersv1connect.UnimplementedOrderServiceHandler
	placed atomic.Int64
}

func (p *placing) PlaceOrder(_ context.Context, req *ordersv1.PlaceOrderRequest) (*ordersv1.PlaceOrderResponse, error) {
	p.placed.Add(1)
	return &ordersv1.PlaceOrderResponse{Order: &ordersv1.Order{OrderId: "ord-from-gateway", CustomerId: req.GetCustomerId()}}, nil
}

// gatewayBefore serves a gateway on loopback in front of an OrderService
// that counts what it places; allowed are its --allowed-origins.
func gatewayBefore(t *testing.T, svc *placing, allowed ...string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	mux := http.NewServeMux()
	mux.Handle(ordersv1connect.NewOrderServiceHandler(svc))
	srv := rpc.NewHTTPServer(mux)
	done := make(chan error, 1)
	go func() { done <- rpc.ServeHTTP(ctx, srv, ln, 0) }()
	t.Cleanup(func() { cancel(); <-done })
	g, err := New(context.Background(), Config{OrderURL: "http://" + ln.Addr().String(), PaymentURL: "http://127.0.0.1:1",
		FraudURL: "http://127.0.0.1:1", AnalyticsURL: "http://127.0.0.1:1", DeadLetterURL: "http://127.0.0.1:1", AllowedOrigins: allowed}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.close)
	front := httptest.NewServer(g.Handler())
	t.Cleanup(front.Close)
	return front.URL
}

// TestBrowsersCannotPlaceOrdersFromOtherSites: the requests any web page
// can send to a developer's gateway without a CORS preflight (a text/plain
// or form body) and requests from a foreign origin are refused before they
// reach a service; JSON from curl, from the gateway's own origin and from
// an allowed origin pass.
func TestBrowsersCannotPlaceOrdersFromOtherSites(t *testing.T) {
	svc := &placing{}
	url := gatewayBefore(t, svc, "https://dashboard.example")
	order := `{"customer_id":"cus-0001","country":"DE","currency":"EUR","items":[{"sku":"SKU-1001","quantity":1,"unit_price_minor":"100"}]}`
	cases := []struct {
		name, contentType, origin string
		want                      int
		placed                    bool
	}{
		{"text/plain from a page", "text/plain", "", http.StatusUnsupportedMediaType, false},
		{"form from a page", "application/x-www-form-urlencoded", "", http.StatusUnsupportedMediaType, false},
		{"no content type", "", "", http.StatusUnsupportedMediaType, false},
		{"JSON from a foreign origin", "application/json", "https://evil.example", http.StatusForbidden, false},
		{"JSON from curl", "application/json", "", http.StatusOK, true},
		{"JSON with a charset", "application/json; charset=utf-8", "", http.StatusOK, true},
		{"JSON from the gateway's own origin", "application/json", url, http.StatusOK, true},
		{"JSON from an allowed origin", "application/json", "https://dashboard.example", http.StatusOK, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := svc.placed.Load()
			req, err := http.NewRequest("POST", url+"/v1/orders", strings.NewReader(order))
			if err != nil {
				t.Fatal(err)
			}
			if c.contentType != "" {
				req.Header.Set("Content-Type", c.contentType)
			}
			if c.origin != "" {
				req.Header.Set("Origin", c.origin)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			_ = res.Body.Close()
			if res.StatusCode != c.want {
				t.Errorf("status %d (%s), want %d", res.StatusCode, body, c.want)
			}
			if placed := svc.placed.Load() > before; placed != c.placed {
				t.Errorf("order placed: %v, want %v", placed, c.placed)
			}
			if c.origin == "https://dashboard.example" && res.Header.Get("Access-Control-Allow-Origin") != c.origin {
				t.Errorf("allowed origin got no Access-Control-Allow-Origin")
			}
		})
	}
}

// TestAllowedOriginsGetAPreflightAnswer: a browser asks before sending
// JSON cross-origin; only an allowed origin gets the CORS answer.
func TestAllowedOriginsGetAPreflightAnswer(t *testing.T) {
	url := gatewayBefore(t, &placing{}, "https://dashboard.example")
	for origin, want := range map[string]int{"https://dashboard.example": http.StatusNoContent, "https://evil.example": http.StatusForbidden} {
		req, err := http.NewRequest("OPTIONS", url+"/v1/orders", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("preflight from %s: %d, want %d", origin, res.StatusCode, want)
		}
	}
}

// TestUnknownJSONFieldsAreRefused: the gateway refuses a body naming a
// field the request does not have, as the services' Connect JSON does.
func TestUnknownJSONFieldsAreRefused(t *testing.T) {
	svc := &placing{}
	url := gatewayBefore(t, svc)
	res, err := http.Post(url+"/v1/orders", "application/json", strings.NewReader(`{"orderid":"ord-typo-0001","customer_id":"cus-0001"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	_ = res.Body.Close()
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "orderid") || svc.placed.Load() != 0 {
		t.Errorf("got %d %s (placed %d), want 400 naming orderid and nothing placed", res.StatusCode, body, svc.placed.Load())
	}
}
