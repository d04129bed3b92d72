// Overview: orders per second and per country, live from the
// WatchCountryStats stream, and the outcome of the latest orders from
// order-producer's ListOrders.
import { orders, serviceOf } from "../api.js";
import { CountryChart, RateChart } from "../components/Charts.js";
import { Empty, ErrorNote, Loading, Panel } from "../components/States.js";
import { useCountryFeed } from "../countryStream.js";
import { OrderStatus, type OrderView } from "../gen/orders/v1/order_service_pb.js";
import { useMarkFirstData, useNow, usePoll } from "../hooks.js";
import { describeError } from "../lib/errors.js";
import { formatMoney, formatPercent, formatTime } from "../lib/format.js";
import type { StreamState } from "../lib/reconnect.js";

/** How many of the newest orders the outcome counters look at. */
const outcomeWindow = 1000;

export interface Outcomes {
  total: number;
  placed: number;
  paid: number;
  declined: number;
  flagged: number;
}

export function countOutcomes(views: OrderView[]): Outcomes {
  const o: Outcomes = { total: views.length, placed: 0, paid: 0, declined: 0, flagged: 0 };
  for (const v of views) {
    if (v.status === OrderStatus.PAID) o.paid++;
    else if (v.status === OrderStatus.DECLINED) o.declined++;
    else o.placed++;
    if (v.flagged) o.flagged++;
  }
  return o;
}

export function StreamBadge({ stream }: { stream: StreamState }) {
  const now = useNow(500);
  const label =
    stream.phase === "live" ? "live" : stream.phase === "connecting" ? "connecting…" : stream.phase === "reconnecting" ? "reconnecting…" : "stopped";
  const retryIn = stream.retryAt ? Math.max(0, Math.ceil((stream.retryAt - now) / 1000)) : undefined;
  return (
    <span className={`chip chip-${stream.phase}`} data-testid="stream-status" data-phase={stream.phase}>
      {label}
      {stream.phase === "reconnecting" && stream.attempt > 0 ? (
        <span className="chip-detail">
          {" "}
          (attempt {stream.attempt}
          {retryIn !== undefined && retryIn > 0 ? `, next in ${retryIn} s` : ""})
        </span>
      ) : null}
    </span>
  );
}

export default function Overview() {
  const feed = useCountryFeed();
  const outcomes = usePoll(
    async (signal) => countOutcomes((await orders.listOrders({ pageSize: outcomeWindow }, { signal })).orders),
    3000,
    "outcomes",
  );

  const countries = [...feed.stats.values()].sort((a, b) => (b.orderCount > a.orderCount ? 1 : b.orderCount < a.orderCount ? -1 : a.country.localeCompare(b.country)));
  const total = countries.reduce((n, c) => n + c.orderCount, 0n);
  useMarkFirstData(feed.stats.size > 0 || outcomes.data !== undefined);

  const o = outcomes.data;
  const decided = o ? o.paid + o.declined : 0;

  return (
    <div className="page" data-testid="page-overview">
      <div className="page-head">
        <h1>Overview</h1>
        <StreamBadge stream={feed.stream} />
      </div>
      {feed.stream.error && feed.stream.phase !== "live" ? (
        <ErrorNote testId="stream-error" message={`${feed.stream.error} — reconnecting…`} stale={feed.stats.size > 0} />
      ) : null}

      <div className="kpis">
        <Kpi testId="kpi-orders-per-second" label="Orders / s" value={feed.rate === undefined ? "—" : feed.rate.toFixed(2)} note="from the country stream" />
        <Kpi testId="kpi-total-orders" label="Orders (all countries)" value={feed.stats.size ? total.toString() : "—"} note={`${feed.stats.size} countries`} />
        <Kpi testId="kpi-paid" label="Paid" value={o ? String(o.paid) : "—"} note={o ? formatPercent(o.paid, decided) + " of decided" : ""} />
        <Kpi testId="kpi-declined" label="Declined" value={o ? String(o.declined) : "—"} note={o ? formatPercent(o.declined, decided) + " of decided" : ""} />
        <Kpi testId="kpi-flagged" label="Flagged" value={o ? String(o.flagged) : "—"} note={o ? formatPercent(o.flagged, o.total) + " of orders" : ""} />
        <Kpi testId="kpi-placed" label="Awaiting payment" value={o ? String(o.placed) : "—"} note={o ? formatPercent(o.placed, o.total) + " of orders" : ""} />
      </div>
      <div className="panel-note" data-testid="outcomes-panel" data-updated-at={outcomes.updatedAt ?? ""}>
        {outcomes.error ? (
          <ErrorNote testId="outcomes-error" message={describeError(outcomes.error, serviceOf.orders)} stale={o !== undefined} />
        ) : outcomes.loading ? (
          <Loading what="order outcomes" />
        ) : o ? (
          <span className="muted">
            Paid, declined, flagged and awaiting: the latest {o.total} orders{o.total === outcomeWindow ? ` (at most ${outcomeWindow})` : ""}, from{" "}
            {serviceOf.orders}, updated {formatTime(new Date(outcomes.updatedAt ?? 0))}.
          </span>
        ) : null}
      </div>

      <div className="grid-2">
        <Panel title="Orders per country" testId="panel-countries" aside={feed.updatedAt ? <span className="muted">updated {formatTime(new Date(feed.updatedAt))}</span> : null}>
          {feed.stats.size === 0 ? (
            feed.stream.phase === "live" ? (
              <Empty testId="countries-empty">No orders yet.</Empty>
            ) : feed.stream.error ? (
              <Empty testId="countries-empty">No country statistics: {feed.stream.error}.</Empty>
            ) : (
              <Loading what="country statistics" testId="countries-loading" />
            )
          ) : (
            <>
              <CountryChart countries={countries.map((c) => c.country)} counts={countries.map((c) => Number(c.orderCount))} />
              <table className="table compact" data-testid="country-table">
                <thead>
                  <tr>
                    <th>Country</th>
                    <th className="num">Orders</th>
                    <th>Totals</th>
                    <th>Updated</th>
                  </tr>
                </thead>
                <tbody>
                  {countries.map((c) => (
                    <tr key={c.country} data-testid={`country-row-${c.country}`}>
                      <td>{c.country}</td>
                      <td className="num" data-testid={`country-count-${c.country}`}>
                        {c.orderCount.toString()}
                      </td>
                      <td>
                        {c.totals.map((t) => (
                          <span key={t.currency} className="total" title={`${t.orderCount} orders in ${t.currency}`}>
                            {formatMoney(t.amountMinor, t.currency)}
                            {t.amountSaturated ? "+" : ""}
                          </span>
                        ))}
                      </td>
                      <td className="muted">{formatTime(c.updatedAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </Panel>
        <Panel title="Orders per second" testId="panel-rate">
          <RateChart series={feed.series} />
          <p className="muted">Growth of the order count over the last 10 s, every 2 s; gaps while the stream is down.</p>
        </Panel>
      </div>
    </div>
  );
}

function Kpi({ label, value, note, testId }: { label: string; value: string; note?: string; testId: string }) {
  return (
    <div className="kpi" data-testid={testId}>
      <div className="kpi-label">{label}</div>
      <div className="kpi-value" data-testid={`${testId}-value`}>
        {value}
      </div>
      {note ? <div className="kpi-note">{note}</div> : null}
    </div>
  );
}
