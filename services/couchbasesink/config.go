package couchbasesink

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/kafka-enterprise-orders/orders/internal/app"
	"github.com/kafka-enterprise-orders/orders/internal/config"
	"github.com/kafka-enterprise-orders/orders/internal/events"
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
	app.Common
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
}

// Register adds the service's options.
func (c *Config) Register(s *config.Set) {
	c.Common.Register(s, DefaultListen)
	s.String(&c.Couchbase.URL, "couchbase-url", "couchbase://127.0.0.1", "Couchbase connection string")
	s.String(&c.Couchbase.Username, "couchbase-username", "Administrator", "Couchbase user")
	s.String(&c.Couchbase.Password, "couchbase-password", "password", "Couchbase password")
	s.String(&c.Couchbase.Bucket, "couchbase-bucket", "order_analytics", "bucket the documents are written to")
	s.String(&c.Couchbase.Scope, "couchbase-scope", DefaultScope, "scope of the collection in the bucket")
	s.String(&c.Couchbase.Collection, "couchbase-collection", DefaultCollection, "collection the documents are written to")
	s.List(&c.Topics, "topics", []string{events.OrderAnalyticsTopic},
		"topics to copy, comma-separated; one of "+strings.Join(SupportedTopics(), ", "))
	s.String(&c.Group, "group", "couchbase-sink", "consumer group id")
	s.Bool(&c.Couchbase.CreateBucket, "create-bucket", false, "create the bucket (and scope and collection) if missing: for dev and tests")
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
	case cb.Bucket == "" || cb.Scope == "" || cb.Collection == "":
		errs = append(errs, errors.New("--couchbase-bucket, --couchbase-scope and --couchbase-collection must not be empty"))
	case cb.Collection == DefaultCollection && cb.Scope != DefaultScope:
		errs = append(errs, fmt.Errorf("--couchbase-collection %s exists only in scope %s", DefaultCollection, DefaultScope))
	}
	return errors.Join(errs...)
}
