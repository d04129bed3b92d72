// What went wrong, for people: which service failed, and which field of a
// request the server rejected (google.rpc.BadRequest details).
import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema } from "../gen/google/rpc/error_details_pb.js";

/** The platform's services, by the names of the stack (/_services). */
export type ServiceName =
  | "order-producer"
  | "payment-service"
  | "fraud-service"
  | "analytics-service"
  | "dead-letter-service"
  | "pg-source"
  | "couchbase-sink"
  | "gateway";

/**
 * describeError says in one sentence which service failed and how: a
 * service that does not answer (Unavailable, a dropped connection, a 502 from
 * the dashboard's proxy) is "<service> is unavailable".
 */
export function describeError(err: unknown, service: ServiceName | string): string {
  if (err instanceof DOMException && err.name === "AbortError") return `${service}: request cancelled`;
  const ce = ConnectError.from(err);
  switch (ce.code) {
    case Code.Unavailable:
    case Code.Unknown:
    case Code.DeadlineExceeded:
      return `${service} is unavailable (${ce.rawMessage || Code[ce.code]})`;
    case Code.Unauthenticated:
    case Code.PermissionDenied:
      return `${service} refused the call: ${ce.rawMessage}`;
    default:
      return `${service} failed: ${Code[ce.code]}: ${ce.rawMessage}`;
  }
}

/** isNotFound tells a NotFound error (e.g. "no alert for this order") from a failure. */
export function isNotFound(err: unknown): boolean {
  return err instanceof ConnectError && err.code === Code.NotFound;
}

/** A field the server rejected and why, e.g. {field: "items[0].quantity", description: "must be between 1 and 1000"}. */
export interface Violation {
  field: string;
  description: string;
}

/** fieldViolations returns the BadRequest field violations of an InvalidArgument error, else none. */
export function fieldViolations(err: unknown): Violation[] {
  if (!(err instanceof ConnectError) || err.code !== Code.InvalidArgument) return [];
  return err
    .findDetails(BadRequestSchema)
    .flatMap((br) => br.fieldViolations.map((v) => ({ field: v.field, description: v.description })));
}

/** The inputs of the place-order form that a violation can point at. */
export type ItemField = "sku" | "name" | "quantity" | "unitPrice";
export type OrderField = "orderId" | "customerId" | "country" | "currency" | "items";

/** Messages per input of the place-order form. */
export interface FormErrors {
  fields: Partial<Record<OrderField, string[]>>;
  /** items[i] → messages per input of line i. */
  items: Record<number, Partial<Record<ItemField, string[]>>>;
  /** Violations naming no input of the form, shown above it. */
  other: Violation[];
}

const orderFields: Record<string, OrderField> = {
  order_id: "orderId",
  customer_id: "customerId",
  country: "country",
  currency: "currency",
  items: "items",
};

const itemFields: Record<string, ItemField> = {
  sku: "sku",
  name: "name",
  quantity: "quantity",
  unit_price_minor: "unitPrice",
};

/**
 * mapViolations puts each violation next to the form input it names:
 * "currency" → the currency input, "items[0].quantity" → the first line's
 * quantity, "items" → the lines as a whole. Field paths may be in proto
 * (snake_case) or JSON (camelCase) spelling.
 */
export function mapViolations(violations: Violation[]): FormErrors {
  const out: FormErrors = { fields: {}, items: {}, other: [] };
  for (const v of violations) {
    const path = v.field.trim();
    const item = /^items\[(\d+)\]\.?([A-Za-z_]*)$/.exec(path);
    if (item) {
      const index = Number(item[1]);
      const field = itemFields[snake(item[2])];
      if (field) {
        const line = (out.items[index] ??= {});
        (line[field] ??= []).push(v.description);
        continue;
      }
      out.other.push(v);
      continue;
    }
    const field = orderFields[snake(path)];
    if (field) {
      (out.fields[field] ??= []).push(v.description);
    } else {
      out.other.push(v);
    }
  }
  return out;
}

function snake(s: string): string {
  return s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** hasErrors tells whether mapViolations found anything. */
export function hasErrors(e: FormErrors): boolean {
  return Object.keys(e.fields).length > 0 || Object.keys(e.items).length > 0 || e.other.length > 0;
}
