package platform

import (
	"errors"
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
	checks  []func() error
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

// Met reports whether condition is met.
func (r *Readiness) Met(condition string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return !r.pending[condition]
}

// Require adds a check that must keep returning nil once the conditions
// are met, such as a consumer group that makes progress.
func (r *Readiness) Require(check func() error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.checks = append(r.checks, check)
}

// Check returns nil when every condition is met and every check passes,
// else an error naming the pending conditions or the failing checks.
func (r *Readiness) Check() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.pending) == 0 {
		var errs []error
		for _, check := range r.checks {
			errs = append(errs, check())
		}
		return errors.Join(errs...)
	}
	names := make([]string, 0, len(r.pending))
	for n := range r.pending {
		names = append(names, n)
	}
	slices.Sort(names)
	return fmt.Errorf("waiting for %s", strings.Join(names, ", "))
}
