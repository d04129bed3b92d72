package stream

import (
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafka-enterprise-orders/orders/internal/config"
)

// Config holds the connection settings every service shares.
type Config struct {
	// Brokers is the bootstrap.servers list.
	Brokers string
	// SchemaRegistryURL is the Confluent Schema Registry base URL.
	SchemaRegistryURL string
	// SchemaRegistryUserInfo ("user:password") or SchemaRegistryToken
	// authenticate to the registry; SchemaRegistryCA verifies an https://
	// registry's certificate (default: the system's CAs).
	SchemaRegistryUserInfo string
	SchemaRegistryToken    string
	SchemaRegistryCA       string
	// AutoRegister registers a message's schema on first use. Production
	// deployments turn it off and register schemas from CI instead.
	AutoRegister bool
	// Partitions and ReplicationFactor are used when a service creates the
	// topics it owns.
	Partitions        int
	ReplicationFactor int
	// ClientID names the service to the brokers.
	ClientID string
	// Logger receives librdkafka's own log lines; nil uses slog.Default().
	Logger *slog.Logger
	// Extra holds additional librdkafka properties, e.g. security settings.
	// They are applied last, so they override this package's defaults,
	// including those its guarantees rest on (acks, enable.idempotence,
	// isolation.level): set those only knowingly.
	Extra kafka.ConfigMap
	// StallTimeout is how long a consumer group may make no committed
	// progress while records wait before it is reported stalled (not
	// ready); zero means DefaultStallTimeout.
	StallTimeout time.Duration
	// MeterProvider and TracerProvider instrument every client (metrics,
	// and spans whose context travels in record headers); nil means none.
	MeterProvider  metric.MeterProvider
	TracerProvider trace.TracerProvider
}

// DefaultConfig is a local cluster's: one broker and a registry on
// localhost, schemas registered on first use.
func DefaultConfig() Config {
	return Config{Brokers: "localhost:9092", SchemaRegistryURL: "http://localhost:8081", AutoRegister: true,
		Partitions: 3, ReplicationFactor: 1, StallTimeout: DefaultStallTimeout}
}

// Register adds the shared Kafka flags to a config set.
func (c *Config) Register(s *config.Set) {
	d := DefaultConfig()
	s.String(&c.Brokers, "kafka-brokers", d.Brokers, "Kafka bootstrap servers, comma-separated")
	s.String(&c.SchemaRegistryURL, "schema-registry-url", d.SchemaRegistryURL, "Confluent Schema Registry URL")
	s.String(&c.SchemaRegistryUserInfo, "schema-registry-user-info", "", "user:password for the registry's basic auth (prefer the environment variable: flags show in the process list)")
	s.String(&c.SchemaRegistryToken, "schema-registry-token", "", "bearer token for the registry (prefer the environment variable)")
	s.String(&c.SchemaRegistryCA, "schema-registry-ca", "", "PEM CA bundle that signs an https:// registry's certificate (default: the system's)")
	s.Bool(&c.AutoRegister, "auto-register-schemas", d.AutoRegister, "register protobuf schemas on first use (turn off in production)")
	s.Int(&c.Partitions, "topic-partitions", d.Partitions, "partitions of topics this service creates")
	s.Int(&c.ReplicationFactor, "topic-replication-factor", d.ReplicationFactor, "replication factor of topics this service creates")
	s.Duration(&c.StallTimeout, "stall-timeout", d.StallTimeout, "report a consumer group stalled (not ready) after this long without committed progress while records wait")
	s.PairsFile(c.setProperty, "kafka-properties-file", "file of librdkafka properties for every Kafka client, one key=value per line (# comments); keeps secrets out of the process list")
	s.Pairs(c.setProperty, "kafka-property", "librdkafka property for every Kafka client, key=value, repeatable (e.g. security.protocol=SASL_SSL); never echoed")
}

func (c *Config) setProperty(key, value string) {
	if c.Extra == nil {
		c.Extra = kafka.ConfigMap{}
	}
	c.Extra[key] = value
}

func (c Config) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.Default()
}

func (c Config) clientID(role string) string {
	id := c.ClientID
	if id == "" {
		id = "orders"
	}
	return id + "-" + role
}

// base returns the properties common to every client. Callers add their
// own and then pass the map through withExtra.
func (c Config) base(role string) kafka.ConfigMap {
	m := kafka.ConfigMap{
		"bootstrap.servers": c.Brokers,
		"client.id":         c.clientID(role),
		// librdkafka logs to stderr; warnings and worse only.
		"log_level": 4,
	}
	if c.MeterProvider != nil {
		m["statistics.interval.ms"] = int(statsInterval.Milliseconds())
	}
	return m
}

// withExtra applies the user's properties over m's and returns m.
func (c Config) withExtra(m kafka.ConfigMap) kafka.ConfigMap {
	for k, v := range c.Extra {
		m[k] = v
	}
	return m
}

// producerConfig is an idempotent producer: acks=all, no duplicates on retry.
func (c Config) producerConfig(role string) kafka.ConfigMap {
	m := c.base(role)
	// franz-go clients and librdkafka must agree on key → partition.
	m["partitioner"] = "murmur2_random"
	m["enable.idempotence"] = true
	m["acks"] = "all"
	m["linger.ms"] = 5
	m["go.delivery.reports"] = true
	return c.withExtra(m)
}

// transactionalConfig is producerConfig for a transactional producer.
//
// It closes connections idle for idleTransactional. That is the workaround
// for a librdkafka defect (2.10 and later, confluentinc/librdkafka#5511
// with #5456): when the group coordinator's node dies and drops out of the
// metadata, SendOffsetsToTransaction waits, past its own timeout, for a
// state change of some broker connection, which may come minutes later
// (the broker's preferred-leader election). A producer blocked in that
// call sends nothing, so its idle connections close, which is such a state
// change: the call finds the new coordinator and completes.
func (c Config) transactionalConfig(role, transactionalID string, timeout time.Duration) kafka.ConfigMap {
	m := c.producerConfig(role)
	m["transactional.id"] = transactionalID
	m["transaction.timeout.ms"] = int(timeout.Milliseconds())
	m["connections.max.idle.ms"] = int(idleTransactional.Milliseconds())
	return c.withExtra(m)
}

// idleTransactional is how long a transactional producer keeps an idle
// connection (see transactionalConfig).
const idleTransactional = 10 * time.Second

// metadataRefresh is how often a consumer refreshes its topics' metadata
// (see consumerConfig).
const metadataRefresh = 10 * time.Second

// consumerConfig never commits on its own: the owner stores or commits
// offsets once the output is durable. It reads only committed transactional
// records.
func (c Config) consumerConfig(role, group string) kafka.ConfigMap {
	m := c.base(role)
	m["group.id"] = group
	m["isolation.level"] = "read_committed"
	m["auto.offset.reset"] = "earliest"
	m["enable.auto.offset.store"] = false
	m["enable.partition.eof"] = false
	// A subscribed topic the consumer's metadata does not list yet (just
	// created, or its leader moving) gets no partitions until the next
	// refresh; librdkafka's default of five minutes leaves a group member
	// idle that long. Refreshing only the topics in use is cheap.
	m["topic.metadata.refresh.interval.ms"] = int(metadataRefresh.Milliseconds())
	return c.withExtra(m)
}

// registry opens a Schema Registry client.
func (c Config) registry() (schemaregistry.Client, error) {
	conf := schemaregistry.NewConfig(c.SchemaRegistryURL)
	if c.SchemaRegistryUserInfo != "" {
		conf.BasicAuthCredentialsSource, conf.BasicAuthUserInfo = "USER_INFO", c.SchemaRegistryUserInfo
	}
	if c.SchemaRegistryToken != "" {
		conf.BearerAuthCredentialsSource, conf.BearerAuthToken = "STATIC_TOKEN", c.SchemaRegistryToken
	}
	conf.SslCaLocation = c.SchemaRegistryCA
	client, err := schemaregistry.NewClient(conf)
	if err != nil {
		return nil, fmt.Errorf("schema registry client for %s: %w", c.SchemaRegistryURL, err)
	}
	return client, nil
}

// Hostname returns a stable instance name for transactional ids.
func Hostname() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "localhost"
	}
	return h
}

// NewRegistryClient opens a Schema Registry client for cfg.
func NewRegistryClient(cfg Config) (schemaregistry.Client, error) { return cfg.registry() }
