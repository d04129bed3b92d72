package analytics

import (
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	analyticsv1 "github.com/kafka-enterprise-orders/orders/gen/analytics/v1"
	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
)

// Aggregates is the working state of the aggregation stage: the current
// statistics of the countries this instance owns. It is rebuilt from the
// `order-analytics` topic whenever partitions are assigned or a
// transaction fails, so it never holds an uncommitted total for long.
type Aggregates struct {
	mu    sync.Mutex
	stats map[string]*analyticsv1.CountryStats
	dirty map[string]bool // changed since the last Drain
}

// NewAggregates returns empty state.
func NewAggregates() *Aggregates {
	return &Aggregates{stats: map[string]*analyticsv1.CountryStats{}, dirty: map[string]bool{}}
}

// Reset replaces the state with a copy of committed.
func (a *Aggregates) Reset(committed map[string]*analyticsv1.CountryStats) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.stats = make(map[string]*analyticsv1.CountryStats, len(committed))
	a.dirty = map[string]bool{}
	for k, v := range committed {
		a.stats[k] = proto.CloneOf(v)
	}
}

// Add counts order o and returns its country's new statistics.
func (a *Aggregates) Add(o *ordersv1.Order, now time.Time) *analyticsv1.CountryStats {
	a.mu.Lock()
	defer a.mu.Unlock()
	cs := a.stats[o.GetCountry()]
	if cs == nil {
		cs = &analyticsv1.CountryStats{Country: o.GetCountry()}
	} else {
		cs = proto.CloneOf(cs) // published values are never mutated
	}
	a.stats[o.GetCountry()] = cs
	a.dirty[o.GetCountry()] = true
	cs.OrderCount++
	cs.UpdatedAt = timestamppb.New(now)
	i, found := slices.BinarySearchFunc(cs.Totals, o.GetCurrency(), func(t *analyticsv1.CurrencyTotal, c string) int {
		return strings.Compare(t.GetCurrency(), c)
	})
	if !found {
		cs.Totals = slices.Insert(cs.Totals, i, &analyticsv1.CurrencyTotal{Currency: o.GetCurrency()})
	}
	total := cs.Totals[i]
	total.OrderCount++
	total.AmountMinor, total.AmountSaturated = addSaturating(total.GetAmountMinor(), o.GetAmountMinor(), total.GetAmountSaturated())
	return cs
}

// addSaturating returns sum+amount, or the largest int64 (and true) once
// that passes it: a total that wrapped negative would read as real.
func addSaturating(sum, amount int64, saturated bool) (int64, bool) {
	if saturated || (amount > 0 && sum > math.MaxInt64-amount) {
		return math.MaxInt64, true
	}
	return sum + amount, false
}

// Drain returns the statistics of every country changed since the last
// Drain, by country code, and forgets that they changed.
func (a *Aggregates) Drain() []*analyticsv1.CountryStats {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]*analyticsv1.CountryStats, 0, len(a.dirty))
	for c := range a.dirty {
		out = append(out, a.stats[c])
	}
	slices.SortFunc(out, func(x, y *analyticsv1.CountryStats) int { return strings.Compare(x.GetCountry(), y.GetCountry()) })
	a.dirty = map[string]bool{}
	return out
}
