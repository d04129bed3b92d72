package main_test

import (
	"os"
	"testing"

	"github.com/kafka-enterprise-orders/orders/internal/testenv"
)

// TestMain stops the shared real Kafka cluster (ORDERS_TEST_KAFKA=real)
// and removes the orders binary the process tests built.
func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }
