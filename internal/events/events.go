// Package events names the platform's topics, binds each to its protobuf
// type, and validates events as they cross Kafka. Every service opens its
// topics here, so a topic's name, type and rules live in one place.
package events

import (
	analyticsv1 "github.com/kafka-enterprise-orders/orders/gen/analytics/v1"
	customersv1 "github.com/kafka-enterprise-orders/orders/gen/customers/v1"
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
)

// Topics binds every topic to its type through one Schema Registry client.
type Topics struct {
	Orders          stream.Topic[*ordersv1.Order]
	Payments        stream.Topic[*paymentsv1.Payment]
	FraudAlerts     stream.Topic[*fraudv1.FraudAlert]
	OrderAnalytics  stream.Topic[*analyticsv1.CountryStats]
	Customers       stream.Topic[*customersv1.Customer]
	OrdersByCountry stream.Topic[*ordersv1.Order]
}

// Open connects to the Schema Registry of cfg and builds the topics.
func Open(cfg stream.Config) (*Topics, error) {
	reg, err := stream.OpenRegistry(cfg)
	if err != nil {
		return nil, err
	}
	t := &Topics{}
	var errs [6]error
	t.Orders, errs[0] = bind[*ordersv1.Order](reg, OrdersTopic)
	t.Payments, errs[1] = bind[*paymentsv1.Payment](reg, PaymentsTopic)
	t.FraudAlerts, errs[2] = bind[*fraudv1.FraudAlert](reg, FraudAlertsTopic)
	t.OrderAnalytics, errs[3] = bind[*analyticsv1.CountryStats](reg, OrderAnalyticsTopic)
	t.Customers, errs[4] = bind[*customersv1.Customer](reg, CustomersTopic)
	t.OrdersByCountry, errs[5] = bind[*ordersv1.Order](reg, OrdersByCountryTopic)
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return t, nil
}

func bind[T stream.Event](reg *stream.Registry, name string) (stream.Topic[T], error) {
	return stream.NewTopic[T](reg, name)
}
