// Package events names the platform's topics, binds each to its protobuf
// type, and validates events as they cross Kafka. Every service opens its
// topics here, so a topic's name, type and rules live in one place.
package events

import (
	"fmt"

	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry"

	analyticsv1 "github.com/kafka-enterprise-orders/orders/gen/analytics/v1"
	customersv1 "github.com/kafka-enterprise-orders/orders/gen/customers/v1"
	fraudv1 "github.com/kafka-enterprise-orders/orders/gen/fraud/v1"
	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	paymentsv1 "github.com/kafka-enterprise-orders/orders/gen/payments/v1"
	"github.com/kafka-enterprise-orders/orders/internal/kafka"
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
	Orders          kafka.Topic[*ordersv1.Order]
	Payments        kafka.Topic[*paymentsv1.Payment]
	FraudAlerts     kafka.Topic[*fraudv1.FraudAlert]
	OrderAnalytics  kafka.Topic[*analyticsv1.CountryStats]
	Customers       kafka.Topic[*customersv1.Customer]
	OrdersByCountry kafka.Topic[*ordersv1.Order]
}

// Open connects to the Schema Registry of cfg and builds the topics.
func Open(cfg kafka.Config) (*Topics, error) {
	client, err := kafka.NewRegistryClient(cfg)
	if err != nil {
		return nil, err
	}
	t := &Topics{}
	var errs [6]error
	t.Orders, errs[0] = bind[*ordersv1.Order](client, cfg, OrdersTopic)
	t.Payments, errs[1] = bind[*paymentsv1.Payment](client, cfg, PaymentsTopic)
	t.FraudAlerts, errs[2] = bind[*fraudv1.FraudAlert](client, cfg, FraudAlertsTopic)
	t.OrderAnalytics, errs[3] = bind[*analyticsv1.CountryStats](client, cfg, OrderAnalyticsTopic)
	t.Customers, errs[4] = bind[*customersv1.Customer](client, cfg, CustomersTopic)
	t.OrdersByCountry, errs[5] = bind[*ordersv1.Order](client, cfg, OrdersByCountryTopic)
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return t, nil
}

func bind[T kafka.Message](client schemaregistry.Client, cfg kafka.Config, name string) (kafka.Topic[T], error) {
	serde, err := kafka.NewSerde[T](client, cfg.AutoRegister)
	if err != nil {
		return kafka.Topic[T]{}, fmt.Errorf("serde for %s: %w", name, err)
	}
	return kafka.Topic[T]{Name: name, Serde: serde}, nil
}
