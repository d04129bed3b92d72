// Package events names the platform's topics, binds each to its protobuf
// type, and validates events as they cross Kafka. Every service opens its
// topics here, so a topic's name, type and rules live in one place.
package events

import (
	"errors"
	"fmt"

	"google.golang.org/protobuf/proto"

	analyticsv1 "github.com/kafka-enterprise-orders/orders/gen/analytics/v1"
	customersv1 "github.com/kafka-enterprise-orders/orders/gen/customers/v1"
	deadlettersv1 "github.com/kafka-enterprise-orders/orders/gen/deadletters/v1"
	fraudv1 "github.com/kafka-enterprise-orders/orders/gen/fraud/v1"
	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	paymentsv1 "github.com/kafka-enterprise-orders/orders/gen/payments/v1"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
)

// Topic names.
const (
	OrdersTopic         = "orders"          // ordersv1.Order, key customer_id
	PaymentsTopic       = "payments"        // paymentsv1.Payment, key order_id
	FraudAlertsTopic    = "fraud-alerts"    // fraudv1.FraudAlert, key order_id
	OrderAnalyticsTopic = "order-analytics" // analyticsv1.CountryStats, key country, compacted
	CustomersTopic      = "customers"       // customersv1.Customer, key customer_id, compacted
	// OrdersByCountryTopic is analytics-service's internal repartition of
	// orders by country, so that one instance owns each country's total.
	OrdersByCountryTopic = "analytics.orders-by-country"
	// DeadLetterLedgerTopic records what operators did with dead letters
	// (deadlettersv1.DeadLetterResolution, key the dead letter's id,
	// compacted).
	DeadLetterLedgerTopic = "dead-letters.ledger"
)

// Compacted reports whether topic keeps only the latest record per key: a
// state topic, whose records are snapshots rather than events.
func Compacted(topic string) bool {
	switch topic {
	case OrderAnalyticsTopic, CustomersTopic, DeadLetterLedgerTopic:
		return true
	}
	return false
}

// Topics binds every topic to its type through one Schema Registry client.
type Topics struct {
	Orders          stream.Topic[*ordersv1.Order]
	Payments        stream.Topic[*paymentsv1.Payment]
	FraudAlerts     stream.Topic[*fraudv1.FraudAlert]
	OrderAnalytics  stream.Topic[*analyticsv1.CountryStats]
	Customers       stream.Topic[*customersv1.Customer]
	OrdersByCountry stream.Topic[*ordersv1.Order]
	Ledger          stream.Topic[*deadlettersv1.DeadLetterResolution]
}

// Open connects to the Schema Registry of cfg and builds the topics.
func Open(cfg stream.Config) (*Topics, error) {
	reg, err := stream.OpenRegistry(cfg)
	if err != nil {
		return nil, err
	}
	t := &Topics{}
	var errs [7]error
	t.Orders, errs[0] = bind[*ordersv1.Order](reg, OrdersTopic)
	t.Payments, errs[1] = bind[*paymentsv1.Payment](reg, PaymentsTopic)
	t.FraudAlerts, errs[2] = bind[*fraudv1.FraudAlert](reg, FraudAlertsTopic)
	t.OrderAnalytics, errs[3] = bind[*analyticsv1.CountryStats](reg, OrderAnalyticsTopic)
	t.Customers, errs[4] = bind[*customersv1.Customer](reg, CustomersTopic)
	t.OrdersByCountry, errs[5] = bind[*ordersv1.Order](reg, OrdersByCountryTopic)
	t.Ledger, errs[6] = bind[*deadlettersv1.DeadLetterResolution](reg, DeadLetterLedgerTopic)
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return t, nil
}

// DecodeAny decodes a record of any of the platform's topics (topic names
// the topic whose type applies; msg may have been read elsewhere, such as
// from a dead-letter topic); a tombstone decodes to nil. It fails with
// ErrUnknownTopic for a topic the platform does not define.
func (t *Topics) DecodeAny(topic string, msg *stream.Message) (proto.Message, error) {
	switch topic {
	case OrdersTopic:
		return decodeAny(t.Orders, msg)
	case PaymentsTopic:
		return decodeAny(t.Payments, msg)
	case FraudAlertsTopic:
		return decodeAny(t.FraudAlerts, msg)
	case OrderAnalyticsTopic:
		return decodeAny(t.OrderAnalytics, msg)
	case CustomersTopic:
		return decodeAny(t.Customers, msg)
	case OrdersByCountryTopic:
		return decodeAny(t.OrdersByCountry, msg)
	case DeadLetterLedgerTopic:
		return decodeAny(t.Ledger, msg)
	}
	return nil, fmt.Errorf("%q: %w", topic, ErrUnknownTopic)
}

// ErrUnknownTopic means a topic is not one of the platform's.
var ErrUnknownTopic = errors.New("not a topic of the platform")

func decodeAny[T stream.Event](t stream.Topic[T], msg *stream.Message) (proto.Message, error) {
	rec, err := t.Decode(msg)
	if err != nil || rec.Tombstone {
		return nil, err
	}
	return rec.Value, nil
}

func bind[T stream.Event](reg *stream.Registry, name string) (stream.Topic[T], error) {
	return stream.NewTopic[T](reg, name)
}
