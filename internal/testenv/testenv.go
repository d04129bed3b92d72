// Package testenv gives tests the platform's infrastructure: an embedded
// Kafka-protocol broker, an embedded Schema Registry and a throwaway
// PostgreSQL, each torn down by t.Cleanup. Tests run against these real
// protocols, never against mocks.
package testenv

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kafka-enterprise-orders/orders/internal/sandbox"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
)

// Broker starts an embedded broker for the test.
func Broker(t testing.TB) *sandbox.Broker {
	t.Helper()
	b, err := sandbox.StartBroker()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

// Registry starts an embedded Schema Registry for the test.
func Registry(t testing.TB) *sandbox.Registry {
	t.Helper()
	r, err := sandbox.StartRegistry(0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Error(err)
		}
	})
	return r
}

// Kafka starts a broker and a registry and returns a client config for them,
// logging through the test. With ORDERS_TEST_KAFKA=real (see BrokerEnv) the
// broker is the shared real Apache Kafka cluster, and no embedded broker is
// returned.
func Kafka(t testing.TB) (stream.Config, *sandbox.Broker) {
	t.Helper()
	if RealBrokers() {
		return RealKafka(t), nil
	}
	b := Broker(t)
	r := Registry(t)
	return stream.Config{
		Brokers:           b.BootstrapServers(),
		SchemaRegistryURL: r.URL(),
		AutoRegister:      true,
		Partitions:        3,
		ReplicationFactor: 1,
		ClientID:          "test",
		Logger:            Logger(t),
	}, b
}

// Logger returns a logger writing to the test log. Once the test's
// cleanups have run, lines still logged by a goroutine that outlived it (a
// service that did not stop in time, which the test reports) go to stderr:
// logging to a finished test would panic the whole test binary.
func Logger(t testing.TB) *slog.Logger {
	level := slog.LevelInfo
	if os.Getenv("TEST_DEBUG") != "" {
		level = slog.LevelDebug
	}
	w := &testWriter{t: t}
	t.Cleanup(w.finish)
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

type testWriter struct {
	t        testing.TB
	mu       sync.Mutex
	finished bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.finished {
		return fmt.Fprintf(os.Stderr, "%s (after the test ended): %s", w.t.Name(), p)
	}
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func (w *testWriter) finish() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.finished = true
}

var _ io.Writer = (*testWriter)(nil)

var dbSeq atomic.Int64

// PostgresURL returns the URL of a fresh, empty database: in the server
// named by TEST_DATABASE_URL when set, otherwise in a throwaway cluster.
func PostgresURL(t testing.TB) string {
	t.Helper()
	if base := os.Getenv("TEST_DATABASE_URL"); base != "" {
		return freshDatabase(t, base)
	}
	pg := Postgres(t)
	name := fmt.Sprintf("test_%d_%d", os.Getpid(), dbSeq.Add(1))
	if err := pg.CreateDatabase(context.Background(), name); err != nil {
		t.Fatal(err)
	}
	return pg.URL(name)
}

// Postgres starts a throwaway PostgreSQL cluster for the test, for tests
// that stop and restart the server itself.
func Postgres(t testing.TB) *sandbox.Postgres {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pg, err := sandbox.StartPostgres(ctx, postgresDir(t), 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := pg.Stop(); err != nil {
			t.Error(err)
		}
	})
	return pg
}

// postgresDir makes a data directory the postgres user can write: the test's
// own temp dir lives under a root-only parent.
func postgresDir(t testing.TB) string {
	dir, err := os.MkdirTemp("", "orders-pg-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir + "/data"
}
