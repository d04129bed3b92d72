package payment

import (
	"fmt"
	"testing"
	"time"

	customersv1 "github.com/kafka-enterprise-orders/orders/gen/customers/v1"
	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	paymentsv1 "github.com/kafka-enterprise-orders/orders/gen/payments/v1"
)

func order(id string, amount int64, currency string) *ordersv1.Order {
	return &ordersv1.Order{OrderId: id, CustomerId: "cus-0001", Country: "DE", Currency: currency, AmountMinor: amount}
}

func TestDecide(t *testing.T) {
	rules := Rules{MinAmount: 1, MaxAmount: 10000, DefaultCreditLimit: 1000, FailureRate: 0}
	eur := &customersv1.Customer{CustomerId: "cus-0001", Currency: "EUR", CreditLimitMinor: 200_000}
	now := time.Unix(1700000000, 0)
	cases := []struct {
		name   string
		order  *ordersv1.Order
		cu     *customersv1.Customer
		reason paymentsv1.DeclineReason
	}{
		{"within limit", order("ord-0001", 150_000, "EUR"), eur, 0},
		{"too small", order("ord-0002", 50, "EUR"), eur, paymentsv1.DeclineReason_DECLINE_REASON_AMOUNT_OUT_OF_BOUNDS},
		{"too large", order("ord-0003", 1_000_001, "EUR"), eur, paymentsv1.DeclineReason_DECLINE_REASON_AMOUNT_OUT_OF_BOUNDS},
		{"over credit limit", order("ord-0004", 200_001, "EUR"), eur, paymentsv1.DeclineReason_DECLINE_REASON_CREDIT_LIMIT_EXCEEDED},
		{"currency mismatch", order("ord-0005", 1000, "USD"), eur, paymentsv1.DeclineReason_DECLINE_REASON_CURRENCY_MISMATCH},
		{"unknown customer uses default limit", order("ord-0006", 100_001, "EUR"), nil, paymentsv1.DeclineReason_DECLINE_REASON_CREDIT_LIMIT_EXCEEDED},
		{"JPY has no minor units", order("ord-0007", 900, "JPY"), nil, 0},
		{"default limit converted to yen", order("ord-0008", 161_291, "JPY"), nil, paymentsv1.DeclineReason_DECLINE_REASON_CREDIT_LIMIT_EXCEEDED},
		{"bounds apply in euros", order("ord-0009", 2_000_000, "JPY"), nil, paymentsv1.DeclineReason_DECLINE_REASON_AMOUNT_OUT_OF_BOUNDS},
		{"currency without a rate", order("ord-0010", 1000, "CHF"), nil, paymentsv1.DeclineReason_DECLINE_REASON_CURRENCY_MISMATCH},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := rules.Decide(c.order, c.cu, now)
			wantStatus := paymentsv1.PaymentStatus_PAYMENT_STATUS_AUTHORIZED
			if c.reason != 0 {
				wantStatus = paymentsv1.PaymentStatus_PAYMENT_STATUS_DECLINED
			}
			if p.Status != wantStatus || p.DeclineReason != c.reason {
				t.Errorf("got %v/%v (%s), want %v/%v", p.Status, p.DeclineReason, p.Detail, wantStatus, c.reason)
			}
			if p.PaymentId != "pay-"+c.order.OrderId || p.AmountMinor != c.order.AmountMinor {
				t.Errorf("payment %v does not mirror the order", p)
			}
		})
	}
}

func TestFailureRateIsDeterministicAndCalibrated(t *testing.T) {
	rules := Rules{MinAmount: 0, MaxAmount: 1e9, DefaultCreditLimit: 1e9, FailureRate: 0.1, Seed: 7}
	declined := 0
	const n = 20000
	for i := range n {
		// Ids as the generator makes them: they differ only in the last digits.
		o := order(fmt.Sprintf("ord-s1-%08d", i), 100, "EUR")
		a, b := rules.Decide(o, nil, time.Time{}), rules.Decide(o, nil, time.Time{})
		if a.Status != b.Status {
			t.Fatalf("order %s decided twice differently", o.OrderId)
		}
		if a.DeclineReason == paymentsv1.DeclineReason_DECLINE_REASON_PROCESSOR_DECLINED {
			declined++
		}
	}
	if rate := float64(declined) / n; rate < 0.09 || rate > 0.11 {
		t.Errorf("processor declined %.3f of payments, want about 0.10", rate)
	}
}
