package services_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	analyticsv1 "github.com/kafka-enterprise-orders/orders/gen/analytics/v1"
	customersv1 "github.com/kafka-enterprise-orders/orders/gen/customers/v1"
	fraudv1 "github.com/kafka-enterprise-orders/orders/gen/fraud/v1"
	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	"github.com/kafka-enterprise-orders/orders/gen/orders/v1/ordersv1connect"
	paymentsv1 "github.com/kafka-enterprise-orders/orders/gen/payments/v1"
	"github.com/kafka-enterprise-orders/orders/internal/app"
	"github.com/kafka-enterprise-orders/orders/internal/catalog"
	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/kafka"
	"github.com/kafka-enterprise-orders/orders/internal/testenv"
	"github.com/kafka-enterprise-orders/orders/services/analytics"
	"github.com/kafka-enterprise-orders/orders/services/fraud"
	"github.com/kafka-enterprise-orders/orders/services/orderproducer"
	"github.com/kafka-enterprise-orders/orders/services/payment"
)

// platformUnderTest is the four services on an embedded broker and registry.
type platformUnderTest struct {
	cfg       kafka.Config
	topics    *events.Topics
	producer  *orderproducer.Service
	payment   *payment.Service
	fraud     *fraud.Service
	analytics *analytics.Service
	orders    ordersv1connect.OrderServiceClient
}

func common(cfg kafka.Config) app.Common { return app.Common{Kafka: cfg} }

// startPlatform publishes the seeded customers (as pg-source would), then
// starts every service in-process, and an HTTP server for OrderService.
func startPlatform(t *testing.T, crash func(ctx context.Context, batch int) error) *platformUnderTest {
	t.Helper()
	cfg, _ := testenv.Kafka(t)
	ctx := context.Background()
	log := testenv.Logger(t)
	p := &platformUnderTest{cfg: cfg}
	var err error
	if p.topics, err = events.Open(cfg); err != nil {
		t.Fatal(err)
	}
	publishCustomers(t, cfg, p.topics)

	if p.producer, err = orderproducer.New(ctx, orderproducer.Config{Common: common(cfg), Customers: 10}, log.With("service", "order-producer")); err != nil {
		t.Fatal(err)
	}
	pc := payment.Config{Common: common(cfg), Group: "payment-service", TransactionalID: "payment-test",
		Rules: payment.Rules{MinAmount: 1, MaxAmount: 10000, DefaultCreditLimit: 1000, FailureRate: 0}}
	if p.payment, err = payment.New(ctx, pc, log.With("service", "payment")); err != nil {
		t.Fatal(err)
	}
	p.payment.BeforeCommit = crash
	if p.fraud, err = fraud.New(ctx, fraud.Config{Common: common(cfg), Group: "fraud-service", TransactionalID: "fraud-test"}, log.With("service", "fraud")); err != nil {
		t.Fatal(err)
	}
	p.fraud.BeforeCommit = crash
	if p.analytics, err = analytics.New(ctx, analytics.Config{Common: common(cfg), Group: "analytics-service", TransactionalID: "analytics-test"}, log.With("service", "analytics")); err != nil {
		t.Fatal(err)
	}
	p.analytics.BeforeCommit = crash

	testenv.Run(t, "order-producer", p.producer.Run)
	testenv.Run(t, "payment-service", p.payment.Run)
	testenv.Run(t, "fraud-service", p.fraud.Run)
	testenv.Run(t, "analytics-service", p.analytics.Run)
	srv := httptest.NewUnstartedServer(p.producer.Handler())
	srv.EnableHTTP2 = true
	srv.Start()
	t.Cleanup(srv.Close)
	p.orders = ordersv1connect.NewOrderServiceClient(srv.Client(), srv.URL)
	testenv.WaitFor(t, 60*time.Second, "services ready", func() bool {
		return p.producer.Ready.Check() == nil && p.payment.Ready.Check() == nil &&
			p.fraud.Ready.Check() == nil && p.analytics.Ready.Check() == nil
	})
	return p
}

func publishCustomers(t *testing.T, cfg kafka.Config, topics *events.Topics) {
	t.Helper()
	ctx := context.Background()
	if err := kafka.EnsureTopics(ctx, cfg, false, kafka.TopicSpec{Name: events.CustomersTopic, Compact: true}); err != nil {
		t.Fatal(err)
	}
	prod, err := kafka.NewProducer(cfg, "customers")
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close(ctx)
	pub := kafka.Publisher[*customersv1.Customer]{Producer: prod, Topic: topics.Customers}
	for _, c := range catalog.Customers(20) {
		if err := pub.PublishAsync(c.CustomerId, c, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := prod.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

func item(sku string, qty int32, price int64) *ordersv1.LineItem {
	return &ordersv1.LineItem{Sku: sku, Name: sku, Quantity: qty, UnitPriceMinor: price}
}

// Seeded customers used below (see catalog.Customers):
// cus-0001 DE LOW 2000.00 EUR, cus-0002 GB MEDIUM 1000.00 GBP,
// cus-0012 DE HIGH 500.00 EUR, cus-0004 US LOW 5000.00 USD.
type expectation struct {
	req     *ordersv1.PlaceOrderRequest
	status  paymentsv1.PaymentStatus
	reason  paymentsv1.DeclineReason
	alerted []string // fraud rules that fire, nil for no alert
}

func knownOrders() []expectation {
	auth, declined := paymentsv1.PaymentStatus_PAYMENT_STATUS_AUTHORIZED, paymentsv1.PaymentStatus_PAYMENT_STATUS_DECLINED
	req := func(id, customer, country, currency string, items ...*ordersv1.LineItem) *ordersv1.PlaceOrderRequest {
		return &ordersv1.PlaceOrderRequest{OrderId: id, CustomerId: customer, Country: country, Currency: currency, Items: items}
	}
	return []expectation{
		{req("ord-ok-0001", "cus-0001", "DE", "EUR", item("SKU-1001", 2, 2499)), auth, 0, nil},
		{req("ord-ok-0002", "cus-0004", "US", "USD", item("SKU-3001", 1, 29900), item("SKU-2003", 3, 1800)), auth, 0, nil},
		{req("ord-ok-0003", "cus-0002", "GB", "GBP", item("SKU-5001", 1, 1299)), auth, 0, nil},
		{req("ord-small-01", "cus-0001", "DE", "EUR", item("SKU-9", 1, 50)), declined, paymentsv1.DeclineReason_DECLINE_REASON_AMOUNT_OUT_OF_BOUNDS, nil},
		{req("ord-limit-01", "cus-0001", "DE", "EUR", item("SKU-3005", 2, 129900)), declined, paymentsv1.DeclineReason_DECLINE_REASON_CREDIT_LIMIT_EXCEEDED, []string{"high_amount"}},
		{req("ord-fx-0001", "cus-0001", "DE", "USD", item("SKU-1002", 1, 5490)), declined, paymentsv1.DeclineReason_DECLINE_REASON_CURRENCY_MISMATCH, nil},
		{req("ord-risky-01", "cus-0012", "FR", "EUR", item("SKU-1004", 1, 3200)), auth, 0, []string{"risk_tier", "country_mismatch"}},
		{req("ord-risky-02", "cus-0012", "DE", "EUR", item("SKU-1004", 1, 3200)), auth, 0, nil}, // risk tier alone: below the threshold
		{req("ord-abroad-1", "cus-0001", "NG", "EUR", item("SKU-2001", 1, 11995)), auth, 0, []string{"high_risk_country", "country_mismatch"}},
		{req("ord-big-0001", "cus-0004", "US", "USD", item("SKU-3004", 5, 44900)), auth, 0, []string{"high_amount"}},
	}
}

// TestPipelineExactOutcomes sends a known set of orders through PlaceOrder
// and checks every payment, every alert and every per-country total that
// the services publish.
func TestPipelineExactOutcomes(t *testing.T) {
	p := startPlatform(t, nil)
	payments := testenv.Collect(t, p.cfg, p.topics.Payments)
	alerts := testenv.Collect(t, p.cfg, p.topics.FraudAlerts)
	stats := testenv.Collect(t, p.cfg, p.topics.OrderAnalytics)
	ctx := context.Background()

	exp := knownOrders()
	placed := map[string]*ordersv1.Order{}
	for _, e := range exp {
		res, err := p.orders.PlaceOrder(ctx, e.req)
		if err != nil {
			t.Fatalf("PlaceOrder(%s): %v", e.req.OrderId, err)
		}
		placed[e.req.OrderId] = res.GetOrder()
	}
	// A retried PlaceOrder is idempotent: same order back, nothing published.
	again, err := p.orders.PlaceOrder(ctx, exp[0].req)
	if err != nil || again.GetOrder().GetCreatedAt().AsTime() != placed[exp[0].req.OrderId].GetCreatedAt().AsTime() {
		t.Fatalf("retried PlaceOrder = %v, %v; want the first order", again, err)
	}

	testenv.WaitFor(t, 60*time.Second, "one payment per order", func() bool { return len(payments.All()) >= len(exp) })
	testenv.WaitFor(t, 60*time.Second, "country totals", func() bool { return totalOrders(stats.Latest()) >= int64(len(exp)) })
	wantAlerts := 0
	for _, e := range exp {
		if e.alerted != nil {
			wantAlerts++
		}
	}
	testenv.WaitFor(t, 60*time.Second, "fraud alerts", func() bool { return len(alerts.All()) >= wantAlerts })
	time.Sleep(500 * time.Millisecond) // let any extra (wrong) record arrive

	gotPayments := map[string]*paymentsv1.Payment{}
	for _, r := range payments.All() {
		if _, dup := gotPayments[r.Key]; dup {
			t.Errorf("second payment for order %s", r.Key)
		}
		gotPayments[r.Key] = r.Value
	}
	gotAlerts := map[string]*fraudv1.FraudAlert{}
	for _, r := range alerts.All() {
		gotAlerts[r.Key] = r.Value
	}
	for _, e := range exp {
		id := e.req.OrderId
		pay := gotPayments[id]
		if pay == nil || pay.Status != e.status || pay.DeclineReason != e.reason || pay.AmountMinor != placed[id].AmountMinor {
			t.Errorf("%s: payment %v, want %v/%v for %d", id, pay, e.status, e.reason, placed[id].AmountMinor)
		}
		var rules []string
		if a := gotAlerts[id]; a != nil {
			for _, r := range a.Rules {
				rules = append(rules, r.Rule)
			}
		}
		if fmt.Sprint(rules) != fmt.Sprint(e.alerted) {
			t.Errorf("%s: fraud rules %v, want %v", id, rules, e.alerted)
		}
	}
	if len(gotPayments) != len(exp) {
		t.Errorf("%d payments, want %d", len(gotPayments), len(exp))
	}
	checkTotals(t, stats.Latest(), placed)

	// The order-status view joins it all.
	testenv.WaitFor(t, 30*time.Second, "order view joined", func() bool {
		res, err := p.orders.GetOrder(ctx, &ordersv1.GetOrderRequest{OrderId: "ord-abroad-1"})
		return err == nil && res.GetOrder().GetStatus() == ordersv1.OrderStatus_ORDER_STATUS_PAID && res.GetOrder().GetFlagged()
	})
	res, err := p.orders.GetOrder(ctx, &ordersv1.GetOrderRequest{OrderId: "ord-limit-01"})
	if err != nil {
		t.Fatal(err)
	}
	testenv.WaitFor(t, 30*time.Second, "declined status", func() bool {
		res, err = p.orders.GetOrder(ctx, &ordersv1.GetOrderRequest{OrderId: "ord-limit-01"})
		return err == nil && res.GetOrder().GetStatus() == ordersv1.OrderStatus_ORDER_STATUS_DECLINED
	})
	if res.GetOrder().GetDeclineReason() == "" || !res.GetOrder().GetFlagged() {
		t.Errorf("ord-limit-01 view = %v, want a decline reason and a flag", res.GetOrder())
	}
}

func totalOrders(stats map[string]*analyticsv1.CountryStats) int64 {
	var n int64
	for _, s := range stats {
		n += s.OrderCount
	}
	return n
}

// checkTotals compares the published statistics with totals computed
// from the orders themselves.
func checkTotals(t *testing.T, got map[string]*analyticsv1.CountryStats, orders map[string]*ordersv1.Order) {
	t.Helper()
	type key struct{ country, currency string }
	want := map[key][2]int64{}
	wantCountry := map[string]int64{}
	for _, o := range orders {
		k := key{o.Country, o.Currency}
		v := want[k]
		want[k] = [2]int64{v[0] + 1, v[1] + o.AmountMinor}
		wantCountry[o.Country]++
	}
	if len(got) != len(wantCountry) {
		t.Errorf("statistics for %d countries, want %d", len(got), len(wantCountry))
	}
	for country, n := range wantCountry {
		cs := got[country]
		if cs.GetOrderCount() != n {
			t.Errorf("%s: %d orders, want %d", country, cs.GetOrderCount(), n)
		}
		for _, tot := range cs.GetTotals() {
			w := want[key{country, tot.Currency}]
			if tot.OrderCount != w[0] || tot.AmountMinor != w[1] {
				t.Errorf("%s/%s: %d orders, %d total; want %d, %d", country, tot.Currency, tot.OrderCount, tot.AmountMinor, w[0], w[1])
			}
		}
	}
}

var errCrash = errors.New("simulated crash before commit")

// TestCrashesKeepExactlyOnce abandons the payment, fraud and analytics
// transactions at random (the worker's clients are dropped without commit,
// as a killed process would leave them) while orders stream in, and checks
// that every order still has exactly one payment, the totals are exact, and
// the alerts are those one uninterrupted fraud engine raises: the velocity
// history comes back after each crash.
func TestCrashesKeepExactlyOnce(t *testing.T) {
	var crashes atomic.Int64
	rng := rand.New(rand.NewPCG(42, 7))
	var rngMu sync.Mutex
	crash := func(context.Context, int) error {
		rngMu.Lock()
		defer rngMu.Unlock()
		if crashes.Load() < 9 && rng.IntN(3) == 0 {
			crashes.Add(1)
			return errCrash
		}
		return nil
	}
	p := startPlatform(t, crash)
	payments := testenv.Collect(t, p.cfg, p.topics.Payments)
	stats := testenv.Collect(t, p.cfg, p.topics.OrderAnalytics)
	alerts := testenv.Collect(t, p.cfg, p.topics.FraudAlerts)

	gen := orderproducer.NewGenerator(3, 10, "")
	placed := map[string]*ordersv1.Order{}
	var sent []*ordersv1.Order
	prod, err := kafka.NewProducer(p.cfg, "crash-test")
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close(context.Background())
	pub := kafka.Publisher[*ordersv1.Order]{Producer: prod, Topic: p.topics.Orders}
	const n = 300
	for i := range n {
		o := gen.Next(time.Now())
		placed[o.OrderId] = o
		sent = append(sent, o)
		if err := pub.Publish(context.Background(), o.CustomerId, o); err != nil {
			t.Fatal(err)
		}
		if i%50 == 0 {
			time.Sleep(100 * time.Millisecond) // spread the orders over several transactions
		}
	}
	testenv.WaitFor(t, 120*time.Second, "all payments", func() bool { return len(payments.All()) >= n })
	testenv.WaitFor(t, 120*time.Second, "all totals", func() bool { return totalOrders(stats.Latest()) >= n })
	time.Sleep(time.Second)
	if crashes.Load() == 0 {
		t.Fatal("no crash was injected; the test proves nothing")
	}
	t.Logf("%d crashes injected", crashes.Load())
	checkOnePaymentEach(t, payments, placed)
	checkTotals(t, stats.Latest(), placed)
	checkAlerts(t, alerts, sent)
}

// checkAlerts compares the published alerts with those of one fraud engine
// scoring the orders in the order they were sent, with the seeded
// customers: one alert per flagged order, with the same rules and score.
func checkAlerts(t *testing.T, alerts *testenv.Collector[*fraudv1.FraudAlert], sent []*ordersv1.Order) {
	t.Helper()
	customers := map[string]*customersv1.Customer{}
	for _, c := range catalog.Customers(20) {
		customers[c.CustomerId] = c
	}
	engine := fraud.NewEngine(fraud.DefaultRules())
	want := map[string]string{}
	for _, o := range sent {
		if a := engine.Evaluate(o, customers[o.CustomerId]); a != nil {
			want[o.OrderId] = describeAlert(a)
		}
	}
	testenv.WaitFor(t, 60*time.Second, "fraud alerts", func() bool { return len(alerts.All()) >= len(want) })
	time.Sleep(500 * time.Millisecond) // let any extra (wrong) alert arrive
	got := map[string]string{}
	for _, r := range alerts.All() {
		if _, dup := got[r.Key]; dup {
			t.Errorf("second alert for order %s", r.Key)
		}
		got[r.Key] = describeAlert(r.Value)
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("order %s: alert %q, want %q", id, got[id], w)
		}
	}
	for id, g := range got {
		if _, ok := want[id]; !ok {
			t.Errorf("order %s: unexpected alert %q", id, g)
		}
	}
	t.Logf("%d alerts, as one uninterrupted engine raises them", len(want))
}

func describeAlert(a *fraudv1.FraudAlert) string {
	s := fmt.Sprint(a.GetScore())
	for _, h := range a.GetRules() {
		s += " " + h.GetRule()
	}
	return s
}

// checkOnePaymentEach fails unless every placed order has exactly one
// payment and no other payment exists.
func checkOnePaymentEach[V any](t *testing.T, payments *testenv.Collector[*paymentsv1.Payment], placed map[string]V) {
	t.Helper()
	seen := map[string]int{}
	for _, r := range payments.All() {
		seen[r.Key]++
	}
	for id := range placed {
		if seen[id] != 1 {
			t.Errorf("order %s has %d payments, want 1", id, seen[id])
		}
	}
	if len(seen) != len(placed) {
		t.Errorf("payments for %d orders, %d placed", len(seen), len(placed))
	}
}
