// Package fraud is the fraud-service: it consumes `orders`, scores each by
// configurable rules (amount threshold, high-risk countries, velocity per
// customer, customer risk tier, country mismatch) and publishes a
// FraudAlert naming every rule that fired to `fraud-alerts`. FraudService
// answers queries over the alerts and the rules.
package fraud

import (
	"fmt"
	"os"

	"github.com/kafka-enterprise-orders/orders/internal/app"
	"github.com/kafka-enterprise-orders/orders/internal/config"
	"github.com/kafka-enterprise-orders/orders/internal/kafka"
)

// DefaultListen is the service's default RPC address.
const DefaultListen = "127.0.0.1:7003"

// Config configures the service.
type Config struct {
	app.Common
	// RulesFile is a JSON rules file; empty uses DefaultRules.
	RulesFile       string
	Group           string
	TransactionalID string
}

// Register adds the service's options.
func (c *Config) Register(s *config.Set) {
	c.Common.Register(s, DefaultListen)
	s.String(&c.RulesFile, "rules", "", "JSON rules file (see services/fraud/testdata/rules.json); empty uses the built-in rules")
	s.String(&c.Group, "group", "fraud-service", "consumer group id")
	s.String(&c.TransactionalID, "transactional-id", "fraud-service-"+kafka.Hostname(), "Kafka transactional.id of this instance: unique, stable across restarts")
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
