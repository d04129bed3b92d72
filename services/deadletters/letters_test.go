package deadletters

import (
	"errors"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	deadlettersv1 "github.com/kafka-enterprise-orders/orders/gen/deadletters/v1"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
	"github.com/kafka-enterprise-orders/orders/internal/validate"
)

func TestIDsRoundTripAndBadOnesAreRefused(t *testing.T) {
	for _, topic := range []string{"orders.dlq", "order-analytics.dlq", "analytics.orders-by-country.dlq"} {
		id := letterID(&stream.Message{Topic: topic, Partition: 2, Offset: 41})
		got, pos, err := parseID(id)
		if err != nil || got != topic || pos.Partition != 2 || pos.Offset != 41 {
			t.Errorf("parseID(%q) = %q %+v %v", id, got, pos, err)
		}
	}
	for _, bad := range []string{"", "orders.dlq", "orders.dlq-0", "orders-0-1", "orders.dlq-x-1", "orders.dlq-0--1", "orders.dlq-99999999999-1"} {
		if _, _, err := parseID(bad); err == nil {
			t.Errorf("parseID(%q) accepted", bad)
		}
	}
}

func TestPageTokensResumeWhereThePageEnded(t *testing.T) {
	from, err := decodeToken(encodeToken(&stream.Message{Partition: 2, Offset: 7}))
	if err != nil || from[2] != 7 || from[0] < 1<<62 || from[1] < 1<<62 || len(from) != 3 {
		t.Errorf("decodeToken = %v, %v: partitions before 2 done, 2 from offset 7", from, err)
	}
	if _, err := decodeToken("not a token"); err == nil || !strings.Contains(err.Error(), "page_token") {
		t.Errorf("a bad token: %v, want an error naming page_token", err)
	}
}

func TestStatusAndReplayability(t *testing.T) {
	failed := func(topic string, replays int) *stream.Message {
		msg := &stream.Message{Topic: topic, Key: []byte("k"), Value: []byte("v")}
		if replays > 0 {
			msg = stream.ReplayRecord(stream.DeadLetter(msg, "payment-service", stream.Invalid(errors.New("x")), time.Now()), "orders.dlq-0-1", replays)
		}
		dl := stream.DeadLetter(msg, "payment-service", stream.Invalid(errors.New("bad")), time.Now())
		dl.Offset = 5
		return dl
	}
	for _, tc := range []struct {
		name     string
		msg      *stream.Message
		res      *deadlettersv1.DeadLetterResolution
		want     deadlettersv1.DeadLetterStatus
		refusing string
	}{
		{"first failure", failed("orders", 0), nil, waiting, ""},
		{"failed after two replays", failed("orders", 2), nil, waiting, ""},
		{"failed after three replays", failed("orders", 3), nil, parked, ""},
		{"replayed", failed("orders", 0), &deadlettersv1.DeadLetterResolution{Status: replayed}, replayed, ""},
		{"discarded though parked", failed("orders", 3), &deadlettersv1.DeadLetterResolution{Status: discarded}, discarded, ""},
		{"compacted topic", failed("order-analytics", 0), nil, waiting, "compacted"},
		{"from Postgres", stream.ForeignDeadLetter("customers", "postgres:customers", "pg-source", "validation", nil, nil, errors.New("x"), time.Now()), nil, waiting, "postgres:customers"},
	} {
		dl := toProto(tc.msg, tc.res, 3)
		if dl.GetStatus() != tc.want {
			t.Errorf("%s: status %s, want %s", tc.name, dl.GetStatus(), tc.want)
		}
		if got := dl.GetNotReplayable(); (tc.refusing == "") != (got == "") || !strings.Contains(got, tc.refusing) {
			t.Errorf("%s: not replayable %q, want one mentioning %q", tc.name, got, tc.refusing)
		}
	}
}

func TestFilters(t *testing.T) {
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	dl := toProto(stream.DeadLetter(&stream.Message{Topic: "orders", Value: []byte("v")}, "fraud-service", stream.Invalid(errors.New("x")), at), nil, 3)
	for _, tc := range []struct {
		f    *deadlettersv1.DeadLetterFilter
		want bool
	}{
		{&deadlettersv1.DeadLetterFilter{Topic: "orders"}, true},
		{&deadlettersv1.DeadLetterFilter{Consumer: "fraud-service", ErrorClass: "validation", Status: waiting}, true},
		{&deadlettersv1.DeadLetterFilter{Consumer: "payment-service"}, false},
		{&deadlettersv1.DeadLetterFilter{ErrorClass: "deserialization"}, false},
		{&deadlettersv1.DeadLetterFilter{Status: replayed}, false},
		{&deadlettersv1.DeadLetterFilter{FailedAfter: timestamppb.New(at), FailedBefore: timestamppb.New(at.Add(time.Second))}, true},
		{&deadlettersv1.DeadLetterFilter{FailedAfter: timestamppb.New(at.Add(time.Second))}, false},
		{&deadlettersv1.DeadLetterFilter{FailedBefore: timestamppb.New(at)}, false},
	} {
		if got := matches(dl, tc.f); got != tc.want {
			t.Errorf("matches(%v) = %v, want %v", tc.f, got, tc.want)
		}
	}
}

// TestARequestNamingADeadLetterTwiceIsRefused: replaying the same id twice
// in one call would replay it twice.
func TestARequestNamingADeadLetterTwiceIsRefused(t *testing.T) {
	var c validate.Checker
	checkSelection(&c, []string{"orders.dlq-0-1", "orders.dlq-0-2", "orders.dlq-0-1"}, nil)
	if err := c.Err(); err == nil || !strings.Contains(err.Error(), "ids[2]: repeats ids[0]") {
		t.Errorf("duplicate ids: %v", err)
	}
}
