// Orders: a paged, searchable table from ListOrders (filters: status and
// customer on the server; country on the page shown), or one order by id
// (GetOrder). Refreshed live.
import { useState, type FormEvent } from "react";
import { orders, serviceOf } from "../api.js";
import { Empty, ErrorNote, Loading, Panel } from "../components/States.js";
import { StatusBadge } from "../components/Status.js";
import { OrderStatus, type OrderView } from "../gen/orders/v1/order_service_pb.js";
import { navigate, usePoll } from "../hooks.js";
import { describeError, fieldViolations, isNotFound } from "../lib/errors.js";
import { formatMoney, formatTime } from "../lib/format.js";

export interface OrderFilters {
  id: string;
  customer: string;
  country: string;
  status: OrderStatus;
  pageSize: number;
}

const statusNames: Record<string, OrderStatus> = {
  ALL: OrderStatus.UNSPECIFIED,
  PLACED: OrderStatus.PLACED,
  PAID: OrderStatus.PAID,
  DECLINED: OrderStatus.DECLINED,
};

export function parseFilters(query: string): OrderFilters {
  const p = new URLSearchParams(query);
  const size = Number(p.get("size") ?? "25");
  return {
    id: (p.get("id") ?? "").trim(),
    customer: (p.get("customer") ?? "").trim(),
    country: (p.get("country") ?? "").trim().toUpperCase(),
    status: statusNames[(p.get("status") ?? "ALL").toUpperCase()] ?? OrderStatus.UNSPECIFIED,
    pageSize: [10, 25, 50, 100].includes(size) ? size : 25,
  };
}

export function filtersQuery(f: OrderFilters): string {
  const p = new URLSearchParams();
  if (f.id) p.set("id", f.id);
  if (f.customer) p.set("customer", f.customer);
  if (f.country) p.set("country", f.country);
  if (f.status !== OrderStatus.UNSPECIFIED) p.set("status", OrderStatus[f.status]);
  if (f.pageSize !== 25) p.set("size", String(f.pageSize));
  const s = p.toString();
  return s ? `?${s}` : "";
}

interface Page {
  rows: OrderView[];
  next: string;
  /** Set when searching by id and no such order exists. */
  notFound?: boolean;
}

export default function Orders({ query }: { query: string }) {
  const filters = parseFilters(query);
  // tokens[i] is the page token of page i (page 0: "").
  const [tokens, setTokens] = useState<string[]>([""]);
  const key = `${filtersQuery(filters)}|${tokens.length}`;
  const [draft, setDraft] = useState(filters);
  const [draftKey, setDraftKey] = useState(query);
  if (draftKey !== query) {
    // The route changed (a link, back button): show its filters.
    setDraftKey(query);
    setDraft(filters);
    setTokens([""]);
  }

  const page = usePoll<Page>(
    async (signal) => {
      if (filters.id) {
        try {
          const res = await orders.getOrder({ orderId: filters.id }, { signal });
          return { rows: res.order ? [res.order] : [], next: "" };
        } catch (err) {
          if (isNotFound(err)) return { rows: [], next: "", notFound: true };
          throw err;
        }
      }
      const res = await orders.listOrders(
        { pageSize: filters.pageSize, pageToken: tokens[tokens.length - 1], status: filters.status, customerId: filters.customer },
        { signal },
      );
      return { rows: res.orders, next: res.nextPageToken };
    },
    filters.id ? 1000 : 2000,
    key,
  );

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTokens([""]);
    navigate(`/orders${filtersQuery({ ...draft, id: draft.id.trim(), customer: draft.customer.trim(), country: draft.country.trim().toUpperCase() })}`);
  };
  const clear = () => {
    setTokens([""]);
    navigate("/orders");
  };

  const rows = (page.data?.rows ?? []).filter((v) => !filters.country || v.order?.country === filters.country);
  const violations = fieldViolations(page.error);

  return (
    <div className="page" data-testid="page-orders">
      <div className="page-head">
        <h1>Orders</h1>
      </div>
      <form className="filters" onSubmit={submit} data-testid="orders-search" noValidate>
        <label>
          Order id
          <input data-testid="orders-search-id" value={draft.id} placeholder="ord-…" onChange={(e) => setDraft({ ...draft, id: e.target.value })} />
        </label>
        <label>
          Customer
          <input data-testid="orders-search-customer" value={draft.customer} placeholder="cus-0001" onChange={(e) => setDraft({ ...draft, customer: e.target.value })} />
        </label>
        <label>
          Country
          <input data-testid="orders-search-country" value={draft.country} placeholder="DE" maxLength={2} onChange={(e) => setDraft({ ...draft, country: e.target.value })} />
        </label>
        <label>
          Status
          <select data-testid="orders-search-status" value={OrderStatus[draft.status] === "UNSPECIFIED" ? "ALL" : OrderStatus[draft.status]} onChange={(e) => setDraft({ ...draft, status: statusNames[e.target.value] })}>
            {Object.keys(statusNames).map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Per page
          <select data-testid="orders-page-size" value={draft.pageSize} onChange={(e) => setDraft({ ...draft, pageSize: Number(e.target.value) })}>
            {[10, 25, 50, 100].map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        </label>
        <button type="submit" data-testid="orders-search-submit">
          Search
        </button>
        <button type="button" className="secondary" onClick={clear}>
          Clear
        </button>
      </form>
      <p className="muted small">
        Order id finds one order; customer and status filter on the server; country filters the orders of the page shown (ListOrders has no country filter).
      </p>

      <Panel
        title={filters.id ? `Order ${filters.id}` : "Newest orders"}
        testId="orders-panel"
        aside={page.updatedAt ? <span className="muted">updated {formatTime(new Date(page.updatedAt))}</span> : null}
      >
        {page.error ? (
          <ErrorNote
            testId="orders-error"
            message={violations.length ? violations.map((v) => `${v.field}: ${v.description}`).join("; ") : describeError(page.error, serviceOf.orders)}
            stale={page.data !== undefined}
          />
        ) : null}
        {page.loading && !page.data ? (
          <Loading what="orders" testId="orders-loading" />
        ) : page.data?.notFound ? (
          <Empty testId="orders-empty">No order {filters.id} (yet).</Empty>
        ) : page.data && rows.length === 0 ? (
          <Empty testId="orders-empty">No orders match.</Empty>
        ) : page.data ? (
          <OrderTable rows={rows} />
        ) : null}
        {!filters.id ? (
          <div className="pager">
            <button type="button" className="secondary" data-testid="orders-prev" disabled={tokens.length <= 1} onClick={() => setTokens(tokens.slice(0, -1))}>
              ← Newer
            </button>
            <span className="muted" data-testid="orders-page">
              page {tokens.length}
            </span>
            <button
              type="button"
              className="secondary"
              data-testid="orders-next"
              disabled={!page.data?.next}
              onClick={() => page.data?.next && setTokens([...tokens, page.data.next])}
            >
              Older →
            </button>
          </div>
        ) : null}
      </Panel>
    </div>
  );
}

function OrderTable({ rows }: { rows: OrderView[] }) {
  return (
    <table className="table" data-testid="orders-table">
      <thead>
        <tr>
          <th>Order</th>
          <th>Placed</th>
          <th>Customer</th>
          <th>Country</th>
          <th className="num">Items</th>
          <th className="num">Amount</th>
          <th>Status</th>
          <th>Fraud</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((v) => {
          const o = v.order;
          const id = o?.orderId ?? "";
          return (
            <tr key={id} data-testid={`order-row-${id}`} className="clickable" onClick={() => navigate(`/orders/${encodeURIComponent(id)}`)}>
              <td>
                <a href={`#/orders/${encodeURIComponent(id)}`} data-testid={`order-link-${id}`} onClick={(e) => e.stopPropagation()}>
                  {id}
                </a>
              </td>
              <td>{formatTime(o?.createdAt)}</td>
              <td>{o?.customerId}</td>
              <td>{o?.country}</td>
              <td className="num">{o?.items.reduce((n, it) => n + it.quantity, 0)}</td>
              <td className="num">{o ? formatMoney(o.amountMinor, o.currency) : "—"}</td>
              <td>
                <StatusBadge status={v.status} testId={`order-status-${id}`} />
                {v.declineReason ? <span className="muted small"> {v.declineReason}</span> : null}
              </td>
              <td>{v.flagged ? <span className="badge badge-flagged">score {v.fraudScore}</span> : <span className="muted">—</span>}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
