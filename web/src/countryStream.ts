// The per-country statistics of the Overview, kept live by the
// WatchCountryStats server stream for as long as the app runs (so the time
// series survives page changes), reconnecting by itself when it breaks.
import { createContext, useContext, useEffect, useState } from "react";
import type { CountryStats } from "./gen/analytics/v1/country_stats_pb.js";
import { analytics, serviceOf } from "./api.js";
import { describeError } from "./lib/errors.js";
import { OrderDeltas, RateTracker } from "./lib/rate.js";
import { initialStreamState, runReconnecting, type StreamState } from "./lib/reconnect.js";

export interface RatePoint {
  at: number;
  /** Orders per second; null while the stream is down (a gap in the chart). */
  rate: number | null;
}

export interface CountryFeed {
  stream: StreamState;
  /** Latest statistics per country code. */
  stats: ReadonlyMap<string, CountryStats>;
  /** When the last update arrived (epoch ms). */
  updatedAt?: number;
  /** Orders per second now. */
  rate?: number;
  /** Orders per second over the last minutes, one point per sampleMs. */
  series: RatePoint[];
}

const sampleMs = 2000;
const seriesPoints = 150; // 5 minutes

export const CountryFeedContext = createContext<CountryFeed>({ stream: initialStreamState, stats: new Map(), series: [] });

export function useCountryFeed(): CountryFeed {
  return useContext(CountryFeedContext);
}

/** useCountryStream runs the stream while the calling component is mounted. */
export function useCountryStream(): CountryFeed {
  const [stream, setStream] = useState<StreamState>(initialStreamState);
  const [stats, setStats] = useState<ReadonlyMap<string, CountryStats>>(new Map());
  const [updatedAt, setUpdatedAt] = useState<number>();
  const [series, setSeries] = useState<RatePoint[]>([]);
  const [tracker] = useState(() => new RateTracker(10_000));
  const [deltas] = useState(() => new OrderDeltas());
  const [rate, setRate] = useState<number>();

  useEffect(() => {
    const ctl = new AbortController();
    let current = new Map<string, CountryStats>();
    let live = false;
    void runReconnecting({
      signal: ctl.signal,
      open: (signal, onOpen) => analytics.watchCountryStats({ countries: [] }, { signal, onHeader: onOpen }),
      onOpen: () => {
        // A gap (and the snapshot that follows it) is not a rate.
        const now = Date.now();
        tracker.reset();
        deltas.open(now);
        tracker.record(now, deltas.total);
      },
      onMessage: (m) => {
        const cs = m.stats;
        if (!cs?.country) return; // the header-only first frame
        current = new Map(current).set(cs.country, cs);
        setStats(current);
        const now = Date.now();
        setUpdatedAt(now);
        deltas.update(cs.country, cs.orderCount, now);
        tracker.record(now, deltas.total);
      },
      onState: (s) => {
        live = s.phase === "live";
        setStream(s);
      },
      describe: (err) => describeError(err, serviceOf.analytics),
    });
    const timer = setInterval(() => {
      const now = Date.now();
      const r = live ? tracker.rate(now) : undefined;
      setRate(r);
      setSeries((prev) => [...prev.slice(-(seriesPoints - 1)), { at: now, rate: r ?? (live ? 0 : null) }]);
    }, sampleMs);
    return () => {
      ctl.abort();
      clearInterval(timer);
    };
  }, [tracker, deltas]);

  return { stream, stats, updatedAt, rate, series };
}
