package bench_test

import (
	"context"
	"testing"
	"time"

	"github.com/kafka-enterprise-orders/orders/internal/bench"
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
		b.ReportMetric(raw.PerSecond(), "raw-records/s")
		b.ReportMetric(pipe.PerSecond(), "pipeline-orders/s")
		b.ReportMetric(pipe.PerSecond()/raw.PerSecond(), "pipeline/raw")
	}
}

func measure(b *testing.B, ctx context.Context, n int, run func(context.Context, *bench.Env, int) (bench.Result, error)) bench.Result {
	b.Helper()
	env, err := bench.NewEnv(testenv.Logger(b))
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
// run, on a small load: it must count exactly what it sent.
func TestPipelineBenchmarkRuns(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, run := range []func(context.Context, *bench.Env, int) (bench.Result, error){bench.Raw, bench.Pipeline} {
		env, err := bench.NewEnv(testenv.Logger(t))
		if err != nil {
			t.Fatal(err)
		}
		r, err := run(ctx, env, 200)
		if cerr := env.Close(); cerr != nil {
			t.Error(cerr)
		}
		if err != nil {
			t.Fatal(err)
		}
		if r.Records != 200 || r.Duration <= 0 {
			t.Errorf("%s: %+v", r.Name, r)
		}
	}
}
