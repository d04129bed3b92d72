// Vite configuration of the operations dashboard.
//
// `npm run build` writes dist/, which is committed and served by the orders
// binary (same origin as the RPCs). `npm run dev` serves the app with hot
// reload and, for development against `go run ./cmd/orders dev`, stands in for
// that server: it proxies each Connect service path to its service's port and
// answers /_services, /_services/<name>/readyz and /_services/<name>/metrics
// the way the orders binary does.
/// <reference types="vitest/config" />
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin, type ProxyOptions } from "vite";

// Where each service of `orders dev` listens by default (cmd/orders/devstack).
const host = process.env.ORDERS_DEV_HOST ?? "127.0.0.1";
const services: Record<string, { port: number; rpc?: string[] }> = {
  "order-producer": { port: 7001, rpc: ["orders.v1.OrderService"] },
  "payment-service": { port: 7002, rpc: ["payments.v1.PaymentService"] },
  "fraud-service": { port: 7003, rpc: ["fraud.v1.FraudService"] },
  "analytics-service": { port: 7004, rpc: ["analytics.v1.AnalyticsService"] },
  "pg-source": { port: 7005 },
  "couchbase-sink": { port: 7006 },
  "dead-letter-service": { port: 7007, rpc: ["deadletters.v1.DeadLetterService"] },
  gateway: { port: 8080 },
};

// The RPCs of `orders dev` want a bearer token unless it runs with
// --insecure-no-auth: ORDERS_TOKEN, else the one it wrote to
// <data-dir>/dev-token (ORDERS_DATA_DIR, default ../.data).
function devToken(): string | undefined {
  if (process.env.ORDERS_TOKEN) return process.env.ORDERS_TOKEN;
  const dataDir = process.env.ORDERS_DATA_DIR ?? fileURLToPath(new URL("../.data", import.meta.url));
  try {
    return readFileSync(path.join(dataDir, "dev-token"), "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

function rpcProxy(): Record<string, ProxyOptions> {
  const proxy: Record<string, ProxyOptions> = {};
  for (const { port, rpc } of Object.values(services)) {
    for (const service of rpc ?? []) {
      proxy[`/${service}/`] = {
        target: `http://${host}:${port}`,
        configure: (p) => {
          p.on("proxyReq", (req) => {
            const token = devToken();
            if (token && !req.getHeader("authorization")) req.setHeader("authorization", `Bearer ${token}`);
          });
        },
      };
    }
  }
  return proxy;
}

// servicesEndpoint answers /_services like the orders binary: the list of
// services (those of `orders dev` that answered /healthz at least once since
// the dev server started, so that a stack without Postgres or Couchbase does
// not list pg-source and couchbase-sink), and each one's readyz and metrics
// (502 when it does not answer).
function servicesEndpoint(): Plugin {
  const seen = new Set<string>();
  const probe = async (name: string, what: string) => {
    const { port } = services[name];
    const res = await fetch(`http://${host}:${port}/${what}`, { signal: AbortSignal.timeout(3000) });
    return { status: res.status, type: res.headers.get("content-type") ?? "text/plain", body: await res.text() };
  };
  const handle = async (req: IncomingMessage, res: ServerResponse, next: () => void) => {
    const url = new URL(req.url ?? "/", "http://dev");
    if (url.pathname === "/_services") {
      await Promise.all(
        Object.keys(services).map(async (name) => {
          try {
            await probe(name, "healthz");
            seen.add(name);
          } catch {
            /* down: listed only once it has answered */
          }
        }),
      );
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(Object.keys(services).filter((n) => seen.has(n)).map((name) => ({ name }))));
      return;
    }
    const m = /^\/_services\/([a-z-]+)\/(readyz|metrics)$/.exec(url.pathname);
    if (!m) return next();
    const [, name, what] = m;
    if (!(name in services)) {
      res.statusCode = 404;
      res.end(`unknown service ${name}\n`);
      return;
    }
    try {
      const r = await probe(name, what);
      seen.add(name);
      res.statusCode = r.status;
      res.setHeader("content-type", r.type);
      res.end(r.body);
    } catch (err) {
      res.statusCode = 502;
      res.end(`${name} is down: ${(err as Error).message}\n`);
    }
  };
  return {
    name: "orders-services-endpoint",
    configureServer(server) {
      server.middlewares.use((req, res, next) => void handle(req, res, next));
    },
  };
}

export default defineConfig({
  // Relative asset URLs: the app works wherever the server mounts it.
  base: "./",
  plugins: [react(), servicesEndpoint()],
  server: { host: "127.0.0.1", port: 5173, strictPort: true, proxy: rpcProxy() },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // No source maps in the committed build; content hashes in file names.
    sourcemap: false,
    chunkSizeWarningLimit: 800,
  },
  test: {
    include: ["src/**/*.test.{ts,tsx}"],
    environment: "node",
  },
});
