package e2e_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	analyticsv1 "github.com/kafka-enterprise-orders/orders/gen/analytics/v1"
	customersv1 "github.com/kafka-enterprise-orders/orders/gen/customers/v1"
	fraudv1 "github.com/kafka-enterprise-orders/orders/gen/fraud/v1"
	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	"github.com/kafka-enterprise-orders/orders/gen/orders/v1/ordersv1connect"
	paymentsv1 "github.com/kafka-enterprise-orders/orders/gen/payments/v1"
	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/platform"
	"github.com/kafka-enterprise-orders/orders/internal/seed"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
	"github.com/kafka-enterprise-orders/orders/internal/testenv"
	"github.com/kafka-enterprise-orders/orders/services/analytics"
	"github.com/kafka-enterprise-orders/orders/services/fraud"
	"github.com/kafka-enterprise-orders/orders/services/orderproducer"
	"github.com/kafka-enterprise-orders/orders/services/payment"
)

// platformUnderTest is the four services on an embedded broker and registry.
type platformUnderTest struct {
	cfg       stream.Config
	topics    *events.Topics
	producer  *orderproducer.Service
	payment   *payment.Service
	fraud     *fraud.Service
	analytics *analytics.Service
	orders    ordersv1connect.OrderServiceClient
	// stop stops the four services (each finishes and commits its work in
	// flight); their outputs are then complete.
	stop func()
}

func common(cfg stream.Config) platform.Common { return platform.Common{Kafka: cfg} }

// startPlatform publishes the seeded customers (as pg-source would), then
// starts every service in-process, and an HTTP server for OrderService.
// crash, when set, gives each transactional worker (payment, fraud,
// analytics) its before-commit hook; every service gets the options extra.
func startPlatform(t *testing.T, crash func(worker string) func(ctx context.Context, batch int) error, extra ...platform.Option) *platformUnderTest {
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

	if p.producer, err = orderproducer.New(ctx, orderproducer.Config{Common: common(cfg), Customers: 10}, log.With("service", "order-producer"), extra...); err != nil {
		t.Fatal(err)
	}
	pc := payment.Config{Common: common(cfg), Group: "payment-service", TransactionalID: "payment-test",
		Rules: payment.Rules{MinAmount: 1, MaxAmount: 10000, DefaultCreditLimit: 1000, FailureRate: 0}}
	hook := func(worker string) []platform.Option {
		opts := append([]platform.Option{platform.WithBeforeCommit(nil)}, extra...)
		if crash != nil {
			opts[0] = platform.WithBeforeCommit(crash(worker))
		}
		return opts
	}
	if p.payment, err = payment.New(ctx, pc, log.With("service", "payment"), hook("payment")...); err != nil {
		t.Fatal(err)
	}
	if p.fraud, err = fraud.New(ctx, fraud.Config{Common: common(cfg), Group: "fraud-service", TransactionalID: "fraud-test"}, log.With("service", "fraud"), hook("fraud")...); err != nil {
		t.Fatal(err)
	}
	if p.analytics, err = analytics.New(ctx, analytics.Config{Common: common(cfg), Group: "analytics-service", TransactionalID: "analytics-test"}, log.With("service", "analytics"), hook("analytics")...); err != nil {
		t.Fatal(err)
	}

	stops := []func(){
		testenv.Run(t, "order-producer", p.producer.Run),
		testenv.Run(t, "payment-service", p.payment.Run),
		testenv.Run(t, "fraud-service", p.fraud.Run),
		testenv.Run(t, "analytics-service", p.analytics.Run),
	}
	p.stop = func() {
		for _, stop := range stops {
			stop()
		}
	}
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

func publishCustomers(t *testing.T, cfg stream.Config, topics *events.Topics) {
	t.Helper()
	ctx := context.Background()
	if err := stream.EnsureTopics(ctx, cfg, false, stream.TopicSpec{Name: events.CustomersTopic, Compact: true}); err != nil {
		t.Fatal(err)
	}
	prod, err := stream.NewProducer(cfg, "customers")
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close(ctx)
	pub := stream.Publisher[*customersv1.Customer]{Producer: prod, Topic: topics.Customers}
	for _, c := range seed.Customers(20) {
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

// Seeded customers used below (see seed.Customers):
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

// knownTotals are the per-country statistics of knownOrders, in minor
// units, worked out by hand from their line items.
var knownTotals = totals{
	"DE": {"EUR": {4, 4998 + 50 + 259800 + 3200}, "USD": {1, 5490}},
	"FR": {"EUR": {1, 3200}},
	"GB": {"GBP": {1, 1299}},
	"NG": {"EUR": {1, 11995}},
	"US": {"USD": {2, 35300 + 224500}},
}

// TestPipelineExactOutcomes sends a known set of orders through PlaceOrder
// and checks every payment, every alert and every per-country total that
// the services publish: once the services stopped, each output topic read
// to its end holds exactly what the orders call for.
func TestPipelineExactOutcomes(t *testing.T) {
	p := startPlatform(t, nil)
	payments := testenv.Collect(t, p.cfg, p.topics.Payments)
	alerts := testenv.Collect(t, p.cfg, p.topics.FraudAlerts)
	stats := testenv.Collect(t, p.cfg, p.topics.OrderAnalytics)
	ctx := context.Background()

	exp := knownOrders()
	placed := map[string]*ordersv1.Order{}
	var ids, flagged []string
	for _, e := range exp {
		res, err := p.orders.PlaceOrder(ctx, e.req)
		if err != nil {
			t.Fatalf("PlaceOrder(%s): %v", e.req.OrderId, err)
		}
		placed[e.req.OrderId] = res.GetOrder()
		ids = append(ids, e.req.OrderId)
		if e.alerted != nil {
			flagged = append(flagged, e.req.OrderId)
		}
	}
	// A retried PlaceOrder is idempotent: same order back, nothing published.
	again, err := p.orders.PlaceOrder(ctx, exp[0].req)
	if err != nil || again.GetOrder().GetCreatedAt().AsTime() != placed[exp[0].req.OrderId].GetCreatedAt().AsTime() {
		t.Fatalf("retried PlaceOrder = %v, %v; want the first order", again, err)
	}

	testenv.WaitForAll(t, 60*time.Second, "a payment per order", missingKeys(payments.Latest, ids))
	testenv.WaitForAll(t, 60*time.Second, "an alert per flagged order", missingKeys(alerts.Latest, flagged))
	testenv.WaitForAll(t, 60*time.Second, "country totals", missingTotals(stats.Latest, knownTotals))

	// The order-status view joins it all.
	testenv.WaitFor(t, 30*time.Second, "order view joined", func() bool {
		res, err := p.orders.GetOrder(ctx, &ordersv1.GetOrderRequest{OrderId: "ord-abroad-1"})
		return err == nil && res.GetOrder().GetStatus() == ordersv1.OrderStatus_ORDER_STATUS_PAID && res.GetOrder().GetFlagged()
	})
	var res *ordersv1.GetOrderResponse
	testenv.WaitFor(t, 30*time.Second, "declined status", func() bool {
		res, err = p.orders.GetOrder(ctx, &ordersv1.GetOrderRequest{OrderId: "ord-limit-01"})
		return err == nil && res.GetOrder().GetStatus() == ordersv1.OrderStatus_ORDER_STATUS_DECLINED
	})
	if res.GetOrder().GetDeclineReason() == "" || !res.GetOrder().GetFlagged() {
		t.Errorf("ord-limit-01 view = %v, want a decline reason and a flag", res.GetOrder())
	}

	p.stop()
	gotPayments := map[string]*paymentsv1.Payment{}
	for _, r := range testenv.ReadToEnd(t, p.cfg, p.topics.Payments) {
		if _, dup := gotPayments[r.Key]; dup {
			t.Errorf("second payment for order %s", r.Key)
		}
		gotPayments[r.Key] = r.Value
	}
	gotAlerts := map[string]*fraudv1.FraudAlert{}
	for _, r := range testenv.ReadToEnd(t, p.cfg, p.topics.FraudAlerts) {
		if _, dup := gotAlerts[r.Key]; dup {
			t.Errorf("second alert for order %s", r.Key)
		}
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
		t.Errorf("payments for %d orders, want %d", len(gotPayments), len(exp))
	}
	if len(gotAlerts) != len(flagged) {
		t.Errorf("alerts for %d orders, want %d", len(gotAlerts), len(flagged))
	}
	checkTotals(t, latest(testenv.ReadToEnd(t, p.cfg, p.topics.OrderAnalytics)), knownTotals)
}

// missingKeys returns a check for testenv.WaitForAll: the ids that have no
// value in the map latest returns.
func missingKeys[V any](latest func() map[string]V, ids []string) func() []string {
	return func() []string {
		got := latest()
		var missing []string
		for _, id := range ids {
			if _, ok := got[id]; !ok {
				missing = append(missing, id)
			}
		}
		return missing
	}
}

// missingTotals returns a check for testenv.WaitForAll: the countries whose
// published order count is short of want's.
func missingTotals(latest func() map[string]*analyticsv1.CountryStats, want totals) func() []string {
	return func() []string {
		got := latest()
		var missing []string
		for country, byCurrency := range want {
			var n int64
			for _, a := range byCurrency {
				n += a.orders
			}
			if c := got[country].GetOrderCount(); c < n {
				missing = append(missing, fmt.Sprintf("%s (%d of %d orders)", country, c, n))
			}
		}
		return missing
	}
}

// latest returns the last value read per key.
func latest[T stream.Event](recs []stream.Record[T]) map[string]T {
	out := map[string]T{}
	for _, r := range recs {
		out[r.Key] = r.Value
	}
	return out
}

// totals are expected statistics: per country, per currency, the orders
// and their sum.
type totals map[string]map[string]amount

type amount struct{ orders, minor int64 }

// checkTotals compares the published statistics with want in both
// directions: every country and currency expected is there with its exact
// count and sum, and nothing else is.
func checkTotals(t *testing.T, got map[string]*analyticsv1.CountryStats, want totals) {
	t.Helper()
	for country, byCurrency := range want {
		cs := got[country]
		if cs == nil {
			t.Errorf("%s: no statistics, want %v", country, byCurrency)
			continue
		}
		var n int64
		for _, a := range byCurrency {
			n += a.orders
		}
		if cs.GetCountry() != country || cs.GetOrderCount() != n {
			t.Errorf("%s: statistics of %q with %d orders, want %d", country, cs.GetCountry(), cs.GetOrderCount(), n)
		}
		gotCurrency := map[string]amount{}
		for _, tot := range cs.GetTotals() {
			if _, dup := gotCurrency[tot.GetCurrency()]; dup {
				t.Errorf("%s: two totals in %s", country, tot.GetCurrency())
			}
			gotCurrency[tot.GetCurrency()] = amount{tot.GetOrderCount(), tot.GetAmountMinor()}
		}
		for currency, w := range byCurrency {
			if g, ok := gotCurrency[currency]; !ok || g != w {
				t.Errorf("%s/%s: %d orders, %d total (present: %t); want %d, %d", country, currency, g.orders, g.minor, ok, w.orders, w.minor)
			}
		}
		for currency, g := range gotCurrency {
			if _, ok := byCurrency[currency]; !ok {
				t.Errorf("%s/%s: unexpected total of %d orders, %d", country, currency, g.orders, g.minor)
			}
		}
	}
	for country, cs := range got {
		if _, ok := want[country]; !ok {
			t.Errorf("%s: unexpected statistics %v", country, cs)
		}
	}
}

var errCrash = errors.New("simulated crash before commit")

// crashTotals are the statistics of the crash test's 300 orders (generator
// seed 3, 10 customers), pinned: a change to the generator changes them.
var crashTotals = totals{
	"AU": {"AUD": {30, 1911558}, "GBP": {1, 1110}},
	"BR": {"GBP": {1, 13600}},
	"CA": {"CAD": {45, 2287553}},
	"DE": {"AUD": {1, 21100}, "EUR": {32, 941140}},
	"ES": {"EUR": {30, 2073174}},
	"GB": {"GBP": {67, 2073464}},
	"IN": {"GBP": {1, 2735}, "USD": {1, 15100}},
	"IT": {"GBP": {1, 11900}},
	"JP": {"CAD": {1, 19000}},
	"NG": {"EUR": {2, 45800}, "GBP": {1, 2136}},
	"NL": {"GBP": {3, 57950}},
	"SE": {"GBP": {1, 11000}, "SEK": {25, 9416600}},
	"US": {"CAD": {1, 17600}, "USD": {56, 2569563}},
}

// TestCrashesKeepExactlyOnce abandons the payment, fraud and analytics
// transactions (the worker's clients are dropped without commit, as a
// killed process would leave them) while orders stream in: each worker's
// first commit, then at random up to three per worker. Every worker must
// have crashed; every order still has exactly one payment, the totals are
// exact, and the alerts are those one uninterrupted fraud engine raises:
// the velocity history comes back after each crash.
func TestCrashesKeepExactlyOnce(t *testing.T) {
	const maxCrashes = 3
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(42, 7))
	crashes, commits := map[string]int{}, map[string]int{}
	crash := func(worker string) func(context.Context, int) error {
		return func(context.Context, int) error {
			mu.Lock()
			defer mu.Unlock()
			commits[worker]++
			if commits[worker] == 1 || (crashes[worker] < maxCrashes && rng.IntN(3) == 0) {
				crashes[worker]++
				return errCrash
			}
			return nil
		}
	}
	p := startPlatform(t, crash)
	payments := testenv.Collect(t, p.cfg, p.topics.Payments)
	stats := testenv.Collect(t, p.cfg, p.topics.OrderAnalytics)
	alerts := testenv.Collect(t, p.cfg, p.topics.FraudAlerts)

	gen := orderproducer.NewGenerator(3, 10, "")
	var ids []string
	var sent []*ordersv1.Order
	prod, err := stream.NewProducer(p.cfg, "crash-test")
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close(context.Background())
	pub := stream.Publisher[*ordersv1.Order]{Producer: prod, Topic: p.topics.Orders}
	const n = 300
	for i := range n {
		o := gen.Next(time.Now())
		ids = append(ids, o.OrderId)
		sent = append(sent, o)
		if err := pub.Publish(context.Background(), o.CustomerId, o); err != nil {
			t.Fatal(err)
		}
		if i%50 == 0 {
			time.Sleep(100 * time.Millisecond) // spread the orders over several transactions
		}
	}
	want := expectedAlerts(sent)
	var flagged []string
	for id := range want {
		flagged = append(flagged, id)
	}
	testenv.WaitForAll(t, 120*time.Second, "a payment per order", missingKeys(payments.Latest, ids))
	testenv.WaitForAll(t, 120*time.Second, "all totals", missingTotals(stats.Latest, crashTotals))
	testenv.WaitForAll(t, 120*time.Second, "an alert per flagged order", missingKeys(alerts.Latest, flagged))
	p.stop()

	mu.Lock()
	t.Logf("crashes %v in commits %v", crashes, commits)
	for _, w := range []string{"payment", "fraud", "analytics"} {
		if crashes[w] == 0 {
			t.Errorf("the %s worker never crashed (%d commits); the test proves nothing for it", w, commits[w])
		}
	}
	mu.Unlock()
	checkOnePaymentEach(t, testenv.ReadToEnd(t, p.cfg, p.topics.Payments), ids)
	checkTotals(t, latest(testenv.ReadToEnd(t, p.cfg, p.topics.OrderAnalytics)), crashTotals)
	checkAlerts(t, testenv.ReadToEnd(t, p.cfg, p.topics.FraudAlerts), want)
}

// expectedAlerts returns, per order id, the alert one fraud engine raises
// scoring the orders in the order they were sent, with the seeded
// customers.
func expectedAlerts(sent []*ordersv1.Order) map[string]string {
	customers := map[string]*customersv1.Customer{}
	for _, c := range seed.Customers(20) {
		customers[c.CustomerId] = c
	}
	engine := fraud.NewEngine(fraud.DefaultRules())
	want := map[string]string{}
	for _, o := range sent {
		if a := engine.Evaluate(o, customers[o.CustomerId]); a != nil {
			want[o.OrderId] = describeAlert(a)
		}
	}
	return want
}

// checkAlerts compares the published alerts with want: one alert per
// flagged order, with the same rules and score, and no other.
func checkAlerts(t *testing.T, alerts []stream.Record[*fraudv1.FraudAlert], want map[string]string) {
	t.Helper()
	got := map[string]string{}
	for _, r := range alerts {
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
	if len(want) == 0 {
		t.Error("no order was flagged; the alert check proves nothing")
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
func checkOnePaymentEach(t *testing.T, payments []stream.Record[*paymentsv1.Payment], placed []string) {
	t.Helper()
	seen := map[string]int{}
	for _, r := range payments {
		seen[r.Key]++
	}
	want := map[string]bool{}
	for _, id := range placed {
		want[id] = true
		if seen[id] != 1 {
			t.Errorf("order %s has %d payments, want 1", id, seen[id])
		}
	}
	for id, n := range seen {
		if !want[id] {
			t.Errorf("%d payments for order %s, which was never placed", n, id)
		}
	}
}
