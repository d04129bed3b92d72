package rpc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"

	analyticsv1 "github.com/kafka-enterprise-orders/orders/gen/analytics/v1"
	"github.com/kafka-enterprise-orders/orders/gen/analytics/v1/analyticsv1connect"
)

// serve runs srv on a loopback port until the test ends and returns its
// address.
func serve(t *testing.T, srv *http.Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ServeHTTP(ctx, srv, ln, time.Second) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return ln.Addr().String()
}

// handlerResult waits (generously: the guard's timeouts are 200 ms) for
// the handler under test to give up on its client.
func handlerResult(t *testing.T, results <-chan error) error {
	t.Helper()
	select {
	case err := <-results:
		return err
	case <-time.After(20 * time.Second):
		t.Fatal("the handler is still held by its client")
		return nil
	}
}

// TestABodyThatNeverArrivesIsCutOff: a client that declares a body and
// sends none no longer holds its handler (and connection) indefinitely.
func TestABodyThatNeverArrivesIsCutOff(t *testing.T) {
	results := make(chan error, 1)
	addr := serve(t, newHTTPServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		results <- err
	}), 200*time.Millisecond, 200*time.Millisecond))
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := fmt.Fprint(conn, "POST /orders.v1.OrderService/PlaceOrder HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"); err != nil {
		t.Fatal(err)
	}
	if err := handlerResult(t, results); err == nil {
		t.Error("the handler read a body that never arrived")
	}
}

// TestAClientThatStopsReadingIsCutOff: a streaming response to a client
// that reads nothing fails its writes once they block, over HTTP/1.1 and
// over h2c, so the handler returns; a stream that only idles between
// writes is left alone.
func TestAClientThatStopsReadingIsCutOff(t *testing.T) {
	for _, proto := range []string{"HTTP/1.1", "h2c"} {
		t.Run(proto, func(t *testing.T) {
			results := make(chan error, 1)
			addr := serve(t, newHTTPServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusOK)
				w.(http.Flusher).Flush()
				time.Sleep(600 * time.Millisecond) // idle past the write timeout: not a slow client
				chunk := make([]byte, 64<<10)
				for {
					if _, err := w.Write(chunk); err != nil {
						results <- err
						return
					}
					w.(http.Flusher).Flush()
					if r.Context().Err() != nil {
						results <- r.Context().Err()
						return
					}
				}
			}), 200*time.Millisecond, 200*time.Millisecond))
			var protocols http.Protocols
			if proto == "h2c" {
				protocols.SetUnencryptedHTTP2(true)
			} else {
				protocols.SetHTTP1(true)
			}
			client := &http.Client{Transport: &http.Transport{Protocols: &protocols}}
			res, err := client.Get("http://" + addr + "/watch")
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			first := make([]byte, 1)
			if _, err := io.ReadFull(res.Body, first); err != nil {
				t.Fatalf("the stream broke while it idled: %v", err) // reading nothing more from here
			}
			if err := handlerResult(t, results); err == nil {
				t.Error("the handler's writes kept succeeding")
			}
		})
	}
}

// watching is an AnalyticsService whose watches last until their client
// leaves.
type watching struct {
	analyticsv1connect.UnimplementedAnalyticsServiceHandler
	open sync.WaitGroup
}

func (w *watching) WatchCountryStats(ctx context.Context, _ *analyticsv1.WatchCountryStatsRequest, s *connect.ServerStream[analyticsv1.WatchCountryStatsResponse]) error {
	w.open.Done()
	if err := s.Send(&analyticsv1.WatchCountryStatsResponse{}); err != nil {
		return err
	}
	<-ctx.Done()
	return nil
}

// TestStreamsAreCapped: past the cap a watch gets ResourceExhausted, and
// a slot frees when a watcher leaves.
func TestStreamsAreCapped(t *testing.T) {
	svc := &watching{}
	mux := http.NewServeMux()
	mux.Handle(analyticsv1connect.NewAnalyticsServiceHandler(svc, connect.WithInterceptors(newLimitInterceptor(2, time.Minute))))
	addr := serve(t, NewHTTPServer(mux))
	client := analyticsv1connect.NewAnalyticsServiceClient(http.DefaultClient, "http://"+addr)
	watch := func(ctx context.Context) (*connect.ServerStreamForClient[analyticsv1.WatchCountryStatsResponse], error) {
		s, err := client.WatchCountryStats(ctx, &analyticsv1.WatchCountryStatsRequest{})
		if err != nil {
			return nil, err
		}
		if !s.Receive() {
			return s, s.Err()
		}
		return s, nil
	}
	svc.open.Add(2)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var first *connect.ServerStreamForClient[analyticsv1.WatchCountryStatsResponse]
	for i := range 2 {
		s, err := watch(ctx)
		if err != nil {
			t.Fatalf("watch %d: %v", i, err)
		}
		if i == 0 {
			first = s
		}
	}
	svc.open.Wait()
	if _, err := watch(ctx); connect.CodeOf(err) != connect.CodeResourceExhausted {
		t.Fatalf("third watch: %v, want ResourceExhausted", err)
	}
	svc.open.Add(1)
	if err := first.Close(); err != nil && !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	var err error
	for range 100 { // the first watcher's handler returns shortly after it left
		if _, err = watch(ctx); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Errorf("no slot freed after a watcher left: %v", err)
	}
}
