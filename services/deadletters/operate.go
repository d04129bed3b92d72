package deadletters

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	deadlettersv1 "github.com/kafka-enterprise-orders/orders/gen/deadletters/v1"
	"github.com/kafka-enterprise-orders/orders/internal/auth"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
	"github.com/kafka-enterprise-orders/orders/internal/validate"
)

// Statuses, for short.
const (
	waiting   = deadlettersv1.DeadLetterStatus_DEAD_LETTER_STATUS_WAITING
	replayed  = deadlettersv1.DeadLetterStatus_DEAD_LETTER_STATUS_REPLAYED
	discarded = deadlettersv1.DeadLetterStatus_DEAD_LETTER_STATUS_DISCARDED
	parked    = deadlettersv1.DeadLetterStatus_DEAD_LETTER_STATUS_PARKED
)

// letter is a dead letter as read, with its description.
type letter struct {
	msg *stream.Message
	dl  *deadlettersv1.DeadLetter
}

// selection is what a replay or discard acts on: ids, or a filter.
type selection struct {
	ids    []string
	filter *deadlettersv1.DeadLetterFilter
}

// auditEntry is who acts and why.
type auditEntry struct{ by, reason string }

// audit names the caller: the token's subject, or, for an unauthenticated
// call, the operator it claims to be, marked as such.
func audit(ctx context.Context, operator, reason string) auditEntry {
	if c, ok := auth.CallerFrom(ctx); ok {
		return auditEntry{by: c.Subject, reason: reason}
	}
	if operator == "" {
		operator = "anonymous"
	}
	return auditEntry{by: operator + " (unauthenticated)", reason: reason}
}

// list returns a page of the filter's dead letters, by partition and
// offset, and the token of the next page.
func (s *Service) list(ctx context.Context, f *deadlettersv1.DeadLetterFilter, size int, token string) ([]*deadlettersv1.DeadLetter, string, error) {
	from, err := decodeToken(token)
	if err != nil {
		return nil, "", err
	}
	if err := s.syncLedger(ctx, false); err != nil {
		return nil, "", err
	}
	var page []*deadlettersv1.DeadLetter
	next := ""
	err = s.scan(ctx, f, from, func(l letter) bool {
		if len(page) == size {
			next = encodeToken(l.msg)
			return false
		}
		page = append(page, l.dl)
		return true
	})
	return page, next, err
}

// scan hands fn the dead letters of f's topic that pass f, from the
// positions in from, until fn returns false.
func (s *Service) scan(ctx context.Context, f *deadlettersv1.DeadLetterFilter, from map[int32]int64, fn func(letter) bool) error {
	topic := f.GetTopic()
	if !strings.HasSuffix(topic, stream.DeadLetterSuffix) { // "orders" and "orders.dlq" alike
		topic = stream.DeadLetterTopic(topic)
	}
	return stream.Scan(ctx, s.Kafka(), topic, from, func(msg *stream.Message) (bool, error) {
		l := s.describe(msg)
		if !matches(l.dl, f) {
			return true, nil
		}
		return fn(l), nil
	})
}

func (s *Service) describe(msg *stream.Message) letter {
	return letter{msg: msg, dl: toProto(msg, s.ledger.get(letterID(msg)), s.cfg.MaxReplays)}
}

// syncLedger waits until the ledger holds every entry committed so far.
// Before a change it waits as long as it takes (the writer has fenced
// every other, so no transaction stays open); for a read it waits at most
// readSync, which a transaction in flight elsewhere may exceed: the read
// then shows the ledger as it stands.
func (s *Service) syncLedger(ctx context.Context, forChange bool) error {
	if !forChange {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, readSync)
		defer cancel()
	}
	err := s.Tables.Sync(ctx)
	if !forChange && errors.Is(err, context.DeadlineExceeded) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("dead-letter ledger: %w", err)
	}
	return nil
}

// readSync bounds how long a read waits for the ledger to catch up.
const readSync = 5 * time.Second

// get returns one dead letter in full, its value decoded where it can be.
func (s *Service) get(ctx context.Context, id string) (*deadlettersv1.GetDeadLetterResponse, error) {
	topic, pos, err := parseID(id)
	if err != nil {
		return nil, err
	}
	msg, err := stream.ReadAt(ctx, s.Kafka(), topic, pos)
	if err != nil {
		return nil, err
	}
	if err := s.syncLedger(ctx, false); err != nil {
		return nil, err
	}
	res := &deadlettersv1.GetDeadLetterResponse{DeadLetter: s.describe(msg).dl}
	for _, h := range msg.Headers {
		res.Headers = append(res.Headers, &deadlettersv1.Header{Key: h.Key, Value: headerText(h.Value)})
	}
	return res, s.decode(msg, res)
}

// resolve reads the selected dead letters, at most maxSelection; more says
// whether a filter matched others beyond those.
func (s *Service) resolve(ctx context.Context, sel selection) (letters []letter, more bool, err error) {
	if sel.filter != nil {
		err := s.scan(ctx, sel.filter, nil, func(l letter) bool {
			if len(letters) == maxSelection {
				more = true
				return false
			}
			letters = append(letters, l)
			return true
		})
		return letters, more, err
	}
	letters, err = s.readIDs(ctx, sel.ids)
	return letters, false, err
}

// readIDs reads the dead letters named by ids, in that order, with one
// scan per dead-letter topic from the lowest offset asked for in each
// partition, ending once all of the topic's are found.
func (s *Service) readIDs(ctx context.Context, ids []string) ([]letter, error) {
	type want struct {
		from map[int32]int64 // partition → lowest offset
		ids  map[string]bool
	}
	wanted := map[string]*want{}
	for _, id := range ids {
		topic, pos, err := parseID(id)
		if err != nil {
			return nil, validationError("ids", err)
		}
		w := wanted[topic]
		if w == nil {
			w = &want{from: map[int32]int64{}, ids: map[string]bool{}}
			wanted[topic] = w
		}
		w.ids[id] = true
		if lowest, ok := w.from[pos.Partition]; !ok || pos.Offset < lowest {
			w.from[pos.Partition] = pos.Offset
		}
	}
	found := map[string]letter{}
	for topic, w := range wanted {
		for p := range slices.Max(slices.Collect(maps.Keys(w.from))) {
			if _, ok := w.from[p]; !ok {
				w.from[p] = math.MaxInt64 // no id is in this partition
			}
		}
		left := len(w.ids)
		err := stream.Scan(ctx, s.Kafka(), topic, w.from, func(msg *stream.Message) (bool, error) {
			if id := letterID(msg); w.ids[id] {
				found[id] = s.describe(msg)
				left--
			}
			return left > 0, nil
		})
		if err != nil {
			return nil, err
		}
	}
	letters := make([]letter, 0, len(ids))
	for _, id := range ids {
		l, ok := found[id]
		if !ok {
			return nil, fmt.Errorf("dead letter %s: %w", id, stream.ErrNoRecord)
		}
		letters = append(letters, l)
	}
	return letters, nil
}

func validationError(field string, err error) error {
	var c validate.Checker
	c.Add(field, "%v", err)
	return c.Err()
}

// replay sends the selected waiting dead letters back to their source
// topics, addressed to the consumer that failed on them, and records each
// in the ledger in the same transaction.
func (s *Service) replay(ctx context.Context, sel selection, who auditEntry) (*deadlettersv1.ReplayDeadLettersResponse, error) {
	res := &deadlettersv1.ReplayDeadLettersResponse{}
	var done []letter
	var err error
	res.Replayed, err = s.write(ctx, sel, func(letters []letter, more bool) []batchWork {
		res.More = more
		var todo []letter
		for _, l := range letters {
			switch {
			case l.dl.GetStatus() != waiting:
				res.Skipped = append(res.Skipped, skip(l, "already "+statusWord(l.dl.GetStatus())))
			case l.dl.GetNotReplayable() != "":
				res.Skipped = append(res.Skipped, skip(l, "not replayable: "+l.dl.GetNotReplayable()))
			default:
				todo = append(todo, l)
			}
		}
		return s.batches(todo, replayed, func(ctx context.Context, w *stream.TxWriter, batch []letter) error {
			out := make([]*stream.Message, len(batch))
			for i, l := range batch {
				out[i] = stream.ReplayRecord(l.msg, l.dl.GetId(), int(l.dl.GetReplayCount())+1)
			}
			written, err := w.Write(ctx, out...)
			if err != nil {
				return err
			}
			entries := make([]*deadlettersv1.DeadLetterResolution, len(batch))
			for i, l := range batch {
				entries[i] = who.entry(l.dl.GetId(), replayed)
				entries[i].ReplayedToTopic, entries[i].ReplayedToPartition, entries[i].ReplayedToOffset = written[i].Topic, written[i].Partition, written[i].Offset
			}
			if err := s.record(ctx, w, entries); err != nil {
				return err
			}
			done = append(done, batch...)
			return nil
		})
	})
	count(ctx, s.resolved.replayed, done, res.Replayed)
	if err != nil {
		return nil, fmt.Errorf("replay stopped after %d replayed: %w", len(res.Replayed), err)
	}
	s.Stats.Add("dead-letters.replayed", int64(len(res.Replayed)))
	s.Log.Info("dead letters replayed", "replayed", len(res.Replayed), "skipped", len(res.Skipped), "by", who.by, "reason", who.reason)
	return res, nil
}

// discard sets the selected waiting or parked dead letters aside, with an
// audit entry in the ledger; the Kafka records stay.
func (s *Service) discard(ctx context.Context, sel selection, who auditEntry) (*deadlettersv1.DiscardDeadLettersResponse, error) {
	res := &deadlettersv1.DiscardDeadLettersResponse{}
	var done []letter
	var err error
	res.Discarded, err = s.write(ctx, sel, func(letters []letter, more bool) []batchWork {
		res.More = more
		var todo []letter
		for _, l := range letters {
			if st := l.dl.GetStatus(); st != waiting && st != parked {
				res.Skipped = append(res.Skipped, skip(l, "already "+statusWord(st)))
				continue
			}
			todo = append(todo, l)
		}
		return s.batches(todo, discarded, func(ctx context.Context, w *stream.TxWriter, batch []letter) error {
			entries := make([]*deadlettersv1.DeadLetterResolution, len(batch))
			for i, l := range batch {
				entries[i] = who.entry(l.dl.GetId(), discarded)
			}
			if err := s.record(ctx, w, entries); err != nil {
				return err
			}
			done = append(done, batch...)
			return nil
		})
	})
	count(ctx, s.resolved.discarded, done, res.Discarded)
	if err != nil {
		return nil, fmt.Errorf("discard stopped after %d discarded: %w", len(res.Discarded), err)
	}
	s.Stats.Add("dead-letters.discarded", int64(len(res.Discarded)))
	s.Log.Info("dead letters discarded", "discarded", len(res.Discarded), "skipped", len(res.Skipped), "by", who.by, "reason", who.reason)
	return res, nil
}

// batchWork is one transaction's work, and the outcomes it has once
// committed.
type batchWork struct {
	do       func(ctx context.Context, w *stream.TxWriter) error
	outcomes []*deadlettersv1.Outcome
}

// batches splits letters into transactions of ReplayBatch, each done by
// fn, which leaves them in status st.
func (s *Service) batches(letters []letter, st deadlettersv1.DeadLetterStatus, fn func(context.Context, *stream.TxWriter, []letter) error) []batchWork {
	var work []batchWork
	for start := 0; start < len(letters); start += s.cfg.ReplayBatch {
		batch := letters[start:min(start+s.cfg.ReplayBatch, len(letters))]
		bw := batchWork{do: func(ctx context.Context, w *stream.TxWriter) error { return fn(ctx, w, batch) }}
		for _, l := range batch {
			bw.outcomes = append(bw.outcomes, &deadlettersv1.Outcome{Id: l.dl.GetId(), Status: st})
		}
		work = append(work, bw)
	}
	return work
}

// write is the frame of every change: it takes the replay transactional id
// (fencing any other writer, aborting what a crashed one left open), reads
// the ledger to its end, resolves the selection against it, and runs the
// work plan's transactions one after the other. It returns the outcomes of
// the committed ones, also when a later one failed.
func (s *Service) write(ctx context.Context, sel selection, plan func([]letter, bool) []batchWork) (committed []*deadlettersv1.Outcome, err error) {
	s.writing.Lock()
	defer s.writing.Unlock()
	defer func() {
		if stream.Fenced(err) {
			err = fmt.Errorf("another replay or discard took over (the transactional id %s was fenced) and aborted this call's open transaction: run it again to see what is left: %w", s.cfg.TransactionalID, err)
		}
	}()
	w, err := stream.NewTxWriter(ctx, s.Kafka(), "replay", s.cfg.TransactionalID, s.cfg.TransactionTimeout)
	if err != nil {
		return nil, err
	}
	crashed := false
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if crashed {
			err = errors.Join(err, w.Abandon(cctx))
			return
		}
		err = errors.Join(err, w.Close(cctx))
	}()
	if err := s.syncLedger(ctx, true); err != nil {
		return nil, err
	}
	letters, more, err := s.resolve(ctx, sel)
	if err != nil {
		return nil, err
	}
	for _, work := range plan(letters, more) {
		if err := w.Begin(); err != nil {
			return committed, err
		}
		if err := work.do(ctx, w); err != nil {
			return committed, err
		}
		if hook := s.BeforeCommit(); hook != nil {
			if err := hook(ctx, len(work.outcomes)); err != nil {
				crashed = true
				return committed, fmt.Errorf("transaction abandoned: %w", err)
			}
		}
		if err := w.Commit(ctx); err != nil {
			return committed, err
		}
		committed = append(committed, work.outcomes...)
	}
	return committed, nil
}

// record writes ledger entries in the open transaction.
func (s *Service) record(ctx context.Context, w *stream.TxWriter, entries []*deadlettersv1.DeadLetterResolution) error {
	msgs := make([]*stream.Message, len(entries))
	for i, e := range entries {
		m, err := s.Topics.Ledger.Message(e.GetId(), e)
		if err != nil {
			return fmt.Errorf("ledger entry for %s: %w", e.GetId(), err)
		}
		msgs[i] = m
	}
	_, err := w.Write(ctx, msgs...)
	return err
}

func (a auditEntry) entry(id string, st deadlettersv1.DeadLetterStatus) *deadlettersv1.DeadLetterResolution {
	return &deadlettersv1.DeadLetterResolution{Id: id, Status: st, By: a.by, At: timestamppb.Now(), Reason: a.reason}
}

func skip(l letter, why string) *deadlettersv1.Outcome {
	return &deadlettersv1.Outcome{Id: l.dl.GetId(), Status: l.dl.GetStatus(), Detail: why}
}

// statusWord is a status in lower case, such as "replayed".
func statusWord(st deadlettersv1.DeadLetterStatus) string {
	return strings.ToLower(strings.TrimPrefix(st.String(), "DEAD_LETTER_STATUS_"))
}

// Page tokens are "<partition>-<offset>" of the next dead letter, base64.
func encodeToken(msg *stream.Message) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%d-%d", msg.Partition, msg.Offset))
}

// decodeToken returns where a page starts: partitions before the token's
// are done, its own resumes at the offset.
func decodeToken(token string) (map[int32]int64, error) {
	if token == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	p, o, ok := strings.Cut(string(b), "-")
	part, perr := strconv.ParseInt(p, 10, 32)
	off, oerr := strconv.ParseInt(o, 10, 64)
	if err != nil || !ok || perr != nil || oerr != nil || part < 0 || off < 0 {
		return nil, validationError("page_token", errors.New("is not a token this service issued"))
	}
	from := map[int32]int64{int32(part): off}
	for q := range int32(part) {
		from[q] = math.MaxInt64
	}
	return from, nil
}
