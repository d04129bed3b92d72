package stream

import (
	"errors"
	"net"
	"net/url"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/rest"
)

// DecodeError means a record's bytes cannot be turned into the expected
// message: wrong magic byte, unknown schema id, another message type,
// truncated or invalid protobuf. Retrying cannot help.
type DecodeError struct{ Err error }

func (e *DecodeError) Error() string { return "decode: " + e.Err.Error() }
func (e *DecodeError) Unwrap() error { return e.Err }

// ValidationError means a record decoded but breaks the contract (a missing
// id, a negative amount). Retrying cannot help.
type ValidationError struct{ Err error }

func (e *ValidationError) Error() string { return "validation: " + e.Err.Error() }
func (e *ValidationError) Unwrap() error { return e.Err }

// Invalid wraps err as a ValidationError; a handler returns it to send the
// input record to the dead-letter topic.
func Invalid(err error) error { return &ValidationError{Err: err} }

// ErrorClass names the kind of a permanent failure, as written to the
// dead-letter header "dlq.error.class"; empty for errors worth retrying.
func ErrorClass(err error) string {
	var de *DecodeError
	var ve *ValidationError
	switch {
	case errors.As(err, &de):
		return "deserialization"
	case errors.As(err, &ve):
		return "validation"
	}
	return ""
}

// isPermanentDecodeError tells a malformed record from an unreachable or
// failing registry: only the latter is worth a retry.
func isPermanentDecodeError(err error) bool {
	var restErr *rest.Error
	if errors.As(err, &restErr) {
		return restErr.Code < 50000 // 404xx and 422xx: the id or subject is unknown
	}
	var netErr net.Error
	var urlErr *url.Error
	if errors.As(err, &netErr) || errors.As(err, &urlErr) {
		return false
	}
	return true
}

// Unavailable reports whether err says the cluster cannot take a request
// right now (timeouts, lost connections, too few in-sync replicas, a
// full queue, a partition without leader): a caller may retry later.
func Unavailable(err error) bool {
	var ke kafka.Error
	if !errors.As(err, &ke) {
		return false
	}
	switch ke.Code() {
	case kafka.ErrMsgTimedOut, kafka.ErrTimedOut, kafka.ErrTransport, kafka.ErrAllBrokersDown,
		kafka.ErrRequestTimedOut, kafka.ErrNotEnoughReplicas, kafka.ErrQueueFull, kafka.ErrLeaderNotAvailable:
		return true
	}
	return false
}
