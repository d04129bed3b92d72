package testenv

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"
)

// Run runs fn (a service's Run) in its own goroutine until stop is called
// or the test ends. stop cancels fn's context, waits up to a minute for it
// to return and fails the test when it returns an error (or, with every
// goroutine's stack, when it does not return); calling it again does nothing.
func Run(t testing.TB, name string, fn func(context.Context) error) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- fn(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("%s stopped with error: %v", name, err)
				}
			case <-time.After(time.Minute):
				t.Errorf("%s did not stop within a minute; the goroutines now:\n%s", name, goroutines())
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// goroutines returns the stacks of every goroutine, to show where a
// service that does not stop is waiting.
func goroutines() []byte {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return buf[:n]
		}
		buf = make([]byte, 2*len(buf))
	}
}
