package couchbasesink

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/couchbase/gocb/v2"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/kafka-enterprise-orders/orders/internal/stream"
)

// MaxKeyLen is Couchbase's limit on a document id, in bytes.
const MaxKeyLen = 250

var jsonOptions = protojson.MarshalOptions{UseProtoNames: true}

// rawJSON stores the document bytes as they are, flagged as JSON.
var rawJSON = gocb.NewRawJSONTranscoder()

// Document returns the JSON document the sink stores for msg: protojson with
// the .proto field names, compacted (protojson's own output varies its
// whitespace between builds).
func Document(msg proto.Message) ([]byte, error) {
	b, err := jsonOptions.Marshal(msg)
	if err != nil {
		return nil, fmt.Errorf("encode %s as JSON: %w", msg.ProtoReflect().Descriptor().FullName(), err)
	}
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		return nil, fmt.Errorf("compact JSON: %w", err)
	}
	return out.Bytes(), nil
}

// CheckKey reports why a record key cannot be a document id: empty, longer
// than MaxKeyLen bytes, or not UTF-8.
func CheckKey(key string) error {
	switch {
	case key == "":
		return errors.New("empty record key: a document id is required")
	case len(key) > MaxKeyLen:
		return fmt.Errorf("record key is %d bytes, a document id may have at most %d", len(key), MaxKeyLen)
	case !utf8.ValidString(key):
		return fmt.Errorf("record key %q is not UTF-8", key)
	}
	return nil
}

// write makes one record durable in Couchbase: an upsert of its JSON
// document, or a remove for a tombstone. It returns nil only once the
// cluster acknowledged the mutation (durability none: the active node has
// it), so stream.Consume stores the offset after the write. Records that can
// never be written come back as stream.Invalid (dead-lettered); every other
// failure is returned plainly and retried with backoff.
func (s *Service) write(ctx context.Context, rec record) error {
	select {
	case <-s.setUp:
	case <-ctx.Done():
		return ctx.Err()
	}
	if err := CheckKey(rec.Key); err != nil {
		return s.reject(rec, err)
	}
	if rec.Value == nil {
		return s.remove(ctx, rec)
	}
	doc, err := Document(rec.Value)
	if err != nil {
		return s.reject(rec, err)
	}
	var res *gocb.MutationResult
	err = s.traced(ctx, "upsert", rec.Key, func(ctx context.Context) (err error) {
		res, err = s.coll.Upsert(rec.Key, doc, &gocb.UpsertOptions{Transcoder: rawJSON, Context: ctx, DurabilityLevel: s.cfg.Couchbase.durability()})
		return err
	})
	if err != nil {
		return s.failed("upsert", rec, err)
	}
	s.Stats.Add("documents.upserted", 1)
	s.Log.Debug("document upserted", s.attrs(rec, "cas", uint64(res.Cas()), "bytes", len(doc))...)
	return nil
}

// remove deletes the document of a tombstone; a document that is not there
// is as good as removed.
func (s *Service) remove(ctx context.Context, rec record) error {
	err := s.traced(ctx, "remove", rec.Key, func(ctx context.Context) error {
		_, err := s.coll.Remove(rec.Key, &gocb.RemoveOptions{Context: ctx, DurabilityLevel: s.cfg.Couchbase.durability()})
		return err
	})
	switch {
	case errors.Is(err, gocb.ErrDocumentNotFound):
		s.Stats.Add("documents.remove-missing", 1)
		s.Log.Debug("tombstone for a missing document", s.attrs(rec)...)
		return nil
	case err != nil:
		return s.failed("remove", rec, err)
	}
	s.Stats.Add("documents.removed", 1)
	s.Log.Debug("document removed", s.attrs(rec)...)
	return nil
}

// failed classifies a Couchbase error: permanent ones reject the record,
// the rest (timeouts, temporary failures, services or buckets not
// available yet, locked documents) are retried.
func (s *Service) failed(op string, rec record, err error) error {
	err = fmt.Errorf("couchbase %s of %q: %w", op, rec.Key, err)
	if permanent(err) {
		return s.reject(rec, err)
	}
	s.Stats.Add("writes.retried", 1)
	s.metrics.retries.Add(context.Background(), 1, s.metrics.attrs)
	return err
}

// permanent tells the Couchbase errors that retrying the same record cannot
// cure.
func permanent(err error) bool {
	return errors.Is(err, gocb.ErrValueTooLarge) ||
		errors.Is(err, gocb.ErrInvalidArgument) ||
		errors.Is(err, gocb.ErrEncodingFailure)
}

// reject sends the record to the dead-letter topic (stream.Consume logs it,
// writes the dlq.* headers and counts it).
func (s *Service) reject(rec record, err error) error {
	s.Log.Debug("record rejected", s.attrs(rec, "error", err)...)
	return stream.Invalid(err)
}

func (s *Service) attrs(rec record, extra ...any) []any {
	return append([]any{"topic", rec.Topic, "id", rec.Key,
		"partition", rec.Raw.Partition, "offset", rec.Raw.Offset}, extra...)
}
