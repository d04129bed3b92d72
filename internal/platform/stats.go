package platform

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// Stats counts what a service did and logs a one-line summary periodically,
// e.g. "summary orders=120 payments.authorized=110 payments.declined=10".
type Stats struct {
	mu     sync.Mutex
	counts map[string]int64
}

// NewStats returns empty counters.
func NewStats() *Stats { return &Stats{counts: map[string]int64{}} }

// Add increases counter name by n.
func (s *Stats) Add(name string, n int64) {
	s.mu.Lock()
	s.counts[name] += n
	s.mu.Unlock()
}

// Get returns counter name.
func (s *Stats) Get(name string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[name]
}

// attrs returns the counters as sorted log attributes.
func (s *Stats) attrs() []any {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.counts))
	for n := range s.counts {
		names = append(names, n)
	}
	slices.Sort(names)
	out := make([]any, 0, 2*len(names))
	for _, n := range names {
		out = append(out, n, s.counts[n])
	}
	return out
}

// LogEvery logs the summary at info level every interval until ctx ends,
// skipping intervals in which nothing changed.
func (s *Stats) LogEvery(ctx context.Context, log *slog.Logger, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	last := ""
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			attrs := s.attrs()
			if now := fmt.Sprint(attrs...); now != last && len(attrs) > 0 {
				log.Info("summary", attrs...)
				last = now
			}
		}
	}
}
