package sandbox_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry"

	"github.com/kafka-enterprise-orders/orders/internal/sandbox"
)

// realEnv is testenv.BrokerEnv, spelled out: `make test`'s real-cluster pass
// sets it to "real".
const realEnv = "ORDERS_TEST_KAFKA"

// TestApicurioStartsWithBackwardCompatibility resolves and starts the real
// Apicurio Registry and checks, through confluent-kafka-go's registry client,
// that its Confluent-compatible API answers, holds no subjects and has
// global compatibility BACKWARD; after Close it no longer answers.
func TestApicurioStartsWithBackwardCompatibility(t *testing.T) {
	if os.Getenv(realEnv) != "real" {
		t.Skipf("starts a JVM; runs with %s=real", realEnv)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	t0 := time.Now()
	dir, err := sandbox.ResolveApicurio(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Log("resolved", dir, time.Since(t0))
	t0 = time.Now()
	a, err := sandbox.StartApicurio(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Log("answering at", a.URL(), "after", time.Since(t0))
	closed := false
	defer func() {
		if !closed {
			_ = a.Close()
		}
	}()

	client, err := schemaregistry.NewClient(schemaregistry.NewConfig(a.URL()))
	if err != nil {
		t.Fatal(err)
	}
	subjects, err := client.GetAllSubjects()
	if err != nil {
		t.Fatalf("list subjects: %v", err)
	}
	if len(subjects) != 0 {
		t.Errorf("a fresh registry has subjects %v", subjects)
	}
	level, err := client.GetDefaultCompatibility()
	if err != nil {
		t.Fatalf("global compatibility: %v", err)
	}
	if level != schemaregistry.Backward {
		t.Errorf("global compatibility %v, want BACKWARD", level)
	}

	closed = true
	if err := a.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if err := a.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
	if _, err := client.GetAllSubjects(); err == nil {
		t.Error("registry still answers after Close")
	}
}
