// Package broadcast fans updates out to streaming RPC subscribers. A hub is
// owned by its service and closed when the service stops, which ends every
// stream; a subscriber that falls too far behind is dropped rather than
// slowing the service down.
package broadcast

import "sync"

// Hub delivers every published value to every current subscriber.
type Hub[T any] struct {
	mu     sync.Mutex
	subs   map[*Subscription[T]]struct{}
	closed bool
}

// Subscription is one subscriber's feed.
type Subscription[T any] struct {
	hub     *Hub[T]
	ch      chan T
	dropped bool // set when the subscriber fell behind
}

// NewHub returns an open hub.
func NewHub[T any]() *Hub[T] { return &Hub[T]{subs: map[*Subscription[T]]struct{}{}} }

// Subscribe returns a feed buffering up to buffer values. Its channel is
// closed when the hub closes, when the subscriber falls behind, or after
// Cancel.
func (h *Hub[T]) Subscribe(buffer int) *Subscription[T] {
	s := &Subscription[T]{hub: h, ch: make(chan T, buffer)}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		close(s.ch)
		return s
	}
	h.subs[s] = struct{}{}
	return s
}

// Publish hands v to every subscriber without blocking.
func (h *Hub[T]) Publish(v T) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		select {
		case s.ch <- v:
		default:
			s.dropped = true
			h.removeLocked(s)
		}
	}
}

// Close ends every subscription; later subscriptions end at once.
func (h *Hub[T]) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for s := range h.subs {
		h.removeLocked(s)
	}
}

// Subscribers returns the number of live subscriptions.
func (h *Hub[T]) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

func (h *Hub[T]) removeLocked(s *Subscription[T]) {
	if _, ok := h.subs[s]; ok {
		delete(h.subs, s)
		close(s.ch)
	}
}

// C returns the feed.
func (s *Subscription[T]) C() <-chan T { return s.ch }

// Dropped reports whether the feed ended because the subscriber fell behind.
func (s *Subscription[T]) Dropped() bool {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	return s.dropped
}

// Cancel ends the subscription.
func (s *Subscription[T]) Cancel() {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	s.hub.removeLocked(s)
}
