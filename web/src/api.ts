// The dashboard's clients: Connect RPCs and the stack's service endpoints,
// all on the page's own origin (the orders binary serves both).
import { createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import type { DescService } from "@bufbuild/protobuf";
import { AnalyticsService } from "./gen/analytics/v1/analytics_service_pb.js";
import { FraudService } from "./gen/fraud/v1/fraud_service_pb.js";
import { OrderService } from "./gen/orders/v1/order_service_pb.js";
import { PaymentService } from "./gen/payments/v1/payment_service_pb.js";
import type { ServiceName } from "./lib/errors.js";

const origin = typeof window === "undefined" ? "http://localhost" : window.location.origin;

const transport = createConnectTransport({ baseUrl: origin });

function client<S extends DescService>(service: S): Client<S> {
  return createClient(service, transport);
}

export const orders = client(OrderService);
export const payments = client(PaymentService);
export const fraud = client(FraudService);
export const analytics = client(AnalyticsService);

/** Which service of the stack answers each client, for error messages. */
export const serviceOf = {
  orders: "order-producer",
  payments: "payment-service",
  fraud: "fraud-service",
  analytics: "analytics-service",
} as const satisfies Record<string, ServiceName>;

/** GET /_services: the services present in this stack. */
export async function listServices(signal?: AbortSignal): Promise<string[]> {
  const res = await fetch(`${origin}/_services`, { signal, headers: { accept: "application/json" } });
  if (!res.ok) throw new Error(`/_services answered ${res.status}`);
  const body = (await res.json()) as unknown;
  if (!Array.isArray(body)) throw new Error("/_services did not answer a list");
  return body.map((s) => String((s as { name?: unknown }).name ?? "")).filter((n) => n !== "");
}

/** One /readyz answer: ready, not ready (503 with its reason) or down (no answer, 502). */
export interface Readiness {
  state: "ready" | "not-ready" | "down";
  detail: string;
}

export function readinessOf(status: number, body: string): Readiness {
  const text = body.trim();
  if (status === 200) return { state: "ready", detail: text || "ready" };
  if (status === 503) return { state: "not-ready", detail: text || "not ready" };
  return { state: "down", detail: text || `HTTP ${status}` };
}

export async function readiness(name: string, signal?: AbortSignal): Promise<Readiness> {
  try {
    const res = await fetch(`${origin}/_services/${encodeURIComponent(name)}/readyz`, { signal, cache: "no-store" });
    return readinessOf(res.status, await res.text());
  } catch (err) {
    if (signal?.aborted) throw err;
    return { state: "down", detail: `no answer: ${(err as Error).message}` };
  }
}

/** GET /_services/<name>/metrics: the service's Prometheus text. */
export async function metrics(name: string, signal?: AbortSignal): Promise<string> {
  const res = await fetch(`${origin}/_services/${encodeURIComponent(name)}/metrics`, { signal, cache: "no-store" });
  if (!res.ok) throw new Error(`${name} metrics: HTTP ${res.status}`);
  return res.text();
}
