// Package deadletters is the dead-letter-service: it lets an operator list
// and inspect the records the consumers sent to the dead-letter topics
// (`<topic>.dlq`), replay them to the consumer group that failed on them
// once the cause is fixed, and discard them with an audit record.
//
// Replays are at most once per dead letter: the replayed record and its
// entry in the compacted `dead-letters.ledger` topic are written in one
// Kafka transaction, under one transactional id shared by every instance,
// so a new replay fences any other in flight and aborts one that crashed
// half-way before it reads the ledger. A replayed record carries the
// header dlq.replay.for naming its consumer group; every other group skips
// it. A record that fails again comes back with its replay count; past
// --max-replays it is parked: listed, discardable, no longer replayed.
package deadletters

import (
	"errors"
	"time"

	"github.com/kafka-enterprise-orders/orders/internal/config"
	"github.com/kafka-enterprise-orders/orders/internal/platform"
)

// Name is the service's name: its logs, Kafka client ids and health
// endpoint say it.
const Name = "dead-letter-service"

// DefaultListen is the service's default RPC address.
const DefaultListen = "127.0.0.1:7007"

// Config configures the service.
type Config struct {
	platform.Common
	// TransactionalID is shared by every instance: replays fence each
	// other through it.
	TransactionalID string
	// MaxReplays is how many replays a record gets; one that fails again
	// after that many is parked.
	MaxReplays int
	// ReplayBatch is how many dead letters one transaction replays.
	ReplayBatch int
	// TransactionTimeout bounds one replay transaction.
	TransactionTimeout time.Duration
}

// DefaultConfig returns the service's defaults, those of its flags.
func DefaultConfig() Config {
	return Config{Common: platform.DefaultCommon(DefaultListen), TransactionalID: Name,
		MaxReplays: 3, ReplayBatch: 500, TransactionTimeout: 30 * time.Second}
}

// Register adds the service's options.
func (c *Config) Register(s *config.Set) {
	d := DefaultConfig()
	c.Common.Register(s, DefaultListen)
	s.String(&c.TransactionalID, "transactional-id", d.TransactionalID, "Kafka transactional.id of the replays, the same for every instance: replays fence each other through it")
	s.Int(&c.MaxReplays, "max-replays", d.MaxReplays, "replays a record gets: one that fails again after that many is parked")
	s.Int(&c.ReplayBatch, "replay-batch", d.ReplayBatch, "dead letters replayed per Kafka transaction")
	s.Duration(&c.TransactionTimeout, "transaction-timeout", d.TransactionTimeout, "how long a replay transaction may stay open (transaction.timeout.ms)")
}

// Validate checks option combinations the flags cannot.
func (c Config) Validate() error {
	switch {
	case c.TransactionalID == "":
		return errors.New("--transactional-id must not be empty")
	case c.MaxReplays < 1:
		return errors.New("--max-replays must be at least 1")
	case c.ReplayBatch < 1 || c.ReplayBatch > 10000:
		return errors.New("--replay-batch must be between 1 and 10000")
	case c.TransactionTimeout <= 0:
		return errors.New("--transaction-timeout must be positive")
	}
	return nil
}
