package orderproducer

import (
	"fmt"
	"math/rand/v2"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	customersv1 "github.com/kafka-enterprise-orders/orders/gen/customers/v1"
	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	"github.com/kafka-enterprise-orders/orders/internal/catalog"
	"github.com/kafka-enterprise-orders/orders/internal/events"
)

// Generator makes realistic synthetic orders: seeded customers, mostly
// shipping home in their own currency, one to four lines from the catalog,
// now and then a large order or one shipped abroad.
type Generator struct {
	rng       *rand.Rand
	customers []*customersv1.Customer
	seq       uint64
	prefix    string
}

// NewGenerator returns a generator drawing from the first n seeded
// customers. Order ids are "ord-<run>-<sequence>": run keeps the ids of
// separate runs apart (empty means "s<seed>").
func NewGenerator(seed int64, n int, run string) *Generator {
	if run == "" {
		run = fmt.Sprintf("s%d", seed)
	}
	return &Generator{
		rng:       rand.New(rand.NewPCG(uint64(seed), 0x6f7264657273)),
		customers: catalog.Customers(n),
		prefix:    "ord-" + run + "-",
	}
}

// Next returns the next synthetic order, created at now.
func (g *Generator) Next(now time.Time) *ordersv1.Order {
	g.seq++
	cu := g.customers[g.rng.IntN(len(g.customers))]
	country := cu.Country
	if g.rng.IntN(20) == 0 { // 5% ship abroad
		country = catalog.Markets[g.rng.IntN(len(catalog.Markets))].Country
	}
	factor := catalog.MinorPerMajor(cu.Currency)
	var items []*ordersv1.LineItem
	for range 1 + g.rng.IntN(4) {
		p := catalog.Products[g.rng.IntN(len(catalog.Products))]
		qty := int32(1 + g.rng.IntN(3))
		if g.rng.IntN(50) == 0 { // 2% bulk orders
			qty *= 10
		}
		price := p.Price
		if factor == 1 { // no minor units: JPY prices are roughly 1.5 × cents
			price = p.Price * 3 / 2
		}
		items = append(items, &ordersv1.LineItem{Sku: p.SKU, Name: p.Name, Quantity: qty, UnitPriceMinor: price})
	}
	return &ordersv1.Order{
		OrderId:     fmt.Sprintf("%s%08d", g.prefix, g.seq),
		CustomerId:  cu.CustomerId,
		Country:     country,
		Currency:    cu.Currency,
		Items:       items,
		AmountMinor: events.Total(items),
		CreatedAt:   timestamppb.New(now),
		Source:      ordersv1.OrderSource_ORDER_SOURCE_SYNTHETIC,
	}
}
