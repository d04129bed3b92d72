package testenv

import (
	"fmt"
	"net/http"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Metrics is one scrape of a /metrics endpoint, by family name.
type Metrics map[string]*dto.MetricFamily

// Scrape fetches and parses the Prometheus text at url.
func Scrape(t testing.TB, url string) Metrics {
	t.Helper()
	m, err := scrape(url)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func scrape(url string) (Metrics, error) {
	res, err := http.Get(url)
	if err != nil {
		return nil, fmt.Errorf("scrape %s: %w", url, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("scrape %s: %s", url, res.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(res.Body)
	if err != nil {
		return nil, fmt.Errorf("scrape %s: %w", url, err)
	}
	return families, nil
}

// Sum adds up the samples of a counter or gauge family whose labels
// include every pair of labels (name, value, name, value, ...); a
// histogram family sums its sample counts. A family not there sums to 0.
func (m Metrics) Sum(name string, labels ...string) float64 {
	var sum float64
	for _, metric := range m[name].GetMetric() {
		if !hasLabels(metric, labels) {
			continue
		}
		switch {
		case metric.Counter != nil:
			sum += metric.Counter.GetValue()
		case metric.Gauge != nil:
			sum += metric.Gauge.GetValue()
		case metric.Histogram != nil:
			sum += float64(metric.Histogram.GetSampleCount())
		}
	}
	return sum
}

// Has reports whether a family with some sample of these labels is there.
func (m Metrics) Has(name string, labels ...string) bool {
	for _, metric := range m[name].GetMetric() {
		if hasLabels(metric, labels) {
			return true
		}
	}
	return false
}

func hasLabels(metric *dto.Metric, labels []string) bool {
	for i := 0; i+1 < len(labels); i += 2 {
		found := false
		for _, l := range metric.GetLabel() {
			if l.GetName() == labels[i] && l.GetValue() == labels[i+1] {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}
