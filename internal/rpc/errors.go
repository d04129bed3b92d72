package rpc

import (
	"context"
	"errors"
	"fmt"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"

	"github.com/kafka-enterprise-orders/orders/internal/stream"
	"github.com/kafka-enterprise-orders/orders/internal/validate"
)

// NotFound returns an error that ToConnectError maps to CodeNotFound.
func NotFound(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errNotFound, fmt.Sprintf(format, args...))
}

// ToConnectError maps the platform's errors to Connect codes, in one place:
// validation → InvalidArgument (with google.rpc.BadRequest details naming
// each field), not found (also an unknown topic or record) → NotFound, a
// fenced transactional producer → Aborted, Kafka unavailable or timing out
// → Unavailable, context → Canceled/DeadlineExceeded, anything else →
// Internal. Connect errors pass through.
func ToConnectError(err error) error {
	if err == nil {
		return nil
	}
	var ce *connect.Error
	if errors.As(err, &ce) {
		return ce
	}
	var ve *validate.Error
	if errors.As(err, &ve) {
		return invalidArgument(ve)
	}
	if errors.Is(err, errNotFound) || errors.Is(err, stream.ErrUnknownTopic) || errors.Is(err, stream.ErrNoRecord) {
		return connect.NewError(connect.CodeNotFound, err)
	}
	if stream.Fenced(err) {
		return connect.NewError(connect.CodeAborted, err)
	}
	if errors.Is(err, context.Canceled) {
		return connect.NewError(connect.CodeCanceled, err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return connect.NewError(connect.CodeDeadlineExceeded, err)
	}
	if stream.Unavailable(err) {
		return connect.NewError(connect.CodeUnavailable, err)
	}
	return connect.NewError(connect.CodeInternal, err)
}

func invalidArgument(ve *validate.Error) error {
	ce := connect.NewError(connect.CodeInvalidArgument, ve)
	br := &errdetails.BadRequest{}
	for _, v := range ve.Violations {
		br.FieldViolations = append(br.FieldViolations, &errdetails.BadRequest_FieldViolation{Field: v.Field, Description: v.Description})
	}
	if d, err := connect.NewErrorDetail(br); err == nil {
		ce.AddDetail(d)
	}
	return ce
}
