package pgsource

import (
	"sync"

	"github.com/jackc/pglogrepl"
)

// acks tracks which WAL positions are safe to acknowledge: a transaction's
// end position once Kafka acknowledged every record it produced, and every
// transaction before it.
type acks struct {
	mu      sync.Mutex
	pending []*txn // in commit order
	safe    pglogrepl.LSN
	failed  error
}

type txn struct {
	end         pglogrepl.LSN
	outstanding int
	committed   bool
}

// begin starts tracking a transaction.
func (a *acks) begin() *txn {
	a.mu.Lock()
	defer a.mu.Unlock()
	t := &txn{}
	a.pending = append(a.pending, t)
	return t
}

// produced counts a record of t in flight.
func (a *acks) produced(t *txn) {
	a.mu.Lock()
	t.outstanding++
	a.mu.Unlock()
}

// delivered records Kafka's answer for a record of t.
func (a *acks) delivered(t *txn, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err != nil && a.failed == nil {
		a.failed = err
	}
	t.outstanding--
	a.advance()
}

// commit marks t complete at end.
func (a *acks) commit(t *txn, end pglogrepl.LSN) {
	a.mu.Lock()
	defer a.mu.Unlock()
	t.end, t.committed = end, true
	a.advance()
}

func (a *acks) advance() {
	for len(a.pending) > 0 && a.pending[0].committed && a.pending[0].outstanding == 0 && a.failed == nil {
		a.safe = max(a.safe, a.pending[0].end) // the snapshot has no end position
		a.pending = a.pending[1:]
	}
}

// caughtUp confirms the server's position sent, from a keepalive, when
// every transaction received is acknowledged and none is open (open says
// whether one is): all the WAL before it was decoded and had nothing more
// for the publication. Without it an idle slot on a busy server would hold
// back the server's WAL, and the CDC lag would never return to zero.
func (a *acks) caughtUp(sent pglogrepl.LSN, open bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !open && len(a.pending) == 0 && a.failed == nil {
		a.safe = max(a.safe, sent)
	}
}

// position returns the highest safe position, or the first delivery error.
func (a *acks) position() (pglogrepl.LSN, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.safe, a.failed
}

// reset starts over from a known safe position (after a reconnect).
func (a *acks) reset(from pglogrepl.LSN) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.pending, a.failed = nil, nil
	if from > a.safe {
		a.safe = from
	}
}
