import { describe, expect, it } from "vitest";
import { OrderDeltas, RateTracker } from "./rate.js";

describe("RateTracker", () => {
  it("derives orders per second from successive totals", () => {
    const r = new RateTracker(10_000);
    expect(r.rate(0)).toBeUndefined();
    r.record(0, 100);
    expect(r.rate(1000)).toBe(0);
    for (let t = 1; t <= 20; t++) r.record(t * 1000, 100 + 2 * t); // 2 orders/s
    expect(r.rate(20_000)).toBeCloseTo(2, 5);
    // Quiet for 5 s: half the window saw no orders.
    expect(r.rate(25_000)).toBeCloseTo(1, 5);
    expect(r.rate(40_000)).toBe(0);
  });
  it("does not call one order just after a start a burst", () => {
    const r = new RateTracker(10_000);
    r.record(0, 0);
    r.record(200, 1);
    expect(r.rate(300)).toBeCloseTo(0.2, 5); // over at least 5 s
  });
  it("starts over when counts go back, or on reset", () => {
    const r = new RateTracker(10_000);
    r.record(0, 100);
    r.record(5000, 110);
    r.record(6000, 3);
    expect(r.rate(7000)).toBe(0);
    r.reset();
    expect(r.rate(8000)).toBeUndefined();
  });
});

describe("OrderDeltas", () => {
  it("counts growth per country, not the snapshot a stream starts with", () => {
    const d = new OrderDeltas(1000);
    d.open(0);
    expect(d.update("DE", 500n, 10)).toBe(0); // snapshot
    expect(d.update("FR", 300n, 20)).toBe(0); // snapshot
    expect(d.update("DE", 501n, 2000)).toBe(1);
    expect(d.update("DE", 503n, 3000)).toBe(2);
    expect(d.update("IT", 1n, 4000)).toBe(1); // a country's first order, after the snapshot
    expect(d.total).toBe(4);
  });
  it("does not count a reconnection's snapshot (orders during the gap) as a burst", () => {
    const d = new OrderDeltas(1000);
    d.open(0);
    d.update("DE", 500n, 10);
    d.update("DE", 510n, 5000);
    expect(d.total).toBe(10);
    d.open(60_000);
    expect(d.update("DE", 900n, 60_010)).toBe(0);
    expect(d.update("DE", 901n, 61_000)).toBe(1);
    expect(d.total).toBe(11);
  });
});
