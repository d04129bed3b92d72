// Package seed is the platform's seed data: the markets it ships to, the
// seeded customers (the rows compose/db/init.sql inserts into Postgres)
// and the products the synthetic order generator sells. All are
// deterministic, so every run, test and database agrees on them.
package seed

import (
	"fmt"
	"hash/fnv"

	customersv1 "github.com/kafka-enterprise-orders/orders/gen/customers/v1"
	"github.com/kafka-enterprise-orders/orders/internal/money"
)

// Market is a country the platform ships to, with its currency.
type Market struct {
	Country  string
	Currency string
	Weight   int // relative share of customers
}

// Markets lists the countries customers live in.
var Markets = []Market{
	{"DE", "EUR", 18}, {"US", "USD", 16}, {"GB", "GBP", 12}, {"FR", "EUR", 10}, {"NL", "EUR", 6},
	{"ES", "EUR", 6}, {"IT", "EUR", 6}, {"PL", "PLN", 5}, {"SE", "SEK", 4}, {"CA", "CAD", 5},
	{"JP", "JPY", 4}, {"BR", "BRL", 3}, {"IN", "INR", 3}, {"NG", "NGN", 1}, {"AU", "AUD", 1},
}

// CurrencyOf returns the currency of a market country ("" if unknown).
func CurrencyOf(country string) string {
	for _, m := range Markets {
		if m.Country == country {
			return m.Currency
		}
	}
	return ""
}

var (
	firstNames = []string{"Anna", "Ben", "Chloe", "David", "Elif", "Felix", "Grace", "Hiro", "Ines", "Jonas",
		"Kofi", "Lena", "Mateo", "Nora", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wei", "Yara", "Zoe"}
	lastNames = []string{"Schmidt", "Smith", "Martin", "Rossi", "Garcia", "Nowak", "Andersson", "Tanaka", "Silva",
		"Okafor", "Patel", "Dubois", "Jansen", "Brown", "Kowalski", "Fischer", "Moreau", "Lopez", "Kim", "Walker"}
)

// DefaultCustomers is how many customers the seed data holds.
const DefaultCustomers = 200

// CustomerID returns the id of the i-th customer (1-based): "cus-0001".
func CustomerID(i int) string { return fmt.Sprintf("cus-%04d", i) }

// Customers returns the first n seeded customers. Customer i always gets the
// same name, country, risk tier and credit limit.
func Customers(n int) []*customersv1.Customer {
	out := make([]*customersv1.Customer, n)
	for i := 1; i <= n; i++ {
		h := hash(fmt.Sprint("customer-", i))
		m := pickMarket(h)
		first, last := firstNames[h%uint64(len(firstNames))], lastNames[(h>>8)%uint64(len(lastNames))]
		tier, limit := riskAndLimit(h >> 16)
		out[i-1] = &customersv1.Customer{
			CustomerId:       CustomerID(i),
			Name:             first + " " + last,
			Email:            fmt.Sprintf("%s.%s.%d@example.com", lower(first), lower(last), i),
			Country:          m.Country,
			RiskTier:         tier,
			CreditLimitMinor: money.FromEUR(float64(limit), m.Currency),
			Currency:         m.Currency,
		}
	}
	return out
}

func pickMarket(h uint64) Market {
	total := 0
	for _, m := range Markets {
		total += m.Weight
	}
	n := int(h>>24) % total
	for _, m := range Markets {
		if n < m.Weight {
			return m
		}
		n -= m.Weight
	}
	return Markets[0]
}

// riskAndLimit gives 70% low, 20% medium, 10% high risk customers, with
// credit limits (in euros, converted to the customer's currency) that
// shrink as risk grows.
func riskAndLimit(h uint64) (customersv1.RiskTier, int64) {
	switch r := h % 10; {
	case r < 7:
		return customersv1.RiskTier_RISK_TIER_LOW, []int64{2000, 5000, 10000}[h/10%3]
	case r < 9:
		return customersv1.RiskTier_RISK_TIER_MEDIUM, []int64{1000, 2000}[h/10%2]
	default:
		return customersv1.RiskTier_RISK_TIER_HIGH, 500
	}
}

func hash(s string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(s))
	return h.Sum64()
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// Product is something the synthetic generator sells.
type Product struct {
	SKU   string
	Name  string
	Price int64 // euro cents; converted to the order's currency with FromEUR
}

// Products is the synthetic catalog.
var Products = []Product{
	{"SKU-1001", "Espresso cups (set of 4)", 2499}, {"SKU-1002", "Pour-over kettle", 5490},
	{"SKU-1003", "Burr grinder", 12900}, {"SKU-1004", "Single-origin beans 1kg", 3200},
	{"SKU-2001", "Running shoes", 11995}, {"SKU-2002", "Rain jacket", 8950},
	{"SKU-2003", "Merino socks", 1800}, {"SKU-3001", "Noise-cancelling headphones", 29900},
	{"SKU-3002", "USB-C dock", 15900}, {"SKU-3003", "Mechanical keyboard", 13900},
	{"SKU-3004", "4K monitor", 44900}, {"SKU-3005", "Laptop 14\"", 129900},
	{"SKU-4001", "Cast-iron pan", 4500}, {"SKU-4002", "Chef's knife", 8900},
	{"SKU-5001", "Paperback novel", 1299}, {"SKU-5002", "Board game", 3999},
}
