// Health: each service's readiness (/_services/<name>/readyz) and its
// consumers' lag per group and topic (orders_consumer_lag in
// /_services/<name>/metrics), refreshed every few seconds.
import { listServices, metrics, readiness, type Readiness } from "../api.js";
import { Empty, ErrorNote, Loading, Panel } from "../components/States.js";
import { usePoll } from "../hooks.js";
import { consumerLag, type Lag } from "../lib/prometheus.js";
import { formatTime } from "../lib/format.js";

interface ServiceHealth {
  name: string;
  ready: Readiness;
  lag?: Lag[];
  lagError?: string;
}

export default function Health() {
  const services = usePoll((signal) => listServices(signal), 10000, "services");
  const names = services.data ?? [];
  const health = usePoll(
    (signal) =>
      Promise.all(
        names.map(async (name): Promise<ServiceHealth> => {
          const [ready, lag] = await Promise.all([
            readiness(name, signal),
            metrics(name, signal).then(
              (text) => ({ lag: consumerLag(text) }),
              (err: Error) => ({ lagError: err.message }),
            ),
          ]);
          return { name, ready, ...lag };
        }),
      ),
    3000,
    names.length ? names.join(",") : null,
  );

  const rows = health.data ?? [];
  const down = rows.filter((r) => r.ready.state !== "ready");
  const lags = rows.flatMap((r) => (r.lag ?? []).map((l) => ({ service: r.name, ...l })));

  return (
    <div className="page" data-testid="page-health">
      <div className="page-head">
        <h1>Health</h1>
        {health.updatedAt ? <span className="muted">updated {formatTime(new Date(health.updatedAt))}</span> : null}
      </div>
      {services.error ? (
        <ErrorNote testId="services-error" message={`The list of services (/_services) is unavailable: ${(services.error as Error).message}`} stale={services.data !== undefined} />
      ) : null}
      {down.length ? (
        <ErrorNote
          testId="health-error"
          message={down.map((r) => (r.ready.state === "down" ? `${r.name} is unavailable` : `${r.name} is not ready`)).join("; ")}
        />
      ) : null}
      <div className="grid-2">
        <Panel title="Readiness" testId="readiness-panel">
          {services.loading || (names.length > 0 && health.loading) ? (
            <Loading what="readiness" testId="health-loading" />
          ) : names.length === 0 ? (
            <Empty testId="health-empty">This stack lists no services.</Empty>
          ) : (
            <table className="table" data-testid="health-table">
              <thead>
                <tr>
                  <th>Service</th>
                  <th>Readiness</th>
                  <th>Detail</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.name} data-testid={`health-row-${r.name}`}>
                    <td>{r.name}</td>
                    <td>
                      <span className={`badge badge-${r.ready.state}`} data-testid={`health-status-${r.name}`} data-state={r.ready.state}>
                        {r.ready.state === "ready" ? "ready" : r.ready.state === "not-ready" ? "not ready" : "unavailable"}
                      </span>
                    </td>
                    <td className="small" data-testid={`health-detail-${r.name}`}>
                      {r.ready.state === "down" ? `${r.name} is unavailable: ${r.ready.detail}` : r.ready.detail}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Panel>
        <Panel title="Consumer lag" testId="lag-panel">
          {health.loading && names.length > 0 ? (
            <Loading what="consumer lag" />
          ) : lags.length === 0 ? (
            <Empty testId="lag-empty">No consumer reports lag{rows.some((r) => r.lagError) ? " (some services' metrics are unavailable)" : ""}.</Empty>
          ) : (
            <table className="table" data-testid="lag-table">
              <thead>
                <tr>
                  <th>Group</th>
                  <th>Topic</th>
                  <th className="num">Lag (records)</th>
                  <th className="num">Partitions</th>
                  <th>Reported by</th>
                </tr>
              </thead>
              <tbody>
                {lags.map((l) => (
                  <tr key={`${l.service}|${l.group}|${l.topic}`} data-testid={`lag-row-${l.group}-${l.topic}`}>
                    <td>{l.group}</td>
                    <td>{l.topic}</td>
                    <td className="num" data-testid={`lag-value-${l.group}-${l.topic}`}>
                      {l.lag}
                    </td>
                    <td className="num">{l.partitions}</td>
                    <td className="muted">{l.service}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {rows
            .filter((r) => r.lagError && r.ready.state !== "down")
            .map((r) => (
              <p key={r.name} className="muted small" data-testid={`lag-error-${r.name}`}>
                {r.name}: metrics unavailable ({r.lagError})
              </p>
            ))}
        </Panel>
      </div>
    </div>
  );
}
