// Orders per second, derived from successive country statistics: the total
// order count (all countries) is sampled as updates arrive, and the rate is
// the growth of the total over a trailing window.

export interface RateSample {
  at: number; // epoch ms
  total: number;
}

export class RateTracker {
  private samples: RateSample[] = [];

  constructor(private readonly windowMs = 10_000) {}

  /** record notes the total order count seen at `at`. */
  record(at: number, total: number): void {
    const last = this.samples[this.samples.length - 1];
    if (last && total < last.total) this.samples = []; // counts went back (a reset): start over
    if (last && last.at === at) last.total = total;
    else this.samples.push({ at, total });
    // Keep one sample older than the window as the baseline.
    while (this.samples.length > 2 && this.samples[1].at <= at - this.windowMs) this.samples.shift();
  }

  /** reset forgets every sample, e.g. after a reconnection, whose snapshot may hold a gap's orders at once. */
  reset(): void {
    this.samples = [];
  }

  /**
   * rate is orders per second over the window ending at `now`; undefined
   * until two samples span some time. A quiet stream (no update since the
   * last sample) counts as no orders up to now.
   */
  rate(now: number): number | undefined {
    if (this.samples.length === 0) return undefined;
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const from = Math.max(first.at, now - this.windowMs);
    if (now <= from) return undefined;
    // The baseline: the last sample at or before the window's start.
    let base = first;
    for (const s of this.samples) if (s.at <= from) base = s;
    // Over at least a few seconds, so that one order just after a start is not a burst.
    const span = Math.max((now - from) / 1000, Math.min(5, this.windowMs / 1000));
    return Math.max(0, (last.total - base.total) / span);
  }
}

/**
 * OrderDeltas turns successive per-country counts into new orders. The
 * stream starts (and restarts after a reconnection) with a snapshot of every
 * country: those first counts are a baseline, not new orders. A country
 * never seen before that appears after snapshotMs is new orders.
 */
export class OrderDeltas {
  private last = new Map<string, bigint>();
  private seenSinceOpen = new Set<string>();
  private openedAt = 0;
  private observed = 0;

  constructor(private readonly snapshotMs = 1000) {}

  /** open marks a new stream: its first count of each country is a baseline. */
  open(now: number): void {
    this.openedAt = now;
    this.seenSinceOpen.clear();
  }

  /** update applies one country's count and returns the orders it adds. */
  update(country: string, count: bigint, now: number): number {
    const prev = this.last.get(country);
    this.last.set(country, count);
    let delta = 0;
    if (!this.seenSinceOpen.has(country)) {
      this.seenSinceOpen.add(country);
      if (prev === undefined && now - this.openedAt > this.snapshotMs) delta = Number(count);
    } else if (prev !== undefined && count > prev) {
      delta = Number(count - prev);
    }
    this.observed += delta;
    return delta;
  }

  /** total is every order observed since the first stream opened. */
  get total(): number {
    return this.observed;
  }
}
