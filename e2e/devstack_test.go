package e2e_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/couchbase/gocb/v2"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/kafka-enterprise-orders/orders/cmd/orders/cli"
	"github.com/kafka-enterprise-orders/orders/cmd/orders/devstack"
	analyticsv1 "github.com/kafka-enterprise-orders/orders/gen/analytics/v1"
	"github.com/kafka-enterprise-orders/orders/gen/analytics/v1/analyticsv1connect"
	fraudv1 "github.com/kafka-enterprise-orders/orders/gen/fraud/v1"
	"github.com/kafka-enterprise-orders/orders/gen/fraud/v1/fraudv1connect"
	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	"github.com/kafka-enterprise-orders/orders/gen/orders/v1/ordersv1connect"
	paymentsv1 "github.com/kafka-enterprise-orders/orders/gen/payments/v1"
	"github.com/kafka-enterprise-orders/orders/gen/payments/v1/paymentsv1connect"
	"github.com/kafka-enterprise-orders/orders/internal/sandbox"
	"github.com/kafka-enterprise-orders/orders/internal/sandbox/caves"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
	"github.com/kafka-enterprise-orders/orders/internal/testenv"
)

// startStack runs the dev stack on free ports for the test.
// The gocaves Couchbase cluster is left out unless withCouchbase is given.
func startStack(t testing.TB, withCouchbase ...bool) *devstack.Stack {
	t.Helper()
	st, _ := launch(t, devstack.Options{Log: testenv.Logger(t), NoPostgres: !postgresInstalled(), NoCouchbase: len(withCouchbase) == 0})
	return st
}

// launch runs the dev stack until stop is called or the test ends; stop
// shuts it down and fails the test if the stack reports an error.
func launch(t testing.TB, opts devstack.Options) (st *devstack.Stack, stop func()) {
	t.Helper()
	if testenv.RealBrokers() { // the whole platform on the shared real cluster
		opts.KafkaBootstrap, opts.KafkaReplication = testenv.RealCluster(t).Bootstrap(), testenv.RealClusterNodes
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan *devstack.Stack, 1)
	done := make(chan error, 1)
	go func() { done <- devstack.Run(ctx, opts, func(s *devstack.Stack) { ready <- s }) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("dev stack: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	select {
	case st = <-ready:
		return st, stop
	case err := <-done:
		once.Do(cancel) // Run has returned: nothing left to wait for
		t.Fatalf("dev stack stopped before it was ready: %v", err)
	case <-time.After(90 * time.Second):
		t.Fatal("dev stack not ready after 90s")
	}
	return nil, stop
}

func postgresInstalled() bool {
	_, err := sandbox.FindPostgresBin()
	return err == nil
}

func restJSON(t *testing.T, method, url, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var m map[string]any
	if len(b) > 0 {
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s %s: not JSON: %s", method, url, b)
		}
	}
	return res.StatusCode, m
}

// dig walks a decoded JSON document: dig(m, "order", "status").
func dig(m any, path ...string) any {
	for _, p := range path {
		mm, ok := m.(map[string]any)
		if !ok {
			return nil
		}
		m = mm[p]
	}
	return m
}

// TestEndToEnd places orders through the REST gateway and through a Connect
// client, and reads status, payment, fraud alert and country statistics
// back through both.
func TestEndToEnd(t *testing.T) {
	st := startStack(t, true)
	ctx := context.Background()
	orders := ordersv1connect.NewOrderServiceClient(http.DefaultClient, st.OrderURL)
	payments := paymentsv1connect.NewPaymentServiceClient(http.DefaultClient, st.PaymentURL)
	fraud := fraudv1connect.NewFraudServiceClient(http.DefaultClient, st.FraudURL)
	analytics := analyticsv1connect.NewAnalyticsServiceClient(http.DefaultClient, st.AnalyticsURL, connect.WithGRPC())

	// Through the gateway: a large order shipped abroad (fraud rules fire).
	code, body := restJSON(t, "POST", st.GatewayURL+"/v1/orders",
		`{"order_id":"ord-rest-0001","customer_id":"cus-0001","country":"NG","currency":"EUR","items":[{"sku":"SKU-3004","name":"4K monitor","quantity":3,"unit_price_minor":"44900"}]}`)
	if code != http.StatusOK || dig(body, "order", "order_id") != "ord-rest-0001" || dig(body, "order", "amount_minor") != "134700" {
		t.Fatalf("POST /v1/orders = %d %v", code, body)
	}
	// Through Connect: a small order at home.
	placed, err := orders.PlaceOrder(ctx, &ordersv1.PlaceOrderRequest{CustomerId: "cus-0001", Country: "DE", Currency: "EUR",
		Items: []*ordersv1.LineItem{{Sku: "SKU-1001", Name: "Cups", Quantity: 1, UnitPriceMinor: 2499}}})
	if err != nil {
		t.Fatal(err)
	}
	connectID := placed.GetOrder().GetOrderId()

	testenv.WaitForNil(t, time.Minute, "REST order status", func() error {
		code, body := restJSON(t, "GET", st.GatewayURL+"/v1/orders/ord-rest-0001", "")
		if code != http.StatusOK || dig(body, "order", "status") != "ORDER_STATUS_PAID" || dig(body, "order", "flagged") != true {
			return errors.New("not paid and flagged yet")
		}
		return nil
	})
	// The Connect order's id is generated, so the simulated processor's
	// seeded 2% failure rate may decline it: any other rule would be a bug.
	// The order view, the payment and the gateway must all agree.
	var connectStatus ordersv1.OrderStatus
	testenv.WaitForNil(t, time.Minute, "Connect order status", func() error {
		res, err := orders.GetOrder(ctx, &ordersv1.GetOrderRequest{OrderId: connectID})
		if err != nil || res.GetOrder().GetStatus() == ordersv1.OrderStatus_ORDER_STATUS_PLACED {
			return fmt.Errorf("not decided yet: %v, %v", res.GetOrder(), err)
		}
		connectStatus = res.GetOrder().GetStatus()
		return nil
	})
	// Each service answers from its own view, which may trail the order
	// view by a moment.
	testenv.WaitForNil(t, time.Minute, "GetPayment", func() error {
		pay, err := payments.GetPayment(ctx, &paymentsv1.GetPaymentRequest{OrderId: "ord-rest-0001"})
		if err != nil || pay.GetPayment().GetStatus() != paymentsv1.PaymentStatus_PAYMENT_STATUS_AUTHORIZED {
			return fmt.Errorf("GetPayment = %v, %v", pay, err)
		}
		return nil
	})
	wantPayment := map[ordersv1.OrderStatus]string{
		ordersv1.OrderStatus_ORDER_STATUS_PAID:     "PAYMENT_STATUS_AUTHORIZED",
		ordersv1.OrderStatus_ORDER_STATUS_DECLINED: "PAYMENT_STATUS_DECLINED",
	}[connectStatus]
	testenv.WaitForNil(t, time.Minute, "GET /v1/payments", func() error {
		code, body := restJSON(t, "GET", st.GatewayURL+"/v1/payments/"+connectID, "")
		if code != http.StatusOK || dig(body, "payment", "status") != wantPayment {
			return fmt.Errorf("%d %v, want %s (order %s)", code, body, wantPayment, connectStatus)
		}
		if wantPayment == "PAYMENT_STATUS_DECLINED" && dig(body, "payment", "decline_reason") != "DECLINE_REASON_PROCESSOR_DECLINED" {
			t.Fatalf("GET /v1/payments = %v: a 24.99 EUR order within its credit limit may only be declined by the processor", body)
		}
		return nil
	})
	testenv.WaitForNil(t, time.Minute, "GetAlert", func() error {
		alert, err := fraud.GetAlert(ctx, &fraudv1.GetAlertRequest{OrderId: "ord-rest-0001"})
		if err != nil || alert.GetAlert().GetScore() < 40 {
			return fmt.Errorf("GetAlert = %v, %v", alert, err)
		}
		return nil
	})
	testenv.WaitForNil(t, time.Minute, "GET /v1/fraud/alerts", func() error {
		if code, body := restJSON(t, "GET", st.GatewayURL+"/v1/fraud/alerts?min_score=40", ""); code != http.StatusOK || !strings.Contains(mustJSON(body), "ord-rest-0001") {
			return fmt.Errorf("%d %v", code, body)
		}
		return nil
	})
	// Both orders scored (the alert of the first is in): the second raised none.
	testenv.WaitForNil(t, time.Minute, "both orders scored", func() error {
		if n := st.Fraud.Stats.Get("orders.scored"); n < 2 {
			return fmt.Errorf("%d orders scored", n)
		}
		return nil
	})
	if _, err := fraud.GetAlert(ctx, &fraudv1.GetAlertRequest{OrderId: connectID}); connect.CodeOf(err) != connect.CodeNotFound {
		t.Errorf("alert for a clean order: %v, want NotFound", err)
	}
	testenv.WaitForNil(t, time.Minute, "country statistics", func() error {
		cs, err := analytics.GetCountryStats(ctx, &analyticsv1.GetCountryStatsRequest{Country: "NG"})
		if err != nil || cs.GetStats().GetOrderCount() < 1 {
			return errors.New("NG not counted yet")
		}
		code, body := restJSON(t, "GET", st.GatewayURL+"/v1/analytics/countries/NG", "")
		if code != http.StatusOK || dig(body, "stats", "country") != "NG" {
			return errors.New("not through the gateway yet")
		}
		return nil
	})
	t.Run("couchbase", func(t *testing.T) { checkCouchbase(t, st, "NG") })
	t.Run("dead letters", func(t *testing.T) { checkDeadLetters(t, st) })
	t.Run("metrics", func(t *testing.T) { checkMetrics(t, st) })
}

// checkDeadLetters writes a poison order, finds its dead letters through
// the gateway and `orders dlq`, replays payment's with the command line
// (it fails again, one replay on) and discards that through the gateway.
func checkDeadLetters(t *testing.T, st *devstack.Stack) {
	prod := poisonProducer(t, stream.Config{Brokers: st.Brokers, SchemaRegistryURL: st.RegistryURL})
	if err := prod.ProduceSync(context.Background(), &stream.Message{Topic: "orders", Key: []byte("cus-0003"), Value: []byte("not an order")}); err != nil {
		t.Fatal(err)
	}
	list := st.GatewayURL + "/v1/dead-letters?filter.topic=orders&filter.consumer=payment-service&filter.status=DEAD_LETTER_STATUS_WAITING"
	var id string
	testenv.WaitForNil(t, time.Minute, "the poison listed through the gateway", func() error {
		code, body := restJSON(t, "GET", list, "")
		letters, _ := dig(body, "dead_letters").([]any)
		if code != http.StatusOK || len(letters) != 1 {
			return fmt.Errorf("GET %s = %d %v", list, code, body)
		}
		id, _ = dig(letters[0], "id").(string)
		return nil
	})
	dlq := func(args ...string) string {
		t.Helper()
		var out, errOut strings.Builder
		args = append([]string{"dlq"}, append(args, "--dead-letter-service-url", st.DeadLetterURL)...)
		if code := cli.Main(context.Background(), args, cli.Env{Stdout: &out, Stderr: &errOut}); code != 0 {
			t.Fatalf("orders %s: exit %d: %s", strings.Join(args, " "), code, errOut.String())
		}
		return out.String()
	}
	if out := dlq("list", "--topic", "orders"); !strings.Contains(out, id) || !strings.Contains(out, "waiting") || !strings.Contains(out, "payment-service") {
		t.Errorf("orders dlq list:\n%s", out)
	}
	if out := dlq("show", id); !strings.Contains(out, "value does not decode") || !strings.Contains(out, `"not an order"`) {
		t.Errorf("orders dlq show:\n%s", out)
	}
	if out := dlq("replay", id, "--reason", "try again", "--output", "json"); dig(decodeJSON(t, out), "replayed") == nil {
		t.Errorf("orders dlq replay --output json:\n%s", out)
	}
	var again string
	testenv.WaitForNil(t, time.Minute, "the replay dead-lettered again", func() error {
		_, body := restJSON(t, "GET", list, "")
		letters, _ := dig(body, "dead_letters").([]any)
		if len(letters) != 1 || dig(letters[0], "replay_count") != float64(1) {
			return fmt.Errorf("%v", body)
		}
		again, _ = dig(letters[0], "id").(string)
		return nil
	})
	code, body := restJSON(t, "POST", st.GatewayURL+"/v1/dead-letters:discard", fmt.Sprintf(`{"ids":[%q],"reason":"not an order","operator":"e2e"}`, again))
	if discarded, _ := dig(body, "discarded").([]any); code != http.StatusOK || len(discarded) != 1 {
		t.Errorf("POST /v1/dead-letters:discard = %d %v", code, body)
	}
	if code, body := restJSON(t, "POST", st.GatewayURL+"/v1/dead-letters:discard", fmt.Sprintf(`{"ids":[%q]}`, again)); code != http.StatusBadRequest || !strings.Contains(mustJSON(body), "reason") {
		t.Errorf("discard without a reason = %d %v, want 400 naming reason", code, body)
	}
}

func decodeJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	return m
}

// checkCouchbase reads the country's document that couchbase-sink wrote and
// compares it with the analytics service's answer. A dev stack that ran
// without Couchbase skips the check, or fails it under CI.
func checkCouchbase(t *testing.T, st *devstack.Stack, country string) {
	t.Helper()
	if st.CouchbaseURL == "" {
		testenv.Required(t, "Couchbase in the dev stack", fmt.Errorf("left out: %v", st.Skipped))
	}
	cluster, err := gocb.Connect(st.CouchbaseURL, gocb.ClusterOptions{Authenticator: gocb.PasswordAuthenticator{Username: caves.Username, Password: caves.Password}})
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close(nil)
	bucket := cluster.Bucket("order_analytics")
	if err := bucket.WaitUntilReady(30*time.Second, &gocb.WaitUntilReadyOptions{ServiceTypes: []gocb.ServiceType{gocb.ServiceTypeKeyValue}}); err != nil {
		t.Fatal(err)
	}
	analytics := analyticsv1connect.NewAnalyticsServiceClient(http.DefaultClient, st.AnalyticsURL)
	testenv.WaitForNil(t, time.Minute, "Couchbase document of "+country, func() error {
		want, err := analytics.GetCountryStats(context.Background(), &analyticsv1.GetCountryStatsRequest{Country: country})
		if err != nil {
			return err
		}
		res, err := bucket.DefaultCollection().Get(country, nil)
		if err != nil {
			return err
		}
		var raw json.RawMessage
		if err := res.Content(&raw); err != nil {
			return err
		}
		got := &analyticsv1.CountryStats{}
		if err := protojson.Unmarshal(raw, got); err != nil {
			return err
		}
		if !proto.Equal(got, want.GetStats()) {
			return fmt.Errorf("document %s, want %v", raw, want.GetStats())
		}
		return nil
	})
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestErrors checks that bad input gets InvalidArgument naming the field
// (400 through the gateway) and unknown ids NotFound (404).
func TestErrors(t *testing.T) {
	st := startStack(t)
	orders := ordersv1connect.NewOrderServiceClient(http.DefaultClient, st.OrderURL)
	_, err := orders.PlaceOrder(context.Background(), &ordersv1.PlaceOrderRequest{CustomerId: "cus-0001", Country: "Germany", Currency: "EUR",
		Items: []*ordersv1.LineItem{{Sku: "SKU-1", Quantity: -1, UnitPriceMinor: 100}}})
	var ce *connect.Error
	if !errors.As(err, &ce) || ce.Code() != connect.CodeInvalidArgument {
		t.Fatalf("PlaceOrder(bad) = %v, want InvalidArgument", err)
	}
	fields := map[string]bool{}
	for _, d := range ce.Details() {
		if v, err := d.Value(); err == nil {
			if br, ok := v.(*errdetails.BadRequest); ok {
				for _, fv := range br.GetFieldViolations() {
					fields[fv.GetField()] = true
				}
			}
		}
	}
	if !fields["country"] || !fields["items[0].quantity"] {
		t.Errorf("field violations %v, want country and items[0].quantity", fields)
	}
	code, body := restJSON(t, "POST", st.GatewayURL+"/v1/orders", `{"customer_id":"cus-0001","country":"DE","currency":"EURO","items":[]}`)
	if code != http.StatusBadRequest || !strings.Contains(mustJSON(body), `"field":"currency"`) {
		t.Errorf("POST bad order = %d %v, want 400 naming currency", code, body)
	}
	if code, _ := restJSON(t, "GET", st.GatewayURL+"/v1/orders/ord-does-not-exist", ""); code != http.StatusNotFound {
		t.Errorf("GET unknown order = %d, want 404", code)
	}
	if code, _ := restJSON(t, "GET", st.GatewayURL+"/v1/orders?page_size=5000", ""); code != http.StatusBadRequest {
		t.Errorf("page_size 5000 = %d, want 400", code)
	}
	if code, _ := restJSON(t, "GET", st.GatewayURL+"/v1/orders?page_token=bogus", ""); code != http.StatusBadRequest {
		t.Errorf("bogus page token = %d, want 400", code)
	}
	res, err := http.Get(st.GatewayURL + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(doc), `"/v1/orders/{order_id}"`) {
		t.Errorf("/openapi.json lacks the order route")
	}
}

// TestWatchStreamsUpdates subscribes to country statistics and sees an
// order placed afterwards arrive; closing the client ends the stream.
func TestWatchStreamsUpdates(t *testing.T) {
	st := startStack(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	analytics := analyticsv1connect.NewAnalyticsServiceClient(http.DefaultClient, st.AnalyticsURL)
	stream, err := analytics.WatchCountryStats(ctx, &analyticsv1.WatchCountryStatsRequest{Countries: []string{"JP"}})
	if err != nil {
		t.Fatal(err)
	}
	orders := ordersv1connect.NewOrderServiceClient(http.DefaultClient, st.OrderURL)
	for range 2 {
		if _, err := orders.PlaceOrder(ctx, &ordersv1.PlaceOrderRequest{CustomerId: "cus-0001", Country: "JP", Currency: "EUR",
			Items: []*ordersv1.LineItem{{Sku: "SKU-5001", Quantity: 1, UnitPriceMinor: 1299}}}); err != nil {
			t.Fatal(err)
		}
	}
	var last int64
	for last < 2 && stream.Receive() {
		cs := stream.Msg().GetStats()
		if cs.GetCountry() != "JP" {
			t.Fatalf("watching JP, got %s", cs.GetCountry())
		}
		last = cs.GetOrderCount()
	}
	if last < 2 {
		t.Fatalf("stream ended before both orders were counted: %v", stream.Err())
	}
	if err := stream.Close(); err != nil {
		t.Fatal(err)
	}
	// The handler notices the client went away and unsubscribes.
	testenv.WaitForNil(t, time.Minute, "watcher released", func() error {
		if n := st.Analytics.Watchers(); n != 0 {
			return errors.New("watcher still subscribed")
		}
		return nil
	})
}

// TestBufCurl runs the README's buf curl commands against the stack:
// list the methods by reflection, then place an order.
func TestBufCurl(t *testing.T) {
	st := startStack(t)
	root, err := filepath.Abs("..") // the repository, from e2e/
	if err != nil {
		t.Fatal(err)
	}
	bufCurl := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("go", append([]string{"tool", "-modfile=" + filepath.Join(root, "tools.mod"), "buf", "curl", "--protocol", "grpc", "--http2-prior-knowledge"}, args...)...)
		cmd.Dir = root
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("buf curl %v: %v\n%s%s", args, err, out, stderr.String())
		}
		return string(out)
	}
	list := bufCurl("--list-methods", st.OrderURL)
	for _, m := range []string{"orders.v1.OrderService/PlaceOrder", "orders.v1.OrderService/GetOrder", "orders.v1.OrderService/ListOrders"} {
		if !strings.Contains(list, m) {
			t.Errorf("--list-methods lacks %s:\n%s", m, list)
		}
	}
	out := bufCurl("-d", `{"order_id":"ord-bufcurl-1","customer_id":"cus-0001","country":"DE","currency":"EUR","items":[{"sku":"SKU-1001","quantity":2,"unit_price_minor":2499}]}`,
		st.OrderURL+"/orders.v1.OrderService/PlaceOrder")
	var placed struct {
		Order struct{ OrderID, AmountMinor string }
	}
	if err := json.Unmarshal([]byte(out), &placed); err != nil || placed.Order.OrderID != "ord-bufcurl-1" || placed.Order.AmountMinor != "4998" {
		t.Errorf("PlaceOrder via buf curl:\n%s", out)
	}
	if list := bufCurl("--list-methods", st.AnalyticsURL); !strings.Contains(list, "analytics.v1.AnalyticsService/WatchCountryStats") {
		t.Errorf("analytics methods:\n%s", list)
	}
}

// TestRestartKeepsData stops the stack and starts it again on the same data
// directory: orders, payments and statistics from the first run are there,
// and the new run keeps working.
func TestRestartKeepsData(t *testing.T) {
	opts := devstack.Options{DataDir: t.TempDir(), Log: testenv.Logger(t), NoPostgres: !postgresInstalled(), NoCouchbase: true}
	ctx := context.Background()
	place := &ordersv1.PlaceOrderRequest{OrderId: "ord-kept-0001", CustomerId: "cus-0001", Country: "DE", Currency: "EUR",
		Items: []*ordersv1.LineItem{{Sku: "SKU-1001", Quantity: 1, UnitPriceMinor: 2499}}}
	deCount := func(st *devstack.Stack) (int64, error) {
		cs, err := analyticsv1connect.NewAnalyticsServiceClient(http.DefaultClient, st.AnalyticsURL).
			GetCountryStats(ctx, &analyticsv1.GetCountryStatsRequest{Country: "DE"})
		return cs.GetStats().GetOrderCount(), err
	}

	st, stop := launch(t, opts)
	orders := ordersv1connect.NewOrderServiceClient(http.DefaultClient, st.OrderURL)
	if _, err := orders.PlaceOrder(ctx, place); err != nil {
		t.Fatal(err)
	}
	// ord-kept-0001 is one the simulated processor authorizes (seed 1).
	testenv.WaitForNil(t, time.Minute, "paid and counted", func() error {
		res, err := orders.GetOrder(ctx, &ordersv1.GetOrderRequest{OrderId: "ord-kept-0001"})
		if err != nil || res.GetOrder().GetStatus() != ordersv1.OrderStatus_ORDER_STATUS_PAID {
			return fmt.Errorf("not paid yet: %v, %v", res.GetOrder(), err)
		}
		if n, err := deCount(st); n != 1 {
			return fmt.Errorf("DE count %d, %v", n, err)
		}
		return nil
	})
	stop()

	st, _ = launch(t, opts)
	orders = ordersv1connect.NewOrderServiceClient(http.DefaultClient, st.OrderURL)
	// Ready means the views are restored from Kafka: no waiting needed.
	res, err := orders.GetOrder(ctx, &ordersv1.GetOrderRequest{OrderId: "ord-kept-0001"})
	if err != nil || res.GetOrder().GetStatus() != ordersv1.OrderStatus_ORDER_STATUS_PAID {
		t.Errorf("after restart: %v, %v", res, err)
	}
	if n, err := deCount(st); err != nil || n != 1 {
		t.Errorf("DE statistics after restart: %d, %v", n, err)
	}
	// A retried PlaceOrder after the restart is still idempotent.
	again, err := orders.PlaceOrder(ctx, place)
	if err != nil || again.GetOrder().GetOrderId() != "ord-kept-0001" {
		t.Errorf("PlaceOrder retry after restart: %v, %v", again, err)
	}
}
