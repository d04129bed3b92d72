package pgsource

import (
	"errors"
	"testing"
)

func TestAcksConfirmOnlyWhatKafkaAcknowledgedInOrder(t *testing.T) {
	var a acks
	t1, t2 := a.begin(), a.begin()
	a.produced(t1)
	a.produced(t2)
	a.commit(t2, 200)
	a.delivered(t2, nil)
	if pos, _ := a.position(); pos != 0 {
		t.Fatalf("confirmed %d before the earlier transaction was delivered", pos)
	}
	a.commit(t1, 100)
	if pos, _ := a.position(); pos != 0 {
		t.Fatalf("confirmed %d with a record of the first transaction in flight", pos)
	}
	a.delivered(t1, nil)
	if pos, _ := a.position(); pos != 200 {
		t.Fatalf("position %d, want 200", pos)
	}
	snap := a.begin() // a snapshot commits with no position: never moves back
	a.commit(snap, 0)
	if pos, _ := a.position(); pos != 200 {
		t.Fatalf("position %d after the snapshot, want 200", pos)
	}
	t3 := a.begin()
	a.produced(t3)
	a.commit(t3, 300)
	a.delivered(t3, errors.New("broker down"))
	if pos, err := a.position(); pos != 200 || err == nil {
		t.Fatalf("after a failed delivery: %d, %v; want 200 and the error", pos, err)
	}
	a.reset(250)
	if pos, err := a.position(); pos != 250 || err != nil {
		t.Fatalf("after reset: %d, %v", pos, err)
	}
}

func TestAcksConfirmTheServersPositionOnlyWhenNothingWaits(t *testing.T) {
	var a acks
	t1 := a.begin()
	a.produced(t1)
	a.commit(t1, 100)
	a.caughtUp(500, false)
	if pos, _ := a.position(); pos != 0 {
		t.Fatalf("confirmed %d with a record in flight", pos)
	}
	a.delivered(t1, nil)
	a.caughtUp(500, true)
	if pos, _ := a.position(); pos != 100 {
		t.Fatalf("confirmed %d while a transaction was open, want 100", pos)
	}
	a.caughtUp(500, false)
	if pos, _ := a.position(); pos != 500 {
		t.Fatalf("position %d once idle, want the server's 500", pos)
	}
	a.caughtUp(400, false)
	if pos, _ := a.position(); pos != 500 {
		t.Fatalf("position moved back to %d", pos)
	}
}
