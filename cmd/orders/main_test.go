package main_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/kafka-enterprise-orders/orders/internal/testenv"
)

// binDir holds the orders binary the process tests build once.
var binDir string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "orders-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "temp dir for the orders binary:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	binDir = dir
	return testenv.Main(m) // stops the shared real Kafka cluster, if one ran
}
