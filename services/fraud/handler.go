package fraud

import (
	"context"

	fraudv1 "github.com/kafka-enterprise-orders/orders/gen/fraud/v1"
	"github.com/kafka-enterprise-orders/orders/gen/fraud/v1/fraudv1connect"
	"github.com/kafka-enterprise-orders/orders/internal/rpc"
	"github.com/kafka-enterprise-orders/orders/internal/store"
	"github.com/kafka-enterprise-orders/orders/internal/validate"
)

// validators check the service's requests before its handler sees them.
var validators = []rpc.Validator{
	rpc.Check(func(r *fraudv1.GetAlertRequest) error {
		var c validate.Checker
		c.OrderID("order_id", r.GetOrderId())
		return c.Err()
	}),
	rpc.Check(func(r *fraudv1.ListAlertsRequest) error {
		var c validate.Checker
		c.PageSize("page_size", r.GetPageSize())
		c.Range("min_score", int64(r.GetMinScore()), 0, 100)
		return c.Err()
	}),
}

// handler implements FraudService over the committed alerts.
type handler struct {
	alerts *store.Recent[*fraudv1.FraudAlert]
	rules  []*fraudv1.Rule
}

var _ fraudv1connect.FraudServiceHandler = handler{}

func (h handler) GetAlert(_ context.Context, req *fraudv1.GetAlertRequest) (*fraudv1.GetAlertResponse, error) {
	a, ok := h.alerts.Get(req.GetOrderId())
	if !ok {
		return nil, rpc.NotFound("no fraud alert for order %q", req.GetOrderId())
	}
	return &fraudv1.GetAlertResponse{Alert: a}, nil
}

func (h handler) ListAlerts(_ context.Context, req *fraudv1.ListAlertsRequest) (*fraudv1.ListAlertsResponse, error) {
	page, next, err := h.alerts.Page(validate.PageSizeOrDefault(req.GetPageSize()), req.GetPageToken(),
		func(a *fraudv1.FraudAlert) bool { return a.GetScore() >= req.GetMinScore() })
	if err != nil {
		return nil, rpc.ToConnectError(err)
	}
	return &fraudv1.ListAlertsResponse{Alerts: page, NextPageToken: next}, nil
}

func (h handler) ListRules(context.Context, *fraudv1.ListRulesRequest) (*fraudv1.ListRulesResponse, error) {
	return &fraudv1.ListRulesResponse{Rules: h.rules}, nil
}
