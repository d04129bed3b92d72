package devstack

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func TestDashboardServesTheAppAndTheServicesOnOneOrigin(t *testing.T) {
	var gotAuth, gotPath string
	analytics := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth, gotPath = r.Header.Get("Authorization"), r.URL.Path
		_, _ = io.WriteString(w, "from analytics "+r.URL.Path)
	}))
	defer analytics.Close()
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close() // nothing listens there any more
	assets := fstest.MapFS{
		"index.html":    {Data: []byte("<html>app</html>")},
		"assets/app.js": {Data: []byte("console.log(1)")},
	}
	st := &Stack{AnalyticsURL: analytics.URL, PaymentURL: down.URL, Token: "dev-token"}
	d, err := newDashboard(assets, st, http.DefaultTransport)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(d)
	defer srv.Close()

	for _, c := range []struct {
		method, path string
		status       int
		body         string
	}{
		{"GET", "/", 200, "<html>app</html>"},
		{"GET", "/assets/app.js", 200, "console.log(1)"},
		{"GET", "/orders", 200, "<html>app</html>"}, // the app's own route
		{"GET", "/_services", 200, `[{"name":"payment-service"},{"name":"analytics-service"}]`},
		{"POST", "/analytics.v1.AnalyticsService/GetCountryStats", 200, "from analytics /analytics.v1.AnalyticsService/GetCountryStats"},
		{"GET", "/_services/analytics-service/readyz", 200, "from analytics /readyz"},
		{"GET", "/_services/analytics-service/metrics", 200, "from analytics /metrics"},
		{"GET", "/_services/payment-service/readyz", 502, "payment-service is unavailable"},
		{"POST", "/payments.v1.PaymentService/GetPayment", 502, "payment-service is unavailable"},
		{"GET", "/_services/analytics-service/debug", 404, "not found"},
		{"GET", "/_services/fraud-service/readyz", 404, "not found"},
		{"POST", "/fraud.v1.FraudService/GetAlert", 404, "not found"}, // not in this stack
	} {
		req, _ := http.NewRequest(c.method, srv.URL+c.path, strings.NewReader("{}"))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != c.status || !strings.Contains(string(body), c.body) {
			t.Errorf("%s %s = %d %q, want %d containing %q", c.method, c.path, res.StatusCode, body, c.status, c.body)
		}
	}
	if gotAuth != "Bearer dev-token" || gotPath != "/metrics" {
		t.Errorf("forwarded with Authorization %q to %q; want the stack's token", gotAuth, gotPath)
	}
}
