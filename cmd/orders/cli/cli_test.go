package cli_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/kafka-enterprise-orders/orders/cmd/orders/cli"
)

func run(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = cli.Main(context.Background(), args, cli.Env{Stdout: &out, Stderr: &errOut})
	return code, out.String(), errOut.String()
}

func TestHelpExplainsEveryCommandAndOption(t *testing.T) {
	code, out, _ := run("--help")
	if code != 0 {
		t.Fatalf("orders --help exited %d", code)
	}
	for _, c := range cli.Commands() {
		if !strings.Contains(out, c.Name) {
			t.Errorf("orders --help lacks %s", c.Name)
		}
		code, _, help := run(c.Name, "--help")
		if code != 0 {
			t.Errorf("orders %s --help exited %d", c.Name, code)
		}
		for _, v := range c.Flags().Vars() {
			if !strings.Contains(help, "--"+v.Flag) || !strings.Contains(help, v.Env) || v.Usage == "" {
				t.Errorf("orders %s --help does not explain --%s [%s]", c.Name, v.Flag, v.Env)
			}
		}
	}
}

func TestBadInvocationsFailClearly(t *testing.T) {
	if code, _, errOut := run("no-such-command"); code != 2 || !strings.Contains(errOut, `unknown command "no-such-command"`) {
		t.Errorf("unknown command: %d %q", code, errOut)
	}
	if code, _, errOut := run("pg-source"); code != 2 || !strings.Contains(errOut, "--database-url (or ORDERS_DATABASE_URL) is required") {
		t.Errorf("pg-source without a database: %d %q", code, errOut)
	}
	if code, _, errOut := run("producer", "--log-level", "loud"); code != 1 || !strings.Contains(errOut, "--log-level") {
		t.Errorf("bad log level: %d %q", code, errOut)
	}
	if code, _, errOut := run("probe"); code != 1 || !strings.Contains(errOut, "want exactly one URL") {
		t.Errorf("probe without URL: %d %q", code, errOut)
	}
}
