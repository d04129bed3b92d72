package deadletters

import (
	"sync"

	deadlettersv1 "github.com/kafka-enterprise-orders/orders/gen/deadletters/v1"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
)

// ledger is the view of `dead-letters.ledger`: what was done with each
// dead letter, by id.
type ledger struct {
	mu      sync.RWMutex
	entries map[string]*deadlettersv1.DeadLetterResolution
}

func newLedger() *ledger {
	return &ledger{entries: map[string]*deadlettersv1.DeadLetterResolution{}}
}

// apply records one committed ledger entry; the Table calls it.
func (l *ledger) apply(rec stream.Record[*deadlettersv1.DeadLetterResolution]) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if rec.Tombstone {
		delete(l.entries, rec.Key)
		return
	}
	l.entries[rec.Key] = rec.Value
}

// get returns the entry for id, or nil.
func (l *ledger) get(id string) *deadlettersv1.DeadLetterResolution {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.entries[id]
}
