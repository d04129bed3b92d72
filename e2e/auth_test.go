package e2e_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/kafka-enterprise-orders/orders/cmd/orders/devstack"
	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	"github.com/kafka-enterprise-orders/orders/gen/orders/v1/ordersv1connect"
	"github.com/kafka-enterprise-orders/orders/internal/auth"
	"github.com/kafka-enterprise-orders/orders/internal/testenv"
)

// bearer sends token (when set) as the Authorization header of each call.
func bearer(token string) connect.Interceptor {
	return connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			if token != "" {
				req.Header().Set("Authorization", "Bearer "+token)
			}
			return next(ctx, req)
		}
	})
}

// TestRPCsNeedATokenWithTheRightScope runs the dev stack with
// authentication on. PlaceOrder without a valid token is Unauthenticated,
// with a read-only token PermissionDenied, and with a write token placed;
// reads need a read token; through Connect, gRPC and the REST gateway
// alike. Health and readiness stay open.
func TestRPCsNeedATokenWithTheRightScope(t *testing.T) {
	st, _ := launch(t, devstack.Options{Log: testenv.Logger(t), NoPostgres: true, NoCouchbase: true, Auth: true})
	other, err := auth.NewDevIssuer("orders-dev") // same issuer name, another key
	if err != nil {
		t.Fatal(err)
	}
	forged, err := other.Token("mallory", time.Hour, auth.ScopeRead, auth.ScopeWrite)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tokens := []struct {
		name, token string
		write, read connect.Code // 0: allowed
	}{
		{"no token", "", connect.CodeUnauthenticated, connect.CodeUnauthenticated},
		{"another key's token", forged, connect.CodeUnauthenticated, connect.CodeUnauthenticated},
		{"read token", st.ReadToken, connect.CodePermissionDenied, 0},
		{"write token", st.Token, 0, 0},
	}
	order := func() *ordersv1.PlaceOrderRequest {
		return &ordersv1.PlaceOrderRequest{CustomerId: "cus-0001", Country: "DE", Currency: "EUR",
			Items: []*ordersv1.LineItem{{Sku: "SKU-1001", Name: "Cups", Quantity: 1, UnitPriceMinor: 2499}}}
	}
	for _, protocol := range []struct {
		name string
		opts []connect.ClientOption
	}{{"Connect", nil}, {"gRPC", []connect.ClientOption{connect.WithGRPC()}}} {
		for _, tc := range tokens {
			t.Run(protocol.name+"/"+tc.name, func(t *testing.T) {
				client := ordersv1connect.NewOrderServiceClient(http.DefaultClient, st.OrderURL,
					append(protocol.opts, connect.WithInterceptors(bearer(tc.token)))...)
				_, err := client.PlaceOrder(ctx, order())
				if got := connect.CodeOf(err); (err == nil) != (tc.write == 0) || (err != nil && got != tc.write) {
					t.Errorf("PlaceOrder: %v, want code %v", err, tc.write)
				}
				_, err = client.ListOrders(ctx, &ordersv1.ListOrdersRequest{PageSize: 1})
				if got := connect.CodeOf(err); (err == nil) != (tc.read == 0) || (err != nil && got != tc.read) {
					t.Errorf("ListOrders: %v, want code %v", err, tc.read)
				}
			})
		}
	}
	status := map[connect.Code]int{0: http.StatusOK, connect.CodeUnauthenticated: http.StatusUnauthorized, connect.CodePermissionDenied: http.StatusForbidden}
	for _, tc := range tokens {
		t.Run("gateway/"+tc.name, func(t *testing.T) {
			body := `{"customer_id":"cus-0001","country":"DE","currency":"EUR","items":[{"sku":"SKU-1001","quantity":1,"unit_price_minor":"2499"}]}`
			if code := call(t, "POST", st.GatewayURL+"/v1/orders", body, tc.token); code != status[tc.write] {
				t.Errorf("POST /v1/orders: %d, want %d", code, status[tc.write])
			}
			if code := call(t, "GET", st.GatewayURL+"/v1/orders?page_size=1", "", tc.token); code != status[tc.read] {
				t.Errorf("GET /v1/orders: %d, want %d", code, status[tc.read])
			}
		})
	}
	for _, url := range []string{st.OrderURL + "/readyz", st.OrderURL + "/healthz", st.GatewayURL + "/readyz"} {
		if code := call(t, "GET", url, "", ""); code != http.StatusOK {
			t.Errorf("GET %s without a token: %d, want 200", url, code)
		}
	}
}

// call makes an HTTP request with an optional bearer token and returns
// the status code.
func call(t *testing.T, method, url, body, token string) int {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode
}
