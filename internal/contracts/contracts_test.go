// Package contracts_test checks the protobuf contracts with buf, the way CI
// does: lint with the STANDARD rules, and breaking-change detection proven
// on golden pairs (testdata/<case>/{previous,current}).
package contracts_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// buf runs the pinned buf (tools.mod) in dir.
func buf(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", append([]string{"tool", "-modfile=" + filepath.Join(root, "tools.mod"), "buf"}, args...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestContractsPassLint(t *testing.T) {
	if out, err := buf(t, "../..", "lint"); err != nil {
		t.Fatalf("buf lint: %v\n%s", err, out)
	}
}

func TestBreakingChangeDetection(t *testing.T) {
	cases := map[string]string{ // case → a phrase buf must report ("" = must pass)
		"additive":           "",
		"renumbered":         `field "2" with name "price_minor" on message "Item" was deleted`,
		"retyped":            `changed type from "int64" to "string"`,
		"removed_enum_value": `Previously present enum value "1" on enum "State" was deleted`,
	}
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			if _, ok := cases[e.Name()]; !ok {
				t.Errorf("testdata/%s has no expectation", e.Name())
			}
		}
	}
	for name, want := range cases {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("testdata", name)
			out, err := buf(t, dir, "breaking", "current", "--against", "previous")
			if want == "" {
				if err != nil {
					t.Fatalf("additive change reported as breaking: %v\n%s", err, out)
				}
				return
			}
			if err == nil {
				t.Fatalf("breaking change passed buf breaking")
			}
			if !strings.Contains(out, want) {
				t.Fatalf("buf breaking said:\n%s\nwant it to mention %q", out, want)
			}
		})
	}
}
