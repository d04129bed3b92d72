package testenv

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"
)

// maxNamed bounds how many missing items a timeout names.
const maxNamed = 20

// WaitForAll polls missing until it returns nothing, failing the test after
// timeout with what it waited for and the items still missing, named (the
// first twenty, sorted) and counted.
func WaitForAll(t testing.TB, timeout time.Duration, what string, missing func() []string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		m := missing()
		if len(m) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s: %s", timeout, what, Missing(m))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Missing describes missing items for a failure message: how many, and
// the first twenty of them sorted.
func Missing(items []string) string {
	s := append([]string(nil), items...)
	sort.Strings(s)
	named := s
	if len(named) > maxNamed {
		named = named[:maxNamed]
	}
	msg := fmt.Sprintf("%d missing: %s", len(s), strings.Join(named, ", "))
	if len(s) > maxNamed {
		msg += ", …"
	}
	return msg
}

// Absent returns the ids that have no entry in got, in the order of ids.
func Absent[T any](ids []string, got map[string]T) []string {
	var out []string
	for _, id := range ids {
		if _, ok := got[id]; !ok {
			out = append(out, id)
		}
	}
	return out
}
