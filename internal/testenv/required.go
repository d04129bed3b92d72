package testenv

import (
	"os"
	"testing"
)

// Required stops the test when something it needs (a tool, a binary, a
// package) is unavailable, err saying why: it fails when the environment
// variable CI is set to any non-empty value, where every test must run, and
// skips with the reason otherwise. A nil err lets the test go on.
func Required(t testing.TB, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if ci := os.Getenv("CI"); ci != "" {
		t.Fatalf("%s is required (CI=%s): %v", what, ci, err)
	}
	t.Skipf("skipping: %s is unavailable: %v (with CI set this fails)", what, err)
}
