package fraud

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	customersv1 "github.com/kafka-enterprise-orders/orders/gen/customers/v1"
	fraudv1 "github.com/kafka-enterprise-orders/orders/gen/fraud/v1"
	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	"github.com/kafka-enterprise-orders/orders/internal/customers"
	"github.com/kafka-enterprise-orders/orders/internal/money"
	"github.com/kafka-enterprise-orders/orders/internal/validate"
)

// RuleSet is the fraud-service's configuration, as read from JSON. Each rule
// adds its score when it fires; an alert is raised when the total reaches
// AlertThreshold (scores are capped at 100).
type RuleSet struct {
	AlertThreshold    int32                 `json:"alert_threshold"`
	HighAmount        HighAmountRule        `json:"high_amount"`
	HighRiskCountries HighRiskCountriesRule `json:"high_risk_country"`
	Velocity          VelocityRule          `json:"velocity"`
	RiskTier          RiskTierRule          `json:"risk_tier"`
	CountryMismatch   CountryMismatchRule   `json:"country_mismatch"`
}

// Common holds what every rule has.
type Common struct {
	Enabled bool  `json:"enabled"`
	Score   int32 `json:"score"`
}

// HighAmountRule fires when the order total reaches Threshold euros (other
// currencies converted at the catalog's reference rates).
type HighAmountRule struct {
	Common
	Threshold float64 `json:"threshold"`
}

// HighRiskCountriesRule fires when the order ships to one of Countries.
type HighRiskCountriesRule struct {
	Common
	Countries []string `json:"countries"`
}

// VelocityRule fires when a customer places more than MaxOrders orders
// within Window (by order time).
type VelocityRule struct {
	Common
	MaxOrders int      `json:"max_orders"`
	Window    Duration `json:"window"`
}

// RiskTierRule fires for customers in one of Tiers ("LOW", "MEDIUM", "HIGH").
type RiskTierRule struct {
	Common
	Tiers []string `json:"tiers"`
}

// CountryMismatchRule fires when the order ships outside the customer's
// home country.
type CountryMismatchRule struct {
	Common
}

// Duration is a time.Duration written as "10m" in JSON.
type Duration time.Duration

// UnmarshalJSON reads "90s", "10m".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration must be a string like \"10m\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration: %w", err)
	}
	*d = Duration(v)
	return nil
}

// MarshalJSON writes "10m0s".
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// DefaultRules are the built-in rules.
func DefaultRules() RuleSet {
	return RuleSet{
		AlertThreshold:    30,
		HighAmount:        HighAmountRule{Common{true, 40}, 2000},
		HighRiskCountries: HighRiskCountriesRule{Common{true, 30}, []string{"NG", "RU", "KP", "IR", "VE"}},
		Velocity:          VelocityRule{Common{true, 30}, 8, Duration(10 * time.Minute)},
		RiskTier:          RiskTierRule{Common{true, 25}, []string{"HIGH"}},
		CountryMismatch:   CountryMismatchRule{Common{true, 20}},
	}
}

// ParseRules reads a JSON rule set; fields it leaves out keep their defaults.
func ParseRules(r io.Reader) (RuleSet, error) {
	rs := DefaultRules()
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rs); err != nil {
		return RuleSet{}, fmt.Errorf("parse rules: %w", err)
	}
	return rs, rs.Validate()
}

// Validate checks scores, thresholds and codes.
func (rs RuleSet) Validate() error {
	var c validate.Checker
	c.Range("alert_threshold", int64(rs.AlertThreshold), 1, 100)
	for name, cm := range map[string]Common{
		"high_amount": rs.HighAmount.Common, "high_risk_country": rs.HighRiskCountries.Common,
		"velocity": rs.Velocity.Common, "risk_tier": rs.RiskTier.Common, "country_mismatch": rs.CountryMismatch.Common,
	} {
		c.Range(name+".score", int64(cm.Score), 0, 100)
	}
	if rs.HighAmount.Threshold <= 0 {
		c.Add("high_amount.threshold", "must be positive")
	}
	for i, cc := range rs.HighRiskCountries.Countries {
		c.Country(fmt.Sprintf("high_risk_country.countries[%d]", i), cc)
	}
	if rs.Velocity.MaxOrders < 1 || rs.Velocity.Window <= 0 {
		c.Add("velocity", "needs max_orders >= 1 and a positive window")
	}
	for i, t := range rs.RiskTier.Tiers {
		if customers.ParseTier(t) == customersv1.RiskTier_RISK_TIER_UNSPECIFIED {
			c.Add(fmt.Sprintf("risk_tier.tiers[%d]", i), "must be LOW, MEDIUM or HIGH, got %q", t)
		}
	}
	return c.Err()
}

// Describe lists the rules for FraudService.ListRules, in evaluation order.
func (rs RuleSet) Describe() []*fraudv1.Rule {
	return []*fraudv1.Rule{
		{Name: "high_amount", Description: "order total at or above a threshold in EUR (reference rates)",
			Score: rs.HighAmount.Score, Enabled: rs.HighAmount.Enabled, Params: []string{fmt.Sprintf("threshold=%g", rs.HighAmount.Threshold)}},
		{Name: "high_risk_country", Description: "order ships to a high-risk country",
			Score: rs.HighRiskCountries.Score, Enabled: rs.HighRiskCountries.Enabled, Params: []string{"countries=" + strings.Join(rs.HighRiskCountries.Countries, ",")}},
		{Name: "velocity", Description: "customer placed more than max_orders orders within window",
			Score: rs.Velocity.Score, Enabled: rs.Velocity.Enabled,
			Params: []string{fmt.Sprintf("max_orders=%d", rs.Velocity.MaxOrders), "window=" + time.Duration(rs.Velocity.Window).String()}},
		{Name: "risk_tier", Description: "customer's risk tier is one of tiers",
			Score: rs.RiskTier.Score, Enabled: rs.RiskTier.Enabled, Params: []string{"tiers=" + strings.Join(rs.RiskTier.Tiers, ",")}},
		{Name: "country_mismatch", Description: "order ships outside the customer's home country",
			Score: rs.CountryMismatch.Score, Enabled: rs.CountryMismatch.Enabled},
	}
}

// Engine evaluates orders against a rule set, keeping the per-customer
// order history the velocity rule needs. It is not safe for concurrent use.
type Engine struct {
	rules   RuleSet
	history map[string][]seen // customer id → recent orders, oldest first
}

type seen struct {
	orderID string
	at      time.Time
}

// NewEngine returns an engine with empty history.
func NewEngine(rules RuleSet) *Engine { return &Engine{rules: rules, history: map[string][]seen{}} }

// Rules returns the engine's rule set.
func (e *Engine) Rules() RuleSet { return e.rules }

// Evaluate scores o for customer cu (nil when unknown) and returns the
// alert to raise, or nil. Seeing the same order twice counts it once.
func (e *Engine) Evaluate(o *ordersv1.Order, cu *customersv1.Customer) *fraudv1.FraudAlert {
	var hits []*fraudv1.RuleHit
	hit := func(c Common, name, format string, args ...any) {
		if c.Enabled {
			hits = append(hits, &fraudv1.RuleHit{Rule: name, Score: c.Score, Reason: fmt.Sprintf(format, args...)})
		}
	}
	rs := e.rules
	if eur, ok := money.ToEUR(o.GetAmountMinor(), o.GetCurrency()); ok && eur >= rs.HighAmount.Threshold {
		hit(rs.HighAmount.Common, "high_amount", "amount %.2f EUR >= threshold %.2f EUR", eur, rs.HighAmount.Threshold)
	}
	if slices.Contains(rs.HighRiskCountries.Countries, o.GetCountry()) {
		hit(rs.HighRiskCountries.Common, "high_risk_country", "ships to high-risk country %s", o.GetCountry())
	}
	if n := e.remember(o); n > rs.Velocity.MaxOrders {
		hit(rs.Velocity.Common, "velocity", "%d orders within %s, more than %d", n, time.Duration(rs.Velocity.Window), rs.Velocity.MaxOrders)
	}
	if cu != nil && slices.Contains(rs.RiskTier.Tiers, customers.TierName(cu.GetRiskTier())) {
		hit(rs.RiskTier.Common, "risk_tier", "customer risk tier %s", customers.TierName(cu.GetRiskTier()))
	}
	if cu != nil && cu.GetCountry() != o.GetCountry() {
		hit(rs.CountryMismatch.Common, "country_mismatch", "ships to %s, customer lives in %s", o.GetCountry(), cu.GetCountry())
	}
	var score int32
	for _, h := range hits {
		score += h.Score
	}
	score = min(score, 100)
	if len(hits) == 0 || score < rs.AlertThreshold {
		return nil
	}
	return &fraudv1.FraudAlert{
		AlertId: "alert-" + o.GetOrderId(), OrderId: o.GetOrderId(), CustomerId: o.GetCustomerId(),
		Score: score, Rules: hits, Country: o.GetCountry(), AmountMinor: o.GetAmountMinor(),
		Currency: o.GetCurrency(), CreatedAt: o.GetCreatedAt(),
	}
}

// Recall adds o to its customer's history without scoring it: how the
// history of orders scored before a restart or rebalance comes back.
func (e *Engine) Recall(o *ordersv1.Order) { e.remember(o) }

// remember adds o to its customer's history and returns how many of the
// customer's orders fall within the velocity window ending at o.
func (e *Engine) remember(o *ordersv1.Order) int {
	at := o.GetCreatedAt().AsTime()
	from := at.Add(-time.Duration(e.rules.Velocity.Window))
	h := e.history[o.GetCustomerId()]
	known := false
	kept := h[:0]
	for _, s := range h {
		if s.at.After(from) || s.at.Equal(from) {
			kept = append(kept, s)
		}
		known = known || s.orderID == o.GetOrderId()
	}
	if !known {
		kept = append(kept, seen{o.GetOrderId(), at})
	}
	if len(kept) == 0 {
		delete(e.history, o.GetCustomerId())
		return 0
	}
	e.history[o.GetCustomerId()] = kept
	n := 0
	for _, s := range kept {
		if !s.at.After(at) {
			n++
		}
	}
	return n
}
