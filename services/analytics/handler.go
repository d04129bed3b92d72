package analytics

import (
	"context"
	"errors"
	"slices"
	"strconv"

	"connectrpc.com/connect"

	analyticsv1 "github.com/kafka-enterprise-orders/orders/gen/analytics/v1"
	"github.com/kafka-enterprise-orders/orders/gen/analytics/v1/analyticsv1connect"
	"github.com/kafka-enterprise-orders/orders/internal/broadcast"
	"github.com/kafka-enterprise-orders/orders/internal/rpc"
	"github.com/kafka-enterprise-orders/orders/internal/store"
	"github.com/kafka-enterprise-orders/orders/internal/validate"
)

// watchBuffer is how many updates a slow watcher may fall behind before it
// is dropped with ResourceExhausted.
const watchBuffer = 1024

// validators check the service's requests before its handler sees them.
var validators = []rpc.Validator{
	rpc.Check(func(r *analyticsv1.GetCountryStatsRequest) error {
		var c validate.Checker
		c.Country("country", r.GetCountry())
		return c.Err()
	}),
	rpc.Check(func(r *analyticsv1.ListCountryStatsRequest) error {
		var c validate.Checker
		c.PageSize("page_size", r.GetPageSize())
		return c.Err()
	}),
	rpc.Check(func(r *analyticsv1.WatchCountryStatsRequest) error {
		var c validate.Checker
		for i, cc := range r.GetCountries() {
			c.Country("countries["+strconv.Itoa(i)+"]", cc)
		}
		return c.Err()
	}),
}

// handler implements AnalyticsService over the committed statistics.
type handler struct {
	view    *store.Sorted[*analyticsv1.CountryStats]
	updates *broadcast.Hub[*analyticsv1.CountryStats]
}

var _ analyticsv1connect.AnalyticsServiceHandler = handler{}

func (h handler) GetCountryStats(_ context.Context, req *analyticsv1.GetCountryStatsRequest) (*analyticsv1.GetCountryStatsResponse, error) {
	cs, ok := h.view.Get(req.GetCountry())
	if !ok {
		return nil, rpc.NotFound("no orders for country %q yet", req.GetCountry())
	}
	return &analyticsv1.GetCountryStatsResponse{Stats: cs}, nil
}

func (h handler) ListCountryStats(_ context.Context, req *analyticsv1.ListCountryStatsRequest) (*analyticsv1.ListCountryStatsResponse, error) {
	page, next, err := h.view.Page(validate.PageSizeOrDefault(req.GetPageSize()), req.GetPageToken())
	if err != nil {
		return nil, rpc.ToConnectError(err)
	}
	return &analyticsv1.ListCountryStatsResponse{Stats: page, NextPageToken: next}, nil
}

// WatchCountryStats sends the current statistics, then every change, until
// the client goes away or the service stops.
func (h handler) WatchCountryStats(ctx context.Context, req *analyticsv1.WatchCountryStatsRequest, stream *connect.ServerStream[analyticsv1.WatchCountryStatsResponse]) error {
	wanted := func(cs *analyticsv1.CountryStats) bool {
		return len(req.GetCountries()) == 0 || slices.Contains(req.GetCountries(), cs.GetCountry())
	}
	sub := h.updates.Subscribe(watchBuffer) // before the snapshot: no change is missed
	defer sub.Cancel()
	// Send the response headers now, so that the client's call returns
	// even when there is nothing to send yet.
	if err := stream.Send(nil); err != nil {
		return err
	}
	snapshot, _, err := h.view.Page(validate.MaxPageSize, "")
	if err != nil {
		return rpc.ToConnectError(err)
	}
	for _, cs := range snapshot {
		if wanted(cs) {
			if err := stream.Send(&analyticsv1.WatchCountryStatsResponse{Stats: cs}); err != nil {
				return err
			}
		}
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case cs, ok := <-sub.C():
			if !ok {
				if sub.Dropped() {
					return connect.NewError(connect.CodeResourceExhausted, errors.New("watcher fell too far behind"))
				}
				return connect.NewError(connect.CodeUnavailable, errors.New("service shutting down"))
			}
			if wanted(cs) {
				if err := stream.Send(&analyticsv1.WatchCountryStatsResponse{Stats: cs}); err != nil {
					return err
				}
			}
		}
	}
}
