package orderproducer

import (
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	fraudv1 "github.com/kafka-enterprise-orders/orders/gen/fraud/v1"
	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	paymentsv1 "github.com/kafka-enterprise-orders/orders/gen/payments/v1"
	"github.com/kafka-enterprise-orders/orders/internal/store"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
)

// View is the order-status view: every order with its payment decision and
// fraud flag. Payments and alerts may arrive before their order (they are
// different topics); the view joins them whichever comes first. Values are
// replaced, never mutated, so readers may keep what they got.
type View struct {
	orders *store.Recent[*ordersv1.OrderView]
}

// NewView returns an empty view.
func NewView(limits store.Limits) *View {
	return &View{orders: store.NewRecent[*ordersv1.OrderView](limits)}
}

func (v *View) update(orderID string, at time.Time, fn func(*ordersv1.OrderView)) {
	v.orders.Update(orderID, func(old *ordersv1.OrderView, found bool) *ordersv1.OrderView {
		nv := &ordersv1.OrderView{Status: ordersv1.OrderStatus_ORDER_STATUS_PLACED}
		if found {
			nv = proto.CloneOf(old)
		}
		fn(nv)
		if nv.UpdatedAt == nil || at.After(nv.UpdatedAt.AsTime()) {
			nv.UpdatedAt = timestamppb.New(at)
		}
		return nv
	})
}

// ApplyOrder records a placed order.
func (v *View) ApplyOrder(rec stream.Record[*ordersv1.Order]) {
	if rec.Tombstone {
		return
	}
	o := rec.Value
	v.update(o.GetOrderId(), o.GetCreatedAt().AsTime(), func(ov *ordersv1.OrderView) {
		if ov.Order == nil {
			ov.Order = o
		}
	})
}

// ApplyPayment records a payment decision.
func (v *View) ApplyPayment(rec stream.Record[*paymentsv1.Payment]) {
	if rec.Tombstone {
		return
	}
	p := rec.Value
	v.update(p.GetOrderId(), p.GetProcessedAt().AsTime(), func(ov *ordersv1.OrderView) {
		switch p.GetStatus() {
		case paymentsv1.PaymentStatus_PAYMENT_STATUS_AUTHORIZED:
			ov.Status = ordersv1.OrderStatus_ORDER_STATUS_PAID
			ov.DeclineReason = ""
		case paymentsv1.PaymentStatus_PAYMENT_STATUS_DECLINED:
			ov.Status = ordersv1.OrderStatus_ORDER_STATUS_DECLINED
			ov.DeclineReason = p.GetDetail()
		}
	})
}

// ApplyAlert records a fraud alert.
func (v *View) ApplyAlert(rec stream.Record[*fraudv1.FraudAlert]) {
	if rec.Tombstone {
		return
	}
	a := rec.Value
	v.update(a.GetOrderId(), a.GetCreatedAt().AsTime(), func(ov *ordersv1.OrderView) {
		ov.Flagged = true
		ov.FraudScore = a.GetScore()
		ov.FraudRules = ov.FraudRules[:0]
		for _, r := range a.GetRules() {
			ov.FraudRules = append(ov.FraudRules, r.GetRule())
		}
	})
}

// Get returns the view of one order, if the order itself is known.
func (v *View) Get(orderID string) (*ordersv1.OrderView, bool) {
	ov, ok := v.orders.Get(orderID)
	if !ok || ov.Order == nil {
		return nil, false
	}
	return ov, true
}

// Page lists known orders newest first, filtered by status and customer.
func (v *View) Page(size int, token string, status ordersv1.OrderStatus, customerID string) ([]*ordersv1.OrderView, string, error) {
	return v.orders.Page(size, token, func(ov *ordersv1.OrderView) bool {
		return ov.Order != nil &&
			(status == ordersv1.OrderStatus_ORDER_STATUS_UNSPECIFIED || ov.Status == status) &&
			(customerID == "" || ov.Order.CustomerId == customerID)
	})
}
