package analytics

import (
	"math"
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

// TestTotalsSaturateInsteadOfWrapping: a currency total that would pass
// the range of int64 stays at its largest value, flagged, while the order
// count goes on; it never wraps negative.
func TestTotalsSaturateInsteadOfWrapping(t *testing.T) {
	a := NewAggregates()
	near := int64(math.MaxInt64 - 100)
	a.Reset(map[string]*analyticsv1.CountryStats{
		"DE": {Country: "DE", OrderCount: 7, Totals: []*analyticsv1.CurrencyTotal{{Currency: "EUR", OrderCount: 7, AmountMinor: near}}},
	})
	now := time.Unix(1e9, 0)
	steps := []struct {
		amount    int64
		want      int64
		saturated bool
	}{
		{100, math.MaxInt64, false}, // exactly the largest int64 still fits
		{1, math.MaxInt64, true},
		{1_000_000, math.MaxInt64, true},
	}
	for i, step := range steps {
		total := a.Add(&ordersv1.Order{Country: "DE", Currency: "EUR", AmountMinor: step.amount}, now).GetTotals()[0]
		if total.GetAmountMinor() != step.want || total.GetAmountSaturated() != step.saturated || total.GetOrderCount() != int64(8+i) {
			t.Fatalf("after adding %d: %v, want %d saturated=%v count %d", step.amount, total, step.want, step.saturated, 8+i)
		}
	}
}
