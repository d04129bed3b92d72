package customers_test

import (
	"os"
	"strings"
	"testing"

	"github.com/kafka-enterprise-orders/orders/internal/customers"
	"github.com/kafka-enterprise-orders/orders/internal/seed"
)

func TestInitSQLIsGeneratedFromTheSeed(t *testing.T) {
	var b strings.Builder
	if err := customers.WriteInitSQL(&b, seed.Customers(seed.DefaultCustomers)); err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile("../../compose/db/init.sql")
	if err != nil {
		t.Fatal(err)
	}
	if string(committed) != b.String() {
		t.Error("compose/db/init.sql is stale: run make generate")
	}
	if customers.TierName(customers.ParseTier("high")) != "HIGH" {
		t.Error("tier names do not round-trip")
	}
}
