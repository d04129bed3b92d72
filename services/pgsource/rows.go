package pgsource

import (
	"fmt"
	"strconv"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	customersv1 "github.com/kafka-enterprise-orders/orders/gen/customers/v1"
	"github.com/kafka-enterprise-orders/orders/internal/customers"
	"github.com/kafka-enterprise-orders/orders/internal/events"
)

// Table is the captured table.
const Table = "customers"

// columns of the customers table, in snapshot order.
var columns = []string{"id", "name", "email", "country", "risk_tier", "credit_limit_minor", "currency", "updated_at"}

// snapshotQuery reads every row as text, as pgoutput sends them.
const snapshotQuery = `SELECT id, name, email, country::text, risk_tier, credit_limit_minor::text, currency::text, updated_at::text FROM customers`

// row is one table row: column name → text value (nil for NULL).
type row map[string]*string

// timestamptz text output in the ISO date style.
const pgTimestampLayout = "2006-01-02 15:04:05.999999999Z07"

// customer maps a row to its event, validated.
func (r row) customer() (*customersv1.Customer, error) {
	get := func(col string) string {
		if v := r[col]; v != nil {
			return *v
		}
		return ""
	}
	limit, err := strconv.ParseInt(get("credit_limit_minor"), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("credit_limit_minor %q: %w", get("credit_limit_minor"), err)
	}
	c := &customersv1.Customer{
		CustomerId: get("id"), Name: get("name"), Email: get("email"), Country: get("country"),
		RiskTier: customers.ParseTier(get("risk_tier")), CreditLimitMinor: limit, Currency: get("currency"),
	}
	if ts := get("updated_at"); ts != "" {
		t, err := time.Parse(pgTimestampLayout, ts)
		if err != nil {
			return nil, fmt.Errorf("updated_at %q: %w", ts, err)
		}
		c.UpdatedAt = timestamppb.New(t)
	}
	if err := events.ValidateCustomer(c); err != nil {
		return nil, err
	}
	return c, nil
}

// key returns the row's id.
func (r row) key() string {
	if v := r["id"]; v != nil {
		return *v
	}
	return ""
}
