package payment

import (
	"fmt"
	"testing"

	paymentsv1 "github.com/kafka-enterprise-orders/orders/gen/payments/v1"
	"github.com/kafka-enterprise-orders/orders/internal/store"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
)

// TestPendingHoldsOnlyWhatTheViewHasNotSeen: a decision leaves the pending
// set once its payment is in the view, so a long-lived worker's pending set
// stays as small as the view's lag, and a decided order is never claimed
// twice on the way.
func TestPendingHoldsOnlyWhatTheViewHasNotSeen(t *testing.T) {
	s := NewState(store.Limits{})
	const n = 10_000
	for i := range n {
		id := fmt.Sprintf("ord-%05d", i)
		if !s.Claim(id) {
			t.Fatalf("first claim of %s refused", id)
		}
		if s.Claim(id) {
			t.Fatalf("%s claimed twice while pending", id)
		}
		s.ApplyPayment(stream.Record[*paymentsv1.Payment]{Key: id, Value: &paymentsv1.Payment{OrderId: id}})
		if s.Claim(id) {
			t.Fatalf("%s claimed again once paid", id)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.pending) != 0 {
		t.Errorf("%d decisions still pending after their payments reached the view", len(s.pending))
	}
}
