package pgsource

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	customersv1 "github.com/kafka-enterprise-orders/orders/gen/customers/v1"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
	"github.com/kafka-enterprise-orders/orders/internal/validate"
)

// statusInterval is how often the source reports its safe WAL position.
const statusInterval = time.Second

// source is one connection's worth of change capture; a failure ends it
// and the service starts a new one from the slot's confirmed position.
type source struct {
	cfg      Config
	log      *slog.Logger
	topic    stream.Topic[*customersv1.Customer]
	producer *stream.Producer
	acks     *acks
	stats    interface{ Add(string, int64) }
	progress *progress
	tracer   trace.Tracer
	onLive   func()

	relations map[uint32]*pglogrepl.RelationMessage
	current   *txn
}

// run sets up publication and slot, snapshots a new slot, then streams.
func (s *source) run(ctx context.Context) error {
	if err := s.ensurePublication(ctx); err != nil {
		return err
	}
	repl, err := pgconn.Connect(ctx, replicationURL(s.cfg.DatabaseURL))
	if err != nil {
		return fmt.Errorf("replication connection: %w", err)
	}
	defer repl.Close(context.Background())

	start, err := s.ensureSlot(ctx, repl)
	if err != nil {
		return err
	}
	s.acks.reset(start)
	err = pglogrepl.StartReplication(ctx, repl, s.cfg.Slot, start, pglogrepl.StartReplicationOptions{
		PluginArgs: []string{"proto_version '1'", fmt.Sprintf("publication_names '%s'", s.cfg.Publication)},
	})
	if err != nil {
		return fmt.Errorf("start replication from %s: %w", start, err)
	}
	s.log.Info("streaming changes", "slot", s.cfg.Slot, "from", start.String())
	if s.onLive != nil {
		s.onLive()
	}
	return s.stream(ctx, repl)
}

func replicationURL(url string) string {
	sep := "?"
	for _, c := range url {
		if c == '?' {
			sep = "&"
		}
	}
	return url + sep + "replication=database"
}

func (s *source) ensurePublication(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, s.cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("connect to postgres: %w", err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = $1)", s.cfg.Publication).Scan(&exists); err != nil {
		return fmt.Errorf("look up publication: %w", err)
	}
	if exists {
		return nil
	}
	// Names are validated identifiers (Config.Validate).
	if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE PUBLICATION %s FOR TABLE %s", s.cfg.Publication, Table)); err != nil {
		return fmt.Errorf("create publication %s: %w", s.cfg.Publication, err)
	}
	s.log.Info("created publication", "publication", s.cfg.Publication, "table", Table)
	return nil
}

// ensureSlot returns where to start streaming: the slot's confirmed
// position, or — for a slot created now — the position right after a
// snapshot of the table that was published in full.
func (s *source) ensureSlot(ctx context.Context, repl *pgconn.PgConn) (pglogrepl.LSN, error) {
	conn, err := pgx.Connect(ctx, s.cfg.DatabaseURL)
	if err != nil {
		return 0, fmt.Errorf("connect to postgres: %w", err)
	}
	defer conn.Close(context.Background())
	// A least-privilege role (GrantsSQL) may not create tables: the state
	// table is created only where it is missing.
	var stateExists bool
	if err := conn.QueryRow(ctx, "SELECT to_regclass('orders_cdc_state') IS NOT NULL").Scan(&stateExists); err != nil {
		return 0, fmt.Errorf("look up pg-source state table: %w", err)
	}
	if !stateExists {
		if _, err := conn.Exec(ctx, stateSchema); err != nil {
			return 0, fmt.Errorf("create pg-source state table: %w", err)
		}
	}
	var confirmed *string
	var snapshotted bool
	err = conn.QueryRow(ctx, `SELECT s.confirmed_flush_lsn::text, COALESCE(st.snapshot_done, false)
		FROM pg_replication_slots s LEFT JOIN orders_cdc_state st ON st.slot = s.slot_name
		WHERE s.slot_name = $1`, s.cfg.Slot).Scan(&confirmed, &snapshotted)
	switch {
	case err == nil && snapshotted && confirmed != nil:
		return pglogrepl.ParseLSN(*confirmed)
	case err == nil:
		// A slot whose snapshot never finished: start again, or rows would be lost.
		s.log.Warn("replication slot without a finished snapshot; recreating it", "slot", s.cfg.Slot)
		if err := pglogrepl.DropReplicationSlot(ctx, repl, s.cfg.Slot, pglogrepl.DropReplicationSlotOptions{Wait: true}); err != nil {
			return 0, fmt.Errorf("drop slot %s: %w", s.cfg.Slot, err)
		}
	case !errors.Is(err, pgx.ErrNoRows):
		return 0, fmt.Errorf("look up slot %s: %w", s.cfg.Slot, err)
	}
	return s.createAndSnapshot(ctx, conn, repl)
}

const stateSchema = `CREATE TABLE IF NOT EXISTS orders_cdc_state (
	slot TEXT PRIMARY KEY,
	snapshot_done BOOLEAN NOT NULL DEFAULT false,
	snapshot_rows BIGINT NOT NULL DEFAULT 0,
	updated_at TIMESTAMPTZ NOT NULL DEFAULT now())`

func (s *source) createAndSnapshot(ctx context.Context, conn *pgx.Conn, repl *pgconn.PgConn) (pglogrepl.LSN, error) {
	if _, err := conn.Exec(ctx, `INSERT INTO orders_cdc_state (slot) VALUES ($1)
		ON CONFLICT (slot) DO UPDATE SET snapshot_done = false, updated_at = now()`, s.cfg.Slot); err != nil {
		return 0, fmt.Errorf("record slot state: %w", err)
	}
	res, err := pglogrepl.CreateReplicationSlot(ctx, repl, s.cfg.Slot, "pgoutput",
		pglogrepl.CreateReplicationSlotOptions{Mode: pglogrepl.LogicalReplication, SnapshotAction: "EXPORT_SNAPSHOT"})
	if err != nil {
		return 0, fmt.Errorf("create slot %s: %w", s.cfg.Slot, err)
	}
	start, err := pglogrepl.ParseLSN(res.ConsistentPoint)
	if err != nil {
		return 0, fmt.Errorf("slot consistent point %q: %w", res.ConsistentPoint, err)
	}
	n, err := s.snapshot(ctx, conn, res.SnapshotName)
	if err != nil {
		return 0, err
	}
	if _, err := conn.Exec(ctx, `UPDATE orders_cdc_state SET snapshot_done = true, snapshot_rows = $2, updated_at = now() WHERE slot = $1`, s.cfg.Slot, n); err != nil {
		return 0, fmt.Errorf("record snapshot done: %w", err)
	}
	s.log.Info("snapshot published", "slot", s.cfg.Slot, "rows", n, "consistent_point", start.String())
	return start, nil
}

// snapshot publishes every row as of the slot's exported snapshot and
// waits until Kafka acknowledged them all.
func (s *source) snapshot(ctx context.Context, conn *pgx.Conn, snapshotName string) (int64, error) {
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return 0, fmt.Errorf("snapshot: %w", err)
	}
	defer func() { _ = tx.Rollback(context.Background()) }()
	if _, err := tx.Exec(ctx, fmt.Sprintf("SET TRANSACTION SNAPSHOT '%s'", snapshotName)); err != nil {
		return 0, fmt.Errorf("snapshot: set transaction snapshot: %w", err)
	}
	rows, err := tx.Query(ctx, snapshotQuery)
	if err != nil {
		return 0, fmt.Errorf("snapshot: %w", err)
	}
	defer rows.Close()
	t := s.acks.begin()
	var n int64
	for rows.Next() {
		vals := make([]*string, len(columns))
		ptrs := make([]any, len(columns))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return n, fmt.Errorf("snapshot: scan: %w", err)
		}
		r := row{}
		for i, c := range columns {
			r[c] = vals[i]
		}
		if err := s.publish(t, r, false); err != nil {
			return n, err
		}
		n++
		s.progress.snapshot.Add(ctx, 1, metric.WithAttributes(attribute.String("table", "customers")))
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("snapshot: %w", err)
	}
	s.acks.commit(t, 0)
	if err := s.producer.Flush(ctx); err != nil {
		return n, fmt.Errorf("snapshot: %w", err)
	}
	if _, err := s.acks.position(); err != nil {
		return n, fmt.Errorf("snapshot: %w", err)
	}
	return n, nil
}

// stream receives WAL messages until ctx ends or the connection fails,
// reporting the safe position regularly.
func (s *source) stream(ctx context.Context, repl *pgconn.PgConn) error {
	next := time.Now().Add(statusInterval)
	var reported pglogrepl.LSN
	for {
		if time.Now().After(next) {
			pos, err := s.acks.position()
			if err != nil {
				return fmt.Errorf("kafka delivery failed; resuming from %s: %w", reported, err)
			}
			if err := pglogrepl.SendStandbyStatusUpdate(ctx, repl, pglogrepl.StandbyStatusUpdate{WALWritePosition: pos}); err != nil {
				return fmt.Errorf("send standby status: %w", err)
			}
			reported = pos
			next = time.Now().Add(statusInterval)
		}
		rctx, cancel := context.WithDeadline(ctx, next)
		msg, err := repl.ReceiveMessage(rctx)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return s.finish(repl)
			}
			if pgconn.Timeout(err) {
				continue
			}
			return fmt.Errorf("receive WAL: %w", err)
		}
		switch m := msg.(type) {
		case *pgproto3.CopyData:
			if err := s.handleCopyData(m.Data, &next); err != nil {
				return err
			}
		case *pgproto3.ErrorResponse:
			return fmt.Errorf("replication error: %s (%s)", m.Message, m.Code)
		}
	}
}

// finish reports the final safe position on shutdown.
func (s *source) finish(repl *pgconn.PgConn) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.producer.Flush(ctx); err != nil {
		return err
	}
	pos, err := s.acks.position()
	if err != nil {
		return nil // the slot keeps the last good position
	}
	if err := pglogrepl.SendStandbyStatusUpdate(ctx, repl, pglogrepl.StandbyStatusUpdate{WALWritePosition: pos}); err != nil {
		return fmt.Errorf("send final standby status: %w", err)
	}
	s.log.Info("stopped streaming", "confirmed", pos.String())
	return nil
}

func (s *source) handleCopyData(data []byte, next *time.Time) error {
	if len(data) == 0 {
		return nil
	}
	switch data[0] {
	case pglogrepl.PrimaryKeepaliveMessageByteID:
		ka, err := pglogrepl.ParsePrimaryKeepaliveMessage(data[1:])
		if err != nil {
			return fmt.Errorf("parse keepalive: %w", err)
		}
		s.progress.sawServerEnd(ka.ServerWALEnd)
		s.acks.caughtUp(ka.ServerWALEnd, s.current != nil)
		if ka.ReplyRequested {
			*next = time.Time{}
		}
	case pglogrepl.XLogDataByteID:
		xld, err := pglogrepl.ParseXLogData(data[1:])
		if err != nil {
			return fmt.Errorf("parse xlog data: %w", err)
		}
		s.progress.sawServerEnd(xld.ServerWALEnd)
		return s.handleWAL(xld.WALData)
	}
	return nil
}

func (s *source) handleWAL(data []byte) error {
	msg, err := pglogrepl.Parse(data)
	if err != nil {
		return fmt.Errorf("parse logical message: %w", err)
	}
	switch m := msg.(type) {
	case *pglogrepl.RelationMessage:
		s.relations[m.RelationID] = m
	case *pglogrepl.BeginMessage:
		s.current = s.acks.begin()
	case *pglogrepl.InsertMessage:
		return s.change(m.RelationID, m.Tuple, false)
	case *pglogrepl.UpdateMessage:
		if m.OldTuple != nil {
			if err := s.keyChange(m.RelationID, m.OldTuple, m.NewTuple); err != nil {
				return err
			}
		}
		return s.change(m.RelationID, m.NewTuple, false)
	case *pglogrepl.DeleteMessage:
		return s.change(m.RelationID, m.OldTuple, true)
	case *pglogrepl.CommitMessage:
		s.progress.sawCommit(m.TransactionEndLSN, m.CommitTime)
		if s.current != nil {
			s.acks.commit(s.current, m.TransactionEndLSN)
			s.current = nil
		}
	}
	return nil
}

// keyChange publishes a tombstone for the old id when an update changed it.
func (s *source) keyChange(rel uint32, old, new *pglogrepl.TupleData) error {
	o, err := s.decode(rel, old)
	if err != nil {
		return err
	}
	n, err := s.decode(rel, new)
	if err != nil {
		return err
	}
	if o.key() != "" && n.key() != o.key() {
		return s.publish(s.current, o, true)
	}
	return nil
}

func (s *source) change(rel uint32, tuple *pglogrepl.TupleData, deleted bool) error {
	if s.current == nil {
		return errors.New("change outside a transaction")
	}
	r, err := s.decode(rel, tuple)
	if err != nil {
		return err
	}
	if r == nil {
		return nil // another table
	}
	return s.publish(s.current, r, deleted)
}

// decode maps a tuple to a row of the captured table; nil for other tables.
func (s *source) decode(rel uint32, tuple *pglogrepl.TupleData) (row, error) {
	relation, ok := s.relations[rel]
	if !ok {
		return nil, fmt.Errorf("change for unknown relation %d", rel)
	}
	if relation.RelationName != Table || tuple == nil {
		return nil, nil
	}
	r := row{}
	for i, col := range tuple.Columns {
		if i >= len(relation.Columns) {
			break
		}
		if col.DataType == pglogrepl.TupleDataTypeText {
			v := string(col.Data)
			r[relation.Columns[i].Name] = &v
		}
	}
	return r, nil
}

// publish sends the row (or its tombstone) to Kafka; a row that is not a
// valid customer goes to the dead-letter topic with the reason.
func (s *source) publish(t *txn, r row, deleted bool) error {
	key := r.key()
	var msg *stream.Message
	var err error
	if deleted {
		msg, err = s.topic.Message(key, nil)
		s.stats.Add("customers.deleted", 1)
	} else if c, cerr := r.customer(); cerr != nil {
		msg, err = s.deadLetter(r, cerr)
	} else {
		msg, err = s.topic.Message(key, c)
		s.stats.Add("customers.upserted", 1)
	}
	if err != nil {
		return err
	}
	// Each change starts a trace that its consumers continue.
	ctx, span := s.tracer.Start(context.Background(), "capture customers change", trace.WithSpanKind(trace.SpanKindProducer),
		trace.WithAttributes(attribute.String("db.system.name", "postgresql"), attribute.String("key", key), attribute.Bool("deleted", deleted)))
	defer span.End()
	stream.InjectTrace(ctx, msg)
	s.acks.produced(t)
	if err := s.producer.Produce(msg, func(_ *stream.Message, err error) { s.acks.delivered(t, err) }); err != nil {
		s.acks.delivered(t, err)
		return err
	}
	return nil
}

func (s *source) deadLetter(r row, cause error) (*stream.Message, error) {
	s.stats.Add("customers.invalid", 1)
	s.log.Warn("invalid customer row sent to dead-letter topic", "id", r.key(), "error", cause)
	value, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode invalid row: %w", err)
	}
	class := "validation"
	var ve *validate.Error
	if !errors.As(cause, &ve) {
		class = "conversion"
	}
	return stream.ForeignDeadLetter(s.topic.Name, "postgres:"+Table, Name, class, []byte(r.key()), value, cause, time.Now()), nil
}
