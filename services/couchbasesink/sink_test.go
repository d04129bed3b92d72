package couchbasesink_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/couchbase/gocb/v2"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	analyticsv1 "github.com/kafka-enterprise-orders/orders/gen/analytics/v1"
	paymentsv1 "github.com/kafka-enterprise-orders/orders/gen/payments/v1"
	"github.com/kafka-enterprise-orders/orders/internal/config"
	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/sandbox/caves"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
	"github.com/kafka-enterprise-orders/orders/internal/testenv"
	"github.com/kafka-enterprise-orders/orders/services/couchbasesink"
)

// env is an embedded Kafka with Schema Registry, a gocaves cluster, and the
// test's own clients of both.
type env struct {
	kcfg    stream.Config
	topics  *events.Topics
	cb      caves.Cluster
	cluster *gocb.Cluster
	prod    *stream.Producer
	stats   stream.Publisher[*analyticsv1.CountryStats]
}

func newEnv(t *testing.T) *env {
	t.Helper()
	kcfg, _ := testenv.Kafka(t)
	// gocaves first: cleanups run last-in first-out, so every gocb client
	// (registered later) closes before the cluster goes away.
	cb := testenv.Couchbase(t)
	cluster, err := gocb.Connect(cb.ConnStr, gocb.ClusterOptions{
		Authenticator: gocb.PasswordAuthenticator{Username: cb.Username, Password: cb.Password},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cluster.Close(nil) })
	topics, err := events.Open(kcfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	err = stream.EnsureTopics(ctx, kcfg, true,
		stream.TopicSpec{Name: events.OrderAnalyticsTopic, Compact: true}, stream.TopicSpec{Name: events.PaymentsTopic})
	if err != nil {
		t.Fatal(err)
	}
	prod, err := stream.NewProducer(kcfg, "test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = prod.Close(context.Background()) })
	return &env{
		kcfg: kcfg, topics: topics, cb: cb, cluster: cluster, prod: prod,
		stats: stream.Publisher[*analyticsv1.CountryStats]{Producer: prod, Topic: topics.OrderAnalytics},
	}
}

// sink is a running couchbase-sink.
type sink struct {
	*couchbasesink.Service
	stop   func()
	group  string
	topics []string
}

// startSink runs the sink configured by flags, as `orders couchbase-sink`
// would be, against the test's Kafka and gocaves cluster.
func (e *env) startSink(t *testing.T, args ...string) *sink {
	t.Helper()
	var cfg couchbasesink.Config
	set := config.New("couchbase-sink", "test", config.WithOutput(io.Discard),
		config.WithLookupEnv(func(string) (string, bool) { return "", false }))
	cfg.Register(set)
	base := []string{"--listen-addr=", "--couchbase-url=" + e.cb.ConnStr,
		"--couchbase-username=" + e.cb.Username, "--couchbase-password=" + e.cb.Password}
	if err := set.Parse(append(base, args...)); err != nil {
		t.Fatal(err)
	}
	cfg.Kafka = e.kcfg
	svc, err := couchbasesink.New(context.Background(), cfg, testenv.Logger(t).With("service", "couchbase-sink"))
	if err != nil {
		t.Fatal(err)
	}
	return &sink{Service: svc, stop: testenv.Run(t, "couchbase-sink", svc.Run), group: cfg.Group, topics: cfg.Topics}
}

func (s *sink) waitReady(t *testing.T) {
	t.Helper()
	testenv.WaitFor(t, 60*time.Second, "sink ready", func() bool { return s.Ready.Check() == nil })
}

// collection opens a collection with the test's own client.
func (e *env) collection(t *testing.T, bucket string) *gocb.Collection {
	t.Helper()
	b := e.cluster.Bucket(bucket)
	err := b.WaitUntilReady(30*time.Second, &gocb.WaitUntilReadyOptions{ServiceTypes: []gocb.ServiceType{gocb.ServiceTypeKeyValue}})
	if err != nil {
		t.Fatalf("bucket %s: %v", bucket, err)
	}
	return b.DefaultCollection()
}

func (e *env) publish(t *testing.T, key string, v *analyticsv1.CountryStats) {
	t.Helper()
	if err := e.stats.Publish(context.Background(), key, v); err != nil {
		t.Fatal(err)
	}
}

// produceRaw writes value unchanged to topic and returns where it landed.
func (e *env) produceRaw(t *testing.T, topic, key string, value []byte) (int32, int64) {
	t.Helper()
	msg := &stream.Message{Topic: topic, Key: []byte(key), Value: value}
	type delivery struct {
		m   *stream.Message
		err error
	}
	res := make(chan delivery, 1)
	if err := e.prod.Produce(msg, func(m *stream.Message, err error) { res <- delivery{m, err} }); err != nil {
		t.Fatal(err)
	}
	d := <-res
	if d.err != nil {
		t.Fatal(d.err)
	}
	return d.m.Partition, d.m.Offset
}

func countryStats(country string, version int64) *analyticsv1.CountryStats {
	return &analyticsv1.CountryStats{
		Country:    country,
		OrderCount: version,
		Totals:     []*analyticsv1.CurrencyTotal{{Currency: "EUR", OrderCount: version, AmountMinor: 2499 * version}},
		UpdatedAt:  timestamppb.New(time.Date(2026, 1, 2, 3, 4, int(version), 0, time.UTC)),
	}
}

// document reads the raw JSON document id; found is false when it is absent.
func document(coll *gocb.Collection, id string) (doc []byte, found bool, err error) {
	res, err := coll.Get(id, &gocb.GetOptions{Transcoder: gocb.NewRawJSONTranscoder(), Timeout: 5 * time.Second})
	if errors.Is(err, gocb.ErrDocumentNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if err := res.Content(&doc); err != nil {
		return nil, false, err
	}
	return doc, true, nil
}

// docsEqual reports whether the collection holds exactly want per key: the
// document decodes with protojson into a message proto.Equal to the value, or
// is absent where the value is nil.
func docsEqual[T proto.Message](coll *gocb.Collection, want map[string]T) error {
	for id, w := range want {
		doc, found, err := document(coll, id)
		if err != nil {
			return fmt.Errorf("get %s: %w", id, err)
		}
		if any(w) == nil || !w.ProtoReflect().IsValid() {
			if found {
				return fmt.Errorf("document %s = %s, want none", id, doc)
			}
			continue
		}
		if !found {
			return fmt.Errorf("document %s missing", id)
		}
		got := w.ProtoReflect().New().Interface()
		if err := protojson.Unmarshal(doc, got); err != nil {
			return fmt.Errorf("document %s = %s: %w", id, doc, err)
		}
		if !proto.Equal(got, w) {
			return fmt.Errorf("document %s = %s, want %v", id, doc, w)
		}
	}
	return nil
}

func waitDocs[T proto.Message](t *testing.T, coll *gocb.Collection, want map[string]T) {
	t.Helper()
	var last error
	testenv.WaitFor(t, 60*time.Second, "documents", func() bool {
		last = docsEqual(coll, want)
		return last == nil
	}, func() string { return fmt.Sprint(last) })
}

// waitStat waits until counter name of s reaches want.
func waitStat(t *testing.T, s *sink, name string, want int64) {
	t.Helper()
	testenv.WaitFor(t, 60*time.Second, fmt.Sprintf("%s = %d", name, want), func() bool { return s.Stats.Get(name) >= want },
		func() string { return strconv.FormatInt(s.Stats.Get(name), 10) })
}

// stopExact stops the sink, checks that its group committed every record
// of its topics (so it processed all the test published, and nothing
// more can come), then that each counter is exactly as wanted.
func (s *sink) stopExact(t *testing.T, e *env, want map[string]int64) {
	t.Helper()
	s.stop()
	for _, topic := range s.topics {
		if lag := testenv.GroupLag(t, e.kcfg, s.group, topic); len(lag) > 0 {
			t.Errorf("stopped sink did not commit every record: %v", lag)
		}
	}
	for name, w := range want {
		if got := s.Stats.Get(name); got != w {
			t.Errorf("%s = %d, want exactly %d", name, got, w)
		}
	}
}

// TestSinkWritesLatestValuePerKey publishes several versions of the
// statistics of three countries (some before the sink starts, some after)
// and a payment, runs the sink on both topics with --create-bucket, and
// checks that each key's document is the protojson of its latest value and
// that every record was written exactly once.
func TestSinkWritesLatestValuePerKey(t *testing.T) {
	e := newEnv(t)
	countries := []string{"DE", "FR", "NL"}
	want := map[string]*analyticsv1.CountryStats{}
	for v := int64(1); v <= 2; v++ {
		for _, c := range countries {
			want[c] = countryStats(c, v)
			e.publish(t, c, want[c])
		}
	}
	s := e.startSink(t, "--create-bucket", "--topics=order-analytics,payments")
	s.waitReady(t)
	for v := int64(3); v <= 4; v++ {
		for _, c := range countries {
			want[c] = countryStats(c, v)
			e.publish(t, c, want[c])
		}
	}
	pay := &paymentsv1.Payment{PaymentId: "pay-ord-0001", OrderId: "ord-0001", CustomerId: "cus-0001",
		Status: paymentsv1.PaymentStatus_PAYMENT_STATUS_AUTHORIZED, AmountMinor: 2499, Currency: "EUR",
		ProcessedAt: timestamppb.New(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))}
	payments := stream.Publisher[*paymentsv1.Payment]{Producer: e.prod, Topic: e.topics.Payments}
	if err := payments.Publish(context.Background(), pay.OrderId, pay); err != nil {
		t.Fatal(err)
	}

	coll := e.collection(t, "order_analytics")
	waitDocs(t, coll, want)
	waitDocs(t, coll, map[string]*paymentsv1.Payment{"ord-0001": pay})
	waitStat(t, s, "documents.upserted", int64(4*len(countries)+1))
	s.stopExact(t, e, map[string]int64{"documents.upserted": int64(4*len(countries) + 1), "dead-letters": 0})

	doc, _, err := document(coll, "DE")
	if err != nil {
		t.Fatal(err)
	}
	wantDoc, err := couchbasesink.Document(want["DE"])
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(doc, wantDoc) || !strings.Contains(string(doc), `"order_count":"4"`) || !strings.Contains(string(doc), `"updated_at":"2026-01-02T03:04:04Z"`) {
		t.Errorf("document DE = %s, want %s (protojson with proto field names)", doc, wantDoc)
	}
}

// TestSinkTombstoneRemovesDocument checks that a tombstone deletes its
// document and leaves the others, and that a tombstone for a document that
// never existed is not an error.
func TestSinkTombstoneRemovesDocument(t *testing.T) {
	e := newEnv(t)
	s := e.startSink(t, "--create-bucket")
	e.publish(t, "DE", countryStats("DE", 1))
	e.publish(t, "FR", countryStats("FR", 1))
	coll := e.collection(t, "order_analytics")
	waitDocs(t, coll, map[string]*analyticsv1.CountryStats{"DE": countryStats("DE", 1), "FR": countryStats("FR", 1)})

	e.publish(t, "DE", nil)
	e.publish(t, "XX", nil) // no such document
	e.publish(t, "FR", countryStats("FR", 2))
	waitDocs(t, coll, map[string]*analyticsv1.CountryStats{"DE": nil, "FR": countryStats("FR", 2)})
	waitStat(t, s, "documents.removed", 1)
	waitStat(t, s, "documents.remove-missing", 1)
	waitStat(t, s, "documents.upserted", 3)
	s.stopExact(t, e, map[string]int64{"documents.removed": 1, "documents.remove-missing": 1, "documents.upserted": 3})
}

// TestSinkPoisonRecordsGoToDeadLetterTopic writes a record that is not the
// Confluent protobuf wire format and a valid record with an empty key (no
// document id) between good records, and checks that both reach
// order-analytics.dlq unchanged with headers naming the error class and
// source, while the good records around them are written.
func TestSinkPoisonRecordsGoToDeadLetterTopic(t *testing.T) {
	e := newEnv(t)
	s := e.startSink(t, "--create-bucket")
	e.publish(t, "DE", countryStats("DE", 1))
	garbagePart, garbageOffset := e.produceRaw(t, events.OrderAnalyticsTopic, "DE", []byte("garbage"))
	valid, err := e.topics.OrderAnalytics.Message("", countryStats("BE", 1))
	if err != nil {
		t.Fatal(err)
	}
	emptyPart, emptyOffset := e.produceRaw(t, events.OrderAnalyticsTopic, "", valid.Value)
	e.publish(t, "DE", countryStats("DE", 2)) // same partition as the garbage, after it
	e.publish(t, "FR", countryStats("FR", 1))

	coll := e.collection(t, "order_analytics")
	waitDocs(t, coll, map[string]*analyticsv1.CountryStats{"DE": countryStats("DE", 2), "FR": countryStats("FR", 1)})

	dlq := testenv.ReadTopic(t, e.kcfg, stream.DeadLetterTopic(events.OrderAnalyticsTopic), 2, 60*time.Second)
	cases := []struct {
		name      string
		class     string
		key       string
		value     []byte
		partition int32
		offset    int64
	}{
		{"not the wire format", "deserialization", "DE", []byte("garbage"), garbagePart, garbageOffset},
		{"empty key", "validation", "", valid.Value, emptyPart, emptyOffset},
	}
	for _, c := range cases {
		m := findDeadLetter(dlq, c.partition, c.offset)
		if m == nil {
			t.Errorf("%s: no dead letter for order-analytics[%d]@%d", c.name, c.partition, c.offset)
			continue
		}
		h := func(k string) string { return m.Header(k) }
		if h(stream.HeaderErrorClass) != c.class || h(stream.HeaderSourceTopic) != events.OrderAnalyticsTopic ||
			h(stream.HeaderFailedConsumer) != "couchbase-sink" || h(stream.HeaderErrorMessage) == "" {
			t.Errorf("%s: headers class=%q topic=%q consumer=%q message=%q", c.name, h(stream.HeaderErrorClass),
				h(stream.HeaderSourceTopic), h(stream.HeaderFailedConsumer), h(stream.HeaderErrorMessage))
		}
		if string(m.Key) != c.key || !bytes.Equal(m.Value, c.value) {
			t.Errorf("%s: dead letter is not the record unchanged: key %q value %q", c.name, m.Key, m.Value)
		}
		t.Logf("%s: %s", c.name, h(stream.HeaderErrorMessage))
	}
	// Both count: the empty key, rejected by the writer, and the garbage,
	// which failed to decode before it.
	if n := s.Stats.Get("dead-letters"); n != 2 {
		t.Errorf("dead-letters = %d, want 2", n)
	}
}

// TestSinkRetriesUntilBucketExists starts the sink against a bucket that
// does not exist yet (no --create-bucket): writes fail and are retried, the
// sink is not ready, nothing is dead-lettered. Once the bucket is created
// every record lands, each exactly once, as the latest value per key.
func TestSinkRetriesUntilBucketExists(t *testing.T) {
	e := newEnv(t)
	const bucket = "late_analytics"
	s := e.startSink(t, "--couchbase-bucket="+bucket)
	want := map[string]*analyticsv1.CountryStats{}
	for v := int64(1); v <= 2; v++ {
		for _, c := range []string{"DE", "FR", "NL"} {
			want[c] = countryStats(c, v)
			e.publish(t, c, want[c])
		}
	}
	testenv.WaitFor(t, 60*time.Second, "failed writes being retried before the bucket exists", func() bool {
		return s.Stats.Get("writes.retried") > 0
	})
	if err := s.Ready.Check(); err == nil || !strings.Contains(err.Error(), "couchbase bucket connected") {
		t.Errorf("readiness before the bucket exists = %v, want waiting for the bucket", err)
	}
	if n := s.Stats.Get("documents.upserted"); n != 0 {
		t.Fatalf("documents.upserted = %d before the bucket exists", n)
	}

	err := e.cluster.Buckets().CreateBucket(gocb.CreateBucketSettings{BucketSettings: gocb.BucketSettings{
		Name: bucket, BucketType: gocb.CouchbaseBucketType, RAMQuotaMB: 100}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	created := time.Now()
	coll := e.collection(t, bucket)
	waitDocs(t, coll, want)
	t.Logf("all documents written %s after the bucket was created", time.Since(created).Round(time.Millisecond))
	s.waitReady(t)
	waitStat(t, s, "documents.upserted", int64(len(want)*2))
	s.stopExact(t, e, map[string]int64{"documents.upserted": int64(len(want) * 2), "dead-letters": 0})
	t.Logf("writes retried: %d", s.Stats.Get("writes.retried"))
}

// TestSinkCommitsOffsetsAfterWrites stops the sink after it wrote a first
// batch, publishes more, and restarts it in the same group: only the new
// records are written again. A sink in a new group rewrites everything,
// which shows that the count comes from committed offsets.
func TestSinkCommitsOffsetsAfterWrites(t *testing.T) {
	e := newEnv(t)
	want := map[string]*analyticsv1.CountryStats{}
	for _, c := range []string{"AT", "BE", "CH", "DE", "ES"} {
		want[c] = countryStats(c, 1)
		e.publish(t, c, want[c])
	}
	first := e.startSink(t, "--create-bucket")
	coll := e.collection(t, "order_analytics")
	waitDocs(t, coll, want)
	waitStat(t, first, "documents.upserted", 5)
	first.stopExact(t, e, map[string]int64{"documents.upserted": 5})

	for _, c := range []string{"BE", "DE", "FR"} {
		want[c] = countryStats(c, 2)
		e.publish(t, c, want[c])
	}
	second := e.startSink(t)
	waitDocs(t, coll, want)
	waitStat(t, second, "documents.upserted", 3)
	second.stopExact(t, e, map[string]int64{"documents.upserted": 3})

	other := e.startSink(t, "--group=couchbase-sink-replay")
	waitStat(t, other, "documents.upserted", 8)
	other.stopExact(t, e, map[string]int64{"documents.upserted": 8})
	if err := docsEqual(coll, want); err != nil {
		t.Error(err)
	}
}

func findDeadLetter(msgs []*stream.Message, partition int32, offset int64) *stream.Message {
	for _, m := range msgs {
		if m.Header(stream.HeaderSourcePart) == strconv.Itoa(int(partition)) &&
			m.Header(stream.HeaderSourceOffset) == strconv.FormatInt(offset, 10) {
			return m
		}
	}
	return nil
}
