// Package orderproducer is the order-producer service: it accepts orders
// through OrderService.PlaceOrder, generates synthetic orders at a
// configurable rate, publishes both to the `orders` topic, and answers
// GetOrder/ListOrders from an order-status view it builds from the
// `orders`, `payments` and `fraud-alerts` topics.
package orderproducer

import (
	"errors"
	"time"

	"github.com/kafka-enterprise-orders/orders/internal/config"
	"github.com/kafka-enterprise-orders/orders/internal/platform"
	"github.com/kafka-enterprise-orders/orders/internal/seed"
)

// DefaultListen is the service's default RPC address.
const DefaultListen = "127.0.0.1:7001"

// Config configures the service.
type Config struct {
	platform.Common
	// Rate is synthetic orders per second; 0 with Interval 0 disables the
	// generator; a negative rate means flat out.
	Rate float64
	// Interval, when set, overrides Rate: one order every Interval.
	Interval time.Duration
	// Count stops the generator after that many orders; 0 means no limit.
	Count int
	// Seed makes the synthetic orders reproducible.
	Seed int64
	// Customers is how many seeded customers the generator draws from.
	Customers int
}

// DefaultConfig returns the service's defaults, those of its flags: one
// synthetic order a second.
func DefaultConfig() Config {
	return Config{Common: platform.DefaultCommon(DefaultListen), Rate: 1, Seed: 1, Customers: seed.DefaultCustomers}
}

// Register adds the service's options.
func (c *Config) Register(s *config.Set) {
	d := DefaultConfig()
	c.Common.Register(s, DefaultListen)
	s.Float64(&c.Rate, "rate", d.Rate, "synthetic orders per second; 0 turns the generator off, -1 runs flat out")
	s.Duration(&c.Interval, "interval", d.Interval, "one synthetic order every interval (overrides --rate), e.g. 5s")
	s.Int(&c.Count, "count", d.Count, "stop generating after this many orders; 0 = no limit")
	s.Int64(&c.Seed, "seed", d.Seed, "random seed of the synthetic generator")
	s.Int(&c.Customers, "customers", d.Customers, "number of seeded customers to draw from")
}

// Validate checks option combinations the flags cannot.
func (c Config) Validate() error {
	if c.Interval < 0 {
		return errors.New("--interval must not be negative")
	}
	if c.Count < 0 {
		return errors.New("--count must not be negative")
	}
	if c.Customers <= 0 {
		return errors.New("--customers must be positive")
	}
	return nil
}

// period is the wait between synthetic orders: 0 means flat out, and ok is
// false when the generator is off.
func (c Config) period() (d time.Duration, ok bool) {
	switch {
	case c.Interval > 0:
		return c.Interval, true
	case c.Rate < 0:
		return 0, true
	case c.Rate == 0:
		return 0, false
	}
	return time.Duration(float64(time.Second) / c.Rate), true
}
