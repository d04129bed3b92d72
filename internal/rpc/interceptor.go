package rpc

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

var (
	validatorsMu sync.RWMutex
	validators   = map[protoreflect.FullName]func(proto.Message) error{}
)

// RegisterValidator makes the validation interceptor check every request of
// type T with fn. fn returns a *validate.Error (InvalidArgument naming the
// fields) or nil. Services register their request validators once, at
// package initialisation.
func RegisterValidator[T proto.Message](fn func(T) error) {
	var zero T
	name := zero.ProtoReflect().Descriptor().FullName()
	validatorsMu.Lock()
	defer validatorsMu.Unlock()
	validators[name] = func(m proto.Message) error {
		t, ok := m.(T)
		if !ok {
			return nil
		}
		return fn(t)
	}
}

func validatorFor(m any) func(proto.Message) error {
	pm, ok := m.(proto.Message)
	if !ok {
		return nil
	}
	validatorsMu.RLock()
	defer validatorsMu.RUnlock()
	return validators[pm.ProtoReflect().Descriptor().FullName()]
}

// Validate runs the validator registered for m's type, if any, and
// returns its *validate.Error.
func Validate(m proto.Message) error {
	if v := validatorFor(m); v != nil {
		return v(m)
	}
	return nil
}

func validateRequest(m any) error {
	pm, ok := m.(proto.Message)
	if !ok {
		return nil
	}
	if err := Validate(pm); err != nil {
		return ToConnectError(err)
	}
	return nil
}

// ValidationInterceptor rejects invalid requests with InvalidArgument before
// they reach a handler, for unary and server-streaming RPCs alike.
func ValidationInterceptor() connect.Interceptor { return validationInterceptor{} }

type validationInterceptor struct{}

func (validationInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if err := validateRequest(req.Any()); err != nil {
			return nil, err
		}
		return next(ctx, req)
	}
}

func (validationInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (validationInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		return next(ctx, validatingConn{conn})
	}
}

type validatingConn struct{ connect.StreamingHandlerConn }

func (c validatingConn) Receive(m any) error {
	if err := c.StreamingHandlerConn.Receive(m); err != nil {
		return err
	}
	return validateRequest(m)
}

// LoggingInterceptor logs failed RPCs at warn level, and internal errors at
// error level, with the procedure and code.
func LoggingInterceptor(log *slog.Logger) connect.Interceptor {
	return connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			res, err := next(ctx, req)
			if err != nil {
				code := connect.CodeOf(err)
				level := slog.LevelDebug
				if code == connect.CodeInternal || code == connect.CodeUnknown || code == connect.CodeUnavailable {
					level = slog.LevelError
				}
				log.Log(ctx, level, "rpc failed", "procedure", req.Spec().Procedure, "code", code.String(), "error", err)
			}
			return res, err
		}
	})
}

// errNotFound is matched by ToConnectError.
var errNotFound = errors.New("not found")
