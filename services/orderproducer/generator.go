package orderproducer

import (
	"fmt"
	"math/rand/v2"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	customersv1 "github.com/kafka-enterprise-orders/orders/gen/customers/v1"
	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/money"
	"github.com/kafka-enterprise-orders/orders/internal/seed"
)

// Generator makes realistic synthetic orders: seeded customers, mostly
// shipping home in their own currency, one to four lines from the catalog
// (mostly one or two, of one unit), now and then a bulk order or one
// shipped abroad, and every 500th order in a currency the customer's
// account does not hold (declined for currency mismatch).
type Generator struct {
	rng       *rand.Rand
	customers []*customersv1.Customer
	seq       uint64
	prefix    string
}

// NewGenerator returns a generator drawing from the first n seeded
// customers. Order ids are "ord-<run>-<sequence>": run keeps the ids of
// separate runs apart (empty means "s<seed>").
func NewGenerator(rngSeed int64, n int, run string) *Generator {
	if run == "" {
		run = fmt.Sprintf("s%d", rngSeed)
	}
	return &Generator{
		rng:       rand.New(rand.NewPCG(uint64(rngSeed), 0x6f7264657273)),
		customers: seed.Customers(n),
		prefix:    "ord-" + run + "-",
	}
}

// Weighted choices: most orders have one or two lines of one unit each.
var (
	lineCounts = []weighted{{1, 55}, {2, 30}, {3, 10}, {4, 5}}
	quantities = []weighted{{1, 75}, {2, 20}, {3, 5}}
)

type weighted struct{ value, weight int }

func (g *Generator) pick(choices []weighted) int {
	total := 0
	for _, c := range choices {
		total += c.weight
	}
	n := g.rng.IntN(total)
	for _, c := range choices {
		if n < c.weight {
			return c.value
		}
		n -= c.weight
	}
	return choices[0].value
}

// Next returns the next synthetic order, created at now.
func (g *Generator) Next(now time.Time) *ordersv1.Order {
	g.seq++
	cu := g.customers[g.rng.IntN(len(g.customers))]
	country := cu.Country
	if g.rng.IntN(20) == 0 { // 5% ship abroad
		country = seed.Markets[g.rng.IntN(len(seed.Markets))].Country
	}
	var items []*ordersv1.LineItem
	for range g.pick(lineCounts) {
		p := seed.Products[g.rng.IntN(len(seed.Products))]
		qty := int32(g.pick(quantities))
		if g.rng.IntN(100) == 0 { // 1% bulk orders
			qty *= 10
		}
		price := money.FromEUR(float64(p.Price)/100, cu.Currency)
		items = append(items, &ordersv1.LineItem{Sku: p.SKU, Name: p.Name, Quantity: qty, UnitPriceMinor: price})
	}
	currency := cu.Currency
	if g.seq%500 == 0 {
		currency = "EUR"
		if cu.Currency == "EUR" {
			currency = "USD"
		}
	}
	return &ordersv1.Order{
		OrderId:     fmt.Sprintf("%s%08d", g.prefix, g.seq),
		CustomerId:  cu.CustomerId,
		Country:     country,
		Currency:    currency,
		Items:       items,
		AmountMinor: events.Total(items),
		CreatedAt:   timestamppb.New(now),
		Source:      ordersv1.OrderSource_ORDER_SOURCE_SYNTHETIC,
	}
}
