package app

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Readiness tracks the conditions a service waits for before it is ready:
// its state restored, its consumer assigned. The zero value is not usable;
// use NewReadiness.
type Readiness struct {
	mu      sync.Mutex
	pending map[string]bool
}

// NewReadiness starts with every named condition pending.
func NewReadiness(conditions ...string) *Readiness {
	r := &Readiness{pending: map[string]bool{}}
	for _, c := range conditions {
		r.pending[c] = true
	}
	return r
}

// Done marks a condition met.
func (r *Readiness) Done(condition string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.pending, condition)
}

// Check returns nil when every condition is met, else an error naming the
// pending ones.
func (r *Readiness) Check() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.pending) == 0 {
		return nil
	}
	names := make([]string, 0, len(r.pending))
	for n := range r.pending {
		names = append(names, n)
	}
	slices.Sort(names)
	return fmt.Errorf("waiting for %s", strings.Join(names, ", "))
}
