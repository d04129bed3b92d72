// Package directory is the customer lookup table of the payment and fraud
// services: the latest row per customer from the compacted `customers`
// topic that pg-source fills from Postgres (a tombstone deletes).
package directory

import (
	"log/slog"
	"sync"

	customersv1 "github.com/kafka-enterprise-orders/orders/gen/customers/v1"
	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
)

// Directory maps customer ids to customers.
type Directory struct {
	mu        sync.RWMutex
	customers map[string]*customersv1.Customer
	log       *slog.Logger
}

// New returns an empty directory.
func New(log *slog.Logger) *Directory {
	return &Directory{customers: map[string]*customersv1.Customer{}, log: log}
}

// Table returns the table that keeps the directory current.
func (d *Directory) Table(cfg stream.Config, topics *events.Topics) *stream.Table[*customersv1.Customer] {
	return stream.NewTable(cfg, topics.Customers, d.Apply)
}

// Apply records one change of the customers topic.
func (d *Directory) Apply(rec stream.Record[*customersv1.Customer]) {
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
func (d *Directory) Get(id string) *customersv1.Customer {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.customers[id]
}

// Len returns the number of known customers.
func (d *Directory) Len() int {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return len(d.customers)
}
