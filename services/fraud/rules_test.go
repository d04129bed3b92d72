package fraud

import (
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	customersv1 "github.com/kafka-enterprise-orders/orders/gen/customers/v1"
	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
)

var t0 = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

func order(id, customer, country string, amount int64, at time.Time) *ordersv1.Order {
	return &ordersv1.Order{OrderId: id, CustomerId: customer, Country: country, Currency: "EUR",
		AmountMinor: amount, CreatedAt: timestamppb.New(at)}
}

func ruleNames(e *Engine, o *ordersv1.Order, cu *customersv1.Customer) []string {
	a := e.Evaluate(o, cu)
	if a == nil {
		return nil
	}
	var names []string
	for _, r := range a.Rules {
		names = append(names, r.Rule)
	}
	return names
}

func TestEachRuleFires(t *testing.T) {
	home := &customersv1.Customer{CustomerId: "cus-1", Country: "DE", RiskTier: customersv1.RiskTier_RISK_TIER_LOW}
	risky := &customersv1.Customer{CustomerId: "cus-2", Country: "DE", RiskTier: customersv1.RiskTier_RISK_TIER_HIGH}
	cases := []struct {
		name  string
		order *ordersv1.Order
		cu    *customersv1.Customer
		want  []string
	}{
		{"clean order", order("ord-a1", "cus-1", "DE", 5000, t0), home, nil},
		{"high amount", order("ord-a2", "cus-1", "DE", 250_000, t0), home, []string{"high_amount"}},
		{"high-risk country abroad", order("ord-a3", "cus-1", "NG", 5000, t0), home, []string{"high_risk_country", "country_mismatch"}},
		{"risk tier alone is below the threshold", order("ord-a4", "cus-2", "DE", 5000, t0), risky, nil},
		{"risk tier shipped abroad", order("ord-a7", "cus-2", "FR", 5000, t0), risky, []string{"risk_tier", "country_mismatch"}},
		{"mismatch alone is below the threshold", order("ord-a5", "cus-1", "FR", 5000, t0), home, nil},
		{"everything", order("ord-a6", "cus-2", "RU", 300_000, t0), risky, []string{"high_amount", "high_risk_country", "risk_tier", "country_mismatch"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ruleNames(NewEngine(DefaultRules()), c.order, c.cu); !reflect.DeepEqual(got, c.want) {
				t.Errorf("fired %v, want %v", got, c.want)
			}
		})
	}
	if a := NewEngine(DefaultRules()).Evaluate(cases[len(cases)-1].order, risky); a.Score != 100 {
		t.Errorf("score %d, want capped at 100", a.Score)
	}
}

func TestVelocityWindowAndDuplicates(t *testing.T) {
	rules := DefaultRules()
	rules.AlertThreshold = 1
	rules.Velocity.MaxOrders = 5
	e := NewEngine(rules) // more than 5 orders in 10 minutes fires
	for i := range 5 {
		o := order("ord-v"+string(rune('a'+i))+"00", "cus-9", "DE", 5000, t0.Add(time.Duration(i)*time.Minute))
		if got := ruleNames(e, o, nil); got != nil {
			t.Fatalf("order %d fired %v", i, got)
		}
		if got := ruleNames(e, o, nil); got != nil { // redelivery counts once
			t.Fatalf("redelivered order %d fired %v", i, got)
		}
	}
	if got := ruleNames(e, order("ord-vf00", "cus-9", "DE", 5000, t0.Add(5*time.Minute)), nil); !reflect.DeepEqual(got, []string{"velocity"}) {
		t.Fatalf("6th order fired %v, want velocity", got)
	}
	// 20 minutes later the window is empty again.
	if got := ruleNames(e, order("ord-vg00", "cus-9", "DE", 5000, t0.Add(30*time.Minute)), nil); got != nil {
		t.Fatalf("order after the window fired %v", got)
	}
}

func TestRulesFileMatchesDefaultsAndRejectsNonsense(t *testing.T) {
	f, err := os.Open("testdata/rules.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rs, err := ParseRules(f)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rs, DefaultRules()) {
		t.Errorf("testdata/rules.json = %+v, want the defaults %+v", rs, DefaultRules())
	}
	for _, bad := range []string{
		`{"alert_threshold": 0}`,
		`{"high_risk_country": {"enabled": true, "score": 30, "countries": ["XX"]}}`,
		`{"velocity": {"enabled": true, "score": 30, "max_orders": 3, "window": "soon"}}`,
		`{"risk_tier": {"enabled": true, "score": 10, "tiers": ["EXTREME"]}}`,
		`{"unknown_rule": {}}`,
	} {
		if _, err := ParseRules(strings.NewReader(bad)); err == nil {
			t.Errorf("ParseRules(%s) accepted it", bad)
		}
	}
}
