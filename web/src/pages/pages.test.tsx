// Component tests without a browser: server-side rendering of the pieces
// whose markup the browser test and people rely on.
import { create } from "@bufbuild/protobuf";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { OrderStatus, OrderViewSchema } from "../gen/orders/v1/order_service_pb.js";
import { initialStreamState } from "../lib/reconnect.js";
import { filtersQuery, parseFilters } from "./Orders.js";
import { countOutcomes, StreamBadge } from "./Overview.js";
import { Field, newOrderId, parseMinor, parseQuantity } from "./PlaceOrder.js";

describe("Field", () => {
  it("shows the server's message next to its input, linked for screen readers", () => {
    const html = renderToStaticMarkup(
      <Field label="Quantity" id="items-0-quantity" testId="item-0-quantity" errorTestId="error-item-0-quantity" errors={["must be between 1 and 10000, got 0"]} value="0" onChange={() => {}} />,
    );
    expect(html).toContain('data-testid="error-item-0-quantity"');
    expect(html).toContain("must be between 1 and 10000, got 0");
    expect(html).toContain('aria-invalid="true"');
    expect(html).toContain('aria-describedby="items-0-quantity-error"');
    expect(html).toContain('id="items-0-quantity-error"');
  });
  it("shows no error element without errors", () => {
    const html = renderToStaticMarkup(<Field label="Quantity" id="q" testId="q" value="1" onChange={() => {}} />);
    expect(html).not.toContain("field-error");
    expect(html).not.toContain("aria-invalid");
  });
});

describe("StreamBadge", () => {
  it("says reconnecting… with the attempt while the stream is down", () => {
    const html = renderToStaticMarkup(<StreamBadge stream={{ ...initialStreamState, phase: "reconnecting", attempt: 3, error: "analytics-service is unavailable" }} />);
    expect(html).toContain('data-phase="reconnecting"');
    expect(html).toContain("reconnecting…");
    expect(html).toContain("attempt 3");
  });
  it("says live once open", () => {
    expect(renderToStaticMarkup(<StreamBadge stream={{ phase: "live", attempt: 0, messages: 0 }} />)).toContain(">live<");
  });
});

describe("countOutcomes", () => {
  it("counts paid, declined, awaiting and flagged orders", () => {
    const v = (status: OrderStatus, flagged = false) => create(OrderViewSchema, { status, flagged });
    expect(countOutcomes([v(OrderStatus.PAID), v(OrderStatus.PAID, true), v(OrderStatus.DECLINED, true), v(OrderStatus.PLACED)])).toEqual({
      total: 4,
      paid: 2,
      declined: 1,
      placed: 1,
      flagged: 2,
    });
  });
});

describe("order filters in the route", () => {
  it("round-trips", () => {
    const f = parseFilters("id=ord-1&customer=cus-0001&country=de&status=paid&size=50");
    expect(f).toEqual({ id: "ord-1", customer: "cus-0001", country: "DE", status: OrderStatus.PAID, pageSize: 50 });
    expect(filtersQuery(f)).toBe("?id=ord-1&customer=cus-0001&country=DE&status=PAID&size=50");
    expect(filtersQuery(parseFilters(""))).toBe("");
  });
});

describe("place-order inputs", () => {
  it("parses integers and leaves anything else to the server's checks", () => {
    expect(parseQuantity(" 3 ")).toBe(3);
    expect(parseQuantity("1.5")).toBe(0);
    expect(parseQuantity("")).toBe(0);
    expect(parseQuantity("99999999999")).toBe(2147483647);
    expect(parseMinor("2499")).toBe(2499n);
    expect(parseMinor("24.99")).toBe(0n);
    expect(parseMinor("99999999999999999999")).toBe(9223372036854775807n);
  });
  it("makes order ids the server accepts", () => {
    expect(newOrderId()).toMatch(/^ord-[a-z0-9-]{4,64}$/);
    expect(newOrderId()).not.toBe(newOrderId());
  });
});
