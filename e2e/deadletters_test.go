package e2e_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	analyticsv1 "github.com/kafka-enterprise-orders/orders/gen/analytics/v1"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"

	deadlettersv1 "github.com/kafka-enterprise-orders/orders/gen/deadletters/v1"
	"github.com/kafka-enterprise-orders/orders/gen/deadletters/v1/deadlettersv1connect"
	fraudv1 "github.com/kafka-enterprise-orders/orders/gen/fraud/v1"
	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	paymentsv1 "github.com/kafka-enterprise-orders/orders/gen/payments/v1"
	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/platform"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
	"github.com/kafka-enterprise-orders/orders/internal/testenv"
	"github.com/kafka-enterprise-orders/orders/services/deadletters"
)

// The consumer groups that read `orders`, and analytics' second stage.
var ordersGroups = []string{"payment-service", "fraud-service", "analytics-service-repartition"}

const (
	waitingStatus  = deadlettersv1.DeadLetterStatus_DEAD_LETTER_STATUS_WAITING
	replayedStatus = deadlettersv1.DeadLetterStatus_DEAD_LETTER_STATUS_REPLAYED
)

// poisonProducer is a producer of raw records, closed with the test.
func poisonProducer(t *testing.T, cfg stream.Config) *stream.Producer {
	t.Helper()
	prod, err := stream.NewProducer(cfg, "poison")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = prod.Close(context.Background()) })
	return prod
}

// startDeadLetters runs a dead-letter-service on the platform's cluster
// and returns a client of it.
func startDeadLetters(t *testing.T, p *platformUnderTest, configure func(*deadletters.Config), opts ...platform.Option) deadlettersv1connect.DeadLetterServiceClient {
	t.Helper()
	cfg := deadletters.DefaultConfig()
	cfg.Common = common(p.cfg)
	if configure != nil {
		configure(&cfg)
	}
	svc, err := deadletters.New(context.Background(), cfg, testenv.Logger(t).With("service", "dead-letters"), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(testenv.Run(t, "dead-letter-service", svc.Run))
	srv := httptest.NewUnstartedServer(svc.Handler())
	srv.EnableHTTP2 = true
	srv.Start()
	t.Cleanup(srv.Close)
	testenv.WaitForNil(t, 60*time.Second, "dead-letter-service ready", svc.CheckReady)
	return deadlettersv1connect.NewDeadLetterServiceClient(srv.Client(), srv.URL)
}

// lateSchema prepares a new version of subject's schema that the registry
// does not know yet: the id it will get, and the call that registers it
// under subject and the others given. A record written with that id fails
// to decode (the registry answers 404) until the schema is registered: the
// classic "schema registered late" poison, which the fix at its cause
// turns into a good record.
func lateSchema(t *testing.T, registryURL, subject string, others ...string) (uint32, func()) {
	t.Helper()
	var all []struct {
		ID uint32 `json:"id"`
	}
	getJSON(t, registryURL+"/schemas", &all)
	next := uint32(1)
	for _, s := range all {
		next = max(next, s.ID+1)
	}
	var latest map[string]any
	getJSON(t, registryURL+"/subjects/"+subject+"/versions/latest", &latest)
	body, err := json.Marshal(map[string]any{
		"schemaType": latest["schemaType"], "references": latest["references"],
		"schema": fmt.Sprint(latest["schema"]) + "\n// registered late\n",
	})
	if err != nil {
		t.Fatal(err)
	}
	return next, func() {
		for _, subj := range append([]string{subject}, others...) {
			res, err := http.Post(registryURL+"/subjects/"+subj+"/versions", "application/vnd.schemaregistry.v1+json", bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			var got struct {
				ID uint32 `json:"id"`
			}
			err = json.NewDecoder(res.Body).Decode(&got)
			res.Body.Close()
			if err != nil || res.StatusCode != http.StatusOK {
				t.Fatalf("register the late schema under %s: %s, %v", subj, res.Status, err)
			}
			if got.ID != next {
				t.Fatalf("the late schema got id %d under %s, the poison records carry %d", got.ID, subj, next)
			}
		}
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, res.Status)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// withSchemaID rewrites the schema id of a Confluent wire-format value.
func withSchemaID(value []byte, id uint32) []byte {
	out := bytes.Clone(value)
	binary.BigEndian.PutUint32(out[1:5], id)
	return out
}

// bigOrder is an order the fraud rules flag (over 2,000 EUR), so fraud
// publishes an alert for it: every group's processing is visible.
func bigOrder(id, country string) *ordersv1.Order {
	o := validOrder(id)
	o.Country, o.Items = country, []*ordersv1.LineItem{item("SKU-1001", 2, 250000)}
	o.AmountMinor = events.Total(o.Items)
	return o
}

// lettersOf lists a topic's dead letters matching filter (the topic set).
func lettersOf(t *testing.T, dlq deadlettersv1connect.DeadLetterServiceClient, f *deadlettersv1.DeadLetterFilter) []*deadlettersv1.DeadLetter {
	t.Helper()
	var out []*deadlettersv1.DeadLetter
	token := ""
	for {
		res, err := dlq.ListDeadLetters(context.Background(), &deadlettersv1.ListDeadLettersRequest{Filter: f, PageSize: 1000, PageToken: token})
		if err != nil {
			t.Fatalf("list dead letters: %v", err)
		}
		out = append(out, res.GetDeadLetters()...)
		if token = res.GetNextPageToken(); token == "" {
			return out
		}
	}
}

// waitLetters waits until filter matches want dead letters and returns them.
func waitLetters(t *testing.T, dlq deadlettersv1connect.DeadLetterServiceClient, f *deadlettersv1.DeadLetterFilter, want int) []*deadlettersv1.DeadLetter {
	t.Helper()
	var got []*deadlettersv1.DeadLetter
	testenv.WaitFor(t, 90*time.Second, fmt.Sprintf("%d dead letters of %s", want, f.GetTopic()), func() bool {
		got = lettersOf(t, dlq, f)
		return len(got) >= want
	}, func() string { return fmt.Sprintf("%d so far", len(got)) })
	return got
}

func ids(letters []*deadlettersv1.DeadLetter) []string {
	out := make([]string, len(letters))
	for i, l := range letters {
		out[i] = l.GetId()
	}
	return out
}

// sentinel places a big order to PT for cus-0001 (the partition of the
// poison and its replays) and waits until it is paid, flagged and counted
// with count PT orders in all: every group has then passed whatever was
// written to that partition before it.
func sentinel(t *testing.T, p *platformUnderTest, payments *testenv.Collector[*paymentsv1.Payment], alerts *testenv.Collector[*fraudv1.FraudAlert], totals *testenv.Collector[*analyticsv1.CountryStats], count int64) {
	t.Helper()
	res, err := p.orders.PlaceOrder(context.Background(), placeRequest(bigOrder("", "PT")))
	if err != nil {
		t.Fatal(err)
	}
	id := res.GetOrder().GetOrderId()
	testenv.WaitFor(t, 60*time.Second, "the sentinel order "+id+" paid, flagged and counted", func() bool {
		return payments.Latest()[id] != nil && alerts.Latest()[id] != nil && totals.Latest()["PT"].GetOrderCount() >= count
	})
}

// TestDeadLettersAreReplayedOnceToTheConsumerThatFailed follows a poison
// order through the whole path for every consumer group that reads
// `orders`, and for analytics' second stage: the order is written with a
// schema the registry does not know yet, so each group dead-letters it.
// The schema is then registered (the fix at the cause); each group's dead
// letter is replayed, and only that group processes it. The order is paid
// once, flagged once and counted once, and a second replay does nothing.
func TestDeadLettersAreReplayedOnceToTheConsumerThatFailed(t *testing.T) {
	p := startPlatform(t, nil)
	dlq := startDeadLetters(t, p, nil)
	payments := testenv.Collect(t, p.cfg, p.topics.Payments)
	alerts := testenv.Collect(t, p.cfg, p.topics.FraudAlerts)
	totals := testenv.Collect(t, p.cfg, p.topics.OrderAnalytics)
	prod := poisonProducer(t, p.cfg)

	// Encoding a good order registers the orders-value schema first.
	good, err := p.topics.Orders.Message("cus-0001", bigOrder("ord-late-0000", "PT"))
	if err != nil {
		t.Fatal(err)
	}
	lateID, register := lateSchema(t, p.cfg.SchemaRegistryURL, "orders-value", events.OrdersByCountryTopic+"-value")
	poison, err := p.topics.Orders.Message("cus-0001", bigOrder("ord-late-0001", "PT"))
	if err != nil {
		t.Fatal(err)
	}
	_, offset := produceRaw(t, prod, "cus-0001", withSchemaID(poison.Value, lateID))
	// The same poison in analytics' repartition topic, for its second stage.
	repoison := &stream.Message{Topic: events.OrdersByCountryTopic, Key: []byte("PT"), Value: withSchemaID(good.Value, lateID)}
	if err := prod.ProduceSync(context.Background(), repoison); err != nil {
		t.Fatal(err)
	}

	onOrders := waitLetters(t, dlq, &deadlettersv1.DeadLetterFilter{Topic: events.OrdersTopic}, len(ordersGroups))
	onRepartition := waitLetters(t, dlq, &deadlettersv1.DeadLetterFilter{Topic: events.OrdersByCountryTopic}, 1)
	for _, l := range onOrders {
		if l.GetStatus() != waitingStatus || l.GetErrorClass() != "deserialization" || l.GetSourceOffset() != offset || l.GetNotReplayable() != "" {
			t.Errorf("dead letter %s: status %s class %s offset %d (want %d) not replayable %q", l.GetId(), l.GetStatus(), l.GetErrorClass(), l.GetSourceOffset(), offset, l.GetNotReplayable())
		}
	}
	if c := onRepartition[0].GetConsumer(); c != "analytics-service" {
		t.Errorf("repartition dead letter from %q, want analytics-service", c)
	}
	byGroup := map[string]string{}
	for _, l := range onOrders {
		byGroup[l.GetConsumer()] = l.GetId()
	}
	shown, err := dlq.GetDeadLetter(context.Background(), &deadlettersv1.GetDeadLetterRequest{Id: byGroup["payment-service"]})
	if err != nil {
		t.Fatal(err)
	}
	if shown.GetValue() != nil || !strings.Contains(shown.GetDecodeError(), "404") && !strings.Contains(strings.ToLower(shown.GetDecodeError()), "not found") {
		t.Errorf("before the fix the value should not decode, for want of its schema: %q", shown.GetDecodeError())
	}

	register() // the fix at the cause
	shown, err = dlq.GetDeadLetter(context.Background(), &deadlettersv1.GetDeadLetterRequest{Id: byGroup["payment-service"]})
	if err != nil {
		t.Fatal(err)
	}
	if shown.GetValueType() != "orders.v1.Order" || shown.GetValue().GetStructValue().GetFields()["orderId"].GetStringValue() != "ord-late-0001" {
		t.Errorf("after the fix the value should decode as the order: type %q value %v error %q", shown.GetValueType(), shown.GetValue(), shown.GetDecodeError())
	}

	// Payment's dead letter first: only payment processes the replay.
	replay := func(ids ...string) *deadlettersv1.ReplayDeadLettersResponse {
		t.Helper()
		res, err := dlq.ReplayDeadLetters(context.Background(), &deadlettersv1.ReplayDeadLettersRequest{Ids: ids, Reason: "schema registered", Operator: "tester"})
		if err != nil {
			t.Fatalf("replay %v: %v", ids, err)
		}
		return res
	}
	if res := replay(byGroup["payment-service"]); len(res.GetReplayed()) != 1 {
		t.Fatalf("replayed %d, want 1: %v", len(res.GetReplayed()), res)
	}
	testenv.WaitFor(t, 60*time.Second, "the replayed order paid", func() bool { return payments.Latest()["ord-late-0001"] != nil })
	// The order view, which could not decode the order either, has it now.
	testenv.WaitForNil(t, 30*time.Second, "the replayed order in the order view", func() error {
		_, err := p.orders.GetOrder(context.Background(), &ordersv1.GetOrderRequest{OrderId: "ord-late-0001"})
		return err
	})
	sentinel(t, p, payments, alerts, totals, 1)
	if alerts.Latest()["ord-late-0001"] != nil || totals.Latest()["PT"].GetOrderCount() != 1 {
		t.Fatal("fraud or analytics processed a replay addressed to payment")
	}

	// Then the others, by id, in one call.
	rest := []string{byGroup["fraud-service"], byGroup["analytics-service-repartition"], onRepartition[0].GetId()}
	if res := replay(rest...); len(res.GetReplayed()) != 3 {
		t.Fatalf("replayed %d, want 3: %v", len(res.GetReplayed()), res)
	}
	testenv.WaitFor(t, 60*time.Second, "the replayed order flagged and counted by both stages", func() bool {
		pt := totals.Latest()["PT"]
		return alerts.Latest()["ord-late-0001"] != nil && pt.GetOrderCount() == 3
	})

	// A second replay of the same dead letters does nothing.
	again := replay(append(rest, byGroup["payment-service"])...)
	if len(again.GetReplayed()) != 0 || len(again.GetSkipped()) != 4 {
		t.Fatalf("second replay: replayed %d skipped %d, want 0 and 4", len(again.GetReplayed()), len(again.GetSkipped()))
	}
	for _, s := range again.GetSkipped() {
		if s.GetStatus() != replayedStatus || !strings.Contains(s.GetDetail(), "already replayed") {
			t.Errorf("skipped %s: %s %q", s.GetId(), s.GetStatus(), s.GetDetail())
		}
	}
	// Once a later order is through every group, a duplicate would be too.
	sentinel(t, p, payments, alerts, totals, 4)
	if c := totals.Latest()["PT"].GetOrderCount(); c != 4 {
		t.Errorf("PT counted %d orders, want 4: two sentinels, the replayed order, the replayed repartition record", c)
	}
	assertOnce(t, "payment", recordKeys(payments.All()), "ord-late-0001")
	assertOnce(t, "fraud alert", recordKeys(alerts.All()), "ord-late-0001")

	listed := lettersOf(t, dlq, &deadlettersv1.DeadLetterFilter{Topic: events.OrdersTopic, Status: replayedStatus})
	if len(listed) != 3 {
		t.Fatalf("%d replayed dead letters of orders listed, want 3", len(listed))
	}
	for _, l := range listed {
		r := l.GetResolution()
		if r.GetBy() != "tester (unauthenticated)" || r.GetReason() != "schema registered" || r.GetReplayedToTopic() != events.OrdersTopic || r.GetReplayedToOffset() <= offset {
			t.Errorf("audit of %s: %v", l.GetId(), r)
		}
	}
}

func recordKeys[T stream.Event](recs []stream.Record[T]) []string {
	out := make([]string, 0, len(recs))
	for _, r := range recs {
		out = append(out, r.Key)
	}
	return out
}

func assertOnce(t *testing.T, what string, keys []string, key string) {
	t.Helper()
	if n := countOf(keys, key); n != 1 {
		t.Errorf("%d %ss for %s, want exactly 1", n, what, key)
	}
}

func countOf(keys []string, key string) int {
	n := 0
	for _, k := range keys {
		if k == key {
			n++
		}
	}
	return n
}

func placeRequest(o *ordersv1.Order) *ordersv1.PlaceOrderRequest {
	return &ordersv1.PlaceOrderRequest{CustomerId: o.GetCustomerId(), Country: o.GetCountry(), Currency: o.GetCurrency(), Items: o.GetItems()}
}

// TestAPoisonThatKeepsFailingIsParkedThenDiscarded replays a record that
// can never decode until it has failed after every allowed replay: it is
// then parked, not replayed again, and an operator discards it with an
// audit record. Dead letters of a compacted topic and of a change from
// Postgres are not replayable, and say why.
func TestAPoisonThatKeepsFailingIsParkedThenDiscarded(t *testing.T) {
	p := startPlatform(t, nil)
	dlq := startDeadLetters(t, p, func(c *deadletters.Config) { c.MaxReplays = 2 })
	prod := poisonProducer(t, p.cfg)
	produceRaw(t, prod, "cus-0002", []byte("not protobuf, and never will be"))

	payment := &deadlettersv1.DeadLetterFilter{Topic: events.OrdersTopic, Consumer: "payment-service"}
	for round := 1; round <= 2; round++ {
		waitLetters(t, dlq, payment, round)
		res, err := dlq.ReplayDeadLetters(context.Background(), &deadlettersv1.ReplayDeadLettersRequest{Filter: payment, Operator: "tester"})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.GetReplayed()) != 1 {
			t.Fatalf("round %d: replayed %d, want 1 (the one waiting): %v", round, len(res.GetReplayed()), res)
		}
	}
	letters := waitLetters(t, dlq, payment, 3)
	last := letters[len(letters)-1]
	if last.GetReplayCount() != 2 || last.GetStatus() != deadlettersv1.DeadLetterStatus_DEAD_LETTER_STATUS_PARKED {
		t.Fatalf("after two replays the third failure should be parked: replays %d status %s", last.GetReplayCount(), last.GetStatus())
	}
	if others := lettersOf(t, dlq, &deadlettersv1.DeadLetterFilter{Topic: events.OrdersTopic, Consumer: "fraud-service"}); len(others) != 1 {
		t.Errorf("fraud has %d dead letters, want its first only: replays addressed to payment reached it", len(others))
	}
	res, err := dlq.ReplayDeadLetters(context.Background(), &deadlettersv1.ReplayDeadLettersRequest{Ids: []string{last.GetId()}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.GetReplayed()) != 0 || len(res.GetSkipped()) != 1 || !strings.Contains(res.GetSkipped()[0].GetDetail(), "parked") {
		t.Fatalf("a parked dead letter was replayed: %v", res)
	}

	_, err = dlq.DiscardDeadLetters(context.Background(), &deadlettersv1.DiscardDeadLettersRequest{Ids: []string{last.GetId()}})
	if connect.CodeOf(err) != connect.CodeInvalidArgument || !strings.Contains(err.Error(), "reason") {
		t.Errorf("discard without a reason: %v, want InvalidArgument naming reason", err)
	}
	disc, err := dlq.DiscardDeadLetters(context.Background(), &deadlettersv1.DiscardDeadLettersRequest{Ids: []string{last.GetId()}, Reason: "not an order: a test producer's text", Operator: "tester"})
	if err != nil || len(disc.GetDiscarded()) != 1 {
		t.Fatalf("discard: %v %v", disc, err)
	}
	got, err := dlq.GetDeadLetter(context.Background(), &deadlettersv1.GetDeadLetterRequest{Id: last.GetId()})
	if err != nil {
		t.Fatal(err)
	}
	r := got.GetDeadLetter().GetResolution()
	if got.GetDeadLetter().GetStatus() != deadlettersv1.DeadLetterStatus_DEAD_LETTER_STATUS_DISCARDED || r.GetBy() != "tester (unauthenticated)" ||
		r.GetReason() != "not an order: a test producer's text" || r.GetAt() == nil {
		t.Errorf("discard audit: %v", got.GetDeadLetter())
	}
	if !bytes.Equal(got.GetRawValue(), []byte("not protobuf, and never will be")) {
		t.Errorf("the discarded record's data is gone: %q", got.GetRawValue())
	}

	// Not replayable: a compacted state topic's, and one from Postgres.
	for _, dl := range []*stream.Message{
		stream.DeadLetter(&stream.Message{Topic: events.OrderAnalyticsTopic, Key: []byte("PT"), Value: []byte("x")}, "couchbase-sink", stream.Invalid(errors.New("bad")), time.Now()),
		stream.ForeignDeadLetter(events.CustomersTopic, "postgres:customers", "pg-source", "validation", []byte("cus-9"), []byte("{}"), errors.New("bad row"), time.Now()),
	} {
		if err := prod.ProduceSync(context.Background(), dl); err != nil {
			t.Fatal(err)
		}
		source := strings.TrimSuffix(dl.Topic, stream.DeadLetterSuffix)
		l := waitLetters(t, dlq, &deadlettersv1.DeadLetterFilter{Topic: source}, 1)[0]
		res, err := dlq.ReplayDeadLetters(context.Background(), &deadlettersv1.ReplayDeadLettersRequest{Ids: []string{l.GetId()}})
		if err != nil {
			t.Fatal(err)
		}
		if l.GetNotReplayable() == "" || len(res.GetReplayed()) != 0 || !strings.Contains(res.GetSkipped()[0].GetDetail(), "not replayable") {
			t.Errorf("%s: not replayable %q, replay %v", source, l.GetNotReplayable(), res)
		}
	}
	_, err = dlq.GetDeadLetter(context.Background(), &deadlettersv1.GetDeadLetterRequest{Id: "orders.dlq-0-999999"})
	if connect.CodeOf(err) != connect.CodeNotFound {
		t.Errorf("a dead letter that does not exist: %v, want NotFound", err)
	}
	_, err = dlq.ListDeadLetters(context.Background(), &deadlettersv1.ListDeadLettersRequest{Filter: &deadlettersv1.DeadLetterFilter{Topic: "no-such-topic"}})
	if connect.CodeOf(err) != connect.CodeNotFound {
		t.Errorf("a topic without dead-letter topic: %v, want NotFound", err)
	}
}

// TestAThousandReplaysSurviveACrashAndARace replays 1,000 dead letters of
// each consumer group of `orders`. Payment's replay crashes after three of
// its ten transactions, leaving the fourth open, and is run again. Fraud's
// is started by two instances of the service at once. Analytics' runs
// plainly. Every order is then paid once, flagged once and counted once.
func TestAThousandReplaysSurviveACrashAndARace(t *testing.T) {
	const n = 1000
	p := startPlatform(t, nil)
	var mu sync.Mutex
	commits, crashAt := 0, 4
	crashy := platform.WithBeforeCommit(func(context.Context, int) error {
		mu.Lock()
		defer mu.Unlock()
		commits++
		if commits == crashAt {
			return errors.New("injected crash before the fourth commit")
		}
		return nil
	})
	small := func(c *deadletters.Config) { c.ReplayBatch = 100 }
	dlq := startDeadLetters(t, p, small, crashy)
	twin := startDeadLetters(t, p, small)
	payments := testenv.Collect(t, p.cfg, p.topics.Payments)
	alerts := testenv.Collect(t, p.cfg, p.topics.FraudAlerts)
	totals := testenv.Collect(t, p.cfg, p.topics.OrderAnalytics)
	prod := poisonProducer(t, p.cfg)
	if _, err := p.topics.Orders.Message("cus-0001", bigOrder("ord-bulk-0000", "IE")); err != nil {
		t.Fatal(err) // registers orders-value
	}
	lateID, register := lateSchema(t, p.cfg.SchemaRegistryURL, "orders-value")
	want := make([]string, n)
	for i := range n {
		want[i] = fmt.Sprintf("ord-bulk-%04d", i+1)
		o := bigOrder(want[i], "IE")
		o.CustomerId = fmt.Sprintf("cus-%04d", i%20+1)
		m, err := p.topics.Orders.Message(o.CustomerId, o)
		if err != nil {
			t.Fatal(err)
		}
		m.Value = withSchemaID(m.Value, lateID)
		if err := prod.Produce(m, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := prod.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, g := range ordersGroups {
		waitLetters(t, dlq, &deadlettersv1.DeadLetterFilter{Topic: events.OrdersTopic, Consumer: g}, n)
	}
	register()

	// Payment: the crash, then the run that finishes the job.
	byGroup := func(g string) *deadlettersv1.DeadLetterFilter {
		return &deadlettersv1.DeadLetterFilter{Topic: events.OrdersTopic, Consumer: g, Status: waitingStatus}
	}
	_, err := dlq.ReplayDeadLetters(context.Background(), &deadlettersv1.ReplayDeadLettersRequest{Filter: byGroup("payment-service")})
	if err == nil || !strings.Contains(err.Error(), "after 300 replayed") {
		t.Fatalf("the crashed replay: %v, want an error after 300 replayed", err)
	}
	if left := lettersOf(t, dlq, byGroup("payment-service")); len(left) != n-300 {
		t.Fatalf("%d of payment's dead letters still waiting after the crash, want %d", len(left), n-300)
	}
	res, err := dlq.ReplayDeadLetters(context.Background(), &deadlettersv1.ReplayDeadLettersRequest{Filter: byGroup("payment-service")})
	if err != nil || len(res.GetReplayed()) != n-300 {
		t.Fatalf("the replay after the crash: %d replayed, %v; want %d", len(res.GetReplayed()), err, n-300)
	}

	// Fraud: two operators at once, through two instances.
	replayed := make([]int, 2)
	var wg sync.WaitGroup
	for i, c := range []deadlettersv1connect.DeadLetterServiceClient{dlq, twin} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := c.ReplayDeadLetters(context.Background(), &deadlettersv1.ReplayDeadLettersRequest{Filter: byGroup("fraud-service")})
			if err != nil {
				t.Logf("concurrent replay %d: %v", i, err)
				if connect.CodeOf(err) != connect.CodeAborted {
					t.Errorf("a replay that lost the race: %v, want Aborted", err)
				}
				return
			}
			replayed[i] = len(res.GetReplayed())
		}()
	}
	wg.Wait()
	t.Logf("concurrent replays: %d and %d", replayed[0], replayed[1])
	if res, err := twin.ReplayDeadLetters(context.Background(), &deadlettersv1.ReplayDeadLettersRequest{Filter: byGroup("fraud-service")}); err != nil {
		t.Fatal(err)
	} else if total := replayed[0] + replayed[1] + len(res.GetReplayed()); total > n {
		t.Fatalf("fraud's dead letters replayed %d times in all, more than the %d there are", total, n)
	}

	// Analytics, plainly.
	if res, err := twin.ReplayDeadLetters(context.Background(), &deadlettersv1.ReplayDeadLettersRequest{Filter: byGroup("analytics-service-repartition")}); err != nil || len(res.GetReplayed()) != n {
		t.Fatalf("analytics replay: %v", err)
	}

	testenv.WaitForAll(t, 120*time.Second, "every replayed order paid and flagged", func() []string {
		return append(testenv.Absent(want, payments.Latest()), testenv.Absent(want, alerts.Latest())...)
	})
	testenv.WaitFor(t, 60*time.Second, "every replayed order counted", func() bool { return totals.Latest()["IE"].GetOrderCount() == n })
	for _, g := range ordersGroups {
		if left := lettersOf(t, dlq, byGroup(g)); len(left) != 0 {
			t.Errorf("%s: %d dead letters still waiting", g, len(left))
		}
	}
	paid, flagged := recordKeys(payments.All()), recordKeys(alerts.All())
	for _, id := range want {
		if countOf(paid, id) != 1 || countOf(flagged, id) != 1 {
			t.Fatalf("%s: %d payments and %d alerts, want 1 each", id, countOf(paid, id), countOf(flagged, id))
		}
	}
	if c := totals.Latest()["IE"].GetOrderCount(); c != n {
		t.Errorf("IE counted %d orders, want %d", c, n)
	}
	if slices.Contains(paid, "ord-bulk-0000") {
		t.Error("the order only encoded to register the schema was paid")
	}
}
