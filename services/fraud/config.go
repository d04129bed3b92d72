// Package fraud is the fraud-service: it consumes `orders`, scores each by
// configurable rules (amount threshold, high-risk countries, velocity per
// customer, customer risk tier, country mismatch) and publishes a
// FraudAlert naming every rule that fired to `fraud-alerts`. FraudService
// answers queries over the alerts and the rules.
package fraud

import (
	"fmt"
	"os"

	"github.com/kafka-enterprise-orders/orders/internal/config"
	"github.com/kafka-enterprise-orders/orders/internal/platform"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
)

// DefaultListen is the service's default RPC address.
const DefaultListen = "127.0.0.1:7003"

// Config configures the service.
type Config struct {
	platform.Common
	// RulesFile is a JSON rules file; empty uses DefaultRules.
	RulesFile       string
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
	s.String(&c.RulesFile, "rules", d.RulesFile, "JSON rules file (see services/fraud/testdata/rules.json); empty uses the built-in rules")
	s.String(&c.Group, "group", d.Group, "consumer group id")
	s.String(&c.TransactionalID, "transactional-id", d.TransactionalID, "Kafka transactional.id of this instance: unique, stable across restarts")
}

// LoadRules reads the configured rules file, or returns the defaults.
func (c Config) LoadRules() (RuleSet, error) {
	if c.RulesFile == "" {
		return DefaultRules(), nil
	}
	f, err := os.Open(c.RulesFile)
	if err != nil {
		return RuleSet{}, fmt.Errorf("rules file: %w", err)
	}
	defer f.Close()
	rs, err := ParseRules(f)
	if err != nil {
		return RuleSet{}, fmt.Errorf("rules file %s: %w", c.RulesFile, err)
	}
	return rs, nil
}
