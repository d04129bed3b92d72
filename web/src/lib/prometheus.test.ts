import { describe, expect, it } from "vitest";
import { consumerLag, parsePrometheus } from "./prometheus.js";

const text = `# HELP orders_consumer_lag Records not yet consumed per partition
# TYPE orders_consumer_lag gauge
orders_consumer_lag{group="payment-service",otel_scope_name="orders",partition="0",service_name="payment-service",topic="orders"} 3
orders_consumer_lag{group="payment-service",otel_scope_name="orders",partition="1",service_name="payment-service",topic="orders"} 4
orders_consumer_lag{group="payment-service",partition="0",service_name="payment-service",topic="fraud-alerts"} 0
orders_consumer_lag{group="analytics-service",partition="2",service_name="analytics-service",topic="orders"} 1.5e1
# HELP orders_records_consumed_total Records consumed
# TYPE orders_records_consumed_total counter
orders_records_consumed_total{group="payment-service",topic="orders"} 1234
orders_consumer_lag_other{group="x",topic="y"} 99
process_start_time_seconds 1.7e+09
weird{label="a \\"quoted\\" value, with {braces}",other="back\\\\slash\\nnl"} +Inf 1700000000000
this line is not a sample
`;

describe("parsePrometheus", () => {
  it("reads names, labels (with escapes) and values, and skips comments and junk", () => {
    const samples = parsePrometheus(text);
    expect(samples).toHaveLength(8);
    expect(samples[0]).toEqual({
      name: "orders_consumer_lag",
      labels: { group: "payment-service", otel_scope_name: "orders", partition: "0", service_name: "payment-service", topic: "orders" },
      value: 3,
    });
    expect(samples[6]).toEqual({ name: "process_start_time_seconds", labels: {}, value: 1.7e9 });
    expect(samples[7]).toEqual({ name: "weird", labels: { label: 'a "quoted" value, with {braces}', other: "back\\slash\nnl" }, value: Infinity });
  });
});

describe("consumerLag", () => {
  it("sums the lag per group and topic over partitions", () => {
    expect(consumerLag(text)).toEqual([
      { group: "analytics-service", topic: "orders", lag: 15, partitions: 1 },
      { group: "payment-service", topic: "fraud-alerts", lag: 0, partitions: 1 },
      { group: "payment-service", topic: "orders", lag: 7, partitions: 2 },
    ]);
  });
  it("finds nothing in metrics without the gauge", () => {
    expect(consumerLag("")).toEqual([]);
    expect(consumerLag("up 1\n")).toEqual([]);
  });
});
