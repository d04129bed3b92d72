package analytics

import (
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	analyticsv1 "github.com/kafka-enterprise-orders/orders/gen/analytics/v1"
	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
)

func TestAggregatesCountPerCountryAndCurrency(t *testing.T) {
	a := NewAggregates()
	committed := map[string]*analyticsv1.CountryStats{
		"DE": {Country: "DE", OrderCount: 2, Totals: []*analyticsv1.CurrencyTotal{{Currency: "EUR", OrderCount: 2, AmountMinor: 1000}}},
	}
	a.Reset(committed)
	now := time.Unix(1e9, 0)
	for _, o := range []*ordersv1.Order{
		{Country: "DE", Currency: "USD", AmountMinor: 300},
		{Country: "DE", Currency: "EUR", AmountMinor: 50},
		{Country: "FR", Currency: "EUR", AmountMinor: 7},
		{Country: "DE", Currency: "CHF", AmountMinor: 1},
	} {
		a.Add(o, now)
	}
	changed := a.Drain()
	if len(changed) != 2 || changed[0].Country != "DE" || changed[1].Country != "FR" {
		t.Fatalf("changed = %v, want DE then FR", changed)
	}
	want := &analyticsv1.CountryStats{Country: "DE", OrderCount: 5, UpdatedAt: changed[0].UpdatedAt, Totals: []*analyticsv1.CurrencyTotal{
		{Currency: "CHF", OrderCount: 1, AmountMinor: 1},
		{Currency: "EUR", OrderCount: 3, AmountMinor: 1050},
		{Currency: "USD", OrderCount: 1, AmountMinor: 300},
	}}
	if !proto.Equal(changed[0], want) {
		t.Errorf("DE = %v, want %v", changed[0], want)
	}
	if committed["DE"].OrderCount != 2 {
		t.Error("Add mutated the committed state it was reset from")
	}
	if again := a.Drain(); len(again) != 0 {
		t.Errorf("second Drain = %v, want nothing", again)
	}
}
