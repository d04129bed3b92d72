package e2e_test

import (
	"encoding/binary"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	paymentsv1 "github.com/kafka-enterprise-orders/orders/gen/payments/v1"
	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
	"github.com/kafka-enterprise-orders/orders/internal/testenv"
)

// produced is where a raw record landed.
type produced struct {
	name      string
	class     string
	value     []byte
	partition int32
	offset    int64
}

func produceRaw(t *testing.T, prod *stream.Producer, key string, value []byte) (int32, int64) {
	t.Helper()
	topic := events.OrdersTopic
	res := make(chan *stream.Message, 1)
	msg := &stream.Message{Topic: topic, Key: []byte(key), Value: value}
	if err := prod.Produce(msg, func(m *stream.Message, err error) {
		if err != nil {
			t.Errorf("produce: %v", err)
		}
		res <- m
	}); err != nil {
		t.Fatal(err)
	}
	m := <-res
	return m.Partition, m.Offset
}

func validOrder(id string) *ordersv1.Order {
	items := []*ordersv1.LineItem{item("SKU-1001", 1, 2499)}
	return &ordersv1.Order{OrderId: id, CustomerId: "cus-0001", Country: "DE", Currency: "EUR", Items: items,
		AmountMinor: events.Total(items), CreatedAt: timestamppb.Now(), Source: ordersv1.OrderSource_ORDER_SOURCE_API}
}

// TestPoisonMessagesGoToDeadLetterTopic writes each kind of bad record to
// `orders` between good ones, and checks that every consumer group copies
// each bad record unchanged to `orders.dlq` with headers naming the error
// and the source, while the good orders are processed.
func TestPoisonMessagesGoToDeadLetterTopic(t *testing.T) {
	p := startPlatform(t, nil)
	payments := testenv.Collect(t, p.cfg, p.topics.Payments)
	prod := poisonProducer(t, p.cfg)

	encode := func(o *ordersv1.Order) []byte {
		msg, err := p.topics.Orders.Message(o.CustomerId, o)
		if err != nil {
			t.Fatal(err)
		}
		return msg.Value
	}
	good := encode(validOrder("ord-good-0001"))
	schemaID := binary.BigEndian.Uint32(good[1:5])
	unknownID := append([]byte{0, 0, 0, 0x27, 0x0f}, good[5:]...) // schema id 9999
	truncated := good[:len(good)-7]
	paymentsAsOrders := stream.Topic[*paymentsv1.Payment]{Name: events.OrdersTopic, Serde: mustSerde[*paymentsv1.Payment](t, p)}
	wrongType, err := paymentsAsOrders.Message("cus-0001", &paymentsv1.Payment{PaymentId: "pay-x", OrderId: "ord-xxxx"})
	if err != nil {
		t.Fatal(err)
	}
	invalid := validOrder("ord-bad-line")
	invalid.Items[0].Quantity = 0
	invalid.Country = "XX"

	cases := []produced{
		{name: "not the Confluent wire format", class: "deserialization", value: []byte("hello, not protobuf")},
		{name: "unknown schema id", class: "deserialization", value: unknownID},
		{name: "truncated protobuf", class: "deserialization", value: truncated},
		{name: "header cut short", class: "deserialization", value: good[:3]},
		{name: "message-index count bomb", class: "deserialization", value: append(append([]byte{}, good[:5]...), 0xfe, 0xff, 0xff, 0xff, 0x0f)},
		{name: "another message type", class: "deserialization", value: wrongType.Value},
		{name: "fails validation", class: "validation", value: encode(invalid)},
		{name: "tombstone", class: "validation", value: nil},
	}
	produceRaw(t, prod, "cus-0001", good)
	for i := range cases {
		cases[i].partition, cases[i].offset = produceRaw(t, prod, "cus-0001", cases[i].value)
	}
	produceRaw(t, prod, "cus-0001", encode(validOrder("ord-good-0002")))
	t.Logf("orders-value schema id %d", schemaID)

	groups := []string{"payment-service", "fraud-service", "analytics-service-repartition"}
	dlq := testenv.ReadTopic(t, p.cfg, stream.DeadLetterTopic(events.OrdersTopic), len(cases)*len(groups), 60*time.Second)
	for _, c := range cases {
		for _, g := range groups {
			m := findDeadLetter(dlq, g, c.partition, c.offset)
			if m == nil {
				t.Errorf("%s: no dead letter from %s for orders[%d]@%d", c.name, g, c.partition, c.offset)
				continue
			}
			h := func(k string) string { return m.Header(k) }
			if h(stream.HeaderErrorClass) != c.class || h(stream.HeaderSourceTopic) != "orders" || h(stream.HeaderErrorMessage) == "" {
				t.Errorf("%s (%s): headers class=%q topic=%q message=%q", c.name, g, h(stream.HeaderErrorClass), h(stream.HeaderSourceTopic), h(stream.HeaderErrorMessage))
			}
			if _, err := time.Parse(time.RFC3339Nano, h(stream.HeaderFailedAt)); err != nil {
				t.Errorf("%s: failed-at header: %v", c.name, err)
			}
			if !bytesEqual(m.Value, c.value) || string(m.Key) != "cus-0001" {
				t.Errorf("%s: dead letter is not the record unchanged", c.name)
			}
		}
	}
	invalidCase := cases[slices.IndexFunc(cases, func(c produced) bool { return c.class == "validation" })]
	if m := findDeadLetter(dlq, "payment-service", invalidCase.partition, invalidCase.offset); m != nil {
		msg := m.Header(stream.HeaderErrorMessage)
		for _, field := range []string{"items[0].quantity", "country"} {
			if !strings.Contains(msg, field) {
				t.Errorf("validation message %q does not name %s", msg, field)
			}
		}
	}
	testenv.WaitFor(t, 30*time.Second, "good orders paid", func() bool {
		ids := map[string]bool{}
		for _, r := range payments.All() {
			ids[r.Key] = true
		}
		return ids["ord-good-0001"] && ids["ord-good-0002"]
	})
}

func mustSerde[T stream.Event](t *testing.T, p *platformUnderTest) *stream.Serde[T] {
	t.Helper()
	reg, err := stream.NewRegistryClient(p.cfg)
	if err != nil {
		t.Fatal(err)
	}
	s, err := stream.NewSerde[T](reg, true)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func findDeadLetter(msgs []*stream.Message, group string, partition int32, offset int64) *stream.Message {
	for _, m := range msgs {
		if m.Header(stream.HeaderFailedConsumer) == group &&
			m.Header(stream.HeaderSourcePart) == strconv.Itoa(int(partition)) &&
			m.Header(stream.HeaderSourceOffset) == strconv.FormatInt(offset, 10) {
			return m
		}
	}
	return nil
}

func bytesEqual(a, b []byte) bool { return string(a) == string(b) }
