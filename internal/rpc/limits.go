package rpc

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"connectrpc.com/connect"
)

// Limits on what one client can hold of a server. They apply to every
// service and to the gateway (NewHTTPServer).
const (
	// BodyTimeout is how long a request's body may take to arrive: a
	// client that declares a body and never sends it is cut off.
	BodyTimeout = 30 * time.Second
	// WriteTimeout is how long one write to a client may block: a watch
	// client that stops reading is cut off, and its handler returns.
	WriteTimeout = 30 * time.Second
	// IdleTimeout closes keep-alive connections that carry no request.
	IdleTimeout = 2 * time.Minute
	// MaxStreams is the most server-streaming calls (watches) one server
	// runs at once; more get ResourceExhausted.
	MaxStreams = 256
	// UnaryTimeout bounds a unary call that has no shorter deadline.
	UnaryTimeout = 30 * time.Second
	// MaxConnections is the most connections a server holds open; more
	// wait in the listen queue.
	MaxConnections = 1024
)

// slowClientGuard cuts off clients that hold a handler by not sending
// their body or not reading the response. Deadlines are set per read and
// per write and cleared once each completes, so a long watch that idles
// between events is not affected.
func slowClientGuard(next http.Handler, bodyTimeout, writeTimeout time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if r.Body != nil && r.Body != http.NoBody {
			_ = rc.SetReadDeadline(time.Now().Add(bodyTimeout)) // unsupported writers just go unguarded
			r.Body = &deadlineBody{ReadCloser: r.Body, rc: rc}
		}
		next.ServeHTTP(&deadlineWriter{ResponseWriter: w, rc: rc, timeout: writeTimeout}, r)
	})
}

// deadlineBody clears the read deadline once the body has been read.
type deadlineBody struct {
	io.ReadCloser
	rc *http.ResponseController
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if errors.Is(err, io.EOF) {
		_ = b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}

// deadlineWriter bounds each write and flush by timeout.
type deadlineWriter struct {
	http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
}

func (w *deadlineWriter) Write(p []byte) (int, error) {
	_ = w.rc.SetWriteDeadline(time.Now().Add(w.timeout))
	defer func() { _ = w.rc.SetWriteDeadline(time.Time{}) }()
	return w.ResponseWriter.Write(p)
}

// Flush implements http.Flusher, which Connect's streams need.
func (w *deadlineWriter) Flush() {
	_ = w.rc.SetWriteDeadline(time.Now().Add(w.timeout))
	defer func() { _ = w.rc.SetWriteDeadline(time.Time{}) }()
	_ = w.rc.Flush()
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *deadlineWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// limitInterceptor caps concurrent server streams and gives unary calls a
// deadline.
type limitInterceptor struct {
	streams chan struct{}
	unary   time.Duration
}

// LimitInterceptor returns the interceptor that runs at most MaxStreams
// streaming calls at once and bounds unary calls by UnaryTimeout.
func LimitInterceptor() connect.Interceptor { return newLimitInterceptor(MaxStreams, UnaryTimeout) }

func newLimitInterceptor(maxStreams int, unary time.Duration) *limitInterceptor {
	return &limitInterceptor{streams: make(chan struct{}, maxStreams), unary: unary}
}

func (l *limitInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		ctx, cancel := context.WithTimeout(ctx, l.unary)
		defer cancel()
		return next(ctx, req)
	}
}

func (l *limitInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (l *limitInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		select {
		case l.streams <- struct{}{}:
			defer func() { <-l.streams }()
			return next(ctx, conn)
		default:
			return connect.NewError(connect.CodeResourceExhausted, errors.New("too many open streams on this server; retry later"))
		}
	}
}
