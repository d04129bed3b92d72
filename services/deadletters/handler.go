package deadletters

import (
	"context"
	"strconv"

	deadlettersv1 "github.com/kafka-enterprise-orders/orders/gen/deadletters/v1"
	"github.com/kafka-enterprise-orders/orders/gen/deadletters/v1/deadlettersv1connect"
	"github.com/kafka-enterprise-orders/orders/internal/rpc"
	"github.com/kafka-enterprise-orders/orders/internal/validate"
)

// Bounds of one request.
const (
	maxIDs       = 1000
	maxSelection = 10000
	maxReason    = 1024
	maxOperator  = 128
)

// validators check the service's requests before its handler sees them.
var validators = []rpc.Validator{
	rpc.Check(func(r *deadlettersv1.ListDeadLettersRequest) error {
		var c validate.Checker
		checkFilter(&c, "filter", r.GetFilter())
		c.PageSize("page_size", r.GetPageSize())
		return c.Err()
	}),
	rpc.Check(func(r *deadlettersv1.GetDeadLetterRequest) error {
		var c validate.Checker
		checkID(&c, "id", r.GetId())
		return c.Err()
	}),
	rpc.Check(func(r *deadlettersv1.ReplayDeadLettersRequest) error {
		var c validate.Checker
		checkSelection(&c, r.GetIds(), r.GetFilter())
		c.Text("reason", r.GetReason(), maxReason)
		c.Text("operator", r.GetOperator(), maxOperator)
		return c.Err()
	}),
	rpc.Check(func(r *deadlettersv1.DiscardDeadLettersRequest) error {
		var c validate.Checker
		checkSelection(&c, r.GetIds(), r.GetFilter())
		if c.Required("reason", r.GetReason()) {
			c.Text("reason", r.GetReason(), maxReason)
		}
		c.Text("operator", r.GetOperator(), maxOperator)
		return c.Err()
	}),
}

func checkFilter(c *validate.Checker, field string, f *deadlettersv1.DeadLetterFilter) {
	if c.Required(field+".topic", f.GetTopic()) {
		c.Text(field+".topic", f.GetTopic(), 249) // Kafka's longest topic name
	}
	c.Text(field+".consumer", f.GetConsumer(), 255)
	c.Text(field+".error_class", f.GetErrorClass(), 64)
	if _, ok := deadlettersv1.DeadLetterStatus_name[int32(f.GetStatus())]; !ok {
		c.Add(field+".status", "unknown status %d", f.GetStatus())
	}
}

func checkID(c *validate.Checker, field, id string) {
	if c.Required(field, id) {
		if _, _, err := parseID(id); err != nil {
			c.Add(field, "%v", err)
		}
	}
}

// checkSelection wants ids or a filter, not both.
func checkSelection(c *validate.Checker, ids []string, f *deadlettersv1.DeadLetterFilter) {
	switch {
	case len(ids) == 0 && f == nil:
		c.Add("ids", "name the dead letters, or give a filter")
	case len(ids) > 0 && f != nil:
		c.Add("filter", "give ids or a filter, not both")
	case len(ids) > maxIDs:
		c.Add("ids", "%d ids, at most %d per call", len(ids), maxIDs)
	case f != nil:
		checkFilter(c, "filter", f)
	default:
		seen := map[string]int{}
		for i, id := range ids {
			field := "ids[" + strconv.Itoa(i) + "]"
			if j, dup := seen[id]; dup {
				c.Add(field, "repeats ids[%d]", j)
				continue
			}
			seen[id] = i
			checkID(c, field, id)
		}
	}
}

// handler implements DeadLetterService.
type handler struct{ s *Service }

var _ deadlettersv1connect.DeadLetterServiceHandler = handler{}

func (h handler) ListDeadLetters(ctx context.Context, req *deadlettersv1.ListDeadLettersRequest) (*deadlettersv1.ListDeadLettersResponse, error) {
	page, next, err := h.s.list(ctx, req.GetFilter(), validate.PageSizeOrDefault(req.GetPageSize()), req.GetPageToken())
	if err != nil {
		return nil, rpc.ToConnectError(err)
	}
	return &deadlettersv1.ListDeadLettersResponse{DeadLetters: page, NextPageToken: next}, nil
}

func (h handler) GetDeadLetter(ctx context.Context, req *deadlettersv1.GetDeadLetterRequest) (*deadlettersv1.GetDeadLetterResponse, error) {
	res, err := h.s.get(ctx, req.GetId())
	return res, rpc.ToConnectError(err)
}

func (h handler) ReplayDeadLetters(ctx context.Context, req *deadlettersv1.ReplayDeadLettersRequest) (*deadlettersv1.ReplayDeadLettersResponse, error) {
	res, err := h.s.replay(ctx, selection{ids: req.GetIds(), filter: req.GetFilter()}, audit(ctx, req.GetOperator(), req.GetReason()))
	return res, rpc.ToConnectError(err)
}

func (h handler) DiscardDeadLetters(ctx context.Context, req *deadlettersv1.DiscardDeadLettersRequest) (*deadlettersv1.DiscardDeadLettersResponse, error) {
	res, err := h.s.discard(ctx, selection{ids: req.GetIds(), filter: req.GetFilter()}, audit(ctx, req.GetOperator(), req.GetReason()))
	return res, rpc.ToConnectError(err)
}
