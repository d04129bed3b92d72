package stream_test

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"

	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
)

// TestSerdeRetriesARegistryThatFailsForAWhile: a record whose schema must
// be fetched while the registry (here behind a failing proxy) answers with
// an error page, a rate limit or a refused credential is not a poison
// record: its error is retryable, and the same record decodes once the
// registry answers again. Only the registry's own "no such schema" is a
// decode error, which sends the record to the dead-letter topic.
func TestSerdeRetriesARegistryThatFailsForAWhile(t *testing.T) {
	reg := startRegistry(t)
	writer := orderSerde(t, registryClient(t, reg.URL()), true)
	record, err := writer.Encode("orders", &ordersv1.Order{OrderId: "ord-registry-1"})
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name        string
		status      int
		contentType string
		body        string
		// permanent: the failure is a definite answer about the record.
		permanent bool
	}{
		{"HTML 503 from a proxy", http.StatusServiceUnavailable, "text/html", "<html><body>503 Service Unavailable</body></html>", false},
		{"empty 502", http.StatusBadGateway, "", "", false},
		{"429 rate limit", http.StatusTooManyRequests, "application/json", `{"error_code":429,"message":"rate limited"}`, false},
		{"401 refused credential", http.StatusUnauthorized, "application/json", `{"error_code":401,"message":"Unauthorized"}`, false},
		{"403 as plain text", http.StatusForbidden, "text/plain", "forbidden", false},
		{"JSON 500", http.StatusInternalServerError, "application/json", `{"error_code":50001,"message":"store error"}`, false},
		{"schema not found", http.StatusNotFound, "application/vnd.schemaregistry.v1+json", `{"error_code":40403,"message":"Schema not found"}`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var failing atomic.Bool
			failing.Store(true)
			upstream, err := url.Parse(reg.URL())
			if err != nil {
				t.Fatal(err)
			}
			forward := httputil.NewSingleHostReverseProxy(upstream)
			proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if !failing.Load() {
					forward.ServeHTTP(w, r)
					return
				}
				if tc.contentType != "" {
					w.Header().Set("Content-Type", tc.contentType)
				}
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer proxy.Close()
			reader := orderSerde(t, registryClient(t, proxy.URL), false)

			_, err = reader.Decode("orders", record)
			if err == nil {
				t.Fatal("decoded while the registry failed")
			}
			if class := stream.ErrorClass(err); (class != "") != tc.permanent {
				t.Fatalf("error class %q for %v; want permanent=%v", class, err, tc.permanent)
			}
			if tc.permanent {
				return
			}
			failing.Store(false)
			o, err := reader.Decode("orders", record)
			if err != nil || o.GetOrderId() != "ord-registry-1" {
				t.Fatalf("once the registry answers: %v, %v", o, err)
			}
		})
	}
}
