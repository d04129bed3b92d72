package composecheck_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kafka-enterprise-orders/orders/compose/composecheck"
)

// The scripts need bash and curl; so do their containers (cp-ksqldb-cli).
func needTools(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"bash", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("SKIP: %s is not installed, so the script cannot run here", tool)
		}
	}
}

func runScript(t *testing.T, script string, env ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", path(script))
	cmd.Env = append(os.Environ(), append([]string{"POLL_SECONDS=0.05", "WAIT_SECONDS=20"}, env...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// fakeConnect answers like the Connect REST API: each connector reports its
// task only on the second status call, or FAILED when failing names it.
type fakeConnect struct {
	mu      sync.Mutex
	configs map[string][]byte
	polls   map[string]int
	failing string
}

func (f *fakeConnect) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/connector-plugins":
		_, _ = io.WriteString(w, `[]`)
	case r.Method == http.MethodPut && len(parts) == 3 && parts[0] == "connectors" && parts[2] == "config":
		body, _ := io.ReadAll(r.Body)
		var m map[string]string
		if r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(body, &m) != nil {
			http.Error(w, `{"error_code":400,"message":"bad config"}`, http.StatusBadRequest)
			return
		}
		_, existed := f.configs[parts[1]]
		f.configs[parts[1]] = body
		if existed {
			w.WriteHeader(http.StatusOK)
		} else {
			w.WriteHeader(http.StatusCreated)
		}
		_, _ = w.Write(body)
	case r.Method == http.MethodGet && len(parts) == 3 && parts[0] == "connectors" && parts[2] == "status":
		name := parts[1]
		f.polls[name]++
		task := ""
		switch {
		case name == f.failing:
			task = `{"id":0,"state":"FAILED","worker_id":"connect:8083","trace":"boom"}`
		case f.polls[name] > 1:
			task = `{"id":0,"state":"RUNNING","worker_id":"connect:8083"}`
		}
		_, _ = io.WriteString(w, `{"name":"`+name+`","connector":{"state":"RUNNING","worker_id":"connect:8083"},"tasks":[`+task+`],"type":"sink"}`)
	default:
		http.NotFound(w, r)
	}
}

func TestRegisterConnectorsScript(t *testing.T) {
	needTools(t)
	f := &fakeConnect{configs: map[string][]byte{}, polls: map[string]int{}}
	srv := httptest.NewServer(f)
	defer srv.Close()

	out, err := runScript(t, "scripts/register-connectors.sh", "CONNECT_URL="+srv.URL, "CONNECTORS_DIR="+path(connectorsRel))
	if err != nil {
		t.Fatalf("register-connectors.sh: %v\n%s", err, out)
	}
	cs, errs := composecheck.LoadConnectors(path(connectorsRel))
	noErrors(t, "connectors", errs)
	f.mu.Lock()
	for _, c := range cs {
		var got map[string]string
		if err := json.Unmarshal(f.configs[c.Name], &got); err != nil {
			t.Errorf("%s: registered config is not JSON: %v", c.Name, err)
			continue
		}
		if !reflect.DeepEqual(got, c.Config) {
			t.Errorf("%s: registered %v, want the file's %v", c.Name, got, c.Config)
		}
		if f.polls[c.Name] < 2 {
			t.Errorf("%s: the script did not wait for the task to run (%d status polls)", c.Name, f.polls[c.Name])
		}
	}
	f.failing = "couchbase-sink"
	f.mu.Unlock()
	if !strings.Contains(out, "all connectors running") {
		t.Errorf("output does not report success:\n%s", out)
	}

	// Re-running updates; a failed task fails the script, naming the connector.
	out, err = runScript(t, "scripts/register-connectors.sh", "CONNECT_URL="+srv.URL, "CONNECTORS_DIR="+path(connectorsRel))
	if err == nil || !strings.Contains(out, "couchbase-sink failed") || !strings.Contains(out, "updated") {
		t.Errorf("with a FAILED task: err = %v, output:\n%s", err, out)
	}
}

func TestSubmitKSQLScript(t *testing.T) {
	needTools(t)
	var mu sync.Mutex
	subjectPolls := 0
	var submitted map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/info":
			_, _ = io.WriteString(w, `{"KsqlServerInfo":{"version":"7.9.5"}}`)
		case r.Method == http.MethodGet && r.URL.Path == "/subjects/orders-value/versions/latest":
			subjectPolls++
			if subjectPolls < 3 { // order-producer has not written yet
				http.Error(w, `{"error_code":40401,"message":"Subject not found"}`, http.StatusNotFound)
				return
			}
			_, _ = io.WriteString(w, `{"subject":"orders-value","version":1,"id":1,"schemaType":"PROTOBUF"}`)
		case r.Method == http.MethodPost && r.URL.Path == "/ksql":
			if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/vnd.ksql.v1+json") {
				http.Error(w, "bad content type", http.StatusUnsupportedMediaType)
				return
			}
			if err := json.NewDecoder(r.Body).Decode(&submitted); err != nil {
				http.Error(w, `{"message":"`+err.Error()+`"}`, http.StatusBadRequest)
				return
			}
			_, _ = io.WriteString(w, `[{"@type":"currentStatus","commandStatus":{"status":"SUCCESS"}}]`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()

	out, err := runScript(t, "scripts/submit-ksql.sh", "KSQL_URL="+srv.URL, "SCHEMA_REGISTRY_URL="+srv.URL, "KSQL_FILE="+path(ksqlRel))
	if err != nil {
		t.Fatalf("submit-ksql.sh: %v\n%s", err, out)
	}
	mu.Lock()
	defer mu.Unlock()
	if subjectPolls < 3 {
		t.Errorf("the script did not wait for subject orders-value (%d polls)", subjectPolls)
	}
	sql, _ := submitted["ksql"].(string)
	if strings.Contains(sql, "--") {
		t.Errorf("submitted statements still hold comments:\n%s", sql)
	}
	raw, err := os.ReadFile(path(ksqlRel))
	if err != nil {
		t.Fatal(err)
	}
	want, err := composecheck.ParseKSQL(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	got, err := composecheck.ParseKSQL(sql)
	if err != nil {
		t.Fatalf("submitted text does not parse: %v\n%s", err, sql)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("submitted statements differ from %s:\ngot  %+v\nwant %+v", ksqlRel, got, want)
	}
	props, _ := submitted["streamsProperties"].(map[string]any)
	if props["ksql.streams.auto.offset.reset"] != "earliest" {
		t.Errorf("streamsProperties = %v, want auto.offset.reset earliest", props)
	}
}
