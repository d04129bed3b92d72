package services_test

import (
	"testing"
	"time"

	paymentsv1 "github.com/kafka-enterprise-orders/orders/gen/payments/v1"
	"github.com/kafka-enterprise-orders/orders/internal/catalog"
	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/services/fraud"
	"github.com/kafka-enterprise-orders/orders/services/orderproducer"
	"github.com/kafka-enterprise-orders/orders/services/payment"
)

// TestSyntheticLoadIsRealistic runs the default generator through the
// default payment and fraud rules: most orders must be paid and unflagged,
// but every outcome must occur, so the dev stack shows the whole story.
func TestSyntheticLoadIsRealistic(t *testing.T) {
	gen := orderproducer.NewGenerator(1, catalog.DefaultCustomers, "")
	customers := map[string]int{}
	all := catalog.Customers(catalog.DefaultCustomers)
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
	declineRate, alertRate := float64(declined)/n, float64(alerted)/n
	t.Logf("declined %.1f%% %v; alerted %.1f%% %v", 100*declineRate, reasons, 100*alertRate, fired)
	if declineRate < 0.02 || declineRate > 0.15 {
		t.Errorf("decline rate %.3f, want a realistic 2-15%%", declineRate)
	}
	if alertRate < 0.01 || alertRate > 0.10 {
		t.Errorf("alert rate %.3f, want a realistic 1-10%%", alertRate)
	}
	for _, rule := range []string{"high_amount", "high_risk_country", "risk_tier", "country_mismatch"} {
		if fired[rule] == 0 {
			t.Errorf("rule %s never fired on the synthetic load", rule)
		}
	}
	if reasons[paymentsv1.DeclineReason_DECLINE_REASON_CREDIT_LIMIT_EXCEEDED] == 0 || reasons[paymentsv1.DeclineReason_DECLINE_REASON_PROCESSOR_DECLINED] == 0 {
		t.Errorf("decline reasons %v lack credit limit or processor declines", reasons)
	}
}
