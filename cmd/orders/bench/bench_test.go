package bench_test

import (
	"context"
	"testing"
	"time"

	"github.com/kafka-enterprise-orders/orders/cmd/orders/bench"
	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/testenv"
)

// BenchmarkPipelineVsRaw reports the pipeline's orders per second next to
// raw librdkafka produce+consume of the same records on the same broker
// kind, and their ratio. Run with -benchtime=1x; each iteration uses a
// fresh broker.
func BenchmarkPipelineVsRaw(b *testing.B) {
	const n = 20000
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	for range b.N {
		raw := measure(b, ctx, n, bench.Raw)
		pipe := measure(b, ctx, n, bench.Pipeline)
		observed := measure(b, ctx, n, bench.ObservedPipeline)
		b.ReportMetric(raw.PerSecond(), "raw-records/s")
		b.ReportMetric(pipe.PerSecond(), "pipeline-orders/s")
		b.ReportMetric(pipe.PerSecond()/raw.PerSecond(), "pipeline/raw")
		b.ReportMetric(observed.PerSecond()/pipe.PerSecond(), "observed/unobserved")
	}
}

func measure(b *testing.B, ctx context.Context, n int, run func(context.Context, *bench.Env, int) (bench.Result, error)) bench.Result {
	b.Helper()
	env, err := bench.NewEnv(context.Background(), testenv.Logger(b), 0)
	if err != nil {
		b.Fatal(err)
	}
	defer env.Close()
	r, err := run(ctx, env, n)
	if err != nil {
		b.Fatal(err)
	}
	b.Log(r)
	return r
}

// TestPipelineBenchmarkRuns keeps the benchmark code honest in every test
// run, on a small load: what each measurement counted arriving must be
// exactly what it sent, and exactly what its output topic holds when read
// to its end afterwards.
func TestPipelineBenchmarkRuns(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const n = 200
	for _, c := range []struct {
		run    func(context.Context, *bench.Env, int) (bench.Result, error)
		output string
	}{{bench.Raw, "bench.raw"}, {bench.Pipeline, events.PaymentsTopic}, {bench.ObservedPipeline, events.PaymentsTopic}} {
		env, err := bench.NewEnv(context.Background(), testenv.Logger(t), 0)
		if err != nil {
			t.Fatal(err)
		}
		r, err := c.run(ctx, env, n)
		held := 0
		if err == nil {
			held = len(testenv.ReadRawToEnd(t, env.Kafka, c.output, testenv.ReadCommitted))
		}
		if cerr := env.Close(); cerr != nil {
			t.Error(cerr)
		}
		if err != nil {
			t.Fatal(err)
		}
		t.Log(r)
		if r.Records != n || r.Duration <= 0 {
			t.Errorf("%s: counted %d records in %s, want %d", r.Name, r.Records, r.Duration, n)
		}
		if held != n {
			t.Errorf("%s: %s holds %d records, want %d", r.Name, c.output, held, n)
		}
	}
}

// TestLatencyBenchmarkRuns: the latency measurement matches every order it
// offered to its committed payment, and its quantiles are ordered.
func TestLatencyBenchmarkRuns(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	env, err := bench.NewEnv(ctx, testenv.Logger(t), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := env.Close(); err != nil {
			t.Error(err)
		}
	}()
	const n, rate = 300, 500
	r, err := bench.Latency(ctx, env, n, rate)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(r)
	if r.Orders != n || r.P50 <= 0 || r.P50 > r.P99 || r.P99 > r.Max {
		t.Errorf("latency of %d orders: p50 %s, p99 %s, max %s; want all %d, 0 < p50 <= p99 <= max", r.Orders, r.P50, r.P99, r.Max, n)
	}
}
