package payment

import (
	"context"

	paymentsv1 "github.com/kafka-enterprise-orders/orders/gen/payments/v1"
	"github.com/kafka-enterprise-orders/orders/gen/payments/v1/paymentsv1connect"
	"github.com/kafka-enterprise-orders/orders/internal/rpc"
	"github.com/kafka-enterprise-orders/orders/internal/validate"
)

// validators check the service's requests before its handler sees them.
var validators = []rpc.Validator{
	rpc.Check(func(r *paymentsv1.GetPaymentRequest) error {
		var c validate.Checker
		c.OrderID("order_id", r.GetOrderId())
		return c.Err()
	}),
	rpc.Check(func(r *paymentsv1.ListPaymentsRequest) error {
		var c validate.Checker
		c.PageSize("page_size", r.GetPageSize())
		if _, ok := paymentsv1.PaymentStatus_name[int32(r.GetStatus())]; !ok {
			c.Add("status", "unknown status %d", r.GetStatus())
		}
		return c.Err()
	}),
}

// handler implements PaymentService over the committed payments.
type handler struct{ state *State }

var _ paymentsv1connect.PaymentServiceHandler = handler{}

func (h handler) GetPayment(_ context.Context, req *paymentsv1.GetPaymentRequest) (*paymentsv1.GetPaymentResponse, error) {
	p, ok := h.state.payments.Get(req.GetOrderId())
	if !ok {
		return nil, rpc.NotFound("no payment for order %q", req.GetOrderId())
	}
	return &paymentsv1.GetPaymentResponse{Payment: p}, nil
}

func (h handler) ListPayments(_ context.Context, req *paymentsv1.ListPaymentsRequest) (*paymentsv1.ListPaymentsResponse, error) {
	status := req.GetStatus()
	page, next, err := h.state.payments.Page(validate.PageSizeOrDefault(req.GetPageSize()), req.GetPageToken(),
		func(p *paymentsv1.Payment) bool {
			return status == paymentsv1.PaymentStatus_PAYMENT_STATUS_UNSPECIFIED || p.GetStatus() == status
		})
	if err != nil {
		return nil, rpc.ToConnectError(err)
	}
	return &paymentsv1.ListPaymentsResponse{Payments: page, NextPageToken: next}, nil
}
