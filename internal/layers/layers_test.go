package layers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// M is the module path; a pattern ending in "/..." matches that path and
// everything beneath it, as in the go command.
const M = "github.com/kafka-enterprise-orders/orders"

// kafkaClientAllowed is the allow-list for rule 5: the only packages that may
// import confluent-kafka-go directly.
var kafkaClientAllowed = []string{
	M + "/internal/stream/...", // the Kafka layer
	M + "/internal/testenv/...",
	M + "/internal/sandbox/...",
	M + "/internal/contracts/...", // checks the contracts against a real Schema Registry
	M + "/cmd/...",
	M + "/e2e/...",
}

var kafkaClient = []string{
	"github.com/confluentinc/confluent-kafka-go/v2/kafka/...",
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/...",
}

var (
	gen, internal, services = M + "/gen/...", M + "/internal/...", M + "/services/..."
	gateway, cmd, compose   = M + "/gateway/...", M + "/cmd/...", M + "/compose/..."
	e2e, module             = M + "/e2e/...", M + "/..."
	clients                 = M + "/clients/..."
)

// rule reports, for an import from -> to, whether that import breaks it.
type rule struct {
	reason string
	broken func(from, to string) bool
}

var rules = []rule{
	{"gen/ imports nothing of the module outside gen/", func(from, to string) bool {
		return in(from, gen) && in(to, module) && !in(to, gen)
	}},
	{"internal/ must not import services/, gateway, cmd/, compose/ or e2e", func(from, to string) bool {
		return in(from, internal) && in(to, services, gateway, cmd, compose, e2e)
	}},
	{"a service must not import another service", func(from, to string) bool {
		return in(from, services) && in(to, services) && service(from) != service(to)
	}},
	{"services/ must not import gateway, cmd/, compose/ or e2e", func(from, to string) bool {
		return in(from, services) && in(to, gateway, cmd, compose, e2e)
	}},
	{"gateway must not import services/, cmd/ or e2e", func(from, to string) bool {
		return in(from, gateway) && in(to, services, cmd, e2e)
	}},
	{"only the Kafka layer (kafkaClientAllowed) may import confluent-kafka-go", func(from, to string) bool {
		return in(from, module) && in(to, kafkaClient...) && !in(from, kafkaClientAllowed...)
	}},
	{"nothing imports e2e", func(from, to string) bool {
		return in(to, e2e) && !in(from, e2e)
	}},
	{"cmd/ is imported only from cmd/, compose/, e2e and the clients' tests", func(from, to string) bool {
		return in(to, cmd) && !in(from, cmd, compose, e2e, clients)
	}},
}

func in(path string, patterns ...string) bool {
	for _, p := range patterns {
		base, tree := strings.CutSuffix(p, "/...")
		if path == base || tree && strings.HasPrefix(path, base+"/") {
			return true
		}
	}
	return false
}

// service returns "x" for M/services/x/... .
func service(path string) string {
	rest := strings.TrimPrefix(path, M+"/services/")
	name, _, _ := strings.Cut(rest, "/")
	return name
}

// pkg is the part of `go list -json` output the checker reads.
type pkg struct {
	ImportPath                         string
	Imports, TestImports, XTestImports []string
	Error                              *struct{ Err string }
}

// check returns one line per broken rule: "<importer> imports <imported>: <rule>".
// Imports made only from _test.go files are marked "(test)".
func check(pkgs []pkg) []string {
	var out []string
	for _, p := range pkgs {
		if p.Error != nil {
			out = append(out, fmt.Sprintf("%s: cannot load package: %s", p.ImportPath, p.Error.Err))
		}
		fromTest := map[string]bool{}
		for _, to := range p.Imports {
			fromTest[to] = false
		}
		for _, to := range slices.Concat(p.TestImports, p.XTestImports) {
			if _, ok := fromTest[to]; !ok {
				fromTest[to] = true
			}
		}
		for to, test := range fromTest {
			importer := p.ImportPath
			if test {
				importer += " (test)"
			}
			for _, r := range rules {
				if r.broken(p.ImportPath, to) {
					out = append(out, fmt.Sprintf("%s imports %s: %s", importer, to, r.reason))
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

func TestImportDirection(t *testing.T) {
	pkgs, err := listModule()
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) == 0 {
		t.Fatal("go list found no packages")
	}
	for _, v := range check(pkgs) {
		t.Error(v)
	}
}

// TestCheckerReportsViolation proves the checker fails on a forbidden import
// without depending on the real tree.
func TestCheckerReportsViolation(t *testing.T) {
	pkgs := []pkg{
		{ImportPath: M + "/internal/stream", Imports: []string{"github.com/confluentinc/confluent-kafka-go/v2/kafka"}},
		{ImportPath: M + "/services/payment", Imports: []string{M + "/internal/stream"},
			XTestImports: []string{M + "/services/payment", M + "/services/fraud"}},
	}
	got := check(pkgs)
	want := []string{M + "/services/payment (test) imports " + M + "/services/fraud: a service must not import another service"}
	if !slices.Equal(got, want) {
		t.Errorf("check() =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// listModule runs `go list -json` over the whole module, from its root.
// moduleRoot is the directory of go.mod above the working directory.
func moduleRoot() (string, error) {
	root, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			return root, nil
		}
		parent := filepath.Dir(root)
		if parent == root {
			return "", errors.New("no go.mod above the working directory")
		}
		root = parent
	}
}

// testDoubles are the packages that fake or sandbox infrastructure.
var testDoubles = []string{
	"github.com/twmb/franz-go/...", // kfake, the embedded broker
	M + "/internal/sandbox/...", M + "/internal/testenv/...",
}

// TestProductionBuildShipsNoTestDoubles: the binary built with -tags
// production (the Compose image) links none of the embedded broker,
// registry or sandboxes; the default build, which has `orders dev`, does.
func TestProductionBuildShipsNoTestDoubles(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	deps := func(tags ...string) []string {
		c := exec.Command("go", append(append([]string{"list", "-deps"}, tags...), "./cmd/orders")...)
		c.Dir = root
		out, err := c.Output()
		if err != nil {
			t.Fatalf("go list -deps %v ./cmd/orders: %v", tags, err)
		}
		return strings.Fields(string(out))
	}
	doubles := func(pkgs []string) (found []string) {
		for _, p := range pkgs {
			if in(p, testDoubles...) {
				found = append(found, p)
			}
		}
		return found
	}
	if found := doubles(deps("-tags", "production")); len(found) > 0 {
		t.Errorf("the production build links %v", found)
	}
	if found := doubles(deps()); len(found) == 0 {
		t.Error("the development build links no test double: is testDoubles out of date?")
	}
}

func listModule() ([]pkg, error) {
	root, err := moduleRoot()
	if err != nil {
		return nil, err
	}
	c := exec.Command("go", "list", "-e", "-json=ImportPath,Imports,TestImports,XTestImports,Error", "./...")
	c.Dir = root
	var stderr bytes.Buffer
	c.Stderr = &stderr
	stdout, err := c.Output()
	if err != nil {
		return nil, fmt.Errorf("go list in %s: %v\n%s", root, err, stderr.String())
	}
	var pkgs []pkg
	for dec := json.NewDecoder(bytes.NewReader(stdout)); ; {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			return pkgs, nil
		} else if err != nil {
			return nil, fmt.Errorf("decoding go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
}
