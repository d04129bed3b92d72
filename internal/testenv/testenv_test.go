package testenv_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry"
	"github.com/jackc/pgx/v5"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	"github.com/kafka-enterprise-orders/orders/internal/sandbox"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
	"github.com/kafka-enterprise-orders/orders/internal/testenv"
)

// TestKafkaRoundTrip produces a protobuf Order with confluent-kafka-go
// through the Schema Registry serde and consumes it back in a group.
func TestKafkaRoundTrip(t *testing.T) {
	cfg, _ := testenv.Kafka(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := stream.EnsureTopics(ctx, cfg, true, stream.TopicSpec{Name: "orders"}); err != nil {
		t.Fatal(err)
	}
	reg, err := schemaregistry.NewClient(schemaregistry.NewConfig(cfg.SchemaRegistryURL))
	if err != nil {
		t.Fatal(err)
	}
	serde, err := stream.NewSerde[*ordersv1.Order](reg, true)
	if err != nil {
		t.Fatal(err)
	}
	topic := stream.Topic[*ordersv1.Order]{Name: "orders", Serde: serde}
	prod, err := stream.NewProducer(cfg, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close(ctx)

	want := &ordersv1.Order{
		OrderId: "ord-1", CustomerId: "cus-0001", Country: "DE", Currency: "EUR",
		Items:       []*ordersv1.LineItem{{Sku: "SKU-1", Name: "Mug", Quantity: 2, UnitPriceMinor: 1250}},
		AmountMinor: 2500, CreatedAt: timestamppb.New(time.Unix(1700000000, 0)), Source: ordersv1.OrderSource_ORDER_SOURCE_API,
	}
	if err := (stream.Publisher[*ordersv1.Order]{Producer: prod, Topic: topic}).Publish(ctx, want.OrderId, want); err != nil {
		t.Fatal(err)
	}
	subjects, err := reg.GetAllSubjects()
	if err != nil {
		t.Fatal(err)
	}
	if len(subjects) == 0 || !contains(subjects, "orders-value") {
		t.Fatalf("registry subjects = %v, want orders-value", subjects)
	}

	got := make(chan stream.Record[*ordersv1.Order], 1)
	cctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- stream.Consume(cctx, cfg, stream.ConsumerOptions{Group: "roundtrip", DeadLetters: prod}, topic,
			func(_ context.Context, r stream.Record[*ordersv1.Order]) error {
				got <- r
				return nil
			})
	}()
	select {
	case r := <-got:
		if r.Key != "ord-1" || !proto.Equal(r.Value, want) {
			t.Errorf("consumed key %q value %v, want %v", r.Key, r.Value, want)
		}
	case <-ctx.Done():
		t.Fatal("no record consumed")
	}
	stop()
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// TestPostgres queries the throwaway cluster with pgx and checks logical
// replication is enabled, which change data capture needs.
func TestPostgres(t *testing.T) {
	url := testenv.PostgresURL(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var level string
	if err := conn.QueryRow(ctx, "SHOW wal_level").Scan(&level); err != nil {
		t.Fatal(err)
	}
	if level != "logical" {
		t.Errorf("wal_level = %q, want logical", level)
	}
	var sum int
	if err := conn.QueryRow(ctx, "SELECT $1::int + $2::int", 40, 2).Scan(&sum); err != nil || sum != 42 {
		t.Errorf("SELECT 40+2 = %d, %v", sum, err)
	}
}

// TestPostgresPortTaken starts a second cluster on the first one's port:
// the start fails, and the first cluster is untouched.
func TestPostgresPortTaken(t *testing.T) {
	first := testenv.Postgres(t)
	dir, err := os.MkdirTemp("", "orders-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	second, err := sandbox.StartPostgres(ctx, filepath.Join(dir, "data"), first.Port())
	if err == nil {
		_ = second.Stop()
		t.Fatal("a second PostgreSQL started on a taken port")
	}
	t.Log(err)
	conn, err := pgx.Connect(ctx, first.URL("postgres"))
	if err != nil {
		t.Fatalf("first cluster after the clash: %v", err)
	}
	conn.Close(ctx)
}
