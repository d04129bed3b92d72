// Fraud: recent alerts by score (ListAlerts) and the configured rules with
// their parameters (ListRules).
import { useState } from "react";
import { fraud, serviceOf } from "../api.js";
import { Empty, ErrorNote, Loading, Panel } from "../components/States.js";
import { usePoll } from "../hooks.js";
import { describeError } from "../lib/errors.js";
import { formatMoney, formatTime } from "../lib/format.js";

const recent = 200;

export default function Fraud() {
  const [minScore, setMinScore] = useState(0);
  const alerts = usePoll(
    async (signal) => {
      const res = await fraud.listAlerts({ pageSize: recent, minScore }, { signal });
      // Newest first from the server; shown by score, then newest.
      return res.alerts.map((a, i) => ({ a, i })).sort((x, y) => y.a.score - x.a.score || x.i - y.i).map((x) => x.a);
    },
    3000,
    `alerts:${minScore}`,
  );
  const rules = usePoll(async (signal) => (await fraud.listRules({}, { signal })).rules, 15000, "rules");

  return (
    <div className="page" data-testid="page-fraud">
      <div className="page-head">
        <h1>Fraud</h1>
      </div>
      <div className="grid-2 wide-first">
        <Panel
          title={`Recent alerts by score (latest ${recent})`}
          testId="alerts-panel"
          aside={
            <label className="inline">
              min score{" "}
              <input
                type="number"
                min={0}
                max={100}
                value={minScore}
                data-testid="alerts-min-score"
                onChange={(e) => setMinScore(Math.min(100, Math.max(0, Number(e.target.value) || 0)))}
              />
            </label>
          }
        >
          {alerts.error ? <ErrorNote testId="alerts-error" message={describeError(alerts.error, serviceOf.fraud)} stale={alerts.data !== undefined} /> : null}
          {alerts.loading ? (
            <Loading what="alerts" testId="alerts-loading" />
          ) : alerts.data && alerts.data.length === 0 ? (
            <Empty testId="alerts-empty">No alerts{minScore > 0 ? ` scoring ${minScore} or more` : ""}.</Empty>
          ) : alerts.data ? (
            <table className="table" data-testid="alerts-table">
              <thead>
                <tr>
                  <th className="num">Score</th>
                  <th>Order</th>
                  <th>Customer</th>
                  <th>Country</th>
                  <th className="num">Amount</th>
                  <th>Rules</th>
                  <th>Raised</th>
                </tr>
              </thead>
              <tbody>
                {alerts.data.map((a) => (
                  <tr key={a.alertId} data-testid={`alert-row-${a.orderId}`}>
                    <td className="num">
                      <span className="score" style={{ ["--score" as string]: `${a.score}%` }}>
                        {a.score}
                      </span>
                    </td>
                    <td>
                      <a href={`#/orders/${encodeURIComponent(a.orderId)}`}>{a.orderId}</a>
                    </td>
                    <td>{a.customerId}</td>
                    <td>{a.country}</td>
                    <td className="num">{formatMoney(a.amountMinor, a.currency)}</td>
                    <td>
                      {a.rules.map((r) => (
                        <span key={r.rule} className="tag" title={r.reason}>
                          {r.rule} +{r.score}
                        </span>
                      ))}
                    </td>
                    <td className="muted">{formatTime(a.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </Panel>

        <Panel title="Rules" testId="rules-panel">
          {rules.error ? <ErrorNote testId="rules-error" message={describeError(rules.error, serviceOf.fraud)} stale={rules.data !== undefined} /> : null}
          {rules.loading ? (
            <Loading what="rules" testId="rules-loading" />
          ) : rules.data && rules.data.length === 0 ? (
            <Empty testId="rules-empty">No rules are configured.</Empty>
          ) : rules.data ? (
            <table className="table" data-testid="rules-table">
              <thead>
                <tr>
                  <th>Rule</th>
                  <th className="num">Score</th>
                  <th>Parameters</th>
                </tr>
              </thead>
              <tbody>
                {rules.data.map((r) => (
                  <tr key={r.name} data-testid={`rule-row-${r.name}`} className={r.enabled ? "" : "disabled"}>
                    <td>
                      <strong>{r.name}</strong> {r.enabled ? null : <span className="badge">disabled</span>}
                      <div className="muted small">{r.description}</div>
                    </td>
                    <td className="num">{r.score}</td>
                    <td>
                      {r.params.length === 0 ? (
                        <span className="muted">—</span>
                      ) : (
                        r.params.map((p) => (
                          <code key={p} className="param">
                            {p}
                          </code>
                        ))
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </Panel>
      </div>
    </div>
  );
}
