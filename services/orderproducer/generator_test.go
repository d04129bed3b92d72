package orderproducer_test

import (
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	customersv1 "github.com/kafka-enterprise-orders/orders/gen/customers/v1"
	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/money"
	"github.com/kafka-enterprise-orders/orders/internal/seed"
	"github.com/kafka-enterprise-orders/orders/services/orderproducer"
)

var genNow = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func generate(seed int64, customers int, run string, n int) []*ordersv1.Order {
	g := orderproducer.NewGenerator(seed, customers, run)
	out := make([]*ordersv1.Order, n)
	for i := range out {
		out[i] = g.Next(genNow)
	}
	return out
}

func TestGeneratorIsDeterministicForASeed(t *testing.T) {
	a, b := generate(42, 50, "", 1000), generate(42, 50, "", 1000)
	for i := range a {
		if !proto.Equal(a[i], b[i]) {
			t.Fatalf("order %d differs between two runs of seed 42:\n%v\n%v", i, a[i], b[i])
		}
	}
	other := generate(43, 50, "", 1000)
	same := 0
	for i := range a {
		a[i].OrderId, other[i].OrderId = "", "" // ids name the seed
		if proto.Equal(a[i], other[i]) {
			same++
		}
	}
	if same > 100 {
		t.Errorf("seeds 42 and 43 agree on %d of 1000 orders, want different sequences", same)
	}
}

func TestGeneratorOrderIDsNameTheRunAndSequence(t *testing.T) {
	if id := generate(7, 10, "", 1)[0].OrderId; id != "ord-s7-00000001" {
		t.Errorf("first id of seed 7 = %q, want ord-s7-00000001", id)
	}
	orders := generate(7, 10, "lx3k9a", 3)
	if id := orders[2].OrderId; id != "ord-lx3k9a-00000003" {
		t.Errorf("third id of run lx3k9a = %q, want ord-lx3k9a-00000003", id)
	}
}

func TestGeneratorOrdersAreValid(t *testing.T) {
	seen := map[string]bool{}
	for _, o := range generate(1, seed.DefaultCustomers, "", 5000) {
		if err := events.ValidateOrder(o); err != nil {
			t.Fatalf("invalid synthetic order %v: %v", o, err)
		}
		if seen[o.OrderId] {
			t.Fatalf("order id %s generated twice", o.OrderId)
		}
		seen[o.OrderId] = true
		if o.Source != ordersv1.OrderSource_ORDER_SOURCE_SYNTHETIC || !o.CreatedAt.AsTime().Equal(genNow) {
			t.Fatalf("order %s: source %v created %v, want SYNTHETIC at %v", o.OrderId, o.Source, o.CreatedAt.AsTime(), genNow)
		}
	}
}

func TestGeneratorDrawsOnlyFromTheConfiguredCustomersAndAllOfThem(t *testing.T) {
	const customers, n = 7, 7000
	counts := map[string]int{}
	for _, o := range generate(3, customers, "", n) {
		counts[o.CustomerId]++
	}
	for _, cu := range seed.Customers(customers) {
		if c := counts[cu.CustomerId]; c < n/customers/2 || c > n/customers*3/2 {
			t.Errorf("%s placed %d of %d orders, want about %d", cu.CustomerId, c, n, n/customers)
		}
		delete(counts, cu.CustomerId)
	}
	if len(counts) > 0 {
		t.Errorf("orders of customers outside the first %d: %v", customers, counts)
	}
}

// TestGeneratorSpreadIsRealistic checks the shares the Generator's comment
// promises: mostly one or two lines of one unit, about 5% shipped abroad,
// about 1% bulk lines, prices from the catalog in the customer's currency,
// and exactly every 500th order in a currency the customer does not hold.
func TestGeneratorSpreadIsRealistic(t *testing.T) {
	const n = 20000
	byID := map[string]*customersv1.Customer{}
	for _, cu := range seed.Customers(seed.DefaultCustomers) {
		byID[cu.CustomerId] = cu
	}
	products := map[string]seed.Product{}
	for _, p := range seed.Products {
		products[p.SKU] = p
	}
	lines := map[int]int{}
	var abroad, bulk, units1, totalLines int
	for i, o := range generate(1, seed.DefaultCustomers, "", n) {
		cu := byID[o.CustomerId]
		lines[len(o.Items)]++
		if o.Country != cu.Country {
			abroad++
		}
		mismatch := (i+1)%500 == 0
		if (o.Currency != cu.Currency) != mismatch {
			t.Fatalf("order %d (%s) in %s for a %s customer; want a foreign currency exactly on every 500th", i+1, o.OrderId, o.Currency, cu.Currency)
		}
		for _, it := range o.Items {
			totalLines++
			p, ok := products[it.Sku]
			if !ok || it.Name != p.Name {
				t.Fatalf("line %v is not a catalog product", it)
			}
			if want := money.FromEUR(float64(p.Price)/100, cu.Currency); it.UnitPriceMinor != want {
				t.Fatalf("%s costs %d %s, want %d", it.Sku, it.UnitPriceMinor, cu.Currency, want)
			}
			switch {
			case it.Quantity >= 10:
				bulk++
			case it.Quantity == 1:
				units1++
			}
		}
	}
	share := func(k, of int) float64 { return float64(k) / float64(of) }
	checks := []struct {
		what   string
		got    float64
		lo, hi float64
	}{
		{"one-line orders", share(lines[1], n), 0.52, 0.58},
		{"two-line orders", share(lines[2], n), 0.27, 0.33},
		{"four-line orders", share(lines[4], n), 0.04, 0.06},
		{"orders shipped abroad", share(abroad, n), 0.03, 0.07},
		{"single-unit lines", share(units1, totalLines), 0.70, 0.78},
		{"bulk lines", share(bulk, totalLines), 0.005, 0.015},
	}
	for _, c := range checks {
		if c.got < c.lo || c.got > c.hi {
			t.Errorf("%s: %.3f, want between %.3f and %.3f", c.what, c.got, c.lo, c.hi)
		}
	}
	if len(lines) != 4 || lines[0] != 0 || lines[5] != 0 {
		t.Errorf("line counts %v, want 1 to 4 lines only", lines)
	}
}
