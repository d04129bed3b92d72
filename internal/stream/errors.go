package stream

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
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

// isPermanentDecodeError tells a malformed record from a registry that
// did not answer properly. Only the registry's own verdict on the record's
// schema is permanent: "no such schema" (404, 404xx) or "invalid schema"
// (422, 422xx). Anything else from the registry could clear up and is
// retried: a 5xx, a 429, a refused credential (401, 403), an error page
// that is not the registry's JSON (a proxy's HTML 503, an empty 502), a
// transport error.
func isPermanentDecodeError(err error) bool {
	var restErr *rest.Error
	if errors.As(err, &restErr) {
		return isStatus(restErr.Code, http.StatusNotFound) || isStatus(restErr.Code, http.StatusUnprocessableEntity)
	}
	var netErr net.Error
	var urlErr *url.Error
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &netErr), errors.As(err, &urlErr):
		return false
	case errors.As(err, &syntaxErr), errors.As(err, &typeErr), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return false // the registry client could not read an error body
	}
	return true
}

// isStatus reports whether a registry error code is the HTTP status or one
// of its refinements (40403 refines 404).
func isStatus(code, status int) bool { return code == status || code/100 == status }

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

// Fenced reports whether err says a transactional producer was fenced: a
// newer producer with its transactional id took over, and what it had not
// committed was aborted.
func Fenced(err error) bool {
	return anyKafkaError(err, func(ke kafka.Error) bool {
		switch ke.Code() {
		case kafka.ErrFenced, kafka.ErrProducerFenced, kafka.ErrInvalidProducerEpoch:
			return true
		}
		return false
	})
}

// anyKafkaError reports whether some kafka.Error in err's tree (joined
// errors included, which errors.As would stop at the first of) passes is.
func anyKafkaError(err error, is func(kafka.Error) bool) bool {
	switch e := err.(type) {
	case nil:
		return false
	case kafka.Error:
		return is(e)
	case interface{ Unwrap() []error }:
		for _, inner := range e.Unwrap() {
			if anyKafkaError(inner, is) {
				return true
			}
		}
		return false
	}
	return anyKafkaError(errors.Unwrap(err), is)
}
