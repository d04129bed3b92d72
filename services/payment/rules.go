package payment

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	customersv1 "github.com/kafka-enterprise-orders/orders/gen/customers/v1"
	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	paymentsv1 "github.com/kafka-enterprise-orders/orders/gen/payments/v1"
	"github.com/kafka-enterprise-orders/orders/internal/money"
)

// Rules are the simulated authorization rules. They are deterministic: the
// same order, customer and seed always get the same decision, so a
// redelivered order cannot change its outcome.
type Rules struct {
	MinAmount, MaxAmount float64 // per order, in euros (see money.ToEUR)
	DefaultCreditLimit   float64 // euros, for customers not in the table
	FailureRate          float64 // 0-1
	Seed                 int64
}

// Decide authorizes or declines order o of customer cu (nil when unknown).
// Rules apply in order: amount bounds (in euros at the catalog's reference
// rates), account currency, credit limit (in the account currency),
// processor failure.
func (r Rules) Decide(o *ordersv1.Order, cu *customersv1.Customer, now time.Time) *paymentsv1.Payment {
	p := &paymentsv1.Payment{
		PaymentId: "pay-" + o.GetOrderId(), OrderId: o.GetOrderId(), CustomerId: o.GetCustomerId(),
		Status: paymentsv1.PaymentStatus_PAYMENT_STATUS_AUTHORIZED, AmountMinor: o.GetAmountMinor(),
		Currency: o.GetCurrency(), ProcessedAt: timestamppb.New(now), Detail: "authorized",
	}
	amount := o.GetAmountMinor()
	decline := func(reason paymentsv1.DeclineReason, format string, args ...any) *paymentsv1.Payment {
		p.Status = paymentsv1.PaymentStatus_PAYMENT_STATUS_DECLINED
		p.DeclineReason = reason
		p.Detail = fmt.Sprintf(format, args...)
		return p
	}
	eur, known := money.ToEUR(amount, o.GetCurrency())
	if !known {
		return decline(paymentsv1.DeclineReason_DECLINE_REASON_CURRENCY_MISMATCH,
			"currency %s is not accepted", o.GetCurrency())
	}
	if eur < r.MinAmount || eur > r.MaxAmount {
		return decline(paymentsv1.DeclineReason_DECLINE_REASON_AMOUNT_OUT_OF_BOUNDS,
			"amount %.2f EUR is outside %.2f..%.2f EUR", eur, r.MinAmount, r.MaxAmount)
	}
	limit := money.FromEUR(r.DefaultCreditLimit, o.GetCurrency())
	if cu != nil {
		if cu.GetCurrency() != o.GetCurrency() {
			return decline(paymentsv1.DeclineReason_DECLINE_REASON_CURRENCY_MISMATCH,
				"order currency %s differs from account currency %s", o.GetCurrency(), cu.GetCurrency())
		}
		limit = cu.GetCreditLimitMinor()
	}
	if amount > limit {
		return decline(paymentsv1.DeclineReason_DECLINE_REASON_CREDIT_LIMIT_EXCEEDED,
			"amount %d exceeds credit limit %d %s minor units", amount, limit, o.GetCurrency())
	}
	if r.roll(o.GetOrderId()) < r.FailureRate {
		return decline(paymentsv1.DeclineReason_DECLINE_REASON_PROCESSOR_DECLINED, "declined by the card processor")
	}
	return p
}

// roll maps (seed, order id) to a uniform number in [0, 1).
func (r Rules) roll(orderID string) float64 {
	h := fnv.New64a()
	var seed [8]byte
	binary.LittleEndian.PutUint64(seed[:], uint64(r.Seed))
	_, _ = h.Write(seed[:])
	_, _ = h.Write([]byte(orderID))
	// FNV's high bits barely change between ids that differ in the last
	// digits; a murmur3 finalizer spreads every input bit over them.
	x := h.Sum64()
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return float64(x>>11) / (1 << 53)
}
