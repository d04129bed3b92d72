package e2e_test

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	"github.com/kafka-enterprise-orders/orders/gen/orders/v1/ordersv1connect"
)

// BenchmarkGetOrder compares GetOrder through the REST gateway (JSON →
// gRPC → Connect handler) with a direct Connect call, on one running stack,
// and reports both request rates and their ratio.
func BenchmarkGetOrder(b *testing.B) {
	st := startStack(b)
	ctx := context.Background()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	orders := ordersv1connect.NewOrderServiceClient(client, st.OrderURL)
	placed, err := orders.PlaceOrder(ctx, &ordersv1.PlaceOrderRequest{CustomerId: "cus-0001", Country: "DE", Currency: "EUR",
		Items: []*ordersv1.LineItem{{Sku: "SKU-1001", Quantity: 1, UnitPriceMinor: 2499}}})
	if err != nil {
		b.Fatal(err)
	}
	id := placed.GetOrder().GetOrderId()
	rates := map[string]float64{}
	run := func(name string, call func() error) {
		b.Run(name, func(b *testing.B) {
			b.SetParallelism(8)
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := call(); err != nil {
						b.Error(err)
						return
					}
				}
			})
			rate := float64(b.N) / time.Since(start).Seconds()
			b.ReportMetric(rate, "req/s")
			rates[name] = rate
		})
	}
	run("connect", func() error {
		_, err := orders.GetOrder(ctx, &ordersv1.GetOrderRequest{OrderId: id})
		return err
	})
	run("gateway", func() error {
		res, err := client.Get(st.GatewayURL + "/v1/orders/" + id)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return &httpError{res.Status}
		}
		return nil
	})
	if rates["connect"] > 0 {
		b.Logf("gateway/connect request-rate ratio: %.3f (gateway %.0f req/s, connect %.0f req/s)",
			rates["gateway"]/rates["connect"], rates["gateway"], rates["connect"])
	}
}

type httpError struct{ status string }

func (e *httpError) Error() string { return "HTTP " + e.status }
