package orderproducer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	"github.com/kafka-enterprise-orders/orders/gen/orders/v1/ordersv1connect"
	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/rpc"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
	"github.com/kafka-enterprise-orders/orders/internal/validate"
)

// validators check the service's requests before its handler sees them.
var validators = []rpc.Validator{
	rpc.Check(func(r *ordersv1.PlaceOrderRequest) error {
		var c validate.Checker
		if r.GetOrderId() != "" {
			c.OrderID("order_id", r.GetOrderId())
		}
		events.CheckOrderFields(&c, r.GetCustomerId(), r.GetCountry(), r.GetCurrency(), r.GetItems())
		return c.Err()
	}),
	rpc.Check(func(r *ordersv1.GetOrderRequest) error {
		var c validate.Checker
		c.OrderID("order_id", r.GetOrderId())
		return c.Err()
	}),
	rpc.Check(func(r *ordersv1.ListOrdersRequest) error {
		var c validate.Checker
		c.PageSize("page_size", r.GetPageSize())
		if r.GetCustomerId() != "" {
			c.CustomerID("customer_id", r.GetCustomerId())
		}
		if _, ok := ordersv1.OrderStatus_name[int32(r.GetStatus())]; !ok {
			c.Add("status", "unknown status %d", r.GetStatus())
		}
		return c.Err()
	}),
}

// handler implements OrderService over the view and the orders publisher.
type handler struct {
	view     *View
	restored func() bool // whether the view holds every order yet
	publish  stream.Publisher[*ordersv1.Order]
	now      func() time.Time
	stats    interface{ Add(string, int64) }

	mu       sync.Mutex
	inFlight map[string]chan struct{} // PlaceOrder calls per order id
}

var _ ordersv1connect.OrderServiceHandler = (*handler)(nil)

func (h *handler) PlaceOrder(ctx context.Context, req *ordersv1.PlaceOrderRequest) (*ordersv1.PlaceOrderResponse, error) {
	id := req.GetOrderId()
	if id == "" {
		id = newOrderID()
	}
	if !h.restored() {
		// The duplicate check below needs the whole view: a retry answered
		// now would publish the order a second time.
		return nil, connect.NewError(connect.CodeUnavailable, errors.New("the order view is still being restored from Kafka; retry shortly"))
	}
	release, err := h.claim(ctx, id)
	if err != nil {
		return nil, rpc.ToConnectError(err)
	}
	defer release()
	if ov, ok := h.view.Get(id); ok { // a retry: the first order stands
		return &ordersv1.PlaceOrderResponse{Order: ov.Order}, nil
	}
	items := make([]*ordersv1.LineItem, len(req.GetItems()))
	for i, it := range req.GetItems() {
		items[i] = events.Line(it)
	}
	o := &ordersv1.Order{ // field by field: unknown request fields stay out
		OrderId: id, CustomerId: req.GetCustomerId(), Country: req.GetCountry(), Currency: req.GetCurrency(),
		Items: items, AmountMinor: events.Total(items),
		CreatedAt: timestamppb.New(h.now()), Source: ordersv1.OrderSource_ORDER_SOURCE_API,
	}
	if err := h.publish.Publish(ctx, o.GetCustomerId(), o); err != nil {
		return nil, rpc.ToConnectError(err)
	}
	h.view.ApplyOrder(stream.Record[*ordersv1.Order]{Key: o.CustomerId, Value: o})
	h.stats.Add("orders.api", 1)
	return &ordersv1.PlaceOrderResponse{Order: o}, nil
}

// claim serialises PlaceOrder calls for one order id, so that concurrent
// retries publish once.
func (h *handler) claim(ctx context.Context, id string) (release func(), err error) {
	for {
		h.mu.Lock()
		wait, busy := h.inFlight[id]
		if !busy {
			done := make(chan struct{})
			h.inFlight[id] = done
			h.mu.Unlock()
			return func() {
				h.mu.Lock()
				delete(h.inFlight, id)
				h.mu.Unlock()
				close(done)
			}, nil
		}
		h.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func newOrderID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "ord-" + hex.EncodeToString(b[:])
}

func (h *handler) GetOrder(_ context.Context, req *ordersv1.GetOrderRequest) (*ordersv1.GetOrderResponse, error) {
	ov, ok := h.view.Get(req.GetOrderId())
	if !ok {
		return nil, rpc.NotFound("order %q", req.GetOrderId())
	}
	return &ordersv1.GetOrderResponse{Order: ov}, nil
}

func (h *handler) ListOrders(_ context.Context, req *ordersv1.ListOrdersRequest) (*ordersv1.ListOrdersResponse, error) {
	orders, next, err := h.view.Page(validate.PageSizeOrDefault(req.GetPageSize()), req.GetPageToken(), req.GetStatus(), req.GetCustomerId())
	if err != nil {
		return nil, rpc.ToConnectError(err)
	}
	return &ordersv1.ListOrdersResponse{Orders: orders, NextPageToken: next}, nil
}
