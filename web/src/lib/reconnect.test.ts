import { describe, expect, it } from "vitest";
import { backoffDelay, initialStreamState, runReconnecting, streamReducer, type StreamState } from "./reconnect.js";

describe("backoffDelay", () => {
  const b = { initialMs: 500, maxMs: 5000, factor: 2, jitter: 0 };
  it("doubles from the initial delay up to the cap", () => {
    expect([1, 2, 3, 4, 5, 6, 20].map((n) => backoffDelay(n, b))).toEqual([500, 1000, 2000, 4000, 5000, 5000, 5000]);
  });
  it("takes at most the jitter share off at random", () => {
    const j = { ...b, jitter: 0.2 };
    expect(backoffDelay(3, j, () => 0)).toBe(2000);
    expect(backoffDelay(3, j, () => 1)).toBe(1600);
    expect(backoffDelay(3, j, () => 0.5)).toBe(1800);
  });
  it("treats attempt 0 or less as the first", () => {
    expect(backoffDelay(0, b)).toBe(500);
  });
});

describe("streamReducer", () => {
  it("goes connecting → live → reconnecting (with the reason) → live, clearing the error", () => {
    let s = streamReducer(initialStreamState, { type: "connect" });
    expect(s.phase).toBe("connecting");
    s = streamReducer(s, { type: "open", now: 1 });
    expect(s).toMatchObject({ phase: "live", attempt: 0, openedAt: 1 });
    s = streamReducer(s, { type: "message" });
    expect(s.messages).toBe(1);
    s = streamReducer(s, { type: "fail", error: "analytics-service is unavailable", now: 10, delayMs: 500 });
    expect(s).toMatchObject({ phase: "reconnecting", attempt: 1, error: "analytics-service is unavailable", retryAt: 510 });
    s = streamReducer(s, { type: "connect" });
    expect(s).toMatchObject({ phase: "reconnecting", attempt: 1, error: "analytics-service is unavailable", retryAt: undefined });
    s = streamReducer(s, { type: "fail", error: "still down", now: 20, delayMs: 1000 });
    expect(s).toMatchObject({ phase: "reconnecting", attempt: 2, error: "still down", retryAt: 1020 });
    s = streamReducer(s, { type: "open", now: 30 });
    expect(s).toEqual({ phase: "live", attempt: 0, openedAt: 30, messages: 0 });
    expect(s.error).toBeUndefined();
  });
  it("stays stopped", () => {
    const s = streamReducer(initialStreamState, { type: "stop" });
    expect(streamReducer(s, { type: "open", now: 1 }).phase).toBe("stopped");
  });
});

/** A scripted server: each call to open plays the next script entry. */
type Script = { open: boolean; messages: number[]; then: "fail" | "end" | "hang" };

function fakeServer(scripts: Script[]) {
  let calls = 0;
  const open = (signal: AbortSignal, onOpen: () => void): AsyncIterable<number> => {
    const script = scripts[Math.min(calls++, scripts.length - 1)];
    return (async function* () {
      await Promise.resolve();
      if (!script.open) throw new Error("connection refused");
      onOpen();
      for (const m of script.messages) yield m;
      if (script.then === "fail") throw new Error("connection reset");
      if (script.then === "hang") {
        await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
        throw new Error("aborted");
      }
    })();
  };
  return { open, calls: () => calls };
}

describe("runReconnecting", () => {
  it("reconnects with growing delays while down, resets them once open, and stops on abort", async () => {
    const server = fakeServer([
      { open: true, messages: [1, 2], then: "fail" },
      { open: false, messages: [], then: "fail" },
      { open: false, messages: [], then: "fail" },
      { open: true, messages: [3], then: "end" },
      { open: true, messages: [4], then: "hang" },
    ]);
    const ctl = new AbortController();
    const states: StreamState[] = [];
    const messages: number[] = [];
    const sleeps: number[] = [];
    let opens = 0;
    const done = runReconnecting<number>({
      open: server.open,
      onMessage: (m) => {
        messages.push(m);
        if (m === 4) setTimeout(() => ctl.abort(), 0);
      },
      onState: (s) => states.push(s),
      onOpen: () => opens++,
      describe: (err) => `analytics-service is unavailable (${(err as Error).message})`,
      signal: ctl.signal,
      backoff: { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0 },
      now: () => 0,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    await done;
    expect(messages).toEqual([1, 2, 3, 4]);
    expect(server.calls()).toBe(5);
    expect(opens).toBe(3); // opened on calls 1, 4 and 5
    // Down twice in a row: 100, 200, 400 ms; after each successful open the delay starts over.
    expect(sleeps).toEqual([100, 200, 400, 100]);
    const failures = states.filter((s) => s.retryAt !== undefined); // one state per failure
    expect(failures.map((s) => s.error)).toEqual([
      "analytics-service is unavailable (connection reset)",
      "analytics-service is unavailable (connection refused)",
      "analytics-service is unavailable (connection refused)",
      "analytics-service is unavailable (the stream ended)",
    ]);
    const phases = states.map((s) => s.phase).filter((p, i, a) => p !== a[i - 1]);
    expect(phases).toEqual(["connecting", "live", "reconnecting", "live", "reconnecting", "live", "stopped"]);
    // Once live again, the error is gone.
    const last = states[states.length - 2];
    expect(last.phase).toBe("live");
    expect(last.error).toBeUndefined();
  });

  it("stops while waiting to retry", async () => {
    const ctl = new AbortController();
    const server = fakeServer([{ open: false, messages: [], then: "fail" }]);
    const states: StreamState[] = [];
    await runReconnecting<number>({
      open: server.open,
      onMessage: () => {},
      onState: (s) => states.push(s),
      describe: () => "down",
      signal: ctl.signal,
      backoff: { initialMs: 60_000, maxMs: 60_000, factor: 2, jitter: 0 },
      sleep: (ms, signal) =>
        new Promise<void>((resolve) => {
          expect(ms).toBe(60_000);
          signal.addEventListener("abort", () => resolve(), { once: true });
          ctl.abort();
        }),
    });
    expect(server.calls()).toBe(1);
    expect(states[states.length - 1].phase).toBe("stopped");
  });
});
