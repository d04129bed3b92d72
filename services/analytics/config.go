// Package analytics is the analytics-service: the Go twin of the seed's
// ksqlDB aggregation. It keeps the order count and sum per country (and per
// currency) and publishes every change to the compacted `order-analytics`
// topic keyed by country, exactly once, restoring its state from that topic
// on restart. AnalyticsService answers queries and streams changes.
//
// It runs two transactional stages so that any number of instances is
// correct: `orders` (keyed by customer) are repartitioned by country into
// `analytics.orders-by-country`, whose partitions each instance then owns
// whole, country by country.
package analytics

import (
	"github.com/kafka-enterprise-orders/orders/internal/config"
	"github.com/kafka-enterprise-orders/orders/internal/platform"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
)

// DefaultListen is the service's default RPC address.
const DefaultListen = "127.0.0.1:7004"

// Config configures the service.
type Config struct {
	platform.Common
	Group           string
	TransactionalID string
}

// DefaultConfig returns the service's defaults, those of its flags.
func DefaultConfig() Config {
	return Config{Common: platform.DefaultCommon(DefaultListen), Group: Name, TransactionalID: Name + "-" + stream.Hostname()}
}

// Register adds the service's options.
func (c *Config) Register(s *config.Set) {
	d := DefaultConfig()
	c.Common.Register(s, DefaultListen)
	s.String(&c.Group, "group", d.Group, "consumer group id (the repartition stage adds \"-repartition\")")
	s.String(&c.TransactionalID, "transactional-id", d.TransactionalID, "Kafka transactional.id prefix of this instance: unique, stable across restarts")
}
