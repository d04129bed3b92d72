// One order: its status (GetOrder), its payment (GetPayment), its fraud
// alert with every rule's score and reason (GetAlert), and its customer.
import { fraud, orders, payments, serviceOf } from "../api.js";
import { Empty, ErrorNote, Loading, Panel } from "../components/States.js";
import { StatusBadge } from "../components/Status.js";
import type { FraudAlert } from "../gen/fraud/v1/fraud_alert_pb.js";
import { OrderSource } from "../gen/orders/v1/order_pb.js";
import { DeclineReason, PaymentStatus, type Payment } from "../gen/payments/v1/payment_pb.js";
import { usePoll } from "../hooks.js";
import { describeError, isNotFound } from "../lib/errors.js";
import { formatMoney, formatTime } from "../lib/format.js";

/** A query whose NotFound means "none (yet)", not a failure. */
async function orNone<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

export default function OrderDetail({ id }: { id: string }) {
  const view = usePoll(async (signal) => orNone(orders.getOrder({ orderId: id }, { signal }).then((r) => r.order ?? null)), 1500, `order:${id}`);
  const payment = usePoll(async (signal) => orNone(payments.getPayment({ orderId: id }, { signal }).then((r) => r.payment ?? null)), 2000, `payment:${id}`);
  const alert = usePoll(async (signal) => orNone(fraud.getAlert({ orderId: id }, { signal }).then((r) => r.alert ?? null)), 3000, `alert:${id}`);
  const v = view.data;
  const o = v?.order;

  return (
    <div className="page" data-testid="page-order">
      <div className="page-head">
        <h1>
          Order <span data-testid="order-id">{id}</span>
        </h1>
        <a href="#/orders">← all orders</a>
      </div>
      <div className="grid-2">
        <Panel title="Order" testId="order-panel">
          {view.error ? <ErrorNote testId="order-error" message={describeError(view.error, serviceOf.orders)} stale={v != null} /> : null}
          {view.loading ? (
            <Loading what="the order" />
          ) : v === null ? (
            <Empty testId="order-missing">order-producer knows no order {id}.</Empty>
          ) : v && o ? (
            <>
              <dl className="facts">
                <dt>Status</dt>
                <dd>
                  <StatusBadge status={v.status} testId="order-detail-status" />
                  {v.declineReason ? <span> {v.declineReason}</span> : null}
                </dd>
                <dt>Amount</dt>
                <dd data-testid="order-amount">{formatMoney(o.amountMinor, o.currency)}</dd>
                <dt>Country</dt>
                <dd>{o.country}</dd>
                <dt>Placed</dt>
                <dd>{formatTime(o.createdAt)}</dd>
                <dt>Last change</dt>
                <dd>{formatTime(v.updatedAt)}</dd>
                <dt>Source</dt>
                <dd>{OrderSource[o.source] ?? o.source}</dd>
              </dl>
              <table className="table compact" data-testid="order-items">
                <thead>
                  <tr>
                    <th>SKU</th>
                    <th>Name</th>
                    <th className="num">Qty</th>
                    <th className="num">Unit price</th>
                    <th className="num">Line</th>
                  </tr>
                </thead>
                <tbody>
                  {o.items.map((it, i) => (
                    <tr key={i}>
                      <td>{it.sku}</td>
                      <td>{it.name}</td>
                      <td className="num">{it.quantity}</td>
                      <td className="num">{formatMoney(it.unitPriceMinor, o.currency)}</td>
                      <td className="num">{formatMoney(BigInt(it.quantity) * it.unitPriceMinor, o.currency)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          ) : null}
        </Panel>

        <Panel title="Customer" testId="customer-panel">
          <dl className="facts">
            <dt>Customer id</dt>
            <dd data-testid="order-customer">{o?.customerId ?? "—"}</dd>
          </dl>
          <p className="muted" data-testid="customer-note">
            The platform has no customer RPC (customers.v1 is an event only), so the dashboard knows the customer's id and nothing more.
          </p>
          {o?.customerId ? <a href={`#/orders?customer=${encodeURIComponent(o.customerId)}`}>This customer's orders →</a> : null}
        </Panel>

        <Panel title="Payment" testId="payment-panel">
          {payment.error ? <ErrorNote testId="payment-error" message={describeError(payment.error, serviceOf.payments)} stale={payment.data != null} /> : null}
          {payment.loading ? (
            <Loading what="the payment" />
          ) : payment.data === null ? (
            <Empty testId="payment-none">No payment decision yet.</Empty>
          ) : payment.data ? (
            <PaymentFacts p={payment.data} />
          ) : null}
        </Panel>

        <Panel title="Fraud alert" testId="alert-panel">
          {alert.error ? <ErrorNote testId="alert-error" message={describeError(alert.error, serviceOf.fraud)} stale={alert.data != null} /> : null}
          {alert.loading ? (
            <Loading what="the fraud alert" />
          ) : alert.data === null ? (
            <Empty testId="alert-none">No alert: no fraud rule fired for this order.</Empty>
          ) : alert.data ? (
            <AlertFacts a={alert.data} />
          ) : null}
        </Panel>
      </div>
    </div>
  );
}

function PaymentFacts({ p }: { p: Payment }) {
  const authorized = p.status === PaymentStatus.AUTHORIZED;
  return (
    <dl className="facts" data-testid="payment-facts">
      <dt>Payment</dt>
      <dd>{p.paymentId}</dd>
      <dt>Decision</dt>
      <dd>
        <span className={`badge ${authorized ? "badge-paid" : "badge-declined"}`} data-testid="payment-status">
          {PaymentStatus[p.status]}
        </span>
        {p.declineReason !== DeclineReason.UNSPECIFIED ? <span> {DeclineReason[p.declineReason]}</span> : null}
      </dd>
      <dt>Detail</dt>
      <dd>{p.detail || "—"}</dd>
      <dt>Amount</dt>
      <dd>{formatMoney(p.amountMinor, p.currency)}</dd>
      <dt>Decided</dt>
      <dd>{formatTime(p.processedAt)}</dd>
    </dl>
  );
}

function AlertFacts({ a }: { a: FraudAlert }) {
  return (
    <>
      <dl className="facts" data-testid="alert-facts">
        <dt>Score</dt>
        <dd>
          <span className="badge badge-flagged" data-testid="alert-score">
            {a.score}
          </span>{" "}
          / 100
        </dd>
        <dt>Raised</dt>
        <dd>{formatTime(a.createdAt)}</dd>
      </dl>
      <table className="table compact" data-testid="alert-rules">
        <thead>
          <tr>
            <th>Rule</th>
            <th className="num">Score</th>
            <th>Why</th>
          </tr>
        </thead>
        <tbody>
          {a.rules.map((r) => (
            <tr key={r.rule} data-testid={`alert-rule-${r.rule}`}>
              <td>{r.rule}</td>
              <td className="num">{r.score}</td>
              <td>{r.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
