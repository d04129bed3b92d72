package customers

import (
	"log/slog"
	"sync"

	customersv1 "github.com/kafka-enterprise-orders/orders/gen/customers/v1"
	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
)

// Lookup is the customers lookup table of payment and fraud: customer ids
// to customers, kept current from the compacted `customers` topic.
type Lookup struct {
	mu        sync.RWMutex
	customers map[string]*customersv1.Customer
	log       *slog.Logger
}

// NewLookup returns an empty lookup table.
func NewLookup(log *slog.Logger) *Lookup {
	return &Lookup{customers: map[string]*customersv1.Customer{}, log: log}
}

// Table returns the table that keeps the lookup table current.
func (d *Lookup) Table(cfg stream.Config, topics *events.Topics) *stream.Table[*customersv1.Customer] {
	return stream.NewTable(cfg, topics.Customers, d.Apply)
}

// Apply records one change of the customers topic.
func (d *Lookup) Apply(rec stream.Record[*customersv1.Customer]) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if rec.Tombstone {
		delete(d.customers, rec.Key)
		return
	}
	if err := events.ValidateCustomer(rec.Value); err != nil {
		d.log.Warn("ignoring invalid customer record", "key", rec.Key, "error", err)
		return
	}
	d.customers[rec.Value.CustomerId] = rec.Value
}

// Get returns a customer, or nil when unknown.
func (d *Lookup) Get(id string) *customersv1.Customer {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.customers[id]
}

// Len returns the number of known customers.
func (d *Lookup) Len() int {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return len(d.customers)
}
