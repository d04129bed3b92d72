import { create, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { errorFromJson } from "@connectrpc/connect/protocol-connect";
import { describe, expect, it } from "vitest";
import { BadRequestSchema } from "../gen/google/rpc/error_details_pb.js";
import { describeError, fieldViolations, hasErrors, isNotFound, mapViolations } from "./errors.js";

/** The Connect error body an InvalidArgument answer of the platform carries (internal/rpc). */
function invalidArgument(violations: { field: string; description: string }[]): ConnectError {
  const detail = create(BadRequestSchema, { fieldViolations: violations });
  const value = btoa(String.fromCharCode(...toBinary(BadRequestSchema, detail))).replace(/=+$/, "");
  return errorFromJson(
    { code: "invalid_argument", message: "invalid request", details: [{ type: "google.rpc.BadRequest", value }] },
    undefined,
    new ConnectError("fallback", Code.Internal),
  );
}

describe("fieldViolations", () => {
  it("reads the BadRequest detail of an InvalidArgument error", () => {
    const err = invalidArgument([
      { field: "items[0].quantity", description: "must be between 1 and 10000, got 0" },
      { field: "currency", description: 'must be an ISO 4217 currency code such as "EUR", got "EU"' },
    ]);
    expect(fieldViolations(err)).toEqual([
      { field: "items[0].quantity", description: "must be between 1 and 10000, got 0" },
      { field: "currency", description: 'must be an ISO 4217 currency code such as "EUR", got "EU"' },
    ]);
  });
  it("finds none in other errors", () => {
    expect(fieldViolations(new ConnectError("down", Code.Unavailable))).toEqual([]);
    expect(fieldViolations(new Error("x"))).toEqual([]);
    expect(fieldViolations(new ConnectError("bad", Code.InvalidArgument))).toEqual([]);
  });
});

describe("mapViolations", () => {
  it("puts each violation next to the input it names", () => {
    const m = mapViolations([
      { field: "items[0].quantity", description: "must be between 1 and 10000, got 0" },
      { field: "items[2].unit_price_minor", description: "must be between 1 and 1000000000, got 0" },
      { field: "items[2].sku", description: "is required" },
      { field: "items[1].name", description: "is 300 bytes long" },
      { field: "currency", description: "bad currency" },
      { field: "customer_id", description: "bad customer" },
      { field: "country", description: "bad country" },
      { field: "order_id", description: "bad id" },
      { field: "items", description: "needs at least one line" },
    ]);
    expect(m.items[0]).toEqual({ quantity: ["must be between 1 and 10000, got 0"] });
    expect(m.items[2]).toEqual({ unitPrice: ["must be between 1 and 1000000000, got 0"], sku: ["is required"] });
    expect(m.items[1]).toEqual({ name: ["is 300 bytes long"] });
    expect(m.fields).toEqual({
      currency: ["bad currency"],
      customerId: ["bad customer"],
      country: ["bad country"],
      orderId: ["bad id"],
      items: ["needs at least one line"],
    });
    expect(m.other).toEqual([]);
    expect(hasErrors(m)).toBe(true);
  });
  it("accepts JSON (camelCase) field names and gathers several messages per field", () => {
    const m = mapViolations([
      { field: "items[0].unitPriceMinor", description: "a" },
      { field: "customerId", description: "b" },
      { field: "customer_id", description: "c" },
    ]);
    expect(m.items[0]).toEqual({ unitPrice: ["a"] });
    expect(m.fields.customerId).toEqual(["b", "c"]);
  });
  it("keeps violations of unknown fields for the top of the form", () => {
    const m = mapViolations([
      { field: "items[0].colour", description: "x" },
      { field: "page_size", description: "y" },
    ]);
    expect(m.other.map((v) => v.field)).toEqual(["items[0].colour", "page_size"]);
    expect(m.items).toEqual({});
    expect(hasErrors(mapViolations([]))).toBe(false);
  });
});

describe("describeError", () => {
  it("names the service that does not answer", () => {
    expect(describeError(new ConnectError("HTTP 502", Code.Unavailable), "analytics-service")).toBe("analytics-service is unavailable (HTTP 502)");
    expect(describeError(new TypeError("Failed to fetch"), "order-producer")).toBe("order-producer is unavailable (Failed to fetch)");
  });
  it("says what else went wrong", () => {
    expect(describeError(new ConnectError("no token", Code.Unauthenticated), "fraud-service")).toBe("fraud-service refused the call: no token");
    expect(describeError(new ConnectError("boom", Code.Internal), "payment-service")).toBe("payment-service failed: Internal: boom");
  });
  it("tells NotFound apart", () => {
    expect(isNotFound(new ConnectError("no alert", Code.NotFound))).toBe(true);
    expect(isNotFound(new ConnectError("down", Code.Unavailable))).toBe(false);
  });
});
