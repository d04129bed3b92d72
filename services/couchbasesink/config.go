package couchbasesink

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/couchbase/gocb/v2"

	"github.com/kafka-enterprise-orders/orders/internal/config"
	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/platform"
)

// DefaultListen is the service's default RPC (health and readiness) address.
const DefaultListen = "127.0.0.1:7006"

// DefaultScope and DefaultCollection name Couchbase's default keyspace.
const (
	DefaultScope      = "_default"
	DefaultCollection = "_default"
)

// Config configures the service.
type Config struct {
	platform.Common
	Couchbase Couchbase
	// Topics are the topics to copy into Couchbase (see SupportedTopics).
	Topics []string
	// Group is the consumer group id shared by the topics' consumers.
	Group string
}

// Couchbase says where documents go.
type Couchbase struct {
	URL      string // connection string, couchbase://host[,host...]
	Username string
	Password string
	Bucket   string
	// Scope and Collection name the keyspace in the bucket.
	Scope      string
	Collection string
	// CreateBucket creates the bucket (and a non-default scope and
	// collection) when missing: for dev stacks and tests, not production.
	CreateBucket bool
	// Durability is the write durability: none, majority,
	// majorityAndPersistActive or persistToMajority.
	Durability string
	// CAFile verifies the cluster's certificate on couchbases:// (TLS).
	CAFile string
}

// durability is the write durability level ("" is majority).
func (cb Couchbase) durability() gocb.DurabilityLevel {
	if cb.Durability == "" {
		return gocb.DurabilityLevelMajority
	}
	return durabilities[cb.Durability]
}

func knownDurability(name string) bool {
	_, ok := durabilities[name]
	return ok
}

// durabilities maps --couchbase-durability to gocb's levels.
var durabilities = map[string]gocb.DurabilityLevel{
	"none": gocb.DurabilityLevelNone, "majority": gocb.DurabilityLevelMajority,
	"majorityAndPersistActive": gocb.DurabilityLevelMajorityAndPersistOnMaster, "persistToMajority": gocb.DurabilityLevelPersistToMajority,
}

// DefaultConfig returns the service's defaults, those of its flags: a
// local Couchbase, `order-analytics` into bucket order_analytics.
func DefaultConfig() Config {
	return Config{
		Common: platform.DefaultCommon(DefaultListen),
		Couchbase: Couchbase{URL: "couchbase://127.0.0.1", Username: "Administrator", Password: "password",
			Bucket: "order_analytics", Scope: DefaultScope, Collection: DefaultCollection, Durability: "majority"},
		Topics: []string{events.OrderAnalyticsTopic}, Group: Name,
	}
}

// Register adds the service's options.
func (c *Config) Register(s *config.Set) {
	d := DefaultConfig()
	c.Common.Register(s, DefaultListen)
	s.String(&c.Couchbase.URL, "couchbase-url", d.Couchbase.URL, "Couchbase connection string")
	s.String(&c.Couchbase.Username, "couchbase-username", d.Couchbase.Username, "Couchbase user")
	s.String(&c.Couchbase.Password, "couchbase-password", d.Couchbase.Password, "Couchbase password")
	s.String(&c.Couchbase.Bucket, "couchbase-bucket", d.Couchbase.Bucket, "bucket the documents are written to")
	s.String(&c.Couchbase.Scope, "couchbase-scope", d.Couchbase.Scope, "scope of the collection in the bucket")
	s.String(&c.Couchbase.Collection, "couchbase-collection", d.Couchbase.Collection, "collection the documents are written to")
	s.List(&c.Topics, "topics", d.Topics,
		"topics to copy, comma-separated; one of "+strings.Join(SupportedTopics(), ", "))
	s.String(&c.Group, "group", d.Group, "consumer group id")
	s.String(&c.Couchbase.Durability, "couchbase-durability", d.Couchbase.Durability, "write durability: none, majority (acknowledged by a majority of the replicas), majorityAndPersistActive or persistToMajority")
	s.String(&c.Couchbase.CAFile, "couchbase-ca", "", "PEM CA bundle that signs the cluster's certificate (couchbases:// connection strings)")
	s.Bool(&c.Couchbase.CreateBucket, "create-bucket", d.Couchbase.CreateBucket, "create the bucket (and scope and collection) if missing: for dev and tests")
}

// Validate checks option combinations the flags cannot.
func (c Config) Validate() error {
	var errs []error
	if len(c.Topics) == 0 {
		errs = append(errs, errors.New("--topics names no topic"))
	}
	for i, t := range c.Topics {
		if _, ok := sinkable[t]; !ok {
			errs = append(errs, fmt.Errorf("--topics: cannot copy %q; supported: %s", t, strings.Join(SupportedTopics(), ", ")))
		}
		if slices.Index(c.Topics, t) != i {
			errs = append(errs, fmt.Errorf("--topics names %q twice", t))
		}
	}
	cb := c.Couchbase
	switch {
	case c.Group == "":
		errs = append(errs, errors.New("--group must not be empty"))
	case cb.URL == "":
		errs = append(errs, errors.New("--couchbase-url must not be empty"))
	case cb.Durability != "" && !knownDurability(cb.Durability):
		errs = append(errs, fmt.Errorf("--couchbase-durability %q: want none, majority, majorityAndPersistActive or persistToMajority", cb.Durability))
	case cb.Bucket == "" || cb.Scope == "" || cb.Collection == "":
		errs = append(errs, errors.New("--couchbase-bucket, --couchbase-scope and --couchbase-collection must not be empty"))
	case cb.Collection == DefaultCollection && cb.Scope != DefaultScope:
		errs = append(errs, fmt.Errorf("--couchbase-collection %s exists only in scope %s", DefaultCollection, DefaultScope))
	}
	return errors.Join(errs...)
}
