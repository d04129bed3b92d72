package e2e_test

import (
	"os"
	"testing"

	"github.com/kafka-enterprise-orders/orders/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }
