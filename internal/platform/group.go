package platform

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Group runs workers until the first one fails or ctx ends, then cancels the
// rest and waits for all of them. A worker that returns nil is done; the
// others carry on.
type Group struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	errs   []error
}

// NewGroup returns a group whose workers stop when ctx ends.
func NewGroup(ctx context.Context) *Group {
	ctx, cancel := context.WithCancel(ctx)
	return &Group{ctx: ctx, cancel: cancel}
}

// Context is cancelled when any worker fails or the parent ends.
func (g *Group) Context() context.Context { return g.ctx }

// Go starts a named worker.
func (g *Group) Go(name string, fn func(context.Context) error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		err := fn(g.ctx)
		if err == nil || errors.Is(err, context.Canceled) {
			return // done; the others carry on
		}
		g.mu.Lock()
		g.errs = append(g.errs, fmt.Errorf("%s: %w", name, err))
		g.mu.Unlock()
		g.cancel()
	}()
}

// Wait waits for every worker and returns their errors joined.
func (g *Group) Wait() error {
	g.wg.Wait()
	g.cancel()
	g.mu.Lock()
	defer g.mu.Unlock()
	return errors.Join(g.errs...)
}
