package stream_test

import (
	"os"
	"testing"

	"github.com/kafka-enterprise-orders/orders/internal/testenv"
)

// TestMain stops the shared real Kafka cluster after the tests (when they
// ran on it: ORDERS_TEST_KAFKA=real).
func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }
