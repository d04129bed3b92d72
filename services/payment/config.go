// Package payment is the payment-service: it consumes `orders`, authorizes
// each order by deterministic rules (amount bounds, the customer's
// currency and credit limit from the `customers` lookup table, a seeded
// processor failure rate) and publishes exactly one Payment per order to
// `payments`, in Kafka transactions. PaymentService answers queries over
// the payments.
package payment

import (
	"errors"
	"time"

	"github.com/kafka-enterprise-orders/orders/internal/config"
	"github.com/kafka-enterprise-orders/orders/internal/platform"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
)

// DefaultListen is the service's default RPC address.
const DefaultListen = "127.0.0.1:7002"

// Config configures the service.
type Config struct {
	platform.Common
	Rules Rules
	// Group is the consumer group of the payment workers.
	Group string
	// TransactionalID must be unique per instance and stable across restarts.
	TransactionalID string
	// BatchLinger is how long one transaction collects orders (zero: the
	// Kafka layer's default, 50 ms).
	BatchLinger time.Duration
	// TransactionTimeout is how long the coordinator lets one transaction
	// stay open before it aborts it (zero: the Kafka layer's default, 30 s).
	TransactionTimeout time.Duration
}

// DefaultConfig returns the service's defaults, those of its flags.
func DefaultConfig() Config {
	return Config{
		Common: platform.DefaultCommon(DefaultListen),
		Rules:  Rules{MinAmount: 1, MaxAmount: 10000, DefaultCreditLimit: 1000, FailureRate: 0.02, Seed: 1},
		Group:  Name, TransactionalID: Name + "-" + stream.Hostname(),
		BatchLinger: 50 * time.Millisecond, TransactionTimeout: 30 * time.Second,
	}
}

// Register adds the service's options.
func (c *Config) Register(s *config.Set) {
	d := DefaultConfig()
	c.Common.Register(s, DefaultListen)
	s.Float64(&c.Rules.MinAmount, "min-amount", d.Rules.MinAmount, "smallest authorizable order, in EUR (other currencies at reference rates)")
	s.Float64(&c.Rules.MaxAmount, "max-amount", d.Rules.MaxAmount, "largest authorizable order, in EUR (other currencies at reference rates)")
	s.Float64(&c.Rules.DefaultCreditLimit, "default-credit-limit", d.Rules.DefaultCreditLimit, "credit limit, in EUR, of customers not in the customers table")
	s.Float64(&c.Rules.FailureRate, "failure-rate", d.Rules.FailureRate, "share of otherwise valid payments the simulated processor declines (0-1)")
	s.Int64(&c.Rules.Seed, "seed", d.Rules.Seed, "seed of the simulated processor's failures")
	s.String(&c.Group, "group", d.Group, "consumer group id")
	s.String(&c.TransactionalID, "transactional-id", d.TransactionalID, "Kafka transactional.id of this instance: unique, stable across restarts")
	s.Duration(&c.BatchLinger, "batch-linger", d.BatchLinger, "how long one transaction collects orders: longer means fewer, larger transactions")
	s.Duration(&c.TransactionTimeout, "transaction-timeout", d.TransactionTimeout, "how long a transaction may stay open before its coordinator aborts it (transaction.timeout.ms)")
}

// Validate checks option combinations the flags cannot.
func (c Config) Validate() error {
	r := c.Rules
	switch {
	case r.MinAmount < 0 || r.MaxAmount <= r.MinAmount:
		return errors.New("--min-amount and --max-amount must satisfy 0 <= min < max")
	case r.FailureRate < 0 || r.FailureRate > 1:
		return errors.New("--failure-rate must be between 0 and 1")
	case r.DefaultCreditLimit < 0:
		return errors.New("--default-credit-limit must not be negative")
	}
	return nil
}
