package stream

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// TxWriter writes records in Kafka transactions under one transactional.id,
// for tools whose writes must happen at most once: opening one fences every
// earlier writer with the same id and aborts the transaction it left open
// (a crash half-way), so what that writer did not commit is never seen by
// read_committed readers.
type TxWriter struct {
	p       *Producer
	timeout time.Duration
	open    bool
}

// NewTxWriter opens a transactional producer with id, fencing earlier ones.
func NewTxWriter(ctx context.Context, cfg Config, role, transactionalID string, timeout time.Duration) (*TxWriter, error) {
	p, err := newProducer(cfg, cfg.transactionalConfig(role, transactionalID, timeout))
	if err != nil {
		return nil, err
	}
	ictx, cancel := context.WithTimeout(ctx, 2*timeout)
	defer cancel()
	if err := p.client().InitTransactions(ictx); err != nil {
		return nil, errors.Join(fmt.Errorf("init transactions %s: %w", transactionalID, err), p.Close(ctx))
	}
	return &TxWriter{p: p, timeout: timeout}, nil
}

// Begin opens a transaction.
func (w *TxWriter) Begin() error {
	if err := w.p.client().BeginTransaction(); err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	w.open = true
	return nil
}

// Write produces msgs in the open transaction and waits until the brokers
// hold them; it returns them as written, with partition and offset (not
// visible to read_committed readers before Commit).
func (w *TxWriter) Write(ctx context.Context, msgs ...*Message) ([]*Message, error) {
	type result struct {
		i   int
		m   *Message
		err error
	}
	res := make(chan result, len(msgs))
	for i, m := range msgs {
		if err := w.p.Produce(m, func(m *Message, err error) { res <- result{i, m, err} }); err != nil {
			return nil, err
		}
	}
	out := make([]*Message, len(msgs))
	var errs []error
	for range msgs {
		select {
		case r := <-res:
			out[r.i] = r.m
			errs = append(errs, r.err)
		case <-ctx.Done():
			return nil, fmt.Errorf("write in transaction: %w", ctx.Err())
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// Commit commits the open transaction. A writer fenced by a newer one
// fails here, and nothing it wrote in the transaction is committed.
func (w *TxWriter) Commit(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*w.timeout)
	defer cancel()
	if err := w.p.client().CommitTransaction(ctx); err != nil {
		return fmt.Errorf("commit transaction: %w", err)
	}
	w.open = false
	return nil
}

// Close aborts a transaction still open, then closes the producer.
func (w *TxWriter) Close(ctx context.Context) error {
	var aerr error
	if w.open {
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.timeout)
		defer cancel()
		if err := w.p.client().AbortTransaction(actx); err != nil {
			aerr = fmt.Errorf("abort transaction: %w", err)
		}
	}
	return errors.Join(aerr, w.p.Close(ctx))
}

// Abandon closes the producer leaving an open transaction as it is, as a
// crash would: the next writer with the same id aborts it. It is for
// fault-injection tests.
func (w *TxWriter) Abandon(ctx context.Context) error {
	w.open = false
	return w.p.Close(ctx)
}
