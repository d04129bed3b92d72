package testenv

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/kafka-enterprise-orders/orders/internal/sandbox"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
)

// BrokerEnv selects the broker of testenv.Kafka: unset or "kfake" for the
// embedded broker (a fresh one per test), "real" for a real 3-node Apache
// Kafka cluster shared by the tests of one binary.
const BrokerEnv = "ORDERS_TEST_KAFKA"

// RealBrokers reports whether the tests run on the real cluster.
func RealBrokers() bool { return os.Getenv(BrokerEnv) == "real" }

// RealClusterNodes is the size of the shared real cluster.
const RealClusterNodes = 3

var shared struct {
	mu      sync.Mutex
	cluster *sandbox.KafkaCluster
	dir     string
	err     error
}

// RealCluster returns the real Apache Kafka cluster shared by this test
// binary, starting it on first use; Main stops it. Topics and consumer
// groups a test made are deleted when it ends, so each test starts on an
// empty cluster. A test may kill and restart nodes, and must leave every
// node running.
func RealCluster(t testing.TB) *sandbox.KafkaCluster {
	t.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.cluster == nil && shared.err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		shared.dir, shared.err = os.MkdirTemp("", "orders-kafka-")
		if shared.err == nil {
			shared.cluster, shared.err = sandbox.StartKafkaCluster(ctx, shared.dir, RealClusterNodes)
		}
	}
	if shared.err != nil {
		t.Fatalf("real Kafka cluster: %v", shared.err)
	}
	c := shared.cluster
	t.Cleanup(func() {
		if err := emptyCluster(c.Bootstrap()); err != nil {
			t.Errorf("empty the real cluster after %s: %v", t.Name(), err)
		}
	})
	return c
}

// Main runs the tests and then stops the shared real cluster, if one was
// started, and removes the orders binary, if one was built; packages whose
// tests use them call it from TestMain.
func Main(m *testing.M) int {
	code := m.Run()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.cluster != nil {
		if err := shared.cluster.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "stop the real Kafka cluster:", err)
		}
	}
	if shared.dir != "" {
		_ = os.RemoveAll(shared.dir)
	}
	removeOrdersBinary()
	return code
}

// RealKafka is testenv.Kafka on the shared real cluster, whatever
// ORDERS_TEST_KAFKA says: replication
// factor 3 and min.insync.replicas 2 (the cluster's default), producers
// with acks=all and idempotence as always.
func RealKafka(t testing.TB) stream.Config {
	c := RealCluster(t)
	r := Registry(t)
	return stream.Config{
		Brokers:           c.Bootstrap(),
		SchemaRegistryURL: r.URL(),
		AutoRegister:      true,
		Partitions:        3,
		ReplicationFactor: RealClusterNodes,
		ClientID:          "test",
		Logger:            Logger(t),
	}
}

// emptyCluster deletes every topic but the internal ones, and every
// consumer group, and waits until the topics are gone.
func emptyCluster(bootstrap string) error {
	admin, err := ckafka.NewAdminClient(&ckafka.ConfigMap{"bootstrap.servers": bootstrap, "log_level": 3})
	if err != nil {
		return fmt.Errorf("admin client: %w", err)
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if groups, err := admin.ListConsumerGroups(ctx); err != nil {
		return fmt.Errorf("list groups: %w", err)
	} else if len(groups.Valid) > 0 {
		ids := make([]string, len(groups.Valid))
		for i, g := range groups.Valid {
			ids[i] = g.GroupID
		}
		if _, err := admin.DeleteConsumerGroups(ctx, ids); err != nil {
			return fmt.Errorf("delete groups: %w", err)
		}
	}
	for {
		md, err := admin.GetMetadata(nil, true, 10000)
		if err != nil {
			return fmt.Errorf("metadata: %w", err)
		}
		var topics []string
		for name := range md.Topics {
			if !strings.HasPrefix(name, "__") {
				topics = append(topics, name)
			}
		}
		if len(topics) == 0 {
			return nil
		}
		res, err := admin.DeleteTopics(ctx, topics)
		if err != nil {
			return fmt.Errorf("delete topics: %w", err)
		}
		var errs []error
		for _, r := range res {
			if c := r.Error.Code(); c != ckafka.ErrNoError && c != ckafka.ErrUnknownTopicOrPart {
				errs = append(errs, fmt.Errorf("delete %s: %w", r.Topic, r.Error))
			}
		}
		if len(errs) > 0 {
			return errors.Join(errs...)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("topics still listed: %v: %w", topics, ctx.Err())
		case <-time.After(500 * time.Millisecond):
		}
	}
}
