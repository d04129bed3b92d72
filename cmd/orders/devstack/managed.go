package devstack

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// managed runs one service of the stack and can stop it and start it
// again on its address, while the others carry on: tests do, to see what
// the rest of the platform and the dashboard do meanwhile.
type managed struct {
	name  string
	ready func() error // the first instance's
	build func() (runnable, error)

	mu      sync.Mutex
	current runnable
	cancel  context.CancelFunc // stops the current instance; nil while stopped
	ended   chan error         // the current instance's Run result
	start   chan struct{}      // a stopped service is started again
}

func newManaged(name string, first runnable, build func() (runnable, error)) *managed {
	return &managed{name: name, ready: first.CheckReady, build: build, current: first, start: make(chan struct{}, 1)}
}

// run runs the service until ctx ends or it fails on its own; a stop asked
// by Stop waits for Start.
func (m *managed) run(ctx context.Context) error {
	for {
		m.mu.Lock()
		svc := m.current
		sctx, cancel := context.WithCancel(ctx)
		ended := make(chan error, 1)
		m.cancel, m.ended = cancel, ended
		m.mu.Unlock()
		err := svc.Run(sctx)
		stopped := sctx.Err() != nil && ctx.Err() == nil
		cancel()
		ended <- err
		if !stopped {
			return err // the stack stops, or the service failed on its own
		}
		select {
		case <-ctx.Done():
			return nil
		case <-m.start:
		}
		next, err := m.build()
		if err != nil {
			return fmt.Errorf("start %s again: %w", m.name, err)
		}
		m.mu.Lock()
		m.current = next
		m.mu.Unlock()
	}
}

// stop stops the service and waits until it has.
func (m *managed) stop() error {
	m.mu.Lock()
	cancel, ended := m.cancel, m.ended
	m.cancel = nil
	m.mu.Unlock()
	if cancel == nil {
		return fmt.Errorf("%s is not running", m.name)
	}
	cancel()
	if err := <-ended; err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("stop %s: %w", m.name, err)
	}
	return nil
}

// resume starts a stopped service again and waits until it is ready.
func (m *managed) resume(ctx context.Context) error {
	m.mu.Lock()
	running := m.cancel != nil
	m.mu.Unlock()
	if running {
		return fmt.Errorf("%s is running", m.name)
	}
	m.start <- struct{}{}
	return waitReady(ctx, func() error {
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.cancel == nil {
			return fmt.Errorf("%s not started yet", m.name)
		}
		return m.current.CheckReady()
	})
}

// StopService stops one service of the running stack (by its name, e.g.
// "analytics-service"); the others carry on.
func (st *Stack) StopService(name string) error {
	m, ok := st.managed[name]
	if !ok {
		return fmt.Errorf("no service %q in this stack", name)
	}
	return m.stop()
}

// StartService starts a service stopped by StopService again on its
// address and waits until it is ready. The Stack's field for it (such as
// Stack.Analytics) keeps the first instance.
func (st *Stack) StartService(ctx context.Context, name string) error {
	m, ok := st.managed[name]
	if !ok {
		return fmt.Errorf("no service %q in this stack", name)
	}
	return m.resume(ctx)
}
