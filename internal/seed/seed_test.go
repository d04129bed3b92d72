package seed

import (
	"testing"

	"google.golang.org/protobuf/proto"

	customersv1 "github.com/kafka-enterprise-orders/orders/gen/customers/v1"
	"github.com/kafka-enterprise-orders/orders/internal/validate"
)

func TestCustomersAreDeterministicAndRealistic(t *testing.T) {
	a, b := Customers(DefaultCustomers), Customers(DefaultCustomers)
	tiers := map[customersv1.RiskTier]int{}
	countries := map[string]bool{}
	for i := range a {
		if !proto.Equal(a[i], b[i]) {
			t.Fatalf("customer %d differs between calls", i)
		}
		c := a[i]
		var v validate.Checker
		v.CustomerID("customer_id", c.CustomerId)
		v.Country("country", c.Country)
		v.Currency("currency", c.Currency)
		if err := v.Err(); err != nil || c.CreditLimitMinor <= 0 || CurrencyOf(c.Country) != c.Currency {
			t.Errorf("customer %v: %v", c, err)
		}
		tiers[c.RiskTier]++
		countries[c.Country] = true
	}
	if tiers[customersv1.RiskTier_RISK_TIER_LOW] < tiers[customersv1.RiskTier_RISK_TIER_MEDIUM] ||
		tiers[customersv1.RiskTier_RISK_TIER_HIGH] == 0 || len(countries) < 8 {
		t.Errorf("tiers %v over %d countries: not a realistic mix", tiers, len(countries))
	}
}
