// React hooks for live data: polling a query, following the hash route, and
// marking when the first data was rendered (for the page-load measurement).
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from "react";

export interface Polled<T> {
  data?: T;
  /** The last attempt's failure; data (if any) is then from an earlier one. */
  error?: unknown;
  loading: boolean;
  /** When data last arrived (epoch ms). */
  updatedAt?: number;
  /** Run the query now. */
  refresh: () => void;
}

/**
 * usePoll runs query every intervalMs (never two at once) while mounted and
 * whenever key changes, keeping the last data through failures. A null key
 * pauses it.
 */
export function usePoll<T>(query: (signal: AbortSignal) => Promise<T>, intervalMs: number, key: string | null): Polled<T> {
  const [state, setState] = useState<Omit<Polled<T>, "refresh">>({ loading: key !== null });
  const queryRef = useRef(query);
  queryRef.current = query;
  const [tick, setTick] = useState(0);
  const refresh = useCallback(() => setTick((t) => t + 1), []);

  useEffect(() => {
    setState({ loading: key !== null });
  }, [key]);

  useEffect(() => {
    if (key === null) return;
    const ctl = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      try {
        const data = await queryRef.current(ctl.signal);
        if (ctl.signal.aborted) return;
        setState({ data, loading: false, updatedAt: Date.now() });
      } catch (error) {
        if (ctl.signal.aborted) return;
        setState((s) => ({ ...s, error, loading: false }));
      }
      if (!ctl.signal.aborted) timer = setTimeout(run, intervalMs);
    };
    void run();
    return () => {
      ctl.abort();
      clearTimeout(timer);
    };
  }, [key, intervalMs, tick]);

  return { ...state, refresh };
}

function hashRoute(): string {
  const h = window.location.hash.replace(/^#/, "");
  return h === "" ? "/overview" : h;
}

function subscribeHash(cb: () => void): () => void {
  window.addEventListener("hashchange", cb);
  return () => window.removeEventListener("hashchange", cb);
}

/** useRoute follows the hash route: "#/orders/ord-1" → "/orders/ord-1". */
export function useRoute(): string {
  return useSyncExternalStore(subscribeHash, hashRoute, () => "/overview");
}

export function navigate(route: string): void {
  window.location.hash = `#${route}`;
}

let firstDataMarked = false;

/**
 * markFirstData records, once per page load, the moment the first data was
 * on the screen, as the performance mark "dashboard:first-data" (read by the
 * browser test as the page-load time).
 */
export function useMarkFirstData(ready: boolean): void {
  useEffect(() => {
    if (ready && !firstDataMarked && typeof performance !== "undefined") {
      firstDataMarked = true;
      requestAnimationFrame(() => performance.mark("dashboard:first-data"));
    }
  }, [ready]);
}

/** useNow re-renders every intervalMs and returns the time. */
export function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}
