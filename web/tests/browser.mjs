#!/usr/bin/env node
// Browser test of the operations dashboard, in headless Chromium driven by
// playwright-core.
//
//   node tests/browser.mjs <dashboard-url> <screenshot-dir>
//
// Chromium: $CHROMIUM, else /usr/bin/chromium. The test that started the
// stack talks to this script by lines: this script prints
//   STOP <service>     then waits for the line "stopped" on stdin
//   START <service>    then waits for the line "started" on stdin
//   LATENCY_MS <ms>    PlaceOrder's response → PAID/DECLINED seen in the Orders table
//   PAGE_LOAD_MS <ms>  navigation → first data rendered (Performance API)
//   BUNDLE_BYTES <n>   JS + CSS transferred by the first page load
//   DONE               every step passed (exit 0)
// Progress lines start with "# ". A step that fails prints "FAIL <step>: <why>"
// (stdout and stderr), saves failure-<step>.png and exits 1.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

const [url, shotDir] = process.argv.slice(2);
if (!url || !shotDir) {
  console.error("usage: node tests/browser.mjs <dashboard-url> <screenshot-dir>");
  process.exit(2);
}
const base = url.replace(/\/+$/, "");
mkdirSync(shotDir, { recursive: true });

const stepTimeout = 30_000;
const country = "DE";

// Lines from the test that started the stack, in order.
const stdinLines = [];
const stdinWaiters = [];
let stdinClosed = false;
createInterface({ input: process.stdin })
  .on("line", (line) => {
    const w = stdinWaiters.shift();
    if (w) w(line.trim());
    else stdinLines.push(line.trim());
  })
  .on("close", () => {
    stdinClosed = true;
    for (const w of stdinWaiters.splice(0)) w(null);
  });

function nextStdinLine(timeoutMs) {
  if (stdinLines.length) return Promise.resolve(stdinLines.shift());
  if (stdinClosed) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      stdinWaiters.splice(stdinWaiters.indexOf(done), 1);
      reject(new Error(`no answer on stdin within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const done = (line) => {
      clearTimeout(t);
      resolve(line);
    };
    stdinWaiters.push(done);
  });
}

async function expectStdin(want, timeoutMs = 120_000) {
  const line = await nextStdinLine(timeoutMs);
  if (line === null) throw new Error(`stdin closed while waiting for "${want}"`);
  if (line !== want) throw new Error(`expected "${want}" on stdin, got "${line}"`);
}

function say(line) {
  process.stdout.write(`${line}\n`);
}

function note(msg) {
  say(`# ${msg}`);
}

let browser;
let current = "setup";
const pages = [];

async function fail(err) {
  const msg = `FAIL ${current}: ${err instanceof Error ? err.message : String(err)}`;
  say(msg);
  console.error(msg);
  if (err instanceof Error && err.stack) console.error(err.stack);
  for (const [i, p] of pages.entries()) {
    try {
      await p.screenshot({ path: path.join(shotDir, `failure-${current.replace(/\W+/g, "-")}${i ? `-${i}` : ""}.png`), fullPage: true });
    } catch {
      /* the page may be gone */
    }
  }
  await browser?.close().catch(() => {});
  process.exit(1);
}

/** step runs one step under a name that failures report. */
async function step(name, fn) {
  current = name;
  note(`step ${name}`);
  await fn();
}

/** within polls fn until it returns a truthy value, else fails with what(). */
async function within(what, fn, timeoutMs = stepTimeout, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const why = typeof what === "function" ? await what().catch((e) => String(e)) : what;
      throw new Error(`${why} (after ${timeoutMs / 1000} s)${last ? `; last error: ${last.message}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

const tid = (page, id) => page.locator(`[data-testid="${id}"]`);

async function text(page, id) {
  const l = tid(page, id);
  return (await l.count()) ? ((await l.first().textContent()) ?? "").trim() : undefined;
}

/** The country's order count as the Overview renders it; 0 while it has none. */
async function countryCount(page) {
  const t = await text(page, `country-count-${country}`);
  return t === undefined ? 0 : Number(t);
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(shotDir, name), fullPage: true });
  note(`screenshot ${name}`);
}

async function goto(page, route) {
  await page.evaluate((r) => {
    window.location.hash = r;
  }, route);
}

/** placeOrder fills the form and submits it; returns the order id and when the response came. */
async function placeOrder(page, { quantity = "1" } = {}) {
  await goto(page, "#/place");
  await tid(page, "place-form").waitFor({ timeout: stepTimeout });
  await tid(page, "place-customer").fill("cus-0001");
  await tid(page, "place-country").fill(country);
  await tid(page, "place-currency").fill("EUR");
  await tid(page, "item-0-sku").fill("SKU-1001");
  await tid(page, "item-0-name").fill("Browser test widget");
  await tid(page, "item-0-quantity").fill(quantity);
  await tid(page, "item-0-unitPrice").fill("2499");
  const response = page.waitForResponse((r) => r.url().endsWith("/orders.v1.OrderService/PlaceOrder"), { timeout: stepTimeout });
  await tid(page, "place-submit").click();
  const res = await response;
  const respondedAt = Date.now();
  return { res, respondedAt };
}

async function main() {
  const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
  browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, timezoneId: "Europe/Berlin", locale: "en-GB" });
  const overview = await context.newPage(); // stays on the Overview, never reloaded
  const other = await context.newPage(); // the form, the table, the other pages
  pages.push(overview, other);
  for (const [name, p] of [
    ["overview", overview],
    ["other", other],
  ]) {
    p.on("pageerror", (err) => console.error(`[${name}] page error: ${err.message}`));
    p.on("console", (m) => m.type() === "error" && console.error(`[${name}] console: ${m.text()}`));
  }

  let before = 0;
  await step("a overview", async () => {
    const res = await overview.goto(`${base}/#/overview`, { waitUntil: "load", timeout: stepTimeout });
    if (!res || !res.ok()) throw new Error(`GET ${base}/ answered ${res ? res.status() : "nothing"}`);
    await within(
      async () => `the country stream is not live: ${await text(overview, "stream-status")} ${(await text(overview, "stream-error")) ?? ""}`,
      async () => (await tid(overview, "stream-status").getAttribute("data-phase")) === "live",
    );
    await within(
      async () => `order outcomes did not load: ${(await text(overview, "outcomes-panel")) ?? "no panel"}`,
      async () => (await text(overview, "kpi-paid-value")) !== "—" && !(await tid(overview, "outcomes-error").count()),
    );
    // Country statistics (when there are orders yet) come with the stream's first messages.
    await within("neither country statistics nor the empty state showed", async () => (await tid(overview, "country-table").count()) || (await tid(overview, "countries-empty").count()));
    before = await countryCount(overview);
    note(`orders to ${country} before: ${before}`);
    await shot(overview, "overview.png");

    const perf = await within(
      "the page never marked its first data (performance mark dashboard:first-data)",
      () =>
        overview.evaluate(() => {
          const mark = performance.getEntriesByName("dashboard:first-data")[0];
          if (!mark) return null;
          const bytes = performance
            .getEntriesByType("resource")
            .filter((r) => /\.(js|css)(\?|$)/.test(r.name))
            .reduce((n, r) => n + (r.transferSize || r.encodedBodySize || 0), 0);
          return { load: Math.round(mark.startTime), bytes };
        }),
    );
    say(`PAGE_LOAD_MS ${perf.load}`);
    say(`BUNDLE_BYTES ${perf.bytes}`);
  });

  let orderId;
  await step("b place order", async () => {
    await other.goto(`${base}/#/place`, { waitUntil: "load", timeout: stepTimeout });
    const { res, respondedAt } = await placeOrder(other);
    if (res.status() !== 200) throw new Error(`PlaceOrder answered HTTP ${res.status()}: ${await res.text()}`);
    orderId = await within("the form shows no placed order", async () => tid(other, "place-result").getAttribute("data-order-id"));
    note(`placed ${orderId}`);
    // The Orders table, searched by the id, on the Overview's page (the form keeps following the order on the other).
    await overview.evaluate((id) => {
      window.location.hash = `#/orders?id=${encodeURIComponent(id)}`;
    }, orderId);
    const status = await within(
      async () => `${orderId} was not PAID or DECLINED in the Orders table: ${(await text(overview, `order-status-${orderId}`)) ?? (await text(overview, "orders-panel"))}`,
      async () => {
        const s = await tid(overview, `order-status-${orderId}`).getAttribute("data-status", { timeout: 1000 });
        return s === "PAID" || s === "DECLINED" ? s : null;
      },
      stepTimeout,
      20,
    );
    say(`LATENCY_MS ${Date.now() - respondedAt}`);
    note(`${orderId} ${status} in the table`);
    await within(
      async () => `the form's follow-up did not show ${status}: ${await text(other, "place-status")}`,
      async () => (await tid(other, "place-status").getAttribute("data-status")) === status,
    );
    await shot(other, "place.png");
    await shot(overview, "orders.png");
  });

  await step("c country chart moves", async () => {
    await goto(overview, "#/overview");
    await within(
      async () => `orders to ${country} did not grow past ${before} (shows ${await countryCount(overview)}; stream ${await text(overview, "stream-status")})`,
      async () => (await countryCount(overview)) > before,
    );
    if (!(await tid(overview, "country-chart").locator("canvas").count())) throw new Error("the per-country chart has no canvas");
    note(`orders to ${country} now: ${await countryCount(overview)}`);
  });

  await step("d field error", async () => {
    const { res } = await placeOrder(other, { quantity: "0" });
    if (res.status() === 200) throw new Error("PlaceOrder accepted quantity 0");
    const err = tid(other, "error-item-0-quantity");
    await err.waitFor({ timeout: stepTimeout });
    const msg = ((await err.textContent()) ?? "").trim();
    if (!msg) throw new Error("the quantity's field error is empty");
    // Next to the quantity input: in the same field, and named by the input's aria-describedby.
    const described = await tid(other, "item-0-quantity").getAttribute("aria-describedby");
    if (!described || (await err.getAttribute("id")) !== described) throw new Error("the error is not tied to the quantity input");
    const [input, box] = await Promise.all([tid(other, "item-0-quantity").boundingBox(), err.boundingBox()]);
    if (!input || !box || box.y < input.y || box.y - (input.y + input.height) > 40 || Math.abs(box.x - input.x) > 40) {
      throw new Error(`the error is not next to the quantity input (input ${JSON.stringify(input)}, error ${JSON.stringify(box)})`);
    }
    note(`field error: ${msg}`);
    await shot(other, "field-error.png");
  });

  let services = [];
  await step("e fraud and health", async () => {
    await goto(other, "#/fraud");
    await within(
      async () => `the Fraud page did not load: ${await text(other, "page-fraud")}`,
      async () =>
        ((await tid(other, "alerts-table").count()) || (await tid(other, "alerts-empty").count())) && (await tid(other, "rules-table").count()),
    );
    await shot(other, "fraud.png");

    const res = await other.request.get(`${base}/_services`, { timeout: stepTimeout });
    if (!res.ok()) throw new Error(`/_services answered ${res.status()}`);
    services = (await res.json()).map((s) => s.name);
    if (!services.length) throw new Error("/_services lists no service");
    note(`services: ${services.join(", ")}`);
    await goto(other, "#/health");
    await within(
      async () => {
        const states = await Promise.all(services.map(async (n) => `${n}=${await text(other, `health-status-${n}`)}`));
        return `not every service is ready: ${states.join(", ")}`;
      },
      async () => {
        for (const n of services) if ((await tid(other, `health-status-${n}`).getAttribute("data-state", { timeout: 1000 })) !== "ready") return false;
        return true;
      },
    );
    await shot(other, "health.png");
  });

  await step("f analytics-service down", async () => {
    say("STOP analytics-service");
    await expectStdin("stopped");
    await within(
      async () => `the Overview does not name analytics-service as down: ${(await text(overview, "stream-error")) ?? (await text(overview, "stream-status"))}`,
      async () => ((await text(overview, "stream-error")) ?? "").includes("analytics-service") && (await tid(overview, "stream-status").getAttribute("data-phase")) === "reconnecting",
    );
    // order-producer's panel still works: it refreshes, with no error.
    const since = Number((await tid(overview, "outcomes-panel").getAttribute("data-updated-at")) || 0);
    await within(
      async () => `order-producer's counters stopped updating: ${await text(overview, "outcomes-panel")}`,
      async () => Number((await tid(overview, "outcomes-panel").getAttribute("data-updated-at")) || 0) > since && !(await tid(overview, "outcomes-error").count()),
    );
    await shot(overview, "service-down.png");
    // Health names it too, and the other services stay ready.
    await goto(other, "#/health");
    if (services.includes("analytics-service")) {
      await within(
        async () => `Health does not show analytics-service as unavailable: ${await text(other, "health-row-analytics-service")}`,
        async () =>
          (await tid(other, "health-status-analytics-service").getAttribute("data-state", { timeout: 1000 })) !== "ready" &&
          ((await text(other, "health-error")) ?? "").includes("analytics-service"),
      );
    }
    await within(
      "another service is not ready while analytics-service is down",
      async () => {
        for (const n of services) {
          // The gateway is ready only when every service it routes to is.
          if (n === "analytics-service" || n === "gateway") continue;
          if ((await tid(other, `health-status-${n}`).getAttribute("data-state", { timeout: 1000 })) !== "ready") return false;
        }
        return true;
      },
    );
    // The Orders page still answers.
    await goto(other, "#/orders");
    await within(
      async () => `the Orders page does not work while analytics-service is down: ${await text(other, "orders-panel")}`,
      async () => (await tid(other, "orders-table").count()) && !(await tid(other, "orders-error").count()),
    );
    await goto(other, "#/health");
    await within("Health did not render", async () => tid(other, "health-status-analytics-service").count());
    await shot(other, "service-down-health.png");
  });

  await step("g analytics-service back", async () => {
    say("START analytics-service");
    await expectStdin("started");
    await within(
      async () => `the stream did not reconnect by itself: ${await text(overview, "stream-status")} ${(await text(overview, "stream-error")) ?? ""}`,
      async () => (await tid(overview, "stream-status").getAttribute("data-phase")) === "live" && !(await tid(overview, "stream-error").count()),
    );
    const beforeAgain = await within("no country statistics after reconnecting", async () => {
      const n = await countryCount(overview);
      return n > 0 ? n : null;
    });
    const { res } = await placeOrder(other);
    if (res.status() !== 200) throw new Error(`PlaceOrder answered HTTP ${res.status()}: ${await res.text()}`);
    await within(
      async () => `the new order did not show up in the chart: ${country} still ${await countryCount(overview)} (was ${beforeAgain})`,
      async () => (await countryCount(overview)) > beforeAgain,
    );
    await shot(overview, "recovered.png");
  });

  current = "done";
  await browser.close();
  say("DONE");
  process.exit(0); // stdin stays open: do not wait for it
}

main().catch(fail);
