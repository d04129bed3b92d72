package payment

import (
	"sync"

	paymentsv1 "github.com/kafka-enterprise-orders/orders/gen/payments/v1"
	"github.com/kafka-enterprise-orders/orders/internal/store"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
)

// State is what the payment-service knows: the committed payments (from the
// `payments` topic, the query view) and the order ids the current worker
// has decided but maybe not yet committed. Together they make a
// redelivered order a no-op.
type State struct {
	payments *store.Recent[*paymentsv1.Payment]

	mu      sync.Mutex
	pending map[string]bool
}

// NewState returns empty state; the view keeps within limits.
func NewState(limits store.Limits) *State {
	return &State{payments: store.NewRecent[*paymentsv1.Payment](limits), pending: map[string]bool{}}
}

// ApplyPayment records a committed payment from the `payments` topic. Its
// order is no longer pending: the view now answers for it, so the pending
// set holds only decisions the view has not caught up with.
func (s *State) ApplyPayment(rec stream.Record[*paymentsv1.Payment]) {
	if rec.Tombstone {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.payments.Put(rec.Value.GetOrderId(), rec.Value)
	delete(s.pending, rec.Value.GetOrderId())
}

// ResetPending forgets uncommitted decisions, after an aborted transaction.
func (s *State) ResetPending() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending = map[string]bool{}
}

// Claim reports whether orderID still needs a payment and, if so, marks it
// decided.
func (s *State) Claim(orderID string) bool {
	s.mu.Lock() // with ApplyPayment's: an id moves from pending to the view at once
	defer s.mu.Unlock()
	if _, ok := s.payments.Get(orderID); ok || s.pending[orderID] {
		return false
	}
	s.pending[orderID] = true
	return true
}
