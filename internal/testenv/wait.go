package testenv

import (
	"testing"
	"time"
)

// WaitFor polls cond until it holds, failing the test after timeout with
// what it waited for and, if given, details of the last state.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool, detail ...func() string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			msg := ""
			for _, d := range detail {
				msg += ": " + d()
			}
			t.Fatalf("timed out after %s waiting for %s%s", timeout, what, msg)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// WaitForNil polls cond until it returns nil, failing the test after
// timeout with what it waited for and cond's last error.
func WaitForNil(t testing.TB, timeout time.Duration, what string, cond func() error) {
	t.Helper()
	var last error
	WaitFor(t, timeout, what, func() bool { last = cond(); return last == nil }, func() string { return last.Error() })
}
