// A server stream that reconnects by itself: when it fails or ends, wait
// (exponential backoff with jitter, reset once a stream opens) and open it
// again, until stopped. The state it reports drives "live" / "reconnecting…".

export interface Backoff {
  /** Delay before the first retry. */
  initialMs: number;
  /** Cap of the delay. */
  maxMs: number;
  /** Growth per failed attempt. */
  factor: number;
  /** Up to this share of the delay is taken off at random (0: none), so that many dashboards do not retry in step. */
  jitter: number;
}

export const defaultBackoff: Backoff = { initialMs: 500, maxMs: 5000, factor: 2, jitter: 0.2 };

/** backoffDelay is the wait before retry number `attempt` (1, 2, …). */
export function backoffDelay(attempt: number, b: Backoff = defaultBackoff, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(attempt));
  const base = Math.min(b.maxMs, b.initialMs * b.factor ** (n - 1));
  const jitter = Math.min(1, Math.max(0, b.jitter));
  return Math.round(base * (1 - jitter * random()));
}

export type StreamPhase = "connecting" | "live" | "reconnecting" | "stopped";

export interface StreamState {
  phase: StreamPhase;
  /** Failed attempts since the stream was last open. */
  attempt: number;
  /** Why the last attempt failed; cleared once the stream is open again. */
  error?: string;
  /** When the next attempt starts (epoch ms), while reconnecting. */
  retryAt?: number;
  /** When the stream last opened (epoch ms). */
  openedAt?: number;
  /** Messages received since the stream last opened. */
  messages: number;
}

export type StreamEvent =
  | { type: "connect" }
  | { type: "open"; now: number }
  | { type: "message" }
  | { type: "fail"; error: string; now: number; delayMs: number }
  | { type: "stop" };

export const initialStreamState: StreamState = { phase: "connecting", attempt: 0, messages: 0 };

/** streamReducer is the state machine of a reconnecting stream. */
export function streamReducer(s: StreamState, e: StreamEvent): StreamState {
  if (s.phase === "stopped") return s;
  switch (e.type) {
    case "connect":
      // A first connection is "connecting"; after a failure it stays "reconnecting", error shown.
      return { ...s, phase: s.attempt === 0 ? "connecting" : "reconnecting", retryAt: undefined };
    case "open":
      return { phase: "live", attempt: 0, openedAt: e.now, messages: 0 };
    case "message":
      return s.phase === "live" ? { ...s, messages: s.messages + 1 } : { ...s, phase: "live", attempt: 0, error: undefined, messages: 1 };
    case "fail":
      return { ...s, phase: "reconnecting", attempt: s.attempt + 1, error: e.error, retryAt: e.now + e.delayMs };
    case "stop":
      return { ...s, phase: "stopped", retryAt: undefined };
  }
}

export interface ReconnectOptions<T> {
  /**
   * open starts one stream. It calls onOpen once the server has answered
   * (response headers), before any message.
   */
  open: (signal: AbortSignal, onOpen: () => void) => AsyncIterable<T>;
  onMessage: (m: T) => void;
  /** Every state change. */
  onState: (s: StreamState) => void;
  /** Called when the stream (re)opens, e.g. to drop derived state a gap would distort. */
  onOpen?: () => void;
  /** Turns a failure into the sentence shown, e.g. "analytics-service is unavailable". */
  describe: (err: unknown) => string;
  signal: AbortSignal;
  backoff?: Backoff;
  random?: () => number;
  now?: () => number;
  /** Waits ms, or less when signal aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}

/**
 * runReconnecting keeps a server stream open until signal aborts: each time
 * it fails or ends it reports "reconnecting" with the reason, waits the
 * backoff delay and opens it again. It resolves once stopped.
 */
export async function runReconnecting<T>(o: ReconnectOptions<T>): Promise<void> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? abortableSleep;
  let state = initialStreamState;
  const dispatch = (e: StreamEvent) => {
    const next = streamReducer(state, e);
    if (next !== state) {
      state = next;
      o.onState(state);
    }
  };
  o.onState(state);
  while (!o.signal.aborted) {
    dispatch({ type: "connect" });
    let opened = false;
    const onOpen = () => {
      if (opened) return;
      opened = true;
      dispatch({ type: "open", now: now() });
      o.onOpen?.();
    };
    let reason: string;
    try {
      for await (const m of o.open(o.signal, onOpen)) {
        onOpen();
        dispatch({ type: "message" });
        o.onMessage(m);
      }
      reason = o.describe(new Error("the stream ended"));
    } catch (err) {
      if (o.signal.aborted) break;
      reason = o.describe(err);
    }
    if (o.signal.aborted) break;
    const delayMs = backoffDelay(state.attempt + 1, o.backoff ?? defaultBackoff, o.random);
    dispatch({ type: "fail", error: reason, now: now(), delayMs });
    await sleep(delayMs, o.signal);
  }
  dispatch({ type: "stop" });
}
