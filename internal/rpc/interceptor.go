package rpc

import (
	"context"
	"errors"
	"log/slog"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// A Validator checks the requests of one message type.
type Validator struct {
	name  protoreflect.FullName
	check func(proto.Message) error
}

// Check returns the validator of requests of type T: fn returns a
// *validate.Error (InvalidArgument naming the fields) or nil.
func Check[T proto.Message](fn func(T) error) Validator {
	var zero T
	return Validator{
		name: zero.ProtoReflect().Descriptor().FullName(),
		check: func(m proto.Message) error {
			t, ok := m.(T)
			if !ok {
				return nil
			}
			return fn(t)
		},
	}
}

// Validate runs the validator of m's type among vs, if any, and returns
// its *validate.Error.
func Validate(m proto.Message, vs ...Validator) error {
	name := m.ProtoReflect().Descriptor().FullName()
	for _, v := range vs {
		if v.name == name {
			return v.check(m)
		}
	}
	return nil
}

type validators []Validator

func (vs validators) request(m any) error {
	pm, ok := m.(proto.Message)
	if !ok {
		return nil
	}
	if err := Validate(pm, vs...); err != nil {
		return ToConnectError(err)
	}
	return nil
}

// ValidationInterceptor rejects requests that fail their validator in vs
// with InvalidArgument before they reach a handler, for unary and
// server-streaming RPCs alike.
func ValidationInterceptor(vs ...Validator) connect.Interceptor { return validationInterceptor{vs} }

type validationInterceptor struct{ vs validators }

func (i validationInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if err := i.vs.request(req.Any()); err != nil {
			return nil, err
		}
		return next(ctx, req)
	}
}

func (validationInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (i validationInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		return next(ctx, validatingConn{conn, i.vs})
	}
}

type validatingConn struct {
	connect.StreamingHandlerConn
	vs validators
}

func (c validatingConn) Receive(m any) error {
	if err := c.StreamingHandlerConn.Receive(m); err != nil {
		return err
	}
	return c.vs.request(m)
}

// ErrorInterceptor turns the errors handlers return into Connect errors
// in one place (see ToConnectError): handlers return rpc.NotFound, a
// *validate.Error or a Kafka error as they are.
func ErrorInterceptor() connect.Interceptor { return errorInterceptor{} }

type errorInterceptor struct{}

func (errorInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		res, err := next(ctx, req)
		if err != nil {
			return nil, ToConnectError(err)
		}
		return res, nil
	}
}

func (errorInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (errorInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		if err := next(ctx, conn); err != nil {
			return ToConnectError(err)
		}
		return nil
	}
}

// LoggingInterceptor logs failed RPCs, unary and streaming: internal,
// unknown and unavailable errors at error level (the service is at
// fault), the others (the caller is) at debug level.
func LoggingInterceptor(log *slog.Logger) connect.Interceptor { return loggingInterceptor{log} }

type loggingInterceptor struct{ log *slog.Logger }

func (l loggingInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		res, err := next(ctx, req)
		l.failed(ctx, req.Spec().Procedure, err)
		return res, err
	}
}

func (loggingInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (l loggingInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		err := next(ctx, conn)
		l.failed(ctx, conn.Spec().Procedure, err)
		return err
	}
}

func (l loggingInterceptor) failed(ctx context.Context, procedure string, err error) {
	if err == nil {
		return
	}
	code := connect.CodeOf(err)
	level := slog.LevelDebug
	if code == connect.CodeInternal || code == connect.CodeUnknown || code == connect.CodeUnavailable {
		level = slog.LevelError
	}
	l.log.Log(ctx, level, "rpc failed", "procedure", procedure, "code", code.String(), "error", err)
}

// errNotFound is matched by ToConnectError.
var errNotFound = errors.New("not found")
