package payment

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	customersv1 "github.com/kafka-enterprise-orders/orders/gen/customers/v1"
	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	paymentsv1 "github.com/kafka-enterprise-orders/orders/gen/payments/v1"
	"github.com/kafka-enterprise-orders/orders/internal/catalog"
)

// Rules are the simulated authorization rules. They are deterministic: the
// same order, customer and seed always get the same decision, so a
// redelivered order cannot change its outcome.
type Rules struct {
	MinAmount, MaxAmount float64 // per order, in major units of its currency
	DefaultCreditLimit   float64 // major units, for customers not in the table
	FailureRate          float64 // 0-1
	Seed                 int64
}

// Decide authorizes or declines order o of customer cu (nil when unknown).
// Rules apply in order: amount bounds, account currency, credit limit,
// processor failure.
func (r Rules) Decide(o *ordersv1.Order, cu *customersv1.Customer, now time.Time) *paymentsv1.Payment {
	p := &paymentsv1.Payment{
		PaymentId: "pay-" + o.GetOrderId(), OrderId: o.GetOrderId(), CustomerId: o.GetCustomerId(),
		Status: paymentsv1.PaymentStatus_PAYMENT_STATUS_AUTHORIZED, AmountMinor: o.GetAmountMinor(),
		Currency: o.GetCurrency(), ProcessedAt: timestamppb.New(now), Detail: "authorized",
	}
	factor := float64(catalog.MinorPerMajor(o.GetCurrency()))
	amount := o.GetAmountMinor()
	decline := func(reason paymentsv1.DeclineReason, format string, args ...any) *paymentsv1.Payment {
		p.Status = paymentsv1.PaymentStatus_PAYMENT_STATUS_DECLINED
		p.DeclineReason = reason
		p.Detail = fmt.Sprintf(format, args...)
		return p
	}
	minMinor, maxMinor := int64(math.Round(r.MinAmount*factor)), int64(math.Round(r.MaxAmount*factor))
	if amount < minMinor || amount > maxMinor {
		return decline(paymentsv1.DeclineReason_DECLINE_REASON_AMOUNT_OUT_OF_BOUNDS,
			"amount %d is outside %d..%d %s minor units", amount, minMinor, maxMinor, o.GetCurrency())
	}
	limit := int64(math.Round(r.DefaultCreditLimit * factor))
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
	return float64(h.Sum64()>>11) / (1 << 53)
}
