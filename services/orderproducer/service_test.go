package orderproducer_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	fraudv1 "github.com/kafka-enterprise-orders/orders/gen/fraud/v1"
	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	"github.com/kafka-enterprise-orders/orders/gen/orders/v1/ordersv1connect"
	paymentsv1 "github.com/kafka-enterprise-orders/orders/gen/payments/v1"
	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
	"github.com/kafka-enterprise-orders/orders/internal/testenv"
	"github.com/kafka-enterprise-orders/orders/services/orderproducer"
)

// producerUnderTest is an order-producer on an embedded broker and
// registry, with OrderService served over HTTP on loopback.
type producerUnderTest struct {
	*orderproducer.Service
	kcfg   stream.Config
	topics *events.Topics
	client ordersv1connect.OrderServiceClient
	url    string // the RPC endpoint
	stop   func()
}

// startProducer runs an order-producer (generator off unless configure
// turns it on) and waits until its view is restored.
func startProducer(t *testing.T, kcfg stream.Config, configure func(*orderproducer.Config)) *producerUnderTest {
	t.Helper()
	p := wireProducer(t, kcfg, configure)
	p.run(t)
	return p
}

// wireProducer wires an order-producer and serves its RPCs on loopback,
// but does not run it: its view is not restored yet.
func wireProducer(t *testing.T, kcfg stream.Config, configure func(*orderproducer.Config)) *producerUnderTest {
	t.Helper()
	var cfg orderproducer.Config
	cfg.Kafka = kcfg
	cfg.Customers = 10
	if configure != nil {
		configure(&cfg)
	}
	svc, err := orderproducer.New(context.Background(), cfg, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	topics, err := events.Open(kcfg)
	if err != nil {
		t.Fatal(err)
	}
	p := &producerUnderTest{Service: svc, kcfg: kcfg, topics: topics}
	srv := httptest.NewUnstartedServer(svc.Handler())
	srv.EnableHTTP2 = true
	srv.Start()
	t.Cleanup(srv.Close)
	p.client = ordersv1connect.NewOrderServiceClient(srv.Client(), srv.URL)
	p.url = srv.URL
	return p
}

// run runs a wired producer and waits until its view is restored.
func (p *producerUnderTest) run(t *testing.T) {
	t.Helper()
	p.stop = testenv.Run(t, "order-producer", p.Service.Run)
	testenv.WaitFor(t, 60*time.Second, "order-producer ready", func() bool { return p.Ready.Check() == nil })
}

func newProducer(t *testing.T) *producerUnderTest {
	t.Helper()
	kcfg, _ := testenv.Kafka(t)
	return startProducer(t, kcfg, nil)
}

func line(sku string, qty int32, price int64) *ordersv1.LineItem {
	return &ordersv1.LineItem{Sku: sku, Name: sku, Quantity: qty, UnitPriceMinor: price}
}

func placeReq(id, customer string, items ...*ordersv1.LineItem) *ordersv1.PlaceOrderRequest {
	return &ordersv1.PlaceOrderRequest{OrderId: id, CustomerId: customer, Country: "DE", Currency: "EUR", Items: items}
}

func (p *producerUnderTest) place(t *testing.T, req *ordersv1.PlaceOrderRequest) *ordersv1.Order {
	t.Helper()
	res, err := p.client.PlaceOrder(context.Background(), req)
	if err != nil {
		t.Fatalf("PlaceOrder(%s): %v", req.GetOrderId(), err)
	}
	return res.GetOrder()
}

func (p *producerUnderTest) get(t *testing.T, id string) *ordersv1.OrderView {
	t.Helper()
	res, err := p.client.GetOrder(context.Background(), &ordersv1.GetOrderRequest{OrderId: id})
	if err != nil {
		t.Fatalf("GetOrder(%s): %v", id, err)
	}
	return res.GetOrder()
}

// badFields returns the fields an InvalidArgument error names in its
// google.rpc.BadRequest details, and fails the test for any other error.
func badFields(t *testing.T, err error) []string {
	t.Helper()
	var ce *connect.Error
	if !errors.As(err, &ce) || ce.Code() != connect.CodeInvalidArgument {
		t.Fatalf("error %v, want InvalidArgument", err)
	}
	var fields []string
	for _, d := range ce.Details() {
		v, derr := d.Value()
		if br, ok := v.(*errdetails.BadRequest); ok && derr == nil {
			for _, fv := range br.GetFieldViolations() {
				fields = append(fields, fv.GetField())
			}
		}
	}
	return fields
}

func TestPlaceOrderPublishesToOrdersTopicAndGetOrderReturnsIt(t *testing.T) {
	p := newProducer(t)
	before := time.Now()
	o := p.place(t, placeReq("ord-test-0001", "cus-0003", line("SKU-1001", 2, 1250), line("SKU-5001", 1, 999)))
	if o.OrderId != "ord-test-0001" || o.CustomerId != "cus-0003" || o.AmountMinor != 3499 ||
		o.Source != ordersv1.OrderSource_ORDER_SOURCE_API || o.CreatedAt.AsTime().Before(before.Add(-time.Second)) {
		t.Fatalf("placed %v, want ord-test-0001 of cus-0003, 3499, from the API, created now", o)
	}
	if err := events.ValidateOrder(o); err != nil {
		t.Errorf("placed order is not a valid Order event: %v", err)
	}

	msgs := testenv.ReadTopic(t, p.kcfg, events.OrdersTopic, 1, 30*time.Second)
	rec, err := p.topics.Orders.Decode(msgs[0])
	if err != nil {
		t.Fatal(err)
	}
	if rec.Key != "cus-0003" || !proto.Equal(rec.Value, o) {
		t.Errorf("orders topic holds %s=%v, want key cus-0003 and the placed order %v", rec.Key, rec.Value, o)
	}

	ov := p.get(t, "ord-test-0001")
	if ov.Status != ordersv1.OrderStatus_ORDER_STATUS_PLACED || !proto.Equal(ov.Order, o) {
		t.Errorf("GetOrder = %v, want the placed order, PLACED", ov)
	}
}

func TestPlaceOrderWithoutIDGeneratesOne(t *testing.T) {
	p := newProducer(t)
	o := p.place(t, placeReq("", "cus-0001", line("SKU-2003", 1, 1800)))
	if !regexp.MustCompile(`^ord-[0-9a-f]{16}$`).MatchString(o.OrderId) {
		t.Fatalf("generated id %q, want ord- and 16 hex digits", o.OrderId)
	}
	if ov := p.get(t, o.OrderId); !proto.Equal(ov.Order, o) {
		t.Errorf("GetOrder(%s) = %v, want %v", o.OrderId, ov.Order, o)
	}
}

// Concurrent and later retries of one order id publish once and all get
// the first order back.
func TestPlaceOrderRetriesPublishOnce(t *testing.T) {
	p := newProducer(t)
	const n = 8
	got := make([]*ordersv1.Order, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			res, err := p.client.PlaceOrder(context.Background(), placeReq("ord-retry-1", "cus-0002", line("SKU-1002", int32(i+1), 5490)))
			if err != nil {
				t.Errorf("PlaceOrder %d: %v", i, err)
				return
			}
			got[i] = res.GetOrder()
		})
	}
	wg.Wait()
	later := p.place(t, placeReq("ord-retry-1", "cus-0002", line("SKU-3005", 1, 129900)))
	for i, o := range append(got, later) {
		if !proto.Equal(o, got[0]) {
			t.Errorf("retry %d got %v, want the first order %v", i, o, got[0])
		}
	}
	recs := testenv.ReadToEnd(t, p.kcfg, p.topics.Orders)
	if len(recs) != 1 || !proto.Equal(recs[0].Value, got[0]) {
		t.Errorf("orders topic holds %d records, want just the first order", len(recs))
	}
	if n := p.Stats.Get("orders.api"); n != 1 {
		t.Errorf("orders.api = %d, want 1", n)
	}
}

func TestPlaceOrderRejectsInvalidRequestsNamingTheField(t *testing.T) {
	p := newProducer(t)
	ok := line("SKU-1001", 1, 2499)
	cases := []struct {
		name  string
		req   *ordersv1.PlaceOrderRequest
		field string
	}{
		{"bad order id", placeReq("order-1", "cus-0001", ok), "order_id"},
		{"missing customer", placeReq("ord-bad-0001", "", ok), "customer_id"},
		{"bad customer id", placeReq("ord-bad-0002", "customer-1", ok), "customer_id"},
		{"unknown currency", &ordersv1.PlaceOrderRequest{CustomerId: "cus-0001", Country: "DE", Currency: "EURO", Items: []*ordersv1.LineItem{ok}}, "currency"},
		{"unknown country", &ordersv1.PlaceOrderRequest{CustomerId: "cus-0001", Country: "XX", Currency: "EUR", Items: []*ordersv1.LineItem{ok}}, "country"},
		{"no items", placeReq("ord-bad-0003", "cus-0001"), "items"},
		{"zero quantity", placeReq("ord-bad-0004", "cus-0001", ok, line("SKU-1002", 0, 5490)), "items[1].quantity"},
		{"missing sku", placeReq("ord-bad-0005", "cus-0001", line("", 1, 100)), "items[0].sku"},
		{"negative price", placeReq("ord-bad-0006", "cus-0001", line("SKU-1002", 1, -5)), "items[0].unit_price_minor"},
		{"total over the cap", placeReq("ord-bad-0007", "cus-0001", line("SKU-1002", 10_000, 1_000_000_000)), "items"},
		{"sku with a right-to-left override", placeReq("ord-bad-0008", "cus-0001", line("SKU-\u202e1002", 1, 100)), "items[0].sku"},
		{"900 KB sku", placeReq("ord-bad-0009", "cus-0001",
			&ordersv1.LineItem{Sku: strings.Repeat("S", 900<<10), Name: "Cups", Quantity: 1, UnitPriceMinor: 100}), "items[0].sku"},
		{"name with a control character", placeReq("ord-bad-0010", "cus-0001",
			&ordersv1.LineItem{Sku: "SKU-1002", Name: "Cups\x1b[2J", Quantity: 1, UnitPriceMinor: 100}), "items[0].name"},
		{"name with a bidi isolate", placeReq("ord-bad-0011", "cus-0001",
			&ordersv1.LineItem{Sku: "SKU-1002", Name: "Cups \u2067evil\u2069", Quantity: 1, UnitPriceMinor: 100}), "items[0].name"},
		{"900 KB right-to-left name", placeReq("ord-bad-0012", "cus-0001",
			&ordersv1.LineItem{Sku: "SKU-1002", Name: "\u202e" + strings.Repeat("n", 900<<10), Quantity: 1, UnitPriceMinor: 100}), "items[0].name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := p.client.PlaceOrder(context.Background(), c.req)
			if fields := badFields(t, err); !slices.Contains(fields, c.field) {
				t.Errorf("InvalidArgument names %v, want %s", fields, c.field)
			}
		})
	}
	if n := p.Stats.Get("orders.api"); n != 0 {
		t.Errorf("%d invalid orders were published", n)
	}
}

func TestGetOrderUnknownIsNotFoundAndBadIDInvalid(t *testing.T) {
	p := newProducer(t)
	_, err := p.client.GetOrder(context.Background(), &ordersv1.GetOrderRequest{OrderId: "ord-never-placed"})
	if connect.CodeOf(err) != connect.CodeNotFound {
		t.Errorf("GetOrder(unknown) error %v, want NotFound", err)
	}
	_, err = p.client.GetOrder(context.Background(), &ordersv1.GetOrderRequest{OrderId: "42"})
	if fields := badFields(t, err); !slices.Equal(fields, []string{"order_id"}) {
		t.Errorf("GetOrder(42) names %v, want [order_id]", fields)
	}
}

func TestListOrdersPagesNewestFirstAndValidates(t *testing.T) {
	p := newProducer(t)
	for i, cu := range []string{"cus-0001", "cus-0002", "cus-0001"} {
		p.place(t, placeReq(fmt.Sprintf("ord-list-%d", i+1), cu, line("SKU-4001", 1, 4500)))
	}
	ctx := context.Background()
	first, err := p.client.ListOrders(ctx, &ordersv1.ListOrdersRequest{PageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	second, err := p.client.ListOrders(ctx, &ordersv1.ListOrdersRequest{PageSize: 2, PageToken: first.NextPageToken})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, ov := range append(first.Orders, second.Orders...) {
		ids = append(ids, ov.Order.OrderId)
	}
	if !slices.Equal(ids, []string{"ord-list-3", "ord-list-2", "ord-list-1"}) || second.NextPageToken != "" {
		t.Errorf("pages list %v (next %q), want ord-list-3, -2, -1 and no more", ids, second.NextPageToken)
	}
	mine, err := p.client.ListOrders(ctx, &ordersv1.ListOrdersRequest{CustomerId: "cus-0002"})
	if err != nil || len(mine.Orders) != 1 || mine.Orders[0].Order.OrderId != "ord-list-2" {
		t.Errorf("cus-0002's orders: %v, %v; want ord-list-2", mine, err)
	}

	for field, req := range map[string]*ordersv1.ListOrdersRequest{
		"page_size":   {PageSize: 5000},
		"status":      {Status: ordersv1.OrderStatus(9)},
		"customer_id": {CustomerId: "bob"},
		"page_token":  {PageToken: "not-a-token"},
	} {
		_, err := p.client.ListOrders(ctx, req)
		if fields := badFields(t, err); !slices.Contains(fields, field) {
			t.Errorf("ListOrders(%v) names %v, want %s", req, fields, field)
		}
	}
}

// The view follows the payments and fraud-alerts topics: what payment and
// fraud services publish shows in GetOrder, and survives a restart.
func TestOrderStatusFollowsPaymentsAndFraudAlertsTopicsAcrossRestart(t *testing.T) {
	kcfg, _ := testenv.Kafka(t)
	p := startProducer(t, kcfg, nil)
	o := p.place(t, placeReq("ord-flow-1", "cus-0004", line("SKU-3004", 3, 44900)))

	prod, err := stream.NewProducer(kcfg, "test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = prod.Close(context.Background()) })
	ctx := context.Background()
	pay := stream.Publisher[*paymentsv1.Payment]{Producer: prod, Topic: p.topics.Payments}
	if err := pay.Publish(ctx, o.OrderId, &paymentsv1.Payment{
		PaymentId: "pay-" + o.OrderId, OrderId: o.OrderId, CustomerId: o.CustomerId,
		Status: paymentsv1.PaymentStatus_PAYMENT_STATUS_DECLINED, DeclineReason: paymentsv1.DeclineReason_DECLINE_REASON_CREDIT_LIMIT_EXCEEDED,
		Detail: "over the credit limit", AmountMinor: o.AmountMinor, Currency: o.Currency, ProcessedAt: timestamppb.Now(),
	}); err != nil {
		t.Fatal(err)
	}
	alerts := stream.Publisher[*fraudv1.FraudAlert]{Producer: prod, Topic: p.topics.FraudAlerts}
	if err := alerts.Publish(ctx, o.OrderId, &fraudv1.FraudAlert{
		AlertId: "alert-" + o.OrderId, OrderId: o.OrderId, CustomerId: o.CustomerId, Score: 70,
		Rules: []*fraudv1.RuleHit{{Rule: "high_amount", Score: 70}}, CreatedAt: timestamppb.Now(),
	}); err != nil {
		t.Fatal(err)
	}
	want := func(ov *ordersv1.OrderView) bool {
		return ov.Status == ordersv1.OrderStatus_ORDER_STATUS_DECLINED && ov.DeclineReason == "over the credit limit" &&
			ov.Flagged && ov.FraudScore == 70 && slices.Equal(ov.FraudRules, []string{"high_amount"})
	}
	var last *ordersv1.OrderView
	testenv.WaitFor(t, 30*time.Second, "order declined and flagged", func() bool { last = p.get(t, o.OrderId); return want(last) },
		func() string { return last.String() })

	p.stop()
	restarted := startProducer(t, kcfg, nil) // ready means the view is restored
	if ov := restarted.get(t, o.OrderId); !want(ov) || !proto.Equal(ov.Order, o) {
		t.Errorf("after a restart GetOrder = %v, want the order declined and flagged", ov)
	}
	// A retry after the restart still returns the first order and publishes nothing.
	if again := restarted.place(t, placeReq(o.OrderId, "cus-0004", line("SKU-1001", 1, 2499))); !proto.Equal(again, o) {
		t.Errorf("retry after restart got %v, want %v", again, o)
	}
	if recs := testenv.ReadToEnd(t, kcfg, p.topics.Orders); len(recs) != 1 {
		t.Errorf("orders topic holds %d records, want 1", len(recs))
	}
}

func TestSyntheticGeneratorPublishesCountValidOrdersAndStops(t *testing.T) {
	kcfg, _ := testenv.Kafka(t)
	p := startProducer(t, kcfg, func(c *orderproducer.Config) {
		c.Rate, c.Count, c.Seed, c.Customers = -1, 25, 7, 3
	})
	testenv.WaitFor(t, 60*time.Second, "25 synthetic orders delivered", func() bool { return p.Stats.Get("orders.synthetic") == 25 },
		func() string { return fmt.Sprint(p.Stats.Get("orders.synthetic"), " delivered") })
	recs := testenv.ReadToEnd(t, kcfg, p.topics.Orders)
	if len(recs) != 25 {
		t.Fatalf("orders topic holds %d records, want exactly 25", len(recs))
	}
	for _, r := range recs {
		o := r.Value
		if err := events.ValidateOrder(o); err != nil || o.Source != ordersv1.OrderSource_ORDER_SOURCE_SYNTHETIC || r.Key != o.CustomerId ||
			!slices.Contains([]string{"cus-0001", "cus-0002", "cus-0003"}, o.CustomerId) {
			t.Errorf("synthetic record %s=%v (%v), want a valid synthetic order of cus-0001..3 keyed by customer", r.Key, o, err)
		}
	}
	// The view reads the orders topic back: all 25 become listable.
	var listed int
	testenv.WaitFor(t, 30*time.Second, "25 orders listed", func() bool {
		res, err := p.client.ListOrders(context.Background(), &ordersv1.ListOrdersRequest{PageSize: 100})
		if err != nil {
			t.Fatal(err)
		}
		listed = len(res.Orders)
		return listed == 25
	}, func() string { return fmt.Sprint(listed, " listed") })
}

// TestPlaceOrderIsUnavailableUntilTheViewIsRestored: a restarted producer
// that serves before its view is restored refuses PlaceOrder with
// Unavailable instead of publishing a client's retry as a second order;
// once restored, the retry returns the first order.
func TestPlaceOrderIsUnavailableUntilTheViewIsRestored(t *testing.T) {
	kcfg, _ := testenv.Kafka(t)
	first := startProducer(t, kcfg, nil)
	o := first.place(t, placeReq("ord-restore-1", "cus-0005", line("SKU-1001", 1, 2499)))
	first.stop()

	restarted := wireProducer(t, kcfg, nil)
	_, err := restarted.client.PlaceOrder(context.Background(), placeReq(o.OrderId, "cus-0005", line("SKU-1001", 1, 2499)))
	if connect.CodeOf(err) != connect.CodeUnavailable {
		t.Fatalf("PlaceOrder before the view is restored: %v, want Unavailable", err)
	}
	restarted.run(t)
	if again := restarted.place(t, placeReq(o.OrderId, "cus-0005", line("SKU-1001", 1, 2499))); !proto.Equal(again, o) {
		t.Errorf("retry once restored got %v, want the first order %v", again, o)
	}
	if recs := testenv.ReadToEnd(t, kcfg, first.topics.Orders); len(recs) != 1 {
		t.Errorf("orders topic holds %d records, want 1", len(recs))
	}
}

// TestPlaceOrderPublishesOnlyKnownFields: unknown fields a client sends in
// a line item (a newer schema, or a crafted request) do not reach the
// published Order.
func TestPlaceOrderPublishesOnlyKnownFields(t *testing.T) {
	p := newProducer(t)
	it := line("SKU-1001", 1, 2499)
	it.ProtoReflect().SetUnknown(protowire.AppendString(protowire.AppendTag(nil, 99, protowire.BytesType), "smuggled"))
	req := placeReq("ord-unknown-1", "cus-0001", it)
	req.ProtoReflect().SetUnknown(protowire.AppendVarint(protowire.AppendTag(nil, 98, protowire.VarintType), 1))
	p.place(t, req)
	recs := testenv.ReadToEnd(t, p.kcfg, p.topics.Orders)
	if len(recs) != 1 {
		t.Fatalf("orders topic holds %d records, want 1", len(recs))
	}
	o := recs[0].Value
	if u := o.ProtoReflect().GetUnknown(); len(u) != 0 {
		t.Errorf("published order carries unknown fields %x", u)
	}
	if u := o.GetItems()[0].ProtoReflect().GetUnknown(); len(u) != 0 {
		t.Errorf("published line item carries unknown fields %x", u)
	}
}

// TestPlaceOrderRefusesUnknownJSONFields: Connect's JSON, like the
// gateway's, refuses a field the request does not have; a misspelt
// idempotency key would otherwise place an order under a new id.
func TestPlaceOrderRefusesUnknownJSONFields(t *testing.T) {
	p := newProducer(t)
	body := `{"orderid":"ord-typo-0001","customer_id":"cus-0001","country":"DE","currency":"EUR","items":[{"sku":"SKU-1001","quantity":1,"unit_price_minor":"100"}]}`
	res, err := http.Post(p.url+"/orders.v1.OrderService/PlaceOrder", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var got struct{ Code, Message string }
	if err := json.NewDecoder(res.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusBadRequest || got.Code != "invalid_argument" || !strings.Contains(got.Message, "orderid") {
		t.Errorf("got %d %+v, want 400 invalid_argument naming orderid", res.StatusCode, got)
	}
	if n := p.Stats.Get("orders.api"); n != 0 {
		t.Errorf("%d orders were published", n)
	}
}

// TestUnauthenticatedRPCsStayOnLoopback: a service without authentication
// refuses to be configured for an address beyond loopback unless told it
// is on purpose.
func TestUnauthenticatedRPCsStayOnLoopback(t *testing.T) {
	kcfg, _ := testenv.Kafka(t)
	for _, c := range []struct {
		listen   string
		insecure bool
		refused  bool
	}{
		{"0.0.0.0:7001", false, true},
		{"[::]:7001", false, true},
		{"0.0.0.0:7001", true, false},
		{"127.0.0.1:7001", false, false},
		{"localhost:7001", false, false},
	} {
		var cfg orderproducer.Config
		cfg.Kafka, cfg.Listen, cfg.InsecureNoAuth, cfg.Customers = kcfg, c.listen, c.insecure, 10
		_, err := orderproducer.New(context.Background(), cfg, testenv.Logger(t))
		if refused := err != nil && strings.Contains(err.Error(), "without authentication"); refused != c.refused || (err != nil && !refused) {
			t.Errorf("listen %s, insecure-no-auth %v: %v; want refused=%v", c.listen, c.insecure, err, c.refused)
		}
	}
}
