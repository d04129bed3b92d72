package couchbasesink_test

import (
	"fmt"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	analyticsv1 "github.com/kafka-enterprise-orders/orders/gen/analytics/v1"
	"github.com/kafka-enterprise-orders/orders/services/couchbasesink"
)

// The document the sink stores under id "DE" for an `order-analytics`
// record keyed "DE": protojson with the .proto field names, so int64 fields
// are strings and timestamps RFC 3339. The Couchbase sink connector writes
// the same fields from Connect's data model instead (see the package doc).
func ExampleDocument() {
	doc, err := couchbasesink.Document(&analyticsv1.CountryStats{
		Country:    "DE",
		OrderCount: 3,
		Totals:     []*analyticsv1.CurrencyTotal{{Currency: "EUR", OrderCount: 3, AmountMinor: 7497}},
		UpdatedAt:  timestamppb.New(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)),
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(string(doc))
	// Output:
	// {"country":"DE","order_count":"3","totals":[{"currency":"EUR","order_count":"3","amount_minor":"7497"}],"updated_at":"2026-01-02T03:04:05Z"}
}
