package events

import (
	"errors"
	"fmt"

	customersv1 "github.com/kafka-enterprise-orders/orders/gen/customers/v1"
	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
	"github.com/kafka-enterprise-orders/orders/internal/validate"
)

// Bounds of one order. MaxOrderTotalMinor (one billion in a currency
// with cents) keeps a running total of 92 million maximal orders within
// int64; aggregates saturate beyond that rather than wrap.
const (
	MaxItems           = 100
	MaxQuantity        = 10_000
	MaxUnitPriceMinor  = 1_000_000_000
	MaxOrderTotalMinor = 100_000_000_000
	MaxItemName        = 200 // bytes
)

// ValidateOrder checks an Order event: ids, codes, lines, and a total that
// matches its lines.
func ValidateOrder(o *ordersv1.Order) error {
	var c validate.Checker
	c.OrderID("order_id", o.GetOrderId())
	CheckOrderFields(&c, o.GetCustomerId(), o.GetCountry(), o.GetCurrency(), o.GetItems())
	if c.Err() == nil && o.GetAmountMinor() != Total(o.GetItems()) {
		c.Add("amount_minor", "is %d but the items add up to %d", o.GetAmountMinor(), Total(o.GetItems()))
	}
	if o.GetCreatedAt() == nil {
		c.Add("created_at", "is required")
	}
	return c.Err()
}

// CheckOrderFields checks the fields an order and a PlaceOrderRequest share.
func CheckOrderFields(c *validate.Checker, customerID, country, currency string, items []*ordersv1.LineItem) {
	c.CustomerID("customer_id", customerID)
	c.Country("country", country)
	c.Currency("currency", currency)
	if len(items) == 0 {
		c.Add("items", "needs at least one line")
	}
	if len(items) > MaxItems {
		c.Add("items", "has %d lines, at most %d allowed", len(items), MaxItems)
	}
	linesValid := true
	for i, it := range items {
		f := fmt.Sprintf("items[%d].", i)
		c.SKU(f+"sku", it.GetSku())
		c.Text(f+"name", it.GetName(), MaxItemName)
		q, p := int64(it.GetQuantity()), it.GetUnitPriceMinor()
		c.Range(f+"quantity", q, 1, MaxQuantity)
		c.Range(f+"unit_price_minor", p, 1, MaxUnitPriceMinor)
		linesValid = linesValid && q >= 1 && q <= MaxQuantity && p >= 1 && p <= MaxUnitPriceMinor
	}
	if total := Total(items); linesValid && len(items) <= MaxItems && total > MaxOrderTotalMinor {
		c.Add("items", "add up to %d minor units, at most %d allowed", total, int64(MaxOrderTotalMinor))
	}
}

// Total is the order total of items in minor units. It is exact for lines
// within the bounds above (at most 10^15); check them first.
func Total(items []*ordersv1.LineItem) int64 {
	var sum int64
	for _, it := range items {
		sum += int64(it.GetQuantity()) * it.GetUnitPriceMinor()
	}
	return sum
}

// Line copies the fields of a line item that the platform knows, so that
// no unknown field of a request reaches a published event.
func Line(it *ordersv1.LineItem) *ordersv1.LineItem {
	return &ordersv1.LineItem{Sku: it.GetSku(), Name: it.GetName(), Quantity: it.GetQuantity(), UnitPriceMinor: it.GetUnitPriceMinor()}
}

// ValidateCustomer checks a Customer event.
func ValidateCustomer(cu *customersv1.Customer) error {
	var c validate.Checker
	c.CustomerID("customer_id", cu.GetCustomerId())
	c.Country("country", cu.GetCountry())
	c.Currency("currency", cu.GetCurrency())
	if cu.GetCreditLimitMinor() < 0 {
		c.Add("credit_limit_minor", "must not be negative")
	}
	return c.Err()
}

// OrderOf returns the valid order a record of `orders` (or of its
// repartition topic) carries; a tombstone or an invalid order is an error
// of class validation, which the Kafka layer dead-letters.
func OrderOf(rec stream.Record[*ordersv1.Order]) (*ordersv1.Order, error) {
	if rec.Tombstone {
		return nil, stream.Invalid(errors.New("orders carries no tombstones"))
	}
	if err := ValidateOrder(rec.Value); err != nil {
		return nil, stream.Invalid(err)
	}
	return rec.Value, nil
}
