// Package pgsource is pg-source, the Postgres → Kafka connector: change
// data capture by logical replication (pgoutput, jackc/pglogrepl). It
// creates its publication and replication slot when missing, snapshots the
// customers table when the slot is new, then streams every insert, update
// and delete (deletes as tombstones) to the compacted `customers` topic as
// protobuf Customer records keyed by id. It acknowledges a WAL position to
// Postgres only after Kafka acknowledged every record up to it, so after a
// restart of itself or of Postgres it resumes with no row lost; a row is at
// worst published again with the same key and value.
//
// The Confluent JDBC source connector (compose/connect/connectors/jdbc-source.json)
// does the same job in the Compose stack by polling every 5 s.
package pgsource

import (
	"errors"
	"regexp"

	"github.com/kafka-enterprise-orders/orders/internal/config"
	"github.com/kafka-enterprise-orders/orders/internal/platform"
)

// DefaultListen is the service's default health and readiness address.
const DefaultListen = "127.0.0.1:7005"

// Config configures pg-source.
type Config struct {
	platform.Common
	// DatabaseURL is a postgres:// URL of a user with the REPLICATION
	// attribute (or a superuser) on a server with wal_level=logical.
	DatabaseURL string
	Publication string
	Slot        string
}

// DefaultConfig returns the service's defaults, those of its flags; the
// database URL has none.
func DefaultConfig() Config {
	return Config{Common: platform.DefaultCommon(DefaultListen), Publication: "orders_cdc", Slot: "orders_pg_source"}
}

// Register adds pg-source's options.
func (c *Config) Register(s *config.Set) {
	d := DefaultConfig()
	c.Common.Register(s, DefaultListen)
	s.RequiredString(&c.DatabaseURL, "database-url", "Postgres URL, e.g. postgres://postgres@127.0.0.1:5432/orders (wal_level=logical)")
	s.String(&c.Publication, "publication", d.Publication, "publication of the captured tables (created when missing)")
	s.String(&c.Slot, "slot", d.Slot, "logical replication slot (created when missing, then snapshotted)")
}

var identifier = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// Validate checks the names that end up in SQL.
func (c Config) Validate() error {
	if c.DatabaseURL == "" {
		return errors.New("--database-url is required")
	}
	if !identifier.MatchString(c.Publication) || !identifier.MatchString(c.Slot) {
		return errors.New("--publication and --slot must be lower-case identifiers ([a-z_][a-z0-9_]*)")
	}
	return nil
}
