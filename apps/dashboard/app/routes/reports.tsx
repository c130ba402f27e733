import { Form, Link, useNavigation } from "react-router";
import { BarChart, BarList, LineChart } from "../components/charts.js";
import { LivePanel } from "../components/live-panel.js";
import { api } from "../lib/api.server.js";
import { formErrors } from "../lib/forms.js";
import adminStyles from "../styles/admin.css?url";
import type { Route } from "./+types/reports";

export const links: Route.LinksFunction = () => [{ rel: "stylesheet", href: adminStyles }];
export const meta: Route.MetaFunction = () => [{ title: "Reports · AutopilotCRM" }];

const GROUPS = ["day", "week", "month"] as const;
type Group = (typeof GROUPS)[number];
type Rows = Record<string, string | number | null>[];
const day = (d: Date) => d.toISOString().slice(0, 10);

/** The date range from the URL (GET form: shareable, back button works); the last 30 days by default. */
function range(url: URL) {
  const today = new Date();
  const from = url.searchParams.get("from") || day(new Date(today.getTime() - 29 * 86_400_000));
  const to = url.searchParams.get("to") || day(today);
  const g = url.searchParams.get("groupBy");
  const groupBy: Group = GROUPS.includes(g as Group) ? (g as Group) : "day";
  return { from, to, groupBy };
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const q = range(new URL(request.url));
  const client = api(request, context);
  const query = { params: { query: q } };
  const [funnel, agents, csat, sla, forecast, members, pluginReports] = await Promise.all([
    client.GET("/v1/reports/funnel", query),
    client.GET("/v1/reports/agents", query),
    client.GET("/v1/reports/csat", query),
    client.GET("/v1/reports/sla", query),
    // The forecast looks ahead: from the range's first month to a year past today (deals closing
    // later this year are the pipeline, whatever range the history above shows).
    client.GET("/v1/forecast", { params: { query: { from: q.from.slice(0, 7), to: forecastEnd(q.to) } } }),
    client.GET("/v1/members"),
    client.GET("/v1/plugins/reports"),
  ]);
  const plugins = pluginReports.data?.reports ?? [];
  const failed = [funnel, agents].find((r) => r.error);
  if (failed?.response.status === 400)
    return {
      q,
      invalid: formErrors(failed.error, ["from", "to", "groupBy"]),
      funnel: [],
      agents: [],
      csat: [],
      sla: [],
      forecast: null,
      names: {} as Record<string, string>,
      plugins,
    };
  if (!funnel.data || !agents.data)
    throw new Response("Could not load the reports", { status: funnel.response.status });
  const names: Record<string, string> = Object.fromEntries(
    (members.data?.members ?? []).map((m) => [m.userId, m.name || m.email]),
  );
  // The reports' 200 is JSON or CSV (format=csv); this page asks for JSON.
  const rows = (r: unknown) => (r as { rows: Rows }).rows;
  return {
    q,
    invalid: null,
    funnel: rows(funnel.data),
    agents: rows(agents.data),
    csat: csat.data ? rows(csat.data) : [],
    sla: sla.data ? rows(sla.data) : [],
    forecast: forecast.data ?? null,
    names,
    plugins,
  };
}

const num = (v: unknown) => (typeof v === "number" ? v : 0);

/** The later of the range's last month and the month a year from now (YYYY-MM). */
function forecastEnd(to: string): string {
  const ahead = new Date();
  ahead.setUTCMonth(ahead.getUTCMonth() + 12);
  const yearOut = ahead.toISOString().slice(0, 7);
  return to.slice(0, 7) > yearOut ? to.slice(0, 7) : yearOut;
}

const NO_DATE = "No close date";

export default function Reports({ loaderData }: Route.ComponentProps) {
  const { q, invalid, funnel, agents, csat, sla, forecast, names, plugins } = loaderData;
  const loading = useNavigation().state === "loading";
  const total = (key: string) => funnel.reduce((s, r) => s + num(r[key]), 0);
  const steps = [
    ["Conversations", "started"],
    ["Engaged", "engaged"],
    ["Form completed", "formCompleted"],
    ["Leads", "leads"],
    ["Qualified (SQL)", "sqls"],
    ["Deals", "deals"],
    ["Won", "won"],
  ] as const;
  const started = total("started");
  const periods = funnel.map((r) => String(r.period));
  // Leaderboard: one row per rep over the whole range.
  const reps = new Map<string, { leads: number; won: number; closed: number }>();
  for (const r of agents) {
    const id = String(r.ownerId ?? "");
    const acc = reps.get(id) ?? { leads: 0, won: 0, closed: 0 };
    acc.leads += num(r.leadsAssigned);
    acc.won += num(r.dealsWon);
    acc.closed += num(r.conversationsClosed);
    reps.set(id, acc);
  }
  const board = [...reps.entries()]
    .sort((a, b) => b[1].won - a[1].won || b[1].leads - a[1].leads)
    .slice(0, 10);
  const cells = forecast?.cells ?? [];
  const dated = [...new Set(cells.map((c) => c.month).filter((m): m is string => Boolean(m)))].sort();
  // Open deals without a close date get their own bar at the end instead of vanishing.
  const months = cells.some((c) => !c.month) ? [...dated, NO_DATE] : dated;
  const byMonth = (key: "weighted" | "commit" | "bestCase" | "closedWon") =>
    months.map((m) => cells.filter((c) => (c.month ?? NO_DATE) === m).reduce((s, c) => s + c[key], 0));
  const csatResponses = csat.reduce((s, r) => s + num(r.responses), 0);
  const csatScores = [1, 2, 3, 4, 5].map((n) => csat.reduce((s, r) => s + num(r[`score${n}`]), 0));
  const csatAverage = csatResponses
    ? csatScores.reduce((s, count, i) => s + count * (i + 1), 0) / csatResponses
    : null;
  const breaches = new Map<string, { kind: string; ownerId: string; count: number }>();
  for (const r of sla) {
    const key = `${r.kind}|${r.ownerId ?? ""}`;
    const acc = breaches.get(key) ?? { kind: String(r.kind), ownerId: String(r.ownerId ?? ""), count: 0 };
    acc.count += num(r.breaches);
    breaches.set(key, acc);
  }
  const csv = (report: string) =>
    `/api/v1/reports/${report}?${new URLSearchParams({ from: q.from, to: q.to, groupBy: q.groupBy, format: "csv" })}`;
  return (
    <>
      <h1>Reports</h1>
      <LivePanel />
      <Form method="get" className="card range-form" aria-label="Date range">
        <div className="field">
          <label htmlFor="from">From</label>
          <input
            id="from"
            name="from"
            type="date"
            defaultValue={q.from}
            aria-invalid={invalid?.fields.from ? true : undefined}
          />
        </div>
        <div className="field">
          <label htmlFor="to">To</label>
          <input
            id="to"
            name="to"
            type="date"
            defaultValue={q.to}
            aria-invalid={invalid?.fields.to ? true : undefined}
          />
        </div>
        <div className="field">
          <label htmlFor="groupBy">Group by</label>
          <select id="groupBy" name="groupBy" defaultValue={q.groupBy}>
            {GROUPS.map((g) => (
              <option key={g} value={g}>
                {g}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="primary" disabled={loading}>
          {loading ? "Loading…" : "Show"}
        </button>
        <p className="field-error range-error" role="alert" data-field-error="to">
          {invalid ? (invalid.fields.to ?? invalid.fields.from ?? invalid.form ?? "") : ""}
        </p>
      </Form>

      <div className="report-grid" aria-busy={loading || undefined}>
        <section className="card" aria-labelledby="funnel-title">
          <ReportHead id="funnel-title" title="Funnel" csv={csv("funnel")} />
          <p className="small muted">
            Conversations started in this range, followed to their leads and the deals opened from them.
          </p>
          {started === 0 ? (
            <p className="empty">No conversations in this range.</p>
          ) : (
            <BarList
              rows={steps.map(([label, key]) => ({
                label,
                value: total(key),
                note: key === "started" ? undefined : `${Math.round((total(key) / started) * 100)}%`,
              }))}
            />
          )}
        </section>

        <section className="card" aria-labelledby="trends-title">
          <ReportHead id="trends-title" title="Trends" csv={csv("funnel")} />
          {periods.length === 0 ? (
            <p className="empty">Nothing to chart yet.</p>
          ) : (
            <LineChart
              title="Conversations, leads and deals per period"
              labels={periods}
              series={[
                { name: "Conversations", values: funnel.map((r) => num(r.started)), className: "s1" },
                { name: "Leads", values: funnel.map((r) => num(r.leads)), className: "s2" },
                { name: "Deals", values: funnel.map((r) => num(r.deals)), className: "s3" },
              ]}
            />
          )}
        </section>

        <section className="card" aria-labelledby="board-title">
          <ReportHead id="board-title" title="Rep leaderboard" csv={csv("agents")} />
          {board.length === 0 ? (
            <p className="empty">No rep activity in this range.</p>
          ) : (
            <div className="table-wrap">
              <table className="table" data-report="leaderboard">
                <thead>
                  <tr>
                    <th scope="col">Rep</th>
                    <th scope="col" className="num">
                      Leads
                    </th>
                    <th scope="col" className="num">
                      Deals won
                    </th>
                    <th scope="col" className="num hide-narrow">
                      Conversations closed
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {board.map(([id, r]) => (
                    <tr key={id}>
                      <td>{names[id] ?? (id ? "Former member" : "Unassigned")}</td>
                      <td className="num">{r.leads}</td>
                      <td className="num">{r.won}</td>
                      <td className="num hide-narrow">{r.closed}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>

        <section className="card" aria-labelledby="forecast-title">
          <ReportHead
            id="forecast-title"
            title={`Forecast${forecast ? ` (${forecast.currency})` : ""}`}
            csv={csv("pipeline")}
            csvLabel="Pipeline CSV"
          />
          {!forecast || months.length === 0 ? (
            <p className="empty">No open deals, and none won in this range.</p>
          ) : (
            <>
              <BarChart
                title="Forecast by close month"
                labels={months}
                series={[
                  { name: "Weighted", values: byMonth("weighted"), className: "s1" },
                  { name: "Commit", values: byMonth("commit"), className: "s2" },
                  { name: "Best case", values: byMonth("bestCase"), className: "s3" },
                  { name: "Won", values: byMonth("closedWon"), className: "s4" },
                ]}
              />
              <p className="small muted" data-forecast-totals="">
                Open deals {forecast.totals.openDeals} · won {forecast.totals.wonDeals} · win rate{" "}
                {Math.round(forecast.velocity.winRate * 100)}% · average cycle{" "}
                {Math.round(forecast.velocity.averageCycleDays)} days
              </p>
            </>
          )}
        </section>

        <section className="card" aria-labelledby="csat-title">
          <ReportHead id="csat-title" title="Customer satisfaction" csv={csv("csat")} />
          {csatResponses === 0 || csatAverage === null ? (
            <p className="empty">No ratings in this range.</p>
          ) : (
            <>
              <p data-csat-summary="">
                <strong>{csatAverage.toFixed(1)}</strong> out of 5 from {csatResponses}{" "}
                {csatResponses === 1 ? "rating" : "ratings"}
              </p>
              <BarList
                rows={csatScores
                  .map((count, i) => ({
                    label: `${i + 1} ${i === 0 ? "star" : "stars"}`,
                    value: count,
                    note: `${Math.round((count / csatResponses) * 100)}%`,
                  }))
                  .reverse()}
              />
            </>
          )}
        </section>

        <section className="card" aria-labelledby="sla-title">
          <ReportHead id="sla-title" title="Missed response times (SLA)" csv={csv("sla")} />
          {breaches.size === 0 ? (
            <p className="empty">No missed response times in this range.</p>
          ) : (
            <div className="table-wrap">
              <table className="table" data-report="sla">
                <thead>
                  <tr>
                    <th scope="col">What was missed</th>
                    <th scope="col">Owner</th>
                    <th scope="col" className="num">
                      Times
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {[...breaches.values()].map((b) => (
                    <tr key={`${b.kind}-${b.ownerId}`}>
                      <td>{b.kind === "first_touch" ? "First touch on a lead" : "First reply in a chat"}</td>
                      <td>{names[b.ownerId] ?? (b.ownerId ? "Former member" : "Unassigned")}</td>
                      <td className="num">{b.count}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      </div>
      {plugins.length ? (
        <section className="card" aria-labelledby="plugin-reports-title">
          <h2 id="plugin-reports-title">Reports from plugins</h2>
          <ul className="plain" data-plugin-reports="">
            {plugins.map((r) => (
              <li key={`${r.installId}-${r.id}`}>
                <Link to={`/reports/plugins/${r.installId}/${r.id}`}>{r.title}</Link>{" "}
                <span className="muted small">{r.pluginName}</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}

function ReportHead({
  id,
  title,
  csv,
  csvLabel,
}: {
  id: string;
  title: string;
  csv: string;
  csvLabel?: string;
}) {
  return (
    <div className="page-head">
      <h2 id={id}>{title}</h2>
      <a className="small" href={csv} download>
        {csvLabel ?? "Export CSV"}
      </a>
    </div>
  );
}
