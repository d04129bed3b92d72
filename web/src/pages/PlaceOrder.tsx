// Place an order: a form for PlaceOrder that shows the server's field
// violations next to the inputs they name, then follows the new order from
// PLACED to PAID or DECLINED (GetOrder).
import { useEffect, useState, type FormEvent, type ReactNode } from "react";
import { orders, serviceOf } from "../api.js";
import { ErrorNote, Panel } from "../components/States.js";
import { isFinal, orderStatusName, StatusBadge } from "../components/Status.js";
import type { Order } from "../gen/orders/v1/order_pb.js";
import { OrderStatus, type OrderView } from "../gen/orders/v1/order_service_pb.js";
import { describeError, fieldViolations, hasErrors, mapViolations, type FormErrors, type ItemField } from "../lib/errors.js";
import { formatMoney, formatTime } from "../lib/format.js";

interface ItemDraft {
  sku: string;
  name: string;
  quantity: string;
  unitPrice: string; // minor units
}

interface Draft {
  orderId: string;
  customerId: string;
  country: string;
  currency: string;
  items: ItemDraft[];
}

/** newOrderId makes a client-chosen id, so that a retried submit places the order once. */
export function newOrderId(): string {
  const b = new Uint8Array(8);
  crypto.getRandomValues(b);
  return `ord-${[...b].map((x) => x.toString(16).padStart(2, "0")).join("")}`;
}

const emptyItem = (): ItemDraft => ({ sku: "", name: "", quantity: "1", unitPrice: "" });

/** The integer typed, or 0 (which the server rejects with its own message) for anything else. */
export function parseQuantity(s: string): number {
  const t = s.trim();
  if (!/^-?\d+$/.test(t)) return 0;
  const n = Number(t);
  return Math.max(-2147483648, Math.min(2147483647, n));
}

export function parseMinor(s: string): bigint {
  const t = s.trim();
  if (!/^-?\d+$/.test(t)) return 0n;
  const n = BigInt(t);
  const max = 9223372036854775807n;
  return n > max ? max : n < -max - 1n ? -max - 1n : n;
}

interface Followed {
  order: Order;
  respondedAt: number;
  view?: OrderView;
  finalAt?: number;
  error?: unknown;
}

const noErrors: FormErrors = { fields: {}, items: {}, other: [] };

export default function PlaceOrder() {
  const [draft, setDraft] = useState<Draft>(() => ({
    orderId: newOrderId(),
    customerId: "cus-0001",
    country: "DE",
    currency: "EUR",
    items: [{ sku: "SKU-1001", name: "", quantity: "1", unitPrice: "2499" }],
  }));
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [followed, setFollowed] = useState<Followed>();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setFailure(undefined);
    try {
      const res = await orders.placeOrder({
        orderId: draft.orderId.trim(),
        customerId: draft.customerId.trim(),
        country: draft.country.trim(),
        currency: draft.currency.trim(),
        items: draft.items.map((it) => ({
          sku: it.sku.trim(),
          name: it.name,
          quantity: parseQuantity(it.quantity),
          unitPriceMinor: parseMinor(it.unitPrice),
        })),
      });
      setErrors(noErrors);
      if (res.order) setFollowed({ order: res.order, respondedAt: Date.now() });
      setDraft((d) => ({ ...d, orderId: newOrderId() })); // the next order is another one
    } catch (err) {
      const mapped = mapViolations(fieldViolations(err));
      setErrors(mapped);
      setFailure(hasErrors(mapped) ? "The order was not placed: fix the fields marked below." : describeError(err, serviceOf.orders));
    } finally {
      setBusy(false);
    }
  };

  const setItem = (i: number, field: keyof ItemDraft, value: string) =>
    setDraft((d) => ({ ...d, items: d.items.map((it, j) => (j === i ? { ...it, [field]: value } : it)) }));

  const total = draft.items.reduce((n, it) => n + BigInt(Math.max(0, parseQuantity(it.quantity))) * parseMinor(it.unitPrice), 0n);

  return (
    <div className="page" data-testid="page-place">
      <div className="page-head">
        <h1>Place an order</h1>
      </div>
      <div className="grid-2 wide-first">
        <Panel title="New order" testId="place-panel">
          <form onSubmit={submit} noValidate data-testid="place-form" className="place-form">
            {failure ? <ErrorNote testId="place-error" message={failure} /> : null}
            {errors.other.length ? (
              <ul className="field-errors" data-testid="place-other-errors">
                {errors.other.map((v, i) => (
                  <li key={i}>
                    {v.field}: {v.description}
                  </li>
                ))}
              </ul>
            ) : null}
            <Field label="Order id" id="order_id" testId="place-order-id" errors={errors.fields.orderId} value={draft.orderId} onChange={(v) => setDraft({ ...draft, orderId: v })}>
              <button type="button" className="secondary small" onClick={() => setDraft({ ...draft, orderId: newOrderId() })}>
                new id
              </button>
            </Field>
            <Field label="Customer id" id="customer_id" testId="place-customer" errors={errors.fields.customerId} value={draft.customerId} placeholder="cus-0001" onChange={(v) => setDraft({ ...draft, customerId: v })} />
            <div className="row">
              <Field label="Country" id="country" testId="place-country" errors={errors.fields.country} value={draft.country} placeholder="DE" onChange={(v) => setDraft({ ...draft, country: v.toUpperCase() })} />
              <Field label="Currency" id="currency" testId="place-currency" errors={errors.fields.currency} value={draft.currency} placeholder="EUR" onChange={(v) => setDraft({ ...draft, currency: v.toUpperCase() })} />
            </div>
            <fieldset className="items" data-testid="place-items">
              <legend>Line items</legend>
              {errors.fields.items ? <FieldErrors id="items" testId="error-items" messages={errors.fields.items} /> : null}
              {draft.items.map((it, i) => (
                <div className="item-row" key={i} data-testid={`item-${i}`}>
                  {(["sku", "name", "quantity", "unitPrice"] as ItemField[]).map((f) => (
                    <Field
                      key={f}
                      label={{ sku: "SKU", name: "Name", quantity: "Quantity", unitPrice: "Unit price (minor units)" }[f]}
                      id={`items-${i}-${f}`}
                      testId={`item-${i}-${f}`}
                      errorTestId={`error-item-${i}-${f}`}
                      errors={errors.items[i]?.[f]}
                      value={it[f]}
                      inputMode={f === "quantity" || f === "unitPrice" ? "numeric" : undefined}
                      onChange={(v) => setItem(i, f, v)}
                    />
                  ))}
                  <button
                    type="button"
                    className="secondary small"
                    data-testid={`item-${i}-remove`}
                    disabled={draft.items.length === 1}
                    onClick={() => setDraft((d) => ({ ...d, items: d.items.filter((_, j) => j !== i) }))}
                  >
                    remove
                  </button>
                </div>
              ))}
              <button type="button" className="secondary small" data-testid="item-add" onClick={() => setDraft((d) => ({ ...d, items: [...d.items, emptyItem()] }))}>
                add a line
              </button>
            </fieldset>
            <div className="form-foot">
              <span className="muted" data-testid="place-total">
                Total {formatMoney(total, draft.currency.trim() || "XXX")}
              </span>
              <button type="submit" data-testid="place-submit" disabled={busy}>
                {busy ? "Placing…" : "Place order"}
              </button>
            </div>
          </form>
        </Panel>
        <Panel title="Follow-up" testId="place-follow">
          {followed ? <FollowUp key={followed.order.orderId} initial={followed} /> : <p className="muted">Place an order to follow it from PLACED to PAID or DECLINED.</p>}
        </Panel>
      </div>
    </div>
  );
}

export function Field({
  label,
  id,
  testId,
  errorTestId,
  errors,
  value,
  placeholder,
  inputMode,
  onChange,
  children,
}: {
  label: string;
  id: string;
  testId: string;
  errorTestId?: string;
  errors?: string[];
  value: string;
  placeholder?: string;
  inputMode?: "numeric";
  onChange: (v: string) => void;
  children?: ReactNode;
}) {
  const errId = `${id}-error`;
  return (
    <div className={`field${errors?.length ? " invalid" : ""}`}>
      <label htmlFor={id}>{label}</label>
      <div className="field-input">
        <input
          id={id}
          data-testid={testId}
          value={value}
          placeholder={placeholder}
          inputMode={inputMode}
          aria-invalid={errors?.length ? true : undefined}
          aria-describedby={errors?.length ? errId : undefined}
          onChange={(e) => onChange(e.target.value)}
        />
        {children}
      </div>
      {errors?.length ? <FieldErrors id={errId} testId={errorTestId ?? `error-${id}`} messages={errors} /> : null}
    </div>
  );
}

function FieldErrors({ id, testId, messages }: { id: string; testId: string; messages: string[] }) {
  return (
    <div className="field-error" id={id} data-testid={testId} role="alert">
      {messages.join("; ")}
    </div>
  );
}

/** FollowUp polls GetOrder until the order is paid or declined. */
function FollowUp({ initial }: { initial: Followed }) {
  const [f, setF] = useState(initial);
  useEffect(() => {
    const ctl = new AbortController();
    let timer: ReturnType<typeof setTimeout>;
    const poll = async () => {
      try {
        const res = await orders.getOrder({ orderId: initial.order.orderId }, { signal: ctl.signal });
        const view = res.order;
        const done = view !== undefined && isFinal(view.status);
        setF((prev) => ({ ...prev, view, error: undefined, finalAt: done ? (prev.finalAt ?? Date.now()) : prev.finalAt }));
        if (done) return;
      } catch (error) {
        if (ctl.signal.aborted) return;
        setF((prev) => ({ ...prev, error }));
      }
      timer = setTimeout(poll, 300);
    };
    void poll();
    return () => {
      ctl.abort();
      clearTimeout(timer);
    };
  }, [initial.order.orderId]);

  const status = f.view?.status ?? OrderStatus.PLACED;
  const o = f.order;
  return (
    <div data-testid="place-result" data-order-id={o.orderId} data-status={orderStatusName(status)}>
      <dl className="facts">
        <dt>Order</dt>
        <dd>
          <a href={`#/orders/${encodeURIComponent(o.orderId)}`} data-testid="place-result-id">
            {o.orderId}
          </a>
        </dd>
        <dt>Amount</dt>
        <dd>{formatMoney(o.amountMinor, o.currency)}</dd>
        <dt>Placed</dt>
        <dd>{formatTime(o.createdAt)}</dd>
        <dt>Status</dt>
        <dd>
          <StatusBadge status={status} testId="place-status" />
          {f.view?.declineReason ? <span> {f.view.declineReason}</span> : null}
          {!isFinal(status) ? <span className="muted"> waiting for the payment-service…</span> : null}
        </dd>
        {f.finalAt ? (
          <>
            <dt>Decided after</dt>
            <dd data-testid="place-latency">{((f.finalAt - f.respondedAt) / 1000).toFixed(2)} s (seen by this page)</dd>
          </>
        ) : null}
        {f.view?.flagged ? (
          <>
            <dt>Fraud</dt>
            <dd>
              <span className="badge badge-flagged">score {f.view.fraudScore}</span> {f.view.fraudRules.join(", ")}
            </dd>
          </>
        ) : null}
      </dl>
      {f.error ? <ErrorNote testId="place-follow-error" message={describeError(f.error, serviceOf.orders)} /> : null}
    </div>
  );
}
