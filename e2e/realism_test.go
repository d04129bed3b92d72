package e2e_test

import (
	"fmt"
	"testing"
	"time"

	paymentsv1 "github.com/kafka-enterprise-orders/orders/gen/payments/v1"
	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/seed"
	"github.com/kafka-enterprise-orders/orders/services/fraud"
	"github.com/kafka-enterprise-orders/orders/services/orderproducer"
	"github.com/kafka-enterprise-orders/orders/services/payment"
)

// TestSyntheticLoadIsRealistic runs the default generator through the
// default payment and fraud rules: most orders must be paid and unflagged,
// but every decline reason and every fraud rule must occur, so the dev
// stack shows the whole story. The load is seeded, so the counts are
// pinned exactly.
func TestSyntheticLoadIsRealistic(t *testing.T) {
	gen := orderproducer.NewGenerator(1, seed.DefaultCustomers, "")
	customers := map[string]int{}
	all := seed.Customers(seed.DefaultCustomers)
	for i, c := range all {
		customers[c.CustomerId] = i
	}
	rules := payment.Rules{MinAmount: 1, MaxAmount: 10000, DefaultCreditLimit: 1000, FailureRate: 0.02, Seed: 1}
	engine := fraud.NewEngine(fraud.DefaultRules())
	const n = 20000
	declined, alerted := 0, 0
	reasons := map[paymentsv1.DeclineReason]int{}
	fired := map[string]int{}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		o := gen.Next(at.Add(time.Duration(i) * time.Second)) // one order a second, as in the dev stack
		if err := events.ValidateOrder(o); err != nil {
			t.Fatalf("generated an invalid order: %v", err)
		}
		cu := all[customers[o.CustomerId]]
		if p := rules.Decide(o, cu, at); p.Status == paymentsv1.PaymentStatus_PAYMENT_STATUS_DECLINED {
			declined++
			reasons[p.DeclineReason]++
		}
		if a := engine.Evaluate(o, cu); a != nil {
			alerted++
			for _, r := range a.Rules {
				fired[r.Rule]++
			}
		}
	}
	t.Logf("declined %.1f%% %v; alerted %.1f%% %v", 100*float64(declined)/n, reasons, 100*float64(alerted)/n, fired)

	// The load is seeded: its outcomes are pinned. About 7% declined and
	// 5% flagged, with every decline reason and every rule among them.
	if declined != 1431 || alerted != 1027 {
		t.Errorf("%d declined, %d alerted of %d; want 1431 and 1027", declined, alerted, n)
	}
	wantReasons := map[paymentsv1.DeclineReason]int{
		paymentsv1.DeclineReason_DECLINE_REASON_AMOUNT_OUT_OF_BOUNDS:  23,
		paymentsv1.DeclineReason_DECLINE_REASON_CREDIT_LIMIT_EXCEEDED: 1015,
		paymentsv1.DeclineReason_DECLINE_REASON_PROCESSOR_DECLINED:    354,
		paymentsv1.DeclineReason_DECLINE_REASON_CURRENCY_MISMATCH:     39,
	}
	for v, name := range paymentsv1.DeclineReason_name {
		r := paymentsv1.DeclineReason(v)
		if r != paymentsv1.DeclineReason_DECLINE_REASON_UNSPECIFIED && wantReasons[r] == 0 {
			t.Errorf("decline reason %s is not expected to occur; every reason must", name)
		}
	}
	if fmt.Sprint(reasons) != fmt.Sprint(wantReasons) {
		t.Errorf("decline reasons %v, want %v", reasons, wantReasons)
	}
	wantFired := map[string]int{"country_mismatch": 186, "high_amount": 669, "high_risk_country": 70, "risk_tier": 160, "velocity": 225}
	for _, rule := range fraud.DefaultRules().Describe() {
		if wantFired[rule.GetName()] == 0 {
			t.Errorf("rule %s is not expected to fire; every rule must", rule.GetName())
		}
	}
	if fmt.Sprint(fired) != fmt.Sprint(wantFired) {
		t.Errorf("rules fired %v, want %v", fired, wantFired)
	}
}
