package gateway

import (
	"crypto/tls"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestOpenAPICoversEveryHTTPRule: each route of http_rules.yaml is in the
// served OpenAPI document, with its method.
func TestOpenAPICoversEveryHTTPRule(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(OpenAPI, &doc); err != nil {
		t.Fatalf("openapi/orders.swagger.json: %v", err)
	}
	rules, err := os.ReadFile("http_rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	route := regexp.MustCompile(`(?m)^\s+(get|post|put|delete|patch): (\S+)`)
	matches := route.FindAllStringSubmatch(string(rules), -1)
	if len(matches) < 11 {
		t.Fatalf("found %d HTTP rules, want every RPC's", len(matches))
	}
	for _, m := range matches {
		method, path := m[1], m[2]
		if _, ok := doc.Paths[path][method]; !ok {
			t.Errorf("OpenAPI lacks %s %s", strings.ToUpper(method), path)
		}
	}
}

func TestDialWantsHTTPOrHTTPSURLs(t *testing.T) {
	for _, bad := range []string{"127.0.0.1:7001", "ftp://orders:7001", "http://"} {
		if _, err := dial(bad, nil); err == nil {
			t.Errorf("dial(%q) accepted it", bad)
		}
	}
	for _, good := range []string{"http://127.0.0.1:7001", "https://orders:7001"} {
		conn, err := dial(good, &tls.Config{MinVersion: tls.VersionTLS12})
		if err != nil {
			t.Fatal(err)
		}
		_ = conn.Close()
	}
}

func TestRequestBodiesAreLimited(t *testing.T) {
	h := limitBody(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := r.Body.Read(make([]byte, 64)); err != nil && err.Error() != "EOF" {
			http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
		}
	}), 16)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/v1/orders", strings.NewReader(strings.Repeat("x", 17))))
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("17-byte body under a 16-byte limit: %d", rec.Code)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/v1/orders", strings.NewReader("{}")))
	if rec.Code != http.StatusOK {
		t.Errorf("small body: %d", rec.Code)
	}
}
